"""Template helpers of the published-data pages."""

from __future__ import annotations

from decimal import Decimal

from django import template

from solidarity.indicators.publication import plain_number as _plain_number

register = template.Library()


@register.filter
def plain_number(value: Decimal | None) -> str:
    """``{{ point.value|plain_number }}``: ``13``, not ``13.000000000000``; blank for none."""
    return _plain_number(value)
