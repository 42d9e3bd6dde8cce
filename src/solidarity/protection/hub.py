"""From protected tables to a data hub submission.

The engine writes one SDMX-CSV 2.0 file per table, keyed by the table's own dimensions. The hub
reads a submission against an indicator's structure: every dimension of the indicator, with
``REF_AREA`` and ``TIME_PERIOD``. `hub_file` builds that file from one or more tables: the
place and period the provider chose are added, an indicator dimension a table does not break
down by is ``_T`` (its total), and a cell several tables hold (the margins they share) is
written once, from the first table that holds it. ``CONF_STATUS`` travels as is: the hub keeps
cells marked ``C`` as confidential and never publishes them (nor their empty value).

A table dimension the indicator lacks is left in the file: the hub's check then refuses the
file, naming the column, and nothing is written.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from solidarity.indicators.models import Indicator

REF_AREA = "REF_AREA"
TIME_PERIOD = "TIME_PERIOD"
_LEAD = ("STRUCTURE", "STRUCTURE_ID", "ACTION")
_MEASURES = ("OBS_VALUE", "CONF_STATUS", "OBS_STATUS")


def table_ids(directory: Path) -> list[str]:
    """The ids of the tables a report lists, in its order."""
    from solidarity.stats.privacy.output import read_published

    _tables, report = read_published(directory)
    return list(report.get("tables", {}))


def hub_file(
    directory: Path,
    *,
    tables: Sequence[str],
    indicator: Indicator,
    ref_area: str,
    period: str,
) -> bytes:
    """The SDMX-CSV 2.0 submission of ``tables`` (ids) of a published directory for
    ``indicator`` in ``ref_area`` (the hub's REF_AREA code) and ``period``."""
    from solidarity.stats.privacy.output import read_published

    published, _report = read_published(directory)
    indicator_dimensions = [
        link.dimension_id
        for link in indicator.indicatordimension_set.order_by("order")
        if link.dimension_id not in (REF_AREA, TIME_PERIOD)
    ]
    extra: list[str] = []
    for table_id in tables:
        for dimension in published[table_id].dimensions:
            if dimension not in indicator_dimensions and dimension not in extra:
                extra.append(dimension)
    dimensions = [*indicator_dimensions, *extra]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*_LEAD, REF_AREA, *dimensions, TIME_PERIOD, *_MEASURES])
    structure = f"SOLIDARITY:DSD_{indicator.code.replace('.', '_')}(1.0)"
    seen: set[tuple[str, ...]] = set()
    for table_id in tables:
        table = published[table_id]
        frame = table.frame
        columns = {d: frame[d].astype(str).tolist() for d in table.dimensions}
        values = frame["OBS_VALUE"].tolist()
        conf = frame["CONF_STATUS"].astype(str).tolist()
        status = frame["OBS_STATUS"].astype(str).tolist()
        for row in range(len(frame)):
            key = tuple(columns[d][row] if d in columns else "_T" for d in dimensions)
            if key in seen:
                continue
            seen.add(key)
            value = values[row]
            text = "" if value is None or str(value) in ("<NA>", "nan") else str(int(value))
            writer.writerow(
                [
                    "datastructure",
                    structure,
                    "I",
                    ref_area,
                    *key,
                    period,
                    text,
                    conf[row],
                    status[row],
                ]
            )
    return out.getvalue().encode("utf-8")
