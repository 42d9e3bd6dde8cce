from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from solidarity.accounts.models import Organisation, User
from solidarity.indicators.actions import label_mapping_set
from solidarity.indicators.models import Code, Dimension, IndicatorDimension


@pytest.fixture(autouse=True)
def _in_english() -> Iterator[None]:
    """Messages are asserted in English, whatever language an earlier request left active."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _own_answer_cache(settings: Any, tmp_path: Path) -> None:
    """Each test keeps its SDMX answers in a folder of its own (see sdmx_cache)."""
    settings.HOME = tmp_path / "home"


FIXTURES = Path(__file__).parent / "fixtures"


def load_provider_mappings(name: str, *, provider: Organisation, actor: User) -> None:
    """Load a provider's mapping file from ``fixtures/``: the provider-specific dimensions and
    codes it needs (set up directly, as the catalogue would hold them), then its label mappings
    through the real :func:`~solidarity.indicators.actions.label_mapping_set`."""
    data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    for entry in data.get("dimensions", []):
        dimension = Dimension.objects.create(
            code=entry["code"], name=entry["name"], provider_specific=True, order=900
        )
        for indicator in entry["indicators"]:
            IndicatorDimension.objects.create(
                indicator_id=indicator, dimension=dimension, order=900
            )
    for entry in data.get("codes", []):
        Code.objects.create(
            dimension_id=entry["dimension"],
            provider=provider,
            code=entry["code"],
            name=entry["name"],
        )
    for entry in data["mappings"]:
        label_mapping_set(
            actor=actor,
            provider=provider,
            kind=entry["kind"],
            label=entry["label"],
            dimension=Dimension.objects.get(code=entry["dimension"]),
            code=entry.get("code", ""),
        )
