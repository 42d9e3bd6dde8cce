"""US-dollar conversion with the exchange-rate table shipped in ``data/exchange_rates.csv``.

The table holds, for each currency and calendar month, the average number of US dollars one unit
was worth, derived from the European Central Bank's euro reference rates (see
``data/PROVENANCE.md``). An amount is converted at the month of its value date — the date IATI
names for conversion — and the original amount is always kept beside the result. A currency or
month the table does not cover gives no US-dollar figure (``None``), never zero.
"""

from __future__ import annotations

import csv
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from pathlib import Path

TABLE = Path(__file__).resolve().parent / "data" / "exchange_rates.csv"
CENT = Decimal("0.01")


@lru_cache(maxsize=1)
def _table() -> dict[tuple[str, str], Decimal]:
    with TABLE.open(newline="", encoding="utf-8") as file:
        return {
            (row["currency"], row["month"]): Decimal(row["usd_per_unit"])
            for row in csv.DictReader(file)
        }


def usd_per_unit(currency: str, on: date) -> Decimal | None:
    """US dollars per unit of ``currency`` in the month of ``on``; ``None`` when unknown.

    >>> usd_per_unit("USD", date(2020, 1, 15))
    Decimal('1')
    >>> usd_per_unit("EUR", date(2020, 1, 15))
    Decimal('1.1100364')
    >>> usd_per_unit("XOF", date(2020, 1, 15)) is None
    True
    """
    currency = currency.upper()
    if currency == "USD":
        return Decimal(1)
    return _table().get((currency, f"{on.year:04d}-{on.month:02d}"))


def to_usd(value: Decimal, currency: str, on: date | None) -> Decimal | None:
    """``value`` in ``currency`` at the date ``on`` in US dollars, to the cent; ``None`` when
    the currency, the date or the month's rate is missing.

    >>> to_usd(Decimal("1000"), "EUR", date(2020, 1, 31))
    Decimal('1110.04')
    >>> to_usd(Decimal("1000"), "", date(2020, 1, 31)) is None
    True
    """
    if not currency or on is None:
        return None
    rate = usd_per_unit(currency, on)
    if rate is None:
        return None
    return (value * rate).quantize(CENT, rounding=ROUND_HALF_EVEN)


def currencies() -> list[str]:
    """The currencies the table covers, with the US dollar."""
    return sorted({currency for currency, _month in _table()} | {"USD"})


def coverage() -> tuple[str, str]:
    """The first and last month of the table."""
    months = sorted({month for _currency, month in _table()})
    return months[0], months[-1]
