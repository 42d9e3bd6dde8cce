"""The calculator's table as rows for CSV, XLSX and the command line: one column set everywhere.

Key shares are written with 12 decimal places (so that they still sum to 1 within 1e-11 once
rounded), amounts with 3, ratios with 6; an empty cell is a missing figure, never a zero.
"""

from __future__ import annotations

import csv
import io
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

from openpyxl import Workbook

from solidarity.fairshare.selectors import Calculation

COLUMNS = (
    "iso3",
    "name",
    "key_share",
    "fair_share",
    "actual",
    "gap",
    "ratio",
    "share_low",
    "share_high",
    "missing",
)


def decimal(value: Fraction | float | None, places: int) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, float):
        value = Fraction(value)
    exponent = Decimal(1).scaleb(-places)
    quotient = Decimal(value.numerator) / Decimal(value.denominator)
    return quotient.quantize(exponent, rounding=ROUND_HALF_EVEN)


def calculation_rows(calculation: Calculation) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    table = calculation.table
    by_state = {row.iso3: row for row in table.rows} if table is not None else {}
    for state in calculation.group.states:
        row = by_state.get(state)
        ranges = calculation.ranges.get(state)
        missing = sorted(
            {m.indicator for m in calculation.missing if m.iso3 == state}
            | set(row.missing if row is not None else ())
        )
        rows.append(
            {
                "iso3": state,
                "name": calculation.names.get(state, ""),
                "key_share": decimal(row.key_share if row else None, 12),
                "fair_share": decimal(row.fair_share if row else None, 3),
                "actual": decimal(row.actual if row else None, 3),
                "gap": decimal(row.gap if row else None, 3),
                "ratio": decimal(row.ratio if row else None, 6),
                "share_low": decimal(ranges.low if ranges else None, 12),
                "share_high": decimal(ranges.high if ranges else None, 12),
                "missing": " ".join(missing),
            }
        )
    return rows


def provenance_lines(calculation: Calculation) -> list[str]:
    """Where each figure comes from, for the foot of a download."""
    lines = [f"key: {calculation.key.name} ({calculation.key.reference or calculation.key.title})"]
    lines.append(f"group: {calculation.group.spec} ({len(calculation.group.states)} States)")
    lines.append(f"year of the figures: {calculation.year}")
    for indicator, sources in calculation.figures.sources.items():
        lines.append(f"{indicator} {calculation.year}: {'; '.join(sources) or 'no figures'}")
    return lines


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def calculation_csv(calculation: Calculation) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in calculation_rows(calculation):
        writer.writerow([_cell(row[column]) for column in COLUMNS])
    return buffer.getvalue()


def calculation_xlsx(calculation: Calculation) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("fair shares")
    sheet.append(list(COLUMNS))
    for row in calculation_rows(calculation):
        sheet.append(
            [
                float(value) if isinstance(value, Decimal) else (value if value != "" else None)
                for value in (row[column] for column in COLUMNS)
            ]
        )
    sources = workbook.create_sheet("sources")
    for line in provenance_lines(calculation):
        sources.append([line])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
