from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _in_english() -> Iterator[None]:
    """Messages are asserted in English, whatever language an earlier request left active."""
    with translation.override("en"):
        yield


# Real-shaped UHRI annotations: the export's field names, HTML text, lists of names.
UHRI_ANNOTATIONS: list[dict[str, Any]] = [
    {
        "AnnotationId": "5f0c8a3e-1b2d-4c8e-9a41-0c6d2f1e7a01",
        "AnnotationType": "Concluding observations",
        "Body": "CMW",
        "Countries": ["Mexico"],
        "Symbol": "CMW/C/MEX/CO/3",
        "PublicationDate": "2017-09-27T00:00:00",
        "Text": "<p>The Committee recommends that the State party <strong>end the detention"
        " of migrant children</strong> &amp; adopt alternatives to detention.</p>",
        "Themes": ["Migrants", "Administration of justice & fair trial"],
        "AffectedPersons": ["Migrants", "Children"],
        "Sdgs": ["10.7 - Orderly, safe, regular and responsible migration", "16.3"],
        "UprCycle": None,
        "UprPositions": [],
        "UprRecommendingCountry": None,
        "UprSession": None,
    },
    {
        "AnnotationId": "5f0c8a3e-1b2d-4c8e-9a41-0c6d2f1e7a02",
        "AnnotationType": "Recommendation",
        "Body": "UPR",
        "Countries": ["Kenya"],
        "Symbol": "A/HRC/44/9",
        "PublicationDate": "2020-03-30",
        "Text": "<p>Strengthen measures to combat trafficking in persons, especially women and"
        " girls.</p>",
        "Themes": ["Trafficking in persons"],
        "AffectedPersons": ["Women & girls"],
        "Sdgs": ["5.2", "16.2"],
        "UprCycle": "3",
        "UprPositions": ["Supported"],
        "UprRecommendingCountry": "Philippines",
        "UprSession": "35",
    },
    {
        "AnnotationId": "5f0c8a3e-1b2d-4c8e-9a41-0c6d2f1e7a03",
        "AnnotationType": "Recommendation",
        "Body": "UPR",
        "Countries": ["Kenya"],
        "Symbol": "A/HRC/44/9",
        "PublicationDate": "2020-03-30",
        "Text": "Ratify the International Convention on the Protection of the Rights of All"
        " Migrant Workers and Members of Their Families.",
        "Themes": ["Migrants", "Acceptance of international norms"],
        "AffectedPersons": ["Migrants"],
        "Sdgs": [],
        "UprCycle": "3",
        "UprPositions": ["Noted"],
        "UprRecommendingCountry": "Sierra Leone",
        "UprSession": "35",
    },
]


def write_uhri_json(path: Path, annotations: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps(annotations, indent=1), encoding="utf-8")
    return path


@pytest.fixture
def uhri_json(tmp_path: Path) -> Path:
    return write_uhri_json(tmp_path / "uhri-export.json", UHRI_ANNOTATIONS)


@pytest.fixture
def uhri_xlsx(tmp_path: Path) -> Path:
    """The same annotations as UHRI's Excel export lays them out: one row each, header words
    spaced, several values in a cell separated by semicolons."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    header = [
        "Annotation Id",
        "Annotation Type",
        "Body",
        "Countries",
        "Symbol",
        "Publication Date",
        "Text",
        "Themes",
        "Affected Persons",
        "Sdgs",
        "Upr Cycle",
        "Upr Positions",
        "Upr Recommending Country",
        "Upr Session",
    ]
    sheet.append(header)
    for annotation in UHRI_ANNOTATIONS:
        row = []
        for name in header:
            value = annotation[name.replace(" ", "")]
            row.append("; ".join(value) if isinstance(value, list) else value)
        sheet.append(row)
    path = tmp_path / "uhri-export.xlsx"
    workbook.save(path)
    return path


@pytest.fixture
def upr_info_csv(shared_data: Path) -> Path:
    return shared_data / "recommendations" / "upr_info_recommendations_2008-2012.csv.gz"
