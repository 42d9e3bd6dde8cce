from __future__ import annotations

from typing import Any

import pytest

from solidarity.fairshare.actions import figures_load_shipped
from solidarity.fairshare.models import ReferenceFigure


@pytest.fixture(autouse=True)
def shipped_figures(db: Any) -> None:
    """The figures a data migration loads on a fresh install; a transactional test elsewhere (the
    browser tests) flushes them, so put them back when they are gone."""
    if not ReferenceFigure.objects.filter(indicator="refugees").exists():
        figures_load_shipped(actor="system:tests")
