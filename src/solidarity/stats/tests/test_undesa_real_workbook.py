"""The UN DESA International Migrant Stock 2020 reader against the real workbook.

Expected figures are read from the workbook here, independently of the reader (openpyxl, cells
located by their headings), never typed in from the reader's own output."""

from __future__ import annotations

import itertools
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from solidarity.stats.tests.test_doctests import MODULES
from solidarity.stats.undesa import (
    Measure,
    MigrantStockReading,
    MigrantStockRecord,
    read_undesa_migrant_stock,
    undesa_to_rows,
)

WORKBOOK = "reference/undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx"
YEARS = [1990, 1995, 2000, 2005, 2010, 2015, 2020]


@pytest.fixture(scope="module")
def path(shared_data: Path) -> Path:
    return shared_data / WORKBOOK


@pytest.fixture(scope="module")
def reading(path: Path) -> MigrantStockReading:
    return read_undesa_migrant_stock(path)


@pytest.fixture(scope="module")
def records(reading: MigrantStockReading) -> list[MigrantStockRecord]:
    return list(reading.records())


@pytest.fixture(scope="module")
def sheets(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}
    finally:
        book.close()


def cell(rows: list[tuple[Any, ...]], *, code: int, heading_end: str, label: object) -> Any:
    """The value in the row whose Location code (column D) is ``code``, in the block whose
    heading (row 8) ends with ``heading_end``, under the column label (row 11) ``label``."""
    headings = rows[7]
    start = next(
        i for i, text in enumerate(headings) if isinstance(text, str) and text.endswith(heading_end)
    )
    column = next(i for i in range(start, len(rows[10])) if rows[10][i] == label)
    row = next(row for row in rows[11:] if row[3] == code)
    return row[column]


def find(
    records: list[MigrantStockRecord], measure: Measure, m49: int, year: int, sex: str = "_T"
) -> MigrantStockRecord:
    (record,) = [
        r
        for r in records
        if r.measure is measure and r.m49 == m49 and r.year == year and r.sex == sex
    ]
    return record


def test_the_doctests_cover_the_reader() -> None:
    assert {"solidarity.stats.undesa", "solidarity.stats.undesa._reader"} <= set(MODULES)
    assert "solidarity.stats.undesa._sample" in MODULES


def test_every_table_is_found_with_its_measures(reading: MigrantStockReading) -> None:
    assert [(t.number, t.sheet) for t in reading.tables] == [(n, f"Table {n}") for n in range(1, 7)]
    assert [t.measures for t in reading.tables] == [
        (Measure.MIGRANT_STOCK,),
        (Measure.TOTAL_POPULATION,),
        (Measure.MIGRANT_SHARE,),
        (Measure.FEMALE_MIGRANT_SHARE,),
        (Measure.MIGRANT_STOCK_CHANGE_RATE,),
        (Measure.REFUGEE_STOCK, Measure.REFUGEE_SHARE, Measure.REFUGEE_STOCK_CHANGE_RATE),
    ]
    assert reading.tables[1].title.endswith("1990-2020 (thousands)")
    assert reading.source == (
        "United Nations Department of Economic and Social Affairs, Population Division (2020). "
        "International Migrant Stock 2020. POP/DB/MIG/Stock/Rev.2020. Copyright © 2020 by "
        "United Nations, made available under a Creative Commons license CC BY 3.0 IGO: "
        "http://creativecommons.org/licenses/by/3.0/igo/"
    )
    assert len(reading.notes) == 41


def test_counts_of_places_years_and_figures(
    records: list[MigrantStockRecord], sheets: dict[str, list[tuple[Any, ...]]]
) -> None:
    # 283 data rows per sheet; Australia and New Zealand (927) is listed twice and yielded once.
    codes = [row[3] for row in sheets["Table 1"][11:] if row[3] is not None]
    assert len(codes) == 283
    assert [code for code, n in Counter(codes).items() if n > 1] == [927]
    for table in range(1, 7):
        mine = [r for r in records if r.table == table]
        countries = {r.m49 for r in mine if r.is_country}
        aggregates = {r.m49 for r in mine if not r.is_country}
        assert (len(countries), len(aggregates)) == (235, 47), table
        # 232 countries or areas have a type of data; Taiwan Province of China (158), Saint
        # Barthélemy (652) and Saint Martin (663) have none.
        typed = {r.m49 for r in mine if r.type_of_data is not None}
        assert countries - typed == {158, 652, 663}
        assert all(r.m49 in countries for r in mine if r.type_of_data is not None)
        for measure in dict.fromkeys(r.measure for r in mine):
            periods = sorted({r.time_period for r in mine if r.measure is measure})
            sexes = {r.sex for r in mine if r.measure is measure}
            if measure.name.endswith("CHANGE_RATE"):
                assert periods == [f"{a}-{b}" for a, b in itertools.pairwise(YEARS)]
            else:
                assert periods == [str(year) for year in YEARS]
            figures = [r for r in mine if r.measure is measure]
            assert len(figures) == 282 * len(periods) * len(sexes)
    assert Counter(r.table for r in records) == {
        1: 282 * 21,
        2: 282 * 21,
        3: 282 * 21,
        4: 282 * 7,
        5: 282 * 18,
        6: 282 * 20,
    }


def test_world_2020_against_the_cells(
    records: list[MigrantStockRecord], sheets: dict[str, list[tuple[Any, ...]]]
) -> None:
    stock = find(records, Measure.MIGRANT_STOCK, 900, 2020)
    expected = cell(sheets["Table 1"], code=900, heading_end="both sexes combined", label=2020)
    assert stock.value == Decimal(expected)
    assert stock.location == "WORLD"
    assert not stock.is_country
    assert stock.unit == "persons"
    assert stock.unit_multiplier == 0
    # A sanity check of units: about 281 million international migrants in 2020.
    assert stock.value is not None
    assert 270_000_000 < stock.value < 290_000_000

    population = find(records, Measure.TOTAL_POPULATION, 900, 2020)
    expected = cell(
        sheets["Table 2"], code=900, heading_end="both sexes combined (thousands)", label=2020
    )
    assert population.value == Decimal(repr(expected))
    assert (population.unit, population.unit_multiplier) == ("persons", 3)
    assert population.value is not None
    assert 7.7e9 < population.value.scaleb(3) < 7.9e9

    males = find(records, Measure.MIGRANT_STOCK, 900, 2020, "M")
    assert males.value == cell(sheets["Table 1"], code=900, heading_end=", males", label=2020)
    assert males.cell == "'Table 1'!S12"


@pytest.mark.parametrize(
    ("table", "measure", "heading_end", "label", "sex"),
    [
        ("Table 3", Measure.MIGRANT_SHARE, ", females", 2005, "F"),
        ("Table 4", Measure.FEMALE_MIGRANT_SHARE, "international migrant stock", 1995, "F"),
        ("Table 5", Measure.MIGRANT_STOCK_CHANGE_RATE, ", males", "2010-2015", "M"),
        ("Table 6", Measure.REFUGEE_SHARE, "international migrant stock", 2020, "_T"),
    ],
)
@pytest.mark.parametrize("code", [276, 404, 484, 840, 1833])  # Germany, Kenya, Mexico, USA, region
def test_spot_values_against_the_cells(
    records: list[MigrantStockRecord],
    sheets: dict[str, list[tuple[Any, ...]]],
    table: str,
    measure: Measure,
    heading_end: str,
    label: object,
    sex: str,
    code: int,
) -> None:
    year = int(str(label)[-4:])
    record = find(records, measure, code, year, sex)
    expected = cell(sheets[table], code=code, heading_end=heading_end, label=label)
    assert record.value == Decimal(repr(expected))
    assert record.unit == "percent"
    assert record.is_country is (code < 900)


def test_refugee_table(
    records: list[MigrantStockRecord], sheets: dict[str, list[tuple[Any, ...]]]
) -> None:
    rows = sheets["Table 6"]
    for code in (900, 276, 400, 800):  # world, Germany, Jordan, Uganda
        refugees = find(records, Measure.REFUGEE_STOCK, code, 2020)
        expected = cell(
            rows,
            code=code,
            heading_end="asylum seekers at mid-year, both sexes combined",
            label=2020,
        )
        assert refugees.value == Decimal(expected)
        assert refugees.unit == "persons"
    world = find(records, Measure.REFUGEE_STOCK, 900, 2020).value
    assert world is not None
    assert 30_000_000 < world < 40_000_000
    # The share column agrees with the two stocks it is made of.
    stock = find(records, Measure.MIGRANT_STOCK, 900, 2020).value
    share = find(records, Measure.REFUGEE_SHARE, 900, 2020).value
    assert stock is not None
    assert share is not None
    assert abs(world / stock * 100 - share) < Decimal("1e-9")
    # "~": fewer than five persons, protected for privacy; never a number, always confidential.
    protected = [r for r in records if r.conf_status == "C"]
    tildes = sum(1 for row in rows[11:] for value in row[5:] if value == "~")
    assert len(protected) == tildes == 1724
    assert {(r.table, r.value, r.obs_status) for r in protected} == {(6, None, "Q")}


def test_symbols_and_notes(
    records: list[MigrantStockRecord], sheets: dict[str, list[tuple[Any, ...]]]
) -> None:
    missing = Counter(r.table for r in records if r.obs_status == "O")
    for table, count in missing.items():
        rows = sheets[f"Table {table}"][11:]
        # The duplicate 927 row has no "..", so the cells and the records count alike.
        assert count == sum(1 for row in rows for value in row[5:] if value == ".."), table
    assert all(r.value is None for r in records if r.obs_status is not None)
    wallis = find(records, Measure.MIGRANT_STOCK, 876, 2020)
    assert wallis.location == "Wallis and Futuna Islands"
    assert wallis.note == 41
    assert wallis.note_text is not None
    assert wallis.note_text.startswith("For statistical purposes, the foreign-born population")
    assert wallis.type_of_data == "B R"
    # Table 6 leaves the Notes column empty.
    assert find(records, Measure.REFUGEE_STOCK, 876, 2015).note is None


@pytest.mark.parametrize("measure", [Measure.MIGRANT_STOCK, Measure.TOTAL_POPULATION])
def test_sex_totals_are_males_plus_females(
    records: list[MigrantStockRecord], measure: Measure
) -> None:
    figures = {(r.m49, r.year, r.sex): r.value for r in records if r.measure is measure}
    disagreeing, incomplete = [], set()
    for (m49, year, sex), total in figures.items():
        if sex != "_T" or total is None:
            continue
        males, females = figures[m49, year, "M"], figures[m49, year, "F"]
        if males is None or females is None:
            incomplete.add(m49)
        elif total != males + females:
            disagreeing.append((m49, year, total, males, females))
    # The workbook adds up exactly (in decimals as stored), for countries and aggregates alike.
    assert disagreeing == []
    # Only some totals have no split by sex: Bonaire, Sint Eustatius and Saba (535) in Table 1;
    # 34 small countries and areas in Table 2.
    assert len(incomplete) == (1 if measure is Measure.MIGRANT_STOCK else 34)


def test_compact_rows(records: list[MigrantStockRecord], reading: MigrantStockReading) -> None:
    rows = list(
        undesa_to_rows(
            records,
            measures={Measure.TOTAL_POPULATION, Measure.REFUGEE_STOCK},
            countries_only=True,
        )
    )
    assert len(rows) == 235 * 21 + 235 * 7
    world = next(
        undesa_to_rows(
            (r for r in records if r.m49 == 900 and r.year == 2020),
            measures={Measure.TOTAL_POPULATION},
        )
    )
    # Thousands become persons, exactly.
    assert world == (900, 2020, "_T", "TOTAL_POPULATION", Decimal("7794798729"))
    assert str(world.value) == "7794798729"
    germany = [r for r in rows if r.m49 == 276 and r.year == 2020 and r.sex == "_T"]
    assert [r.measure for r in germany] == ["TOTAL_POPULATION", "REFUGEE_STOCK"]
    rates = [
        r
        for r in undesa_to_rows(records, measures={Measure.MIGRANT_STOCK_CHANGE_RATE})
        if r.m49 == 900
    ]
    assert sorted({r.year for r in rates}) == YEARS[1:]


def test_records_can_be_read_twice(reading: MigrantStockReading) -> None:
    first = next(reading.records())
    assert first == next(reading.records())
    assert first.cell == "'Table 1'!F12"
