"""The UN DESA reader on workbooks broken on purpose: each gets a clear, placed error."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from solidarity.stats.undesa import (
    CellError,
    LayoutError,
    MissingSheetError,
    UndesaError,
    WorkbookError,
    read_undesa_migrant_stock,
    sample_workbook,
)


def broken(tmp_path: Path, change: Callable[[openpyxl.Workbook], object]) -> Path:
    book = openpyxl.load_workbook(sample_workbook())
    change(book)
    path = tmp_path / "ims.xlsx"
    book.save(path)
    return path


def test_the_sample_reads_cleanly() -> None:
    records = list(read_undesa_migrant_stock(sample_workbook()).records())
    assert len(records) == 3 * (21 * 3 + 7 + 18 + 20)
    assert {r.m49 for r in records if r.is_country} == {578}


def test_a_missing_sheet(tmp_path: Path) -> None:
    path = broken(tmp_path, lambda book: book.remove(book["Table 6"]))
    with pytest.raises(MissingSheetError) as caught:
        read_undesa_migrant_stock(path)
    assert str(caught.value).startswith(
        "ims.xlsx, sheet 'Table 6': the workbook has no sheet 'Table 6' (it has ["
    )
    assert caught.value.sheet == "Table 6"
    # Reading only the tables that are there works.
    assert len(read_undesa_migrant_stock(path, tables=[1, 2]).tables) == 2


def test_a_shifted_header(tmp_path: Path) -> None:
    path = broken(tmp_path, lambda book: book["Table 2"].insert_rows(1))
    with pytest.raises(LayoutError) as caught:
        read_undesa_migrant_stock(path)
    assert str(caught.value) == (
        "ims.xlsx, sheet 'Table 2', cell E2: expected 'International Migrant Stock 2020: "
        "Destination', found None: the sheet does not have the layout of International Migrant "
        "Stock 2020 (rows inserted or deleted, columns moved, or another revision)"
    )
    assert (caught.value.sheet, caught.value.row, caught.value.column) == ("Table 2", 2, "E")


def test_a_moved_year_column(tmp_path: Path) -> None:
    def change(book: openpyxl.Workbook) -> None:
        book["Table 1"]["M11"] = 1995

    with pytest.raises(LayoutError, match=r"cell M11: expected 1990, found 1995"):
        read_undesa_migrant_stock(broken(tmp_path, change))


def test_population_no_longer_in_thousands(tmp_path: Path) -> None:
    def change(book: openpyxl.Workbook) -> None:
        book["Table 2"]["F8"] = "Total population at mid-year, both sexes combined"

    with pytest.raises(LayoutError) as caught:
        read_undesa_migrant_stock(broken(tmp_path, change))
    assert caught.value.column == "F"
    assert "(thousands)" in caught.value.reason


def test_text_in_a_value_cell(tmp_path: Path) -> None:
    def change(book: openpyxl.Workbook) -> None:
        book["Table 1"]["G13"] = "12 345"

    reading = read_undesa_migrant_stock(broken(tmp_path, change))
    records = reading.records()
    with pytest.raises(CellError) as caught:
        list(records)
    assert str(caught.value) == (
        "ims.xlsx, sheet 'Table 1', cell G13 ('12 345'): is neither a number nor one of the "
        "workbook's symbols ('..', '~', '\u2014')"
    )
    assert isinstance(caught.value, UndesaError)


@pytest.mark.parametrize(
    ("address", "content", "message"),
    [
        ("H14", None, "cell H14: is neither a number nor one of the workbook's symbols"),
        ("D14", "578", "cell D14 ('578'): the location code is not an M49 code"),
        ("C14", 99, "cell C14 (99): is not the number of a note on the Notes sheet"),
        ("E13", "B", "cell E13 ('B'): a region or group (code 908, 900 or more) cannot"),
        ("D13", 900, "cell D13 (900): location code 900 is listed twice with different figures"),
    ],
)
def test_bad_cells_in_the_data_area(
    tmp_path: Path, address: str, content: int | str | None, message: str
) -> None:
    def change(book: openpyxl.Workbook) -> None:
        book["Table 1"][address] = content

    reading = read_undesa_migrant_stock(broken(tmp_path, change))
    with pytest.raises(CellError) as caught:
        list(reading.records())
    assert message in str(caught.value)
    assert caught.value.sheet == "Table 1"


def test_not_a_workbook() -> None:
    with pytest.raises(WorkbookError, match=r"^data.xlsx: the file is not an Excel .xlsx workbook"):
        read_undesa_migrant_stock(io.BytesIO(b"Year,Value\n2020,1\n"), file_name="data.xlsx")


def test_an_unknown_table() -> None:
    with pytest.raises(ValueError, match=r"^the workbook has tables 1 to 6, not \[7\]$"):
        read_undesa_migrant_stock(sample_workbook(), tables=[1, 7])
