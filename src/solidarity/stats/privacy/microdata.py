"""Opening microdata files for the engines, with the checks that turn their failures into clear
errors (missing file, empty file, not UTF-8, missing columns, values a dimension cannot code).

DuckDB reads the files; a CSV file is read with every column as text (``all_varchar``), so
that a column whose values mix numbers and words never fails half-way through a scan: each
dimension decides what its values mean, and the first value it cannot code is reported with
its line. Finding that line is only done on the error path (`first_uncoded`).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from .errors import MicrodataError
from .spec import DimensionSpec, Spec


@dataclass(frozen=True)
class Microdata:
    """A checked microdata file: where it is, its format and its columns."""

    path: Path
    format: str
    columns: tuple[str, ...]

    def scan_sql(self, *, row_numbers: bool = False) -> str:
        """The DuckDB table function that reads the file."""
        path = _quote(str(self.path))
        if self.format == "parquet":
            extra = ", file_row_number = true" if row_numbers else ""
            return f"read_parquet({path}{extra})"
        return (
            f"read_csv({path}, header = true, all_varchar = true, delim = ',', quote = '\"', "
            "escape = '\"', encoding = 'utf-8')"
        )


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def quote_identifier(name: str) -> str:
    """A column name quoted for SQL."""
    return '"' + name.replace('"', '""') + '"'


def microdata_format(spec: Spec, path: Path) -> str:
    """``csv`` or ``parquet``: from the file's extension (``.csv``, ``.parquet``, ``.pq``), else
    from the specification's ``microdata.format``, else CSV."""
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix == ".csv":
        return "csv"
    return spec.microdata_format or "csv"


def open_microdata(
    spec: Spec, path: Path | None, connection: duckdb.DuckDBPyConnection
) -> Microdata:
    """Check the microdata file against the specification and return it.

    Raises
    ------
    MicrodataError
        No file, an empty file, a file DuckDB cannot read (not UTF-8, ragged rows, not
        Parquet), no records, or a column the specification names that the file lacks.
    """
    source = path or spec.microdata
    if source is None:
        raise MicrodataError(
            "no microdata file: give one, or microdata.path in the specification",
            file=str(spec.path or "<spec>"),
        )
    name = str(source)
    if not source.is_file():
        raise MicrodataError("no such file", file=name)
    if source.stat().st_size == 0:
        raise MicrodataError("is empty", file=name)
    kind = microdata_format(spec, source)
    microdata = Microdata(path=source, format=kind, columns=())
    try:
        query = f"DESCRIBE SELECT * FROM {microdata.scan_sql()}"  # noqa: S608
        described = connection.execute(query).fetchall()
    except duckdb.Error as error:
        raise read_error(error, name, kind) from None
    columns = tuple(str(row[0]) for row in described)
    needed = [d.column for d in spec.dimensions.values()]
    needed += [c for c in (spec.weight, spec.record_id) if c]
    for column in needed:
        if column not in columns:
            raise MicrodataError(
                f"has no column {column!r}; its columns are {', '.join(columns)}",
                file=name,
                column=column,
            )
    return Microdata(path=source, format=kind, columns=columns)


def read_error(error: Exception, file: str, kind: str) -> MicrodataError:
    """A DuckDB error while reading, as a MicrodataError that says what is wrong."""
    text = str(error)
    lowered = text.lower()
    if "unicode" in lowered or "utf-8" in lowered or "utf8" in lowered:
        line = _line_of(text)
        return MicrodataError(
            "is not UTF-8 text (save it as UTF-8)" if line is None else "is not UTF-8 text",
            file=file,
            row=line,
        )
    if kind == "parquet":
        return MicrodataError(f"cannot be read as Parquet ({text.splitlines()[0]})", file=file)
    return MicrodataError(f"cannot be read as CSV ({text.splitlines()[0]})", file=file)


def _line_of(text: str) -> int | None:
    marker = "line "
    lowered = text.lower()
    position = lowered.find(marker)
    if position < 0:
        return None
    digits = ""
    for character in lowered[position + len(marker) :]:
        if not character.isdigit():
            break
        digits += character
    return int(digits) if digits else None


def first_uncoded(
    microdata: Microdata, dimension: DimensionSpec, connection: duckdb.DuckDBPyConnection
) -> MicrodataError:
    """The error for the first record whose value the dimension cannot code (or that has no
    value). Only called once the tabulation found one, so it may read the file again."""
    name = str(microdata.path)
    column = dimension.column
    for row, raw in _values(microdata, column, connection):
        if raw is None or raw == "":
            return MicrodataError("has no value", file=name, row=row, column=column)
        if dimension.code_of(raw) is None:
            if dimension.bins is not None:
                try:
                    float(raw)
                except ValueError:
                    return MicrodataError(
                        "is not a number (the column mixes numbers and text)",
                        file=name,
                        row=row,
                        column=column,
                        value=raw,
                    )
                return MicrodataError(
                    f"falls in none of the bins of {dimension.id}",
                    file=name,
                    row=row,
                    column=column,
                    value=raw,
                )
            if dimension.codes is not None:
                reason = f"is not mapped to a code of {dimension.id} (add it under codes)"
            else:
                reason = f"is not in the codelist of {dimension.id}"
            return MicrodataError(reason, file=name, row=row, column=column, value=raw)
    return MicrodataError(
        f"holds a value that {dimension.id} cannot code", file=name, column=column
    )


def first_bad_number(
    microdata: Microdata, column: str, connection: duckdb.DuckDBPyConnection
) -> MicrodataError:
    """The error for the first record whose value in a numeric column (the weight) is missing,
    not a number or negative."""
    name = str(microdata.path)
    for row, raw in _values(microdata, column, connection):
        if raw is None or raw == "":
            return MicrodataError("has no value", file=name, row=row, column=column)
        try:
            number = float(raw)
        except ValueError:
            number = None
        if number is None:
            return MicrodataError("is not a number", file=name, row=row, column=column, value=raw)
        if number < 0 or number != number:
            return MicrodataError(
                "must be a number of at least 0", file=name, row=row, column=column, value=raw
            )
    return MicrodataError("holds a value that is not a number", file=name, column=column)


def _values(
    microdata: Microdata, column: str, connection: duckdb.DuckDBPyConnection
) -> Iterator[tuple[int, str | None]]:
    """(row, value as text) for every record in file order: the CSV line (the header is line
    1) or the Parquet row (from 1)."""
    if microdata.format == "csv":
        with microdata.path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader)
            position = header.index(column)
            for line, record in enumerate(reader, start=2):
                yield line, record[position] if position < len(record) else None
        return
    result = connection.execute(
        f"SELECT file_row_number, CAST({quote_identifier(column)} AS VARCHAR) "  # noqa: S608
        f"FROM {microdata.scan_sql(row_numbers=True)} ORDER BY file_row_number"
    )
    while batch := result.fetchmany(10_000):
        for number, value in batch:
            yield int(number) + 1, value
