"""Published output: SDMX-CSV 2.0 files that SDMX libraries read, and a reader that refuses
anything else with the file, row and column."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd  # type: ignore[import-untyped]  # no pandas-stubs pinned here
import pytest

from solidarity.stats.privacy.errors import OutputError
from solidarity.stats.privacy.output import read_published, write_published
from solidarity.stats.privacy.tables import TOTAL, Table, relations


def published_frame() -> pd.DataFrame:
    countries = ["MEX", "CAN", "019", TOTAL]
    return pd.DataFrame(
        {
            "COUNTRY": countries * 3,
            "SEX": ["F"] * 4 + ["M"] * 4 + [TOTAL] * 4,
            "OBS_VALUE": pd.array(
                [None, 20, 24, 24, 30, 40, 70, 70, 34, 60, 94, 94], dtype="Int64"
            ),
            "CONF_STATUS": ["C"] + ["F"] * 11,
            "OBS_STATUS": ["O"] + ["A"] * 11,
        }
    )


def write(folder: Path) -> None:
    write_published(
        folder,
        {"T1": published_frame()},
        {
            "dataset": "demo",
            "method": "suppress",
            "tables": {"T1": {"dimensions": ["COUNTRY", "SEX"],
                              "parents": {"COUNTRY": {"MEX": "019", "CAN": "019"}}}},
        },
    )  # fmt: skip


def test_a_written_directory_reads_back_with_its_structure(tmp_path: Path) -> None:
    write(tmp_path)
    tables, report = read_published(tmp_path)
    table = tables["T1"]
    assert table.dimensions == ("COUNTRY", "SEX")
    assert table.parents == {"COUNTRY": {"MEX": "019", "CAN": "019"}}
    pd.testing.assert_frame_equal(table.frame, published_frame())
    assert report["format"] == "solidarity-privacy/1"
    assert report["tables"]["T1"]["file"] == "T1.csv"
    # The hierarchy's relations hold on the published table: 019 = MEX + CAN for each sex.
    rel = relations(table)
    region_rows = rel[rel["coefficient"] == -1]["row"].tolist()
    assert 2 in region_rows  # the F cell of region 019 is the total of a relation
    assert sorted(p.name for p in tmp_path.iterdir()) == ["T1.csv", "report.json"]


def test_sdmx_libraries_read_the_files(tmp_path: Path) -> None:
    write(tmp_path)
    from pysdmx.io import read_sdmx

    message = read_sdmx(tmp_path / "T1.csv")
    assert message.data is not None
    dataset: Any = message.data[0]
    assert dataset.short_urn.endswith("SOLIDARITY:DEMO_T1(1.0)")
    frame = dataset.data
    assert len(frame) == 12
    assert set(frame["CONF_STATUS"]) == {"F", "C"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda text: text.replace("OBS_STATUS", "STATUS"), "columns are"),
        (lambda text: text.replace(",20,F,", ",twenty,F,"),
         "T1.csv, row 3, column 'OBS_VALUE' ('twenty'): is not a whole number"),
        (lambda text: text.replace(",20,F,", ",20,X,"),
         "T1.csv, row 3, column 'CONF_STATUS' ('X'): must be F or C"),
    ],
)  # fmt: skip
def test_a_damaged_file_is_refused(tmp_path: Path, change: object, message: str) -> None:
    write(tmp_path)
    path = tmp_path / "T1.csv"
    path.write_text(change(path.read_text()))  # type: ignore[operator]
    with pytest.raises(OutputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_published(tmp_path)


def test_a_missing_file_or_report_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match=r"no report\.json: not a directory of published tables"):
        read_published(tmp_path)
    write(tmp_path)
    (tmp_path / "T1.csv").unlink()
    with pytest.raises(OutputError, match=r"T1.csv: is missing"):
        read_published(tmp_path)


def test_relations_of_a_table_without_hierarchy_cover_every_margin() -> None:
    frame = pd.DataFrame(
        {
            "A": ["a", "a", "a", "b", "b", "b", TOTAL, TOTAL, TOTAL],
            "B": ["x", "y", TOTAL, "x", "y", TOTAL, "x", "y", TOTAL],
            "count": [1, 2, 3, 4, 5, 9, 5, 7, 12],
        }
    )
    frame["value"] = frame["count"].astype(float)
    rel = relations(Table("T", ("A", "B"), frame))
    # Along A: 3 relations (x, y, total); along B: 3 (a, b, total).
    assert rel["relation"].nunique() == 6
    sums = (frame["count"].to_numpy()[rel["row"]] * rel["coefficient"]).groupby(rel["relation"])
    assert (sums.sum() == 0).all()
