"""Schemas every router of the JSON API shares."""

from __future__ import annotations

from ninja import Schema


class Problem(Schema):
    """An error: ``detail`` says what was wrong, naming the offending value."""

    detail: str
