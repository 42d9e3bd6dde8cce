"""The readers, without a database: streaming JSON, UHRI records, the UPR Info layout."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from solidarity.rights.formats import (
    RightsFileError,
    html_to_text,
    iter_json_array,
    read_ratifications_csv,
    read_uhri_json,
    read_uhri_xlsx,
    read_upr_info_csv,
)
from solidarity.rights.tests.conftest import UHRI_ANNOTATIONS, write_uhri_json


@pytest.mark.parametrize("chunk_size", [1, 2, 7, 64, 1 << 20])
def test_the_json_array_streams_whatever_the_chunk_size(chunk_size: int) -> None:
    values = [{"a": "x" * 50, "b": [1, 2.5, None, True]}, 12345, 'é"]', [], {}, -0.5e3]
    text = json.dumps(values, ensure_ascii=False, indent=2)
    got = list(iter_json_array(io.StringIO(text), file_name="f.json", chunk_size=chunk_size))
    assert got == list(enumerate(values))


def test_the_json_reader_holds_one_chunk_not_the_file() -> None:
    class Counting(io.StringIO):
        largest = 0

        def read(self, size: int | None = -1) -> str:
            chunk = super().read(size)
            Counting.largest = max(Counting.largest, len(chunk))
            return chunk

    text = json.dumps([{"Text": "y" * 100} for _ in range(2000)])
    stream = Counting(text)
    reader = iter_json_array(stream, file_name="big.json", chunk_size=4096)
    assert next(reader) == (0, {"Text": "y" * 100})
    assert stream.tell() < 3 * 4096 < len(text)
    assert sum(1 for _ in reader) == 1999
    assert Counting.largest == 4096


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"a": 1}', "f.json: the file does not start with '[' (line 1)"),
        ('[{"a": 1},\n {"b": }]', "f.json, row 2: malformed JSON: Expecting value (line 2)"),
        ('[{"a": 1}\n {"b": 2}]', "f.json, row 1: expected ',' or ']' after a record (line 2)"),
        ('[{"a": 1},', "f.json, row 2: the file ends inside the array (line 1)"),
        ("[1] 2", "f.json, row 1: something follows the end of the array (line 1)"),
    ],
)
def test_malformed_json_is_refused_with_its_place(text: str, message: str) -> None:
    with pytest.raises(RightsFileError) as error:
        list(iter_json_array(io.StringIO(text), file_name="f.json", chunk_size=4))
    assert str(error.value) == message + ": not a JSON array of records"


def test_html_text_keeps_words_and_paragraphs() -> None:
    assert html_to_text("<p>A&nbsp;<em>b</em></p>\n<ul><li>c</li><li>d &lt; e</li></ul>") == (
        "A b\nc\nd < e"
    )


def test_uhri_json_records(uhri_json: Path) -> None:
    records = list(read_uhri_json(uhri_json))
    assert [r.row for r in records] == [1, 2, 3]
    first, second, third = records
    assert first.kind == "observation"
    assert first.body == "CMW"
    assert first.countries == ["Mexico"]
    assert first.text == (
        "The Committee recommends that the State party end the detention of migrant children"
        " & adopt alternatives to detention."
    )
    assert first.sdg_targets == ["10.7", "16.3"]
    assert str(first.published_on) == "2017-09-27"
    assert second.position == "supported"
    assert second.position_source == "UHRI UprPositions: Supported"
    assert second.recommending == "Philippines"
    assert (second.session, second.cycle) == ("35", "3")
    assert third.position == "noted"


def test_uhri_xlsx_reads_the_same_records(uhri_json: Path, uhri_xlsx: Path) -> None:
    from_json = [r.__dict__ | {"row": 0} for r in read_uhri_json(uhri_json)]
    from_xlsx = [r.__dict__ | {"row": 0} for r in read_uhri_xlsx(uhri_xlsx)]
    assert from_xlsx == from_json
    assert [r.row for r in read_uhri_xlsx(uhri_xlsx)] == [2, 3, 4]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"Countries": []}, "uhri.json, row 2, field 'Countries': missing"),
        (
            {"PublicationDate": "30/13/2020"},
            "uhri.json, row 2, field 'PublicationDate': not a date (YYYY-MM-DD): '30/13/2020'",
        ),
        (
            {"UprPositions": ["Maybe"]},
            "uhri.json, row 2, field 'UprPositions': not a position (Supported or Noted): 'Maybe'",
        ),
        (
            {"Themes": [{"x": 1}]},
            "uhri.json, row 2, field 'Themes': expected a list of names, found None",
        ),
        (
            {"Text": "<p> </p>"},
            "uhri.json, row 2, field 'Text': no text once the HTML markup is removed",
        ),
    ],
)
def test_bad_uhri_fields_are_named(tmp_path: Path, change: dict[str, object], message: str) -> None:
    annotations = [UHRI_ANNOTATIONS[0], UHRI_ANNOTATIONS[1] | change]
    path = write_uhri_json(tmp_path / "uhri.json", annotations)
    with pytest.raises(RightsFileError) as error:
        list(read_uhri_json(path))
    assert str(error.value) == message


def test_a_file_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    path.write_bytes(b"not a zip")
    with pytest.raises(RightsFileError, match=r"^export.xlsx: not an Excel workbook"):
        list(read_uhri_xlsx(path))


def test_upr_info_rows(tmp_path: Path) -> None:
    path = tmp_path / "upr.csv"
    path.write_text(
        "To,Text,From,Session\n"
        "Kenya,Protect migrant workers.,&#40;Unknown&#41;,8\n"
        "Kenya,Protect migrant workers.,&#40;Unknown&#41;,8\n",
        encoding="utf-8",
    )
    first, second = read_upr_info_csv(path)
    assert first.recommending == "(Unknown)"
    assert first.position == ""
    assert first.themes == []
    assert first.upr_action_category is None
    assert first.source_key != second.source_key  # a verbatim repeat is a second row
    assert first.source_key.endswith(":0")
    assert second.source_key.endswith(":1")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("To,Text,From\n", "upr.csv, row 1, field 'Session': no such column in the header row"),
        ("To,Text,From,Session\nKenya,,Chile,3\n", "upr.csv, row 2, field 'Text': empty"),
        (
            "To,Text,From,Session\nKenya,T,Chile,III\n",
            "upr.csv, row 2, field 'Session': not a session number: 'III'",
        ),
        (
            "To,Text,From,Session,Response\nKenya,T,Chile,3,Maybe\n",
            "upr.csv, row 2, field 'Response': not Accepted or Noted: 'Maybe'",
        ),
        (
            "To,Text,From,Session,Action\nKenya,T,Chile,3,9\n",
            "upr.csv, row 2, field 'Action': not a category 1-5: '9'",
        ),
        (
            "To,Text,From,Session\nKenya,T,Chile,3,extra\n",
            "upr.csv, row 2: more cells than the header has columns",
        ),
    ],
)
def test_bad_upr_info_rows_are_named(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "upr.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RightsFileError) as error:
        list(read_upr_info_csv(path))
    assert str(error.value) == message


def test_the_real_upr_info_file_reads_whole(upr_info_csv: Path) -> None:
    records = list(read_upr_info_csv(upr_info_csv))
    assert len(records) == 23_484
    assert len({r.source_key for r in records}) == 23_484
    assert {r.position for r in records} == {"supported", "noted"}


def test_the_real_ratification_table(shared_data: Path) -> None:
    path = shared_data / "reference" / "un_core_hr_treaties_ratification_status_2022.csv"
    records = list(read_ratifications_csv(path))
    assert len(records) == 3474
    icmw = {r.iso: r for r in records if r.treaty == "ICMW"}
    assert (icmw["MX"].status, icmw["MX"].year) == ("party", 1999)
    assert icmw["TL"].status == "party"  # written TP in the source
    assert {r.status for r in records} == {"party", "signatory", "none"}
    assert all(r.year is None for r in records if r.status != "party")
