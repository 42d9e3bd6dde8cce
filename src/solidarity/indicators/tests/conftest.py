from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _in_english() -> Iterator[None]:
    """Messages are asserted in English, whatever language an earlier request left active."""
    with translation.override("en"):
        yield
