"""Reading UPR Info's CSV layout and people's label decisions: real rows, broken files."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest

from solidarity.stats.recommendations import (
    FileFormatError,
    LabelDecision,
    UprInfoRecommendation,
    read_label_decisions,
    read_upr_info_csv,
)

from .conftest import write_csv


def test_the_real_file_is_read_whole(upr_rows: list[UprInfoRecommendation]) -> None:
    assert len(upr_rows) == 23_484
    first = upr_rows[0]
    assert first.row == 0
    assert first.state_under_review == "Afghanistan"
    assert first.recommending_state == "Austria"
    assert first.response == "Accepted"
    assert first.issues == ("Rights of the Child", "Women's rights")
    assert first.session == 5
    assert [r.row for r in upr_rows[:3]] == [0, 1, 2]
    assert {r.session for r in upr_rows} == set(range(1, 14))


def test_only_the_text_is_required(tmp_path: Path, upr_table: list[dict[str, str]]) -> None:
    path = write_csv(tmp_path / "texts.csv", upr_table[:5], ["Text"])
    rows = list(read_upr_info_csv(path))
    assert [r.text for r in rows] == [row["Text"] for row in upr_table[:5]]
    assert all(r.issues == () and r.session is None and r.response is None for r in rows)


def test_labels_are_required_for_training(tmp_path: Path, upr_table: list[dict[str, str]]) -> None:
    path = write_csv(tmp_path / "texts.csv", upr_table[:5], ["To", "Text", "Session"])
    with pytest.raises(FileFormatError) as error:
        list(read_upr_info_csv(path, require_labels=True))
    assert str(error.value) == "texts.csv, row 1: the header has no Issue column"


def test_a_gzip_stream_is_recognised_by_its_bytes() -> None:
    data = gzip.compress(b"Text,Session\nRatify ICRMW,7\n")
    rows = list(read_upr_info_csv(io.BytesIO(data), file_name="upr.csv"))
    assert [(r.text, r.session) for r in rows] == [("Ratify ICRMW", 7)]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "upr.csv: is empty: no header row"),
        (b"To,Issue\nKenya,Migrants\n", "upr.csv, row 1: the header has no Text column"),
        (b"Text,Text\na,b\n", "upr.csv, row 1: the column Text appears twice"),
        (b"To,Text\nKenya,\n", "upr.csv, row 2, column Text: is empty"),
        (
            b"Text,Session\nRatify ICRMW,7\nAbolish,seven\n",
            "upr.csv, row 3, column Session: 'seven' is not a session number",
        ),
        (b"Text\na,b\n", "upr.csv, row 2: has 2 cells but the header has 1 columns"),
        (
            b'Text,Session\n"Ratify\nICRMW",7\nAbolish,x\n',
            "upr.csv, row 3, column Session: 'x' is not a session number",
        ),
        (b'Text\n"unterminated\n', "upr.csv, row 2: is not valid CSV: unexpected end of data"),
        (b"Text\nCaf\xe9\n", "upr.csv, row 1: is not UTF-8 text (or gzip-compressed UTF-8)"),
    ],
)
def test_broken_files_are_named_by_file_row_and_column(content: bytes, message: str) -> None:
    with pytest.raises(FileFormatError) as error:
        list(read_upr_info_csv(io.BytesIO(content), file_name="upr.csv"))
    assert str(error.value) == message


def test_a_missing_file_is_an_error_not_a_crash(tmp_path: Path) -> None:
    with pytest.raises(FileFormatError, match=r"^nowhere\.csv: cannot be opened"):
        list(read_upr_info_csv(tmp_path / "nowhere.csv"))


def test_decisions_are_read() -> None:
    data = b"text,objective,decision\nEnd child detention,13,confirmed\nRatify CAT,6,Rejected\n"
    decisions = read_label_decisions(io.BytesIO(data), file_name="d.csv")
    assert [(d.text, d.objective, d.confirmed) for d in decisions] == [
        ("End child detention", 13, True),
        ("Ratify CAT", 6, False),
    ]


def test_the_rights_pages_export_is_read_as_it_is() -> None:
    # The columns of /rights/labels/decisions.csv; the extra ones are not needed for training.
    data = (
        b"recommendation,objective,decision,provenance,score,model_version,decided_at,text\n"
        b"17,10,confirmed,model,0.97,dc38a90e6877,2026-11-27T10:00:00+00:00,"
        b'"Combat trafficking, in particular of women"\n'
    )
    (decision,) = read_label_decisions(io.BytesIO(data), file_name="decisions.csv")
    assert decision == LabelDecision("Combat trafficking, in particular of women", 10, True)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"text,objective\nx,3\n", "d.csv, row 1: the header has no decision column"),
        (b"text,objective,decision\n,3,confirmed\n", "d.csv, row 2, column text: is empty"),
        (
            b"text,objective,decision\nx,0,confirmed\n",
            "d.csv, row 2, column objective: '0' is not a GCM objective (1-23)",
        ),
        (
            b"text,objective,decision\nx,3,maybe\n",
            "d.csv, row 2, column decision: 'maybe' is neither 'confirmed' nor 'rejected'",
        ),
    ],
)
def test_broken_decisions_are_named(content: bytes, message: str) -> None:
    with pytest.raises(FileFormatError) as error:
        read_label_decisions(io.BytesIO(content), file_name="d.csv")
    assert str(error.value) == message
