"""Reading the UN DESA International Migrant Stock 2020 workbook, checked and typed.

The UN DESA Population Division publishes its estimates of international migrants by country of
destination as an Excel workbook (International Migrant Stock 2020: Destination,
POP/DB/MIG/Stock/Rev.2020, licensed CC BY 3.0 IGO): migrant stock by sex, total population,
migrants as a share of the population, female share, rates of change and refugees, for 1990 to
2020. `read_undesa_migrant_stock` checks the workbook's layout and streams its figures as
`MigrantStockRecord` objects with M49 codes, SDMX sex codes, units and notes;
`undesa_to_rows` turns them into the compact rows the fair-share reference tables are made of.

Examples
--------
>>> from solidarity.stats.undesa import Measure, read_undesa_migrant_stock, sample_workbook
>>> reading = read_undesa_migrant_stock(sample_workbook(), tables=[6])
>>> refugees = [r for r in reading.records() if r.measure is Measure.REFUGEE_STOCK]
>>> norway = refugees[-1]
>>> norway.location, norway.is_country, norway.time_period, norway.value, norway.conf_status
('Norway', True, '2020', None, 'C')
"""

from ._errors import CellError, LayoutError, MissingSheetError, UndesaError, WorkbookError
from ._reader import (
    VALUE_SYMBOLS,
    Measure,
    MigrantStockReading,
    MigrantStockRecord,
    MigrantStockTable,
    UndesaRow,
    read_undesa_migrant_stock,
    undesa_to_rows,
)
from ._sample import sample_workbook

__all__ = [
    "VALUE_SYMBOLS",
    "CellError",
    "LayoutError",
    "Measure",
    "MigrantStockReading",
    "MigrantStockRecord",
    "MigrantStockTable",
    "MissingSheetError",
    "UndesaError",
    "UndesaRow",
    "WorkbookError",
    "read_undesa_migrant_stock",
    "sample_workbook",
    "undesa_to_rows",
]
