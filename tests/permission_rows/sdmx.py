"""The SDMX REST API (``/sdmx/``): public and read-only, so everyone gets the same answer.

No data are published here, so a data query finds no results (an SDMX 404); the structures come
from the catalogue and are there for everyone."""

from __future__ import annotations

from typing import Any

from tests.permission_rows import ROLES

PAGES: dict[str, tuple[str, dict[str, Any]]] = {
    "sdmx:data": ("/sdmx/data/DF_10_7_3/all", dict.fromkeys(ROLES, 404)),
    "sdmx:availability": ("/sdmx/availability/DF_10_7_3", dict.fromkeys(ROLES, 404)),
    "sdmx:structure": (
        "/sdmx/structure/dataflow/SOLIDARITY/DF_10_7_3/latest",
        dict.fromkeys(ROLES, 200),
    ),
}
