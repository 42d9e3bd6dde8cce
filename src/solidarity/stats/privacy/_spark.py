"""The Apache Spark engine: the same tabulation plan as DuckDB's, for data beyond one machine.

The records are coded once (values mapped by a broadcast join with a small code table, numbers
binned by ``when``) and kept (``persist``); each table is one ``groupBy`` of its dimensions
with the same aggregates as the DuckDB query: ``count``, the weighted ``value``, the record
keys' sum modulo 2**32 (long integers, so exact whatever the partitioning), and the counts of
bad weights and missing keys. The finest cells then go through the same completion as
DuckDB's (`tabulate.complete_table`: margins and subtotals added up), so both engines give
identical tables (tested).

The session is the active one (a cluster's, under ``spark-submit``) or a new local one. Record
keys identified by row follow the file's order: records are numbered in order across
partitions (`_numbered`, without leaving the JVM).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd  # type: ignore[import-untyped]  # no pandas-stubs pinned here

from .microdata import Microdata
from .spec import Spec
from .tables import KEY_MODULUS
from .tabulate import KEY_COLUMN, RECORD_ID_COLUMN, ROW_COLUMN, Progress

__all__ = ["spark_cells", "spark_session"]


def _internal(dimension: str) -> str:
    # Spark resolves column names without regard to case: a dimension SEX coded from a column
    # sex would clash with it.
    return f"__code_{dimension}"


def _numbered(spark: Any, records: Any) -> Any:
    """The records with their 0-based row in the file (`ROW_COLUMN`), in the JVM.

    ``monotonically_increasing_id`` holds the partition's index in its upper bits and the
    position within the partition in the lower 33; partitions of one file follow the file's
    order. Counting each partition's records gives the offsets that make the numbers
    contiguous.
    """
    from pyspark.sql import functions as F  # noqa: N812  # Spark's own convention

    tagged = records.withColumn("__id", F.monotonically_increasing_id())
    tagged = tagged.withColumn("__part", F.shiftright(F.col("__id"), 33))
    sizes = sorted(
        (int(row["__part"]), int(row["count"]))
        for row in tagged.groupBy("__part").count().collect()
    )
    offsets = []
    running = 0
    for part, size in sizes:
        offsets.append((part, running))
        running += size
    offset_frame = spark.createDataFrame(offsets, schema="__part long, __offset long")
    position = F.col("__id") - F.shiftleft(F.col("__part"), 33)
    return (
        tagged.join(F.broadcast(offset_frame), on="__part", how="left")
        .withColumn(ROW_COLUMN, F.col("__offset") + position)
        .drop("__id", "__part", "__offset")
    )


def spark_session() -> Any:
    """The active Spark session, or a new local one (``local[*]``)."""
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    return (
        SparkSession.builder.appName("solidarity-privacy")
        .config("spark.ui.showConsoleProgress", "false")
        # A local session's tables have thousands of cells, not millions: Spark's default of
        # 200 shuffle partitions would spend its time scheduling empty tasks.
        .config("spark.sql.shuffle.partitions", "8")
        .getOrCreate()
    )


def spark_cells(
    spec: Spec,
    microdata: Microdata,
    public_codes: Mapping[str, Sequence[str]],
    keys: Path | None,
    progress: Progress | None,
    timings: dict[str, float],
) -> dict[str, pd.DataFrame]:
    """The cells of every table, as the DuckDB engine returns them (see `tabulate`)."""
    with warnings.catch_warnings():
        # PySpark warns that it does not fully support pandas 3 when it checks the pandas
        # version; no pandas data frame goes to or comes from Spark here (rows are collected).
        warnings.filterwarnings(
            "ignore", message="PySpark does not yet fully support pandas", category=FutureWarning
        )
        return _spark_cells(spec, microdata, public_codes, keys, progress, timings)


def _spark_cells(
    spec: Spec,
    microdata: Microdata,
    public_codes: Mapping[str, Sequence[str]],
    keys: Path | None,
    progress: Progress | None,
    timings: dict[str, float],
) -> dict[str, pd.DataFrame]:
    from pyspark import StorageLevel
    from pyspark.sql import functions as F  # noqa: N812  # Spark's own convention

    spark = spark_session()
    path = str(microdata.path.resolve())
    if microdata.format == "parquet":
        records = spark.read.parquet(path)
    else:
        records = spark.read.csv(
            path, header=True, inferSchema=False, encoding="UTF-8", quote='"', escape='"'
        )
    if keys is not None:
        key_frame = spark.read.parquet(str(keys.resolve()))
        if spec.record_id is None:
            # The n-th key is the n-th record's: number both the same way.
            records = _numbered(spark, records).join(
                _numbered(spark, key_frame.select(KEY_COLUMN)), on=ROW_COLUMN, how="left"
            )
        else:
            records = records.join(
                key_frame,
                records[spec.record_id].cast("string") == key_frame[RECORD_ID_COLUMN],
                how="left",
            )
    coded = []
    used = [d for d in spec.dimensions if any(d in t.dimensions for t in spec.tables)]
    for name in used:
        dimension = spec.dimensions[name]
        column = F.col(f"`{dimension.column}`")
        if dimension.bins is not None:
            numeric = column.try_cast("double")
            expression = None
            for one in dimension.bins:
                condition = numeric.isNotNull()
                if one.low is not None:
                    condition = condition & (numeric >= one.low)
                if one.high is not None:
                    condition = condition & (numeric <= one.high)
                expression = (
                    F.when(condition, F.lit(one.code))
                    if expression is None
                    else expression.when(condition, F.lit(one.code))
                )
            assert expression is not None
            coded.append(expression.alias(_internal(name)))
        elif name not in public_codes:
            # No codelist: the values are the codes (checked once counted, as with DuckDB).
            coded.append(column.cast("string").alias(_internal(name)))
        else:
            mapping = dimension.codes or {code: code for code in public_codes[name]}
            table = spark.createDataFrame(
                list(mapping.items()), schema=f"`__raw_{name}` string, `{_internal(name)}` string"
            )
            records = records.join(
                F.broadcast(table), column.cast("string") == table[f"__raw_{name}"], how="left"
            )
            coded.append(F.col(f"`{_internal(name)}`"))
    weight = F.col(f"`{spec.weight}`").try_cast("double") if spec.weight is not None else F.lit(1.0)
    key = F.col(KEY_COLUMN) if keys is not None else F.lit(None).cast("long")
    # Every table is counted from the same coded records: keep them rather than read and code
    # the file again for each table.
    prepared = records.select(*coded, weight.alias("__w"), key.alias("__k")).persist(
        StorageLevel.MEMORY_AND_DISK
    )
    try:
        return _cubes(spec, prepared, progress, timings)
    finally:
        prepared.unpersist()


def _cubes(
    spec: Spec, prepared: Any, progress: Progress | None, timings: dict[str, float]
) -> dict[str, pd.DataFrame]:
    from pyspark.sql import functions as F  # noqa: N812  # Spark's own convention

    results: dict[str, pd.DataFrame] = {}
    for number, table_spec in enumerate(spec.tables, start=1):
        started = time.perf_counter()
        dims = [_internal(d) for d in table_spec.dimensions]
        bad_weight = F.col("__w").isNull() | (F.col("__w") < 0) | F.isnan(F.col("__w"))
        cube = prepared.groupBy(*dims).agg(
            *[F.lit(0).alias(f"__g_{name}") for name in table_spec.dimensions],
            F.count(F.lit(1)).alias("count"),
            F.sum("__w").alias("value"),
            (F.sum("__k") % F.lit(KEY_MODULUS)).alias("key_mod"),
            F.sum(F.when(bad_weight, 1).otherwise(0)).alias("bad_weight"),
            F.sum(F.when(F.col("__k").isNull(), 1).otherwise(0)).alias("missing_key"),
        )
        rows = cube.collect()
        columns = [*table_spec.dimensions, *[f"__g_{d}" for d in table_spec.dimensions]]
        columns += ["count", "value", "key_mod", "bad_weight", "missing_key"]
        frame = pd.DataFrame.from_records([tuple(row) for row in rows], columns=columns)
        frame["count"] = frame["count"].astype("int64")
        results[table_spec.id] = frame
        timings[table_spec.id] = time.perf_counter() - started
        if progress is not None:
            progress(number, len(spec.tables), table_spec.id)
    return results
