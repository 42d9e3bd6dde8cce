"""The IATI export of the published pledges' money.

Each financial commitment of a published pledge is written as one IATI 2.03 activity (lxml's
incremental writer, one activity in memory at a time) to a temporary file beside the target;
with the schema folder given the file is validated before it replaces the target, so an export
that does not validate never appears.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from solidarity.commitments import iati as bridge
from solidarity.commitments.selectors import commitments_for_export
from solidarity.stats.iati import IatiError, check_iati, write_iati


class IatiExportError(Exception):
    """The export would not validate against the IATI schema (the problems are listed)."""


def iati_export(
    *,
    out: str | os.PathLike[str],
    state: str | None = None,
    schema_dir: str | os.PathLike[str] | None = None,
) -> int:
    """Write the money of the published pledges (of ``state`` only, if given) to ``out`` as an
    IATI 2.03 activity file; return the number of activities. Raises
    :class:`IatiExportError`, leaving ``out`` untouched, when the file would not validate."""
    target = Path(out)
    commitments = commitments_for_export(state=state)
    handle, temporary = tempfile.mkstemp(prefix=".iati-", suffix=".xml", dir=target.parent or ".")
    try:
        with os.fdopen(handle, "wb") as file:
            count = write_iati(
                (bridge.activity_of(c) for c in commitments.iterator(chunk_size=200)), file
            )
        if count == 0:
            raise IatiExportError(
                "nothing to export: no published pledge has money recorded"
                + (f" for {state.upper()}" if state else "")
            )
        if schema_dir:
            try:
                problems = check_iati(temporary, file_name=target.name, schema_dir=schema_dir)
            except IatiError as error:  # pragma: no cover - we wrote it with lxml
                raise IatiExportError(str(error)) from error
            if problems:
                raise IatiExportError(
                    "the export does not validate against the IATI schema:\n"
                    + "\n".join(str(p) for p in problems)
                )
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return count
