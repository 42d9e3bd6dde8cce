"""Record keys for the cell key method: drawn once per dataset, kept, never drawn again.

Every record of a dataset gets a random integer key in [0, 2**32), drawn from the operating
system's entropy (`secrets`) the first time the cell key method runs on the dataset, and kept
in the dataset's state directory as ``record_keys.parquet``. Later runs reuse them: a cell's
key, and so its perturbation, stays the same from one release to the next, so publishing the
tables again (or other tables with the same cells) gives an attacker nothing to average.

A record is identified either

- by its **row** in the file (the default): one column, the key ``__solidarity_key``, in file
  order — the n-th key is the n-th record's. Records may be appended to the file later (new
  rows get new keys); a file with fewer rows than keys is refused, since removing or reordering
  rows would hand people other people's keys; or
- by a **record id column** (``microdata.record_id`` in the specification), robust to sorting
  and deletion: column ``__solidarity_record_id`` (the id as text) and the key. Ids must be
  unique.

Keys are stored as unsigned 32-bit integers, uncompressed and without a dictionary (random
numbers do not compress), in row groups of a million: the DuckDB engine reads them a row group
at a time beside the records, the n-th key for the n-th record, at little cost and memory.
``record_keys.json`` beside it records how the keys were made (identification, counts, dates).
Neither file is ever rewritten except to append keys for new records (to a temporary file,
then renamed). Keep the state directory as private as the microdata: with the keys, cell keys
can be recomputed, which is the point of keeping them and the reason not to publish them.

Examples
--------
>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "people.csv").write_text("sex\\nMale\\nFemale\\n")
>>> from solidarity.stats.privacy.spec import parse_spec
>>> spec = parse_spec({"dataset": "demo", "microdata": "people.csv",
...     "dimensions": {"SEX": {"column": "sex"}}, "tables": [{"id": "T", "dimensions": ["SEX"]}]},
...     file="spec.yaml", base=folder)
>>> path = ensure_record_keys(spec)
>>> path.relative_to(folder).as_posix()
'demo.solidarity/record_keys.parquet'
>>> first = pd.read_parquet(path)
>>> len(first), ensure_record_keys(spec) == path, pd.read_parquet(path).equals(first)
(2, True, True)
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd  # type: ignore[import-untyped]  # no pandas-stubs pinned here
import pyarrow as pa  # type: ignore[import-untyped]  # pyarrow ships no type information
import pyarrow.parquet as pq  # type: ignore[import-untyped]  # pyarrow ships no type information

from .errors import MicrodataError
from .microdata import open_microdata, quote_identifier
from .spec import Spec
from .tables import KEY_MODULUS
from .tabulate import KEY_COLUMN, RECORD_ID_COLUMN

__all__ = ["KEYS_FILE", "ensure_record_keys"]

KEYS_FILE = "record_keys.parquet"
KEYS_INFO = "record_keys.json"


def ensure_record_keys(
    spec: Spec, microdata_path: str | Path | None = None, *, state_dir: str | Path | None = None
) -> Path:
    """Give every record of the microdata its key, reusing the dataset's kept keys.

    Parameters
    ----------
    spec : Spec
    microdata_path : path, optional
        The microdata file; the specification's when None.
    state_dir : path, optional
        The dataset's state directory; `Spec.state_directory` when None.

    Returns
    -------
    pathlib.Path
        The keys file (Parquet), ready for `tabulate.tabulate`'s ``record_keys``.

    Raises
    ------
    MicrodataError
        The file has fewer rows than the dataset has keys (row identification), or record ids
        are missing or repeated.
    """
    source = Path(microdata_path) if microdata_path is not None else spec.microdata
    folder = Path(state_dir) if state_dir is not None else spec.state_directory(source)
    path = folder / KEYS_FILE
    connection = duckdb.connect()
    try:
        microdata = open_microdata(spec, source, connection)
        name = str(microdata.path)
        existing = pd.read_parquet(path) if path.exists() else None
        if spec.record_id is None:
            if existing is not None and RECORD_ID_COLUMN in existing.columns:
                raise MicrodataError(
                    f"the dataset's keys ({path}) identify records by a record id column: "
                    "name it under microdata.record_id",
                    file=name,
                )
            count_row = connection.execute(
                f"SELECT count(*) FROM {microdata.scan_sql()}"  # noqa: S608
            ).fetchone()
            rows = int(count_row[0]) if count_row else 0
            kept = 0 if existing is None else len(existing)
            if rows < kept:
                raise MicrodataError(
                    f"has {rows} records but the dataset {spec.dataset!r} has keys for {kept}: "
                    "records can only be appended to a dataset identified by row (or give a "
                    "record id column)",
                    file=name,
                )
            if existing is not None and rows == kept:
                return path
            new = pd.DataFrame({KEY_COLUMN: _draw(rows - kept)})
            identification = "row"
        else:
            column = quote_identifier(spec.record_id)
            ids = connection.execute(
                f"SELECT CAST({column} AS VARCHAR) AS id, count(*) AS n "  # noqa: S608
                f"FROM {microdata.scan_sql()} GROUP BY ALL HAVING n > 1 OR id IS NULL LIMIT 1"
            ).fetchone()
            if ids is not None:
                raise MicrodataError(
                    "is missing for a record" if ids[0] is None else "identifies two records",
                    file=name,
                    column=spec.record_id,
                    value=ids[0],
                )
            if existing is not None and RECORD_ID_COLUMN not in existing.columns:
                raise MicrodataError(
                    f"the dataset's keys ({path}) identify records by row, not by {spec.record_id}",
                    file=name,
                )
            known = existing if existing is not None else _empty_id_keys()
            connection.register("__known", known)
            fresh = connection.sql(
                f"SELECT DISTINCT CAST({column} AS VARCHAR) AS id "  # noqa: S608
                f"FROM {microdata.scan_sql()} "
                f"WHERE CAST({column} AS VARCHAR) NOT IN "
                f"(SELECT {RECORD_ID_COLUMN} FROM __known) ORDER BY id"
            ).df()
            if existing is not None and fresh.empty:
                return path
            new = pd.DataFrame(
                {
                    RECORD_ID_COLUMN: fresh["id"].astype(object),
                    KEY_COLUMN: _draw(len(fresh)),
                }
            )
            identification = f"record id column {spec.record_id}"
    finally:
        connection.close()
    keys = new if existing is None else pd.concat([existing, new], ignore_index=True)
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".{KEYS_FILE}.tmp"
    columns = {KEY_COLUMN: pa.array(keys[KEY_COLUMN].to_numpy(), type=pa.uint32())}
    if RECORD_ID_COLUMN in keys.columns:
        columns = {RECORD_ID_COLUMN: pa.array(keys[RECORD_ID_COLUMN].astype(str)), **columns}
    pq.write_table(
        pa.table(columns),
        temporary,
        compression="none",
        use_dictionary=[RECORD_ID_COLUMN] if RECORD_ID_COLUMN in columns else False,
        row_group_size=1_000_000,
    )
    os.replace(temporary, path)
    _write_info(folder, spec, identification, len(keys), len(new), existing is None)
    return path


def _draw(count: int) -> np.ndarray:
    # Seeded from the operating system's entropy: keys must not be reproducible by anyone
    # who has not got the keys file.
    generator = np.random.default_rng(secrets.randbits(128))
    return generator.integers(0, KEY_MODULUS, size=count, dtype=np.uint32)


def _empty_id_keys() -> pd.DataFrame:
    return pd.DataFrame(
        {
            RECORD_ID_COLUMN: pd.Series([], dtype=object),
            KEY_COLUMN: pd.Series([], dtype=np.uint32),
        }
    )


def _write_info(
    folder: Path, spec: Spec, identification: str, total: int, added: int, created: bool
) -> None:
    path = folder / KEYS_INFO
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    info: dict[str, Any] = {}
    if path.exists():
        info = json.loads(path.read_text(encoding="utf-8"))
    info.setdefault("dataset", spec.dataset)
    info.setdefault("created", now)
    info["identification"] = identification
    info["keys"] = total
    info.setdefault("appended", [])
    if not created:
        info["appended"].append({"at": now, "keys": added})
    info["key_range"] = f"integers in [0, {KEY_MODULUS})"
    temporary = folder / f".{KEYS_INFO}.tmp"
    temporary.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, path)
