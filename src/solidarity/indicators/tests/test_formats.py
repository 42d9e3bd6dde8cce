"""Submissions in SDMX-CSV, SDMX-ML, SDMX-JSON and XLSX, and the broken-file corpus: every format
goes through the same validation, the same summary and the same all-or-nothing import."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook

from solidarity.audit.models import AuditEntry
from solidarity.indicators.actions import submission_import
from solidarity.indicators.formats import _structure, detect_format
from solidarity.indicators.models import Code, Dataset, DatasetVersion, Indicator, Observation
from solidarity.indicators.selectors import ref_area_get
from solidarity.stats.sdmx import Dataset as SdmxDataset
from solidarity.stats.sdmx import Observation as SdmxObservation
from solidarity.stats.sdmx import write_sdmx_csv, write_sdmx_json, write_sdmx_ml

pytestmark = pytest.mark.django_db

INDICATOR = "GCM_REFUGEES_HOSTED"
FIGURES = {("F", "2019"): "100", ("M", "2019"): "120", ("_T", "2019"): "220",
           ("F", "2020"): "110", ("M", "2020"): "130", ("_T", "2020"): "240"}  # fmt: skip


def table_counts() -> tuple[int, int, int, int]:
    return (
        Dataset.objects.count(),
        DatasetVersion.objects.count(),
        Observation.objects.count(),
        AuditEntry.objects.filter(action__startswith="dataset_version").count(),
    )


@pytest.fixture
def kenya() -> Code:
    return ref_area_get(iso3_or_m49="KEN")


def sdmx_dataset(cast: Any, *, sex_code: str = "F", area: str = "404") -> SdmxDataset:
    structure = _structure(Indicator.objects.get(code=INDICATOR), cast.statistics_office.pk)
    observations = [
        SdmxObservation(
            key=(
                ("REF_AREA", area),
                ("SEX", sex_code if sex == "F" else sex),
                ("AGE", "_T"),
                ("ORIGIN", "_T"),
            ),
            time_period=period,
            value=Decimal(value),
            attributes=(("CONF_STATUS", "F"),),
        )
        for (sex, period), value in FIGURES.items()
    ]
    return SdmxDataset(structure, observations)


def as_bytes(dataset: SdmxDataset, format: str) -> bytes:
    if format == "sdmx-csv-1.0":
        return "".join(write_sdmx_csv(dataset, version="1.0")).encode()
    if format == "sdmx-csv-2.0":
        return "".join(write_sdmx_csv(dataset, version="2.0")).encode()
    if format == "sdmx-json":
        out = io.StringIO()
        write_sdmx_json(dataset, out)
        return out.getvalue().encode()
    return write_sdmx_ml(dataset, format=format).encode()  # type: ignore[arg-type]


def submit(cast: Any, content: bytes, name: str, kenya: Code, **options: Any) -> Any:
    return submission_import(
        actor=cast.data_provider,
        indicator=Indicator.objects.get(code=INDICATOR),
        provider=cast.statistics_office,
        ref_area=kenya,
        file=io.BytesIO(content),
        file_name=name,
        dry_run=options.pop("dry_run", False),
        **options,
    )


@pytest.mark.parametrize(
    ("variant", "name", "detected"),
    [
        ("sdmx-csv-1.0", "refugees.csv", "sdmx-csv"),
        ("sdmx-csv-2.0", "refugees.csv", "sdmx-csv"),
        ("2.1-structure-specific", "refugees.xml", "sdmx-ml"),
        ("2.1-generic", "refugees.xml", "sdmx-ml"),
        ("3.0-structure-specific", "refugees.xml", "sdmx-ml"),
        ("sdmx-json", "refugees.json", "sdmx-json"),
    ],
)
def test_every_sdmx_format_imports_the_same_observations(
    cast: Any, kenya: Code, variant: str, name: str, detected: str
) -> None:
    content = as_bytes(sdmx_dataset(cast), variant)
    assert detect_format(io.BytesIO(content), name) == detected
    result = submit(cast, content, name, kenya)
    assert result.summary.as_json()["errors"] == 0, result.summary.as_json()
    assert result.version is not None
    stored = {
        (o.dimensions["SEX"], o.time_period): o.value
        for o in Observation.objects.filter(version=result.version)
    }
    assert stored == {key: Decimal(value) for key, value in FIGURES.items()}
    assert Observation.objects.filter(version=result.version, conf_status="F").count() == 6
    entry = AuditEntry.objects.get(action="dataset_version.import")
    assert entry.after is not None
    assert entry.after["format"] == detected


def test_a_code_that_is_not_ours_goes_through_the_mappings(cast: Any, kenya: Code) -> None:
    content = as_bytes(sdmx_dataset(cast, sex_code="Women"), "sdmx-csv-1.0")
    result = submit(cast, content, "refugees.csv", kenya)
    if result.summary.has_errors:  # no common mapping for "Women": the reader names the code
        [problem] = result.summary.problems
        assert "'Women' is not a code of CL_SEX" in problem.reason
    else:
        assert Observation.objects.filter(series_key__regex=r"(^|\|)SEX=F(\||$)").count() == 2


def xlsx(rows: list[list[Any]], *, merge: str | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


XLSX_ROWS: list[list[Any]] = [
    ["Year", "SEX", "Value"], [2019, "", 220], [2019, "F", 100], [2019, "M", 120],
    [2020, "", 240.0], [2020, "F", 110], [2020, "M", 130],
]  # fmt: skip


def test_an_xlsx_sheet_reads_like_an_open_sdg_file(cast: Any, kenya: Code) -> None:
    content = xlsx(XLSX_ROWS)
    assert detect_format(io.BytesIO(content), "refugees.xlsx") == "xlsx"
    result = submit(cast, content, "refugees.xlsx", kenya)
    assert not result.summary.has_errors, result.summary.as_json()
    stored = {
        (o.dimensions["SEX"], o.time_period): o.value
        for o in Observation.objects.filter(version=result.version)
    }
    assert stored == {key: Decimal(value) for key, value in FIGURES.items()}
    assert (
        Observation.objects.get(
            time_period="2020", series_key__regex=r"(^|\|)SEX=F(\||$)"
        ).source_row
        == 6
    )


def broken_corpus(cast: Any) -> dict[str, tuple[bytes, str, str]]:
    """name → (content, format or "", the reason the summary must give)."""
    good_csv = as_bytes(sdmx_dataset(cast), "sdmx-csv-1.0")
    good_ml = as_bytes(sdmx_dataset(cast), "2.1-structure-specific")
    good_json = as_bytes(sdmx_dataset(cast), "sdmx-json")
    # The first figure again with another value (with the same value, it is read once).
    duplicate = good_csv + good_csv.split(b"\n", 2)[1].replace(b",100,", b",101,") + b"\n"
    formula: list[list[Any]] = [*XLSX_ROWS[:3], [2020, "M", "=B2+1"]]
    return {
        "truncated.csv": (good_csv[: len(good_csv) - 25], "sdmx-csv", "the file may be truncated"),
        "bom.csv": (b"\xef\xbb\xbf" + good_csv, "sdmx-csv", "byte-order mark"),
        "semicolons.csv": (good_csv.replace(b",", b";"), "sdmx-csv", "separated by semicolons"),
        "latin1.csv": (
            good_csv.replace(b"\r\n", "\r\n# caf\u00e9\r\n".encode("latin-1"), 2)[:0]
            + good_csv.split(b"\n", 1)[0]
            + b"\n"
            + "X,\xe9\r\n".encode("latin-1"),
            "sdmx-csv",
            "is not UTF-8",
        ),
        "unknown.csv": (
            good_csv.replace(b",F,_T", b",X,_T", 1),
            "sdmx-csv",
            "'X' is not a code of CL_SEX",
        ),
        "duplicate.csv": (duplicate, "sdmx-csv", "duplicates row 2"),
        "wrong_area.csv": (
            as_bytes(sdmx_dataset(cast, area="826"), "sdmx-csv-1.0"),
            "sdmx-csv",
            "826 is not the reference area of this dataset (404)",
        ),
        "truncated.xml": (good_ml[:-40], "sdmx-ml", "the XML is not well-formed"),
        "truncated.json": (good_json[:-40], "sdmx-json", ""),
        "merged.xlsx": (xlsx(XLSX_ROWS, merge="B1:C1"), "xlsx", "header cells B1:C1 are merged"),
        "formula.xlsx": (xlsx(formula), "xlsx", "cell C4 holds a formula (=B2+1)"),
        "unknown.xlsx": (xlsx([*XLSX_ROWS, [2021, "Nonbinary", 5]]), "xlsx", "'Nonbinary'"),
        "semicolons_open_sdg.csv": (b"Year;SEX;Value\n2019;Q;1\n", "open-sdg", "'Q'"),
        "mystery.bin": (b"", "", "cannot tell the format of 'mystery.bin'"),
    }


@pytest.mark.parametrize(
    "name",
    [
        "truncated.csv", "bom.csv", "semicolons.csv", "latin1.csv", "unknown.csv",
        "duplicate.csv", "wrong_area.csv", "truncated.xml", "truncated.json", "merged.xlsx",
        "formula.xlsx", "unknown.xlsx", "semicolons_open_sdg.csv", "mystery.bin",
    ],
)  # fmt: skip
def test_a_broken_file_is_a_clear_error_and_writes_nothing(
    cast: Any, kenya: Code, name: str
) -> None:
    content, format, reason = broken_corpus(cast)[name]
    before = table_counts()
    result = submit(cast, content, name, kenya, format=format or None)
    assert result.version is None
    assert result.summary.has_errors
    problems = [p for p in result.summary.problems if p.severity == "error"]
    assert problems
    assert all(p.file == name for p in problems)
    assert any(reason in p.reason for p in problems), [str(p) for p in problems]
    assert table_counts() == before


def sdmx_csv_lines(periods: int, *, area: str = "404") -> list[str]:
    """SDMX-CSV 1.0 rows of GCM_REFUGEES_HOSTED by sex over ``periods`` days, totals right."""
    lines = ["DATAFLOW,REF_AREA,SEX,AGE,ORIGIN,TIME_PERIOD,OBS_VALUE,UNIT_MULT,OBS_STATUS"]
    for day in range(periods):
        period = (datetime.date(2000, 1, 1) + datetime.timedelta(days=day)).isoformat()
        women, men = 10 + day % 7, 20 + day % 5
        for sex, value in (("F", women), ("M", men), ("_T", women + men)):
            lines.append(f"SOLIDARITY:DF_GCM_REFUGEES_HOSTED(1.0),{area},{sex},_T,_T,{period},"
                         f"{value},0,A")  # fmt: skip
    return lines


def test_sdmx_csv_in_column_batches_reads_as_row_by_row(
    cast: Any, kenya: Code, monkeypatch: pytest.MonkeyPatch
) -> None:
    from solidarity.indicators import formats

    monkeypatch.setattr(formats, "BATCH_ROWS", 64)  # many batches: duplicates across them
    lines = sdmx_csv_lines(60)
    lines[5] = lines[5].replace(",404,", ",826,")  # another reference area
    lines[9] = lines[9].replace(",0,A", ",three,A")  # a unit multiplier that is no number
    lines[30] = lines[30].rsplit(",", 4)[0] + ",2001-13,5,0,A"  # no 13th month
    lines[40] = lines[40].rsplit(",", 3)[0] + ",400,0,A"  # a total that disagrees, an outlier
    lines.append(lines[3].rsplit(",", 3)[0] + ",99,0,A")  # a duplicate with another value
    lines.append(lines[2])  # the same figure again: read once, with a warning
    fast = "\r\n".join(lines) + "\r\n"
    # One quoted cell: the file is read row by row.
    flow = "SOLIDARITY:DF_GCM_REFUGEES_HOSTED(1.0)"
    slow = fast.replace(flow, f'"{flow}"', 1)
    summaries = []
    for content in (fast, slow):
        result = submit(cast, content.encode(), "refugees.csv", kenya, dry_run=True)
        summaries.append(result.summary.as_json())
    assert summaries[0] == summaries[1]
    summary = summaries[0]
    assert summary["rows_read"] == len(lines) - 1
    reasons = {(p["row"], p["reason"]) for p in summary["problems"]}
    assert (6, "826 is not the reference area of this dataset (404)") in reasons
    assert (10, "not a whole number") in reasons
    assert (len(lines) - 1, "duplicates row 4 once its labels are read as codes "
            "(AGE=_T|ORIGIN=_T|SEX=_T), with another value") in reasons  # fmt: skip
    assert (len(lines), "repeats row 3 once its labels are read as codes "
            "(AGE=_T|ORIGIN=_T|SEX=M), with the same value: read once") in reasons  # fmt: skip
    assert (41, "400 is an outlier in its series (z-score 7.7)") in reasons
    assert [p["row"] for p in summary["problems"] if p["column"] == "TIME_PERIOD"] == [31]
    assert summary["by_reason"]["total_mismatch"] >= 1
    assert summary["errors"] == 4


def test_a_fatal_code_in_a_later_batch_names_its_observation(
    cast: Any, kenya: Code, monkeypatch: pytest.MonkeyPatch
) -> None:
    from solidarity.indicators import formats

    monkeypatch.setattr(formats, "BATCH_ROWS", 32)
    lines = sdmx_csv_lines(50)
    lines[119] = lines[119].replace(",M,", ",X,")  # the file's row 120
    before = table_counts()
    result = submit(cast, ("\r\n".join(lines) + "\r\n").encode(), "refugees.csv", kenya)
    assert result.version is None
    [problem] = [p for p in result.summary.problems if p.severity == "error"]
    assert problem.reason == "observation 119: SEX 'X' is not a code of CL_SEX"
    assert result.summary.rows_read == 118
    assert table_counts() == before


def test_problems_past_the_listing_are_counted_exactly(cast: Any, kenya: Code) -> None:
    lines = sdmx_csv_lines(1500)
    # Every total five too many: 1,500 warnings, of which the summary lists the first 1,000.
    wrong = [
        line.rsplit(",", 3)[0] + f",{int(line.rsplit(',', 3)[1]) + 5},0,A"
        if ",_T,_T,_T," in line
        else line
        for line in lines
    ]
    result = submit(cast, ("\r\n".join(wrong) + "\r\n").encode(), "refugees.csv", kenya)
    summary = result.summary
    assert result.version is not None
    assert result.version.observations.count() == 4500
    assert summary.by_reason["total_mismatch"] == 1500
    assert summary.warning_count == 1500
    assert len(summary.problems) == 1000
    assert summary.problems_left_out == 500
    assert [p.row for p in summary.problems[:2]] == [4, 7]
    assert summary.problems[0].reason == (
        "the total 35 for SEX differs from the sum of its parts (F, M: 30)"
    )
