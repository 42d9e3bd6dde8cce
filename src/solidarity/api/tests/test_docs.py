"""docs/api.md keeps up with the API: every operation and every filter is documented."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from solidarity.api.urls import api

DOCS = Path(__file__).resolve().parents[4] / "docs" / "api.md"


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    paths: dict[str, dict[str, Any]] = api.get_openapi_schema()["paths"]
    return [
        (method, path, operation)
        for path, item in paths.items()
        for method, operation in item.items()
        if method in {"get", "put", "post", "delete", "patch"}
    ]


def test_every_operation_is_documented_with_an_example() -> None:
    text = DOCS.read_text()
    for method, path, _ in operations():
        assert f"{method.upper()} {path}" in text, f"docs/api.md does not mention {path}"
        example = re.escape("http://127.0.0.1:8000" + path.split("{")[0].rstrip("/"))
        assert re.search(rf"^curl .*{example}", text, re.MULTILINE), f"no curl example for {path}"


def test_every_filter_is_documented() -> None:
    text = DOCS.read_text()
    for _, path, operation in operations():
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query":
                assert f"| `{parameter['name']}` |" in text, (
                    f"docs/api.md does not document the filter {parameter['name']!r} of {path}"
                )


def test_the_description_and_docs_addresses_are_given() -> None:
    text = DOCS.read_text()
    assert "/api/v1/openapi.json" in text
    assert "/api/v1/docs" in text
