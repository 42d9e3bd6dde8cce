"""A corpus of broken files, written into tmp_path, each with the exact problem it must give."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest

from solidarity.stats.opensdg import (
    CsvSyntaxError,
    DuplicateColumnError,
    EmptyFileError,
    EncodingError,
    HeaderError,
    MissingColumnError,
    Observation,
    Problem,
    Reading,
    read_open_sdg,
)


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def read_all(path: Path, *, max_problems: int = 1000) -> tuple[Reading, list[Observation]]:
    reading = read_open_sdg(path, max_problems=max_problems)
    return reading, list(reading.observations())


def error(
    file: str, row: int | None, column: str | None, value: str | None, reason: str
) -> Problem:
    return Problem(file, row, column, value, reason, "error")


def warning(
    file: str, row: int | None, column: str | None, value: str | None, reason: str
) -> Problem:
    return Problem(file, row, column, value, reason, "warning")


def test_truncated_last_row(tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", "Year,Sex,Value\n2014,,17.0\n2015,Fe")
    reading, observations = read_all(path)
    assert [o.row for o in observations] == [2]
    assert reading.problems == [
        error(
            "t.csv",
            3,
            None,
            None,
            "the row has 2 cells but the header has 3 columns (a truncated row?)",
        )
    ]


def test_truncated_inside_a_quoted_cell(tmp_path: Path) -> None:
    path = write(tmp_path, "q.csv", 'Year,Value\n2014,1\n2015,"17')
    reading = read_open_sdg(path)
    observations = reading.observations()
    assert next(observations).row == 2
    with pytest.raises(CsvSyntaxError) as caught:
        next(observations)
    assert str(caught.value) == "q.csv, row 3: the file is not valid CSV: unexpected end of data"


def test_row_with_more_cells_than_the_header(tmp_path: Path) -> None:
    path = write(tmp_path, "m.csv", "Year,Value\n2014,1,2\n2015,3,,\n")
    reading, observations = read_all(path)
    assert [o.row for o in observations] == [3]
    assert reading.problems == [
        error("m.csv", 2, None, None, "the row has 3 cells but the header has 2 columns"),
        warning("m.csv", 3, None, None, "empty cells after the last column ignored"),
    ]


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, "bom.csv", b"\xef\xbb\xbfYear,Value\r\n2014,1.5\r\n")
    reading, observations = read_all(path)
    assert reading.problems == []
    assert [(o.time_period, o.value) for o in observations] == [("2014", Decimal("1.5"))]


def test_semicolons_with_decimal_commas(tmp_path: Path) -> None:
    path = write(tmp_path, "s.csv", "Year;Sex;Value\n2014;;3,5\n2015;Male;1.234,5\n")
    reading, observations = read_all(path)
    assert reading.delimiter == ";"
    assert reading.columns == ("Sex",)
    assert [o.value for o in observations] == [Decimal("3.5"), Decimal("1234.5")]
    assert reading.problems == [
        warning(
            "s.csv",
            1,
            None,
            None,
            "the file is separated by semicolons, not commas; read as such, with ',' read as a "
            "decimal comma",
        ),
        warning("s.csv", 3, "Value", "1.234,5", "thousands separators ignored"),
    ]


def test_tabs(tmp_path: Path) -> None:
    path = write(tmp_path, "tab.csv", "Year\tValue\n2014\t3.5\n")
    reading, observations = read_all(path)
    assert reading.delimiter == "\t"
    assert [o.value for o in observations] == [Decimal("3.5")]
    assert reading.problems == [
        warning("tab.csv", 1, None, None, "the file is separated by tabs, not commas; read as such")
    ]


def test_windows_1252_bytes_are_an_encoding_error(tmp_path: Path) -> None:
    content = "Year,Country of birth,Value\n2014,Réunion,1\n".encode("cp1252")
    path = write(tmp_path, "cp.csv", content)
    reading = read_open_sdg(path)
    with pytest.raises(EncodingError) as caught:
        list(reading.observations())
    assert str(caught.value) == (
        "cp.csv, row 2: the file is not UTF-8: byte 0xE9 at byte 34 (character 7 of the line) is "
        "not valid UTF-8; it may be Windows-1252 or Latin-1: save the file as CSV UTF-8"
    )
    assert (caught.value.file, caught.value.row) == ("cp.csv", 2)


def test_windows_1252_bytes_in_the_header(tmp_path: Path) -> None:
    path = write(tmp_path, "cph.csv", "Year,Année,Value\n".encode("cp1252"))
    with pytest.raises(EncodingError, match=r"^cph\.csv, row 1: the file is not UTF-8: byte 0xE9"):
        read_open_sdg(path)


def test_utf16_is_an_encoding_error(tmp_path: Path) -> None:
    path = write(tmp_path, "u16.csv", "Year,Value\n2014,1\n".encode("utf-16"))
    with pytest.raises(EncodingError) as caught:
        read_open_sdg(path)
    assert (
        str(caught.value) == "u16.csv, row 1: the file is UTF-16, not UTF-8: save it as CSV UTF-8"
    )


def test_nul_byte(tmp_path: Path) -> None:
    path = write(tmp_path, "nul.csv", b"Year,Value\n2014,1\x00\n")
    with pytest.raises(EncodingError) as caught:
        list(read_open_sdg(path).observations())
    assert str(caught.value) == (
        "nul.csv, row 2: byte 0x00 (NUL) at byte 17: the file is not UTF-8 text; it may be "
        "UTF-16 or a spreadsheet: save it as CSV UTF-8"
    )


def test_utf16_without_byte_order_mark(tmp_path: Path) -> None:
    path = write(tmp_path, "u16le.csv", "Year,Value\n2014,1\n".encode("utf-16-le"))
    with pytest.raises(EncodingError, match=r"^u16le\.csv, row 1: byte 0x00 \(NUL\) at byte 1: "):
        read_open_sdg(path)


def test_duplicate_column_names(tmp_path: Path) -> None:
    path = write(tmp_path, "dup.csv", "Year,Sex,Age,sex ,Value\n2014,F,,M,1\n")
    with pytest.raises(DuplicateColumnError) as caught:
        read_open_sdg(path)
    assert str(caught.value) == (
        "dup.csv, row 1, column sex: two columns are named 'sex' (columns B and D); each column "
        "needs its own name"
    )


def test_column_without_a_name(tmp_path: Path) -> None:
    path = write(tmp_path, "noname.csv", "Year,,Value\n")
    with pytest.raises(DuplicateColumnError) as caught:
        read_open_sdg(path)
    assert str(caught.value) == "noname.csv, row 1: column B of the header has no name"


def test_both_units_and_unit_measure(tmp_path: Path) -> None:
    path = write(tmp_path, "units.csv", "Year,Units,Unit measure,Value\n")
    with pytest.raises(HeaderError) as caught:
        read_open_sdg(path)
    assert str(caught.value) == (
        "units.csv, row 1, column Unit measure: columns 'Units' and 'Unit measure' both give the "
        "unit; keep one"
    )


@pytest.mark.parametrize(
    ("header", "missing"),
    [("Year,Sex", "Value"), ("Sex,Value", "Year"), ("Sex,Age", "Year and no Value")],
)
def test_missing_year_or_value(tmp_path: Path, header: str, missing: str) -> None:
    path = write(tmp_path, "miss.csv", header + "\n2014,1\n")
    with pytest.raises(MissingColumnError) as caught:
        read_open_sdg(path)
    assert str(caught.value) == (
        f"miss.csv, row 1: the header has no {missing} column; an Open SDG indicator file needs "
        "Year and Value columns"
    )


def test_duplicate_keys_name_both_rows(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "keys.csv",
        "Year,Sex,GeoCode,Value\n2014,,E1,1\n2014,Female,E1,2\n2014,Total,E1,3\n2014,Female,E1,4\n",
    )
    reading, observations = read_all(path)
    assert [o.row for o in observations] == [2, 3]
    reason = "same period, series, unit, GeoCode and disaggregation"
    assert reading.problems == [
        error("keys.csv", 4, None, None, f"duplicates row 2 with another value: {reason}"),
        error("keys.csv", 5, None, None, f"duplicates row 3 with another value: {reason}"),
    ]


def test_a_figure_repeated_with_the_same_value_is_read_once(tmp_path: Path) -> None:
    # Statistics Canada: the total both blank and "Total", with the same value.
    path = write(
        tmp_path, "repeats.csv", "Year,Sex,Value\n2014,,10\n2014,Female,4\n2014,Total,10.0\n"
    )
    reading, observations = read_all(path)
    assert [o.row for o in observations] == [2, 3]
    assert [(p.row, p.reason, p.severity) for p in reading.problems] == [
        (4, "repeats row 2 with the same value: read once", "warning")
    ]


def test_same_period_written_two_ways_is_a_duplicate(tmp_path: Path) -> None:
    path = write(tmp_path, "q.csv", "Year,Value\n2013 Q1,1\nQ1 2013,2\n")
    reading, _ = read_all(path)
    assert [(p.row, p.reason[:18]) for p in reading.problems] == [(3, "duplicates row 2 w")]


@pytest.mark.parametrize("content", [b"", b"\n\n", b"\r\n  \r\n", b",,,\n"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path = write(tmp_path, "empty.csv", content)
    with pytest.raises(EmptyFileError) as caught:
        read_open_sdg(path)
    assert str(caught.value) == "empty.csv: the file is empty: it has no header and no data"
    assert caught.value.row is None


def test_header_only(tmp_path: Path) -> None:
    path = write(tmp_path, "h.csv", "Year,Sex,Value\n\n")
    reading, observations = read_all(path)
    assert observations == []
    assert reading.problems == [
        error("h.csv", 1, None, None, "the file has a header but no data rows")
    ]


def test_blank_lines_are_skipped_and_rows_keep_their_line_numbers(tmp_path: Path) -> None:
    path = write(tmp_path, "blank.csv", "\nYear,Value\n\n2014,1\n,\n2015,oops\n")
    reading, observations = read_all(path)
    assert reading.header_row == 2
    assert [o.row for o in observations] == [4]
    assert reading.problems == [error("blank.csv", 6, "Value", "oops", "is not a number")]


def test_non_numeric_value(tmp_path: Path) -> None:
    path = write(tmp_path, "nn.csv", "Year,Value\n2014,12 people\n")
    reading, observations = read_all(path)
    assert observations == []
    assert reading.problems == [error("nn.csv", 2, "Value", "12 people", "is not a number")]


def test_formula_cell(tmp_path: Path) -> None:
    path = write(tmp_path, "f.csv", "Year,Value\n2014,=SUM(A1:A3)\n")
    reading, observations = read_all(path)
    assert observations == []
    assert reading.problems == [
        error(
            "f.csv",
            2,
            "Value",
            "=SUM(A1:A3)",
            "is a spreadsheet formula, not a number: export the computed values",
        )
    ]


def test_ambiguous_thousands_separator(tmp_path: Path) -> None:
    path = write(tmp_path, "k.csv", 'Year,Sex,Value\n2014,,"1,234"\n2015,,"1,234.5"\n')
    reading, observations = read_all(path)
    assert [o.value for o in observations] == [Decimal("1234.5")]
    assert reading.problems == [
        error(
            "k.csv",
            2,
            "Value",
            "1,234",
            "is ambiguous: ',' may separate thousands or decimals; write the number without "
            "thousands separators and with a '.' decimal point",
        ),
        warning("k.csv", 3, "Value", "1,234.5", "thousands separators ignored"),
    ]


def test_bad_year(tmp_path: Path) -> None:
    path = write(tmp_path, "y.csv", "Year,Value\n20144,1\n2014/16,2\n")
    reading, observations = read_all(path)
    assert observations == []
    assert reading.problems == [
        error(
            "y.csv",
            2,
            "Year",
            "20144",
            "is not a time period: write a year ('2014'), a quarter ('2014 Q1'), a month "
            "('2014-01') or a fiscal year ('2014/15')",
        ),
        error(
            "y.csv",
            3,
            "Year",
            "2014/16",
            "is not a fiscal year: a fiscal year spans two consecutive years ('2014/15')",
        ),
    ]


def test_every_error_of_a_row_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "two.csv", "Year,Unit multiplier,Value\n2014x,Dozens,x1\n")
    reading, _ = read_all(path)
    assert [(p.column, p.severity) for p in reading.problems] == [
        ("Year", "error"),
        ("Value", "error"),
        ("Unit multiplier", "error"),
    ]


def test_status_symbols_and_words(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "st.csv",
        "Year,Sex,Observation status,Value\n"
        "2014,,Provisional,1\n"
        "2015,,,x\n"
        "2016,,Missing value; suppressed,\n"
        "2017,,Revised,2\n"
        "2018,,Estimated value,..\n",
    )
    reading, observations = read_all(path)
    assert [(o.value, o.obs_status, o.conf_status) for o in observations] == [
        (Decimal(1), "P", None),
        (None, "Q", "C"),
        (None, "Q", None),
        (Decimal(2), "Revised", None),
        (None, "O", None),  # an estimate of nothing is still missing
    ]
    assert reading.problems == [
        warning("st.csv", 3, "Value", "x", "no value: the cell holds a status symbol"),
        warning("st.csv", 4, "Value", "", "no value given"),
        warning(
            "st.csv",
            5,
            "Observation status",
            "Revised",
            "is not a known observation status; kept as written",
        ),
        warning("st.csv", 6, "Value", "..", "no value: the cell holds a status symbol"),
    ]


def test_unit_multiplier_words(tmp_path: Path) -> None:
    path = write(tmp_path, "um.csv", "Year,Unit multiplier,Value\n2014,Thousands,1\n2015,,2\n")
    _, observations = read_all(path)
    assert [o.unit_multiplier for o in observations] == [3, None]


def test_problems_are_capped_but_counted(tmp_path: Path) -> None:
    path = write(
        tmp_path, "many.csv", "Year,Value\n" + "".join(f"{y},x{y}\n" for y in range(2000, 2005))
    )
    reading, _ = read_all(path, max_problems=2)
    assert [p.row for p in reading.problems] == [2, 3]
    assert (reading.error_count, reading.warning_count, reading.has_errors) == (5, 0, True)


def test_observations_can_be_read_once(tmp_path: Path) -> None:
    reading = read_open_sdg(write(tmp_path, "once.csv", "Year,Value\n2014,1\n"))
    assert len(list(reading.observations())) == 1
    with pytest.raises(RuntimeError, match=r"reads the file once"):
        list(reading.observations())


def test_binary_stream_is_read_where_it_stands() -> None:
    stream = io.BytesIO(b"Year,Value\n2014,1\n2015,2\n")
    reading = read_open_sdg(stream)
    assert reading.file_name == "<stream>"
    assert [o.time_period for o in reading.observations()] == ["2014", "2015"]
    assert not stream.closed


def test_upload_keeps_its_name(tmp_path: Path) -> None:
    path = write(tmp_path, "upload.csv", "Year,Value\n2014,x1\n")
    with path.open("rb") as upload:
        reading = read_open_sdg(upload)
        list(reading.observations())
    assert reading.problems[0].file == "upload.csv"
    named = read_open_sdg(path, file_name="indicator 10.7.3 (v2).csv")
    list(named.observations())
    assert named.problems[0].file == "indicator 10.7.3 (v2).csv"
