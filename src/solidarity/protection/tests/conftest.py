"""Protection tests: runs carried out at once (the Immediate task backend), files in the test's
own folder, the real UCI Adult extract as microdata, and small specifications so runs stay fast."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Two tables of codes the data hub knows (GCM_MIGRANT_STOCK breaks down by SEX and AGE).
SPEC = """\
dataset: adult-small
dimensions:
  SEX: {column: sex, codes: {Male: M, Female: F}}
  AGE:
    column: age
    bins: [[0, 14, Y_LT15], [15, 64, Y15T64], [65, 69, Y65T69], [70, 74, Y70T74],
           [75, 79, Y75T79], [80, 84, Y80T84], [85, null, Y_GE85]]
tables:
  - {id: T1, dimensions: [SEX, AGE]}
  - {id: T2, dimensions: [AGE]}
"""

# A table the hub's indicator does not break down by (race).
SPEC_RACE = """\
dataset: adult-race
dimensions:
  SEX: {column: sex, codes: {Male: M, Female: F}}
  RACE_ETHNICITY:
    column: race
    codes: {White: WHITE, Black: BLACK, Asian-Pac-Islander: ASIAN_PACIFIC,
            Amer-Indian-Eskimo: AMERICAN_INDIAN_ESKIMO, Other: OTHER}
tables:
  - {id: T1, dimensions: [SEX, RACE_ETHNICITY]}
"""


@pytest.fixture(autouse=True)
def _protection_settings(settings: Any, tmp_path: Path) -> None:
    settings.TASKS = IMMEDIATE
    settings.PROTECTION_ROOT = tmp_path / "protection"
    settings.MICRODATA_DIR = tmp_path / "server"
    (tmp_path / "server").mkdir()


@pytest.fixture
def adult(shared_data: Path) -> Path:
    return shared_data / "microdata" / "uci_adult_census_1994.csv"
