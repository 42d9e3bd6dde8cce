"""Published data: the indicator pages' downloads and the coverage report are open to everyone,
whatever data exist (with none, a download has its header row only)."""

from __future__ import annotations

from typing import Any

from tests.permission_rows import EVERYONE

PAGES: dict[str, tuple[str, dict[str, Any]]] = {
    "indicators:data_csv": ("/indicators/10.7.3/data.csv", EVERYONE),
    "indicators:data_xlsx": ("/indicators/10.7.3/data.xlsx", EVERYONE),
    "indicators:coverage": ("/indicators/coverage/", EVERYONE),
}
