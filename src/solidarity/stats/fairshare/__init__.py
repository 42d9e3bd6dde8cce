"""Fair sharing: transparent keys for sharing responsibility among States, each State's fair share
of a burden, what it actually does, the gap and the ratio, and how much each share depends on the
choice of weights.

A key is data — a weighted sum of normalised shares of indicators (population, GDP, refugees or
migrants hosted, unemployment…), with optional inverse terms (a higher figure gives a smaller
share) and caps — declared in a small YAML file (`load_key`, `parse_key`) or taken from the
presets (`preset_key`: ``eu2024``, ``eu2015``). The arithmetic is exact (fractions throughout); the
formula is in `solidarity.stats.fairshare._compute` and in docs/fair-sharing.md. A State lacking a
figure is reported (`MissingFigure`), never counted as zero.

Examples
--------
>>> from solidarity.stats.fairshare import fair_shares, key_shares, preset_key
>>> figures = {"population": {"AAA": 30, "BBB": 10}, "gdp": {"AAA": 100, "BBB": 300}}
>>> shares = key_shares(preset_key("eu2024"), figures=figures, states=["AAA", "BBB"])
>>> table = fair_shares(shares, burden=1000, actual={"AAA": 200, "BBB": None},
...                     actual_indicator="refugees")
>>> [(row.iso3, float(row.key_share), row.gap, row.missing) for row in table.rows]
[('AAA', 0.5, Fraction(-300, 1), ()), ('BBB', 0.5, None, ('refugees',))]
"""

from ._compute import (
    FairShareRow,
    FairShareTable,
    Figures,
    KeyShares,
    MissingFigure,
    ShareRange,
    describe,
    fair_shares,
    key_shares,
    sensitivity,
    weight_family,
)
from ._errors import FairShareError, FiguresError, KeyDeclarationError, NoUsableStates
from ._figures import (
    FigureRow,
    figures_for_year,
    merge_figures,
    read_figures_csv,
    read_table,
    read_worldbank_csv,
    table_text,
    write_table,
)
from ._keys import INDICATORS, PRESETS, Key, Term, load_key, parse_key, preset_key

__all__ = [
    "INDICATORS",
    "PRESETS",
    "FairShareError",
    "FairShareRow",
    "FairShareTable",
    "FigureRow",
    "Figures",
    "FiguresError",
    "Key",
    "KeyDeclarationError",
    "KeyShares",
    "MissingFigure",
    "NoUsableStates",
    "ShareRange",
    "Term",
    "describe",
    "fair_shares",
    "figures_for_year",
    "key_shares",
    "load_key",
    "merge_figures",
    "parse_key",
    "preset_key",
    "read_figures_csv",
    "read_table",
    "read_worldbank_csv",
    "sensitivity",
    "table_text",
    "weight_family",
    "write_table",
]
