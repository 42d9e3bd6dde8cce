"""Fair shares: the exact key shares and the sensitivity family, against a floor.

What: `solidarity.stats.fairshare.key_shares` (exact fractions) and `sensitivity` over
`weight_family` (double precision) for two keys — EU 2024 (population and GDP) and a four-term
key with GDP per capita and a capped inverse correction for refugees hosted per capita, the most
expensive kind a user can declare in the calculator — at spreads 0.1, 0.2 and 0.3.

Data: ``states`` synthetic States (seeded, so every run computes the same figures) with
populations of 10^4 to 10^9, GDPs of 10^8 to 10^13 US$ with cents, refugees of 1 to 10^6; 193 by
default (the UN), which is what a page computes.

Floor: the EU 2024 shares computed with plain floats in one pass.

Run with ``python -m benchmarks.fairshare [--states N]`` or ``./dev bench``.
"""

from __future__ import annotations

import argparse
import random
import time
from decimal import Decimal

from solidarity.stats.fairshare import key_shares, parse_key, preset_key, sensitivity, weight_family

FOUR_TERMS = parse_key(
    {
        "name": "four",
        "title": "Four terms",
        "terms": [
            {"indicator": "population", "weight": 1},
            {"indicator": "gdp", "weight": 1},
            {"indicator": "gdp", "weight": 1, "per_capita": True},
            {
                "indicator": "refugees",
                "weight": 1,
                "per_capita": True,
                "transform": "inverse",
                "cap": "0.3",
            },
        ],
    }
)


def figures(states: int) -> tuple[list[str], dict[str, dict[str, Decimal]]]:
    generator = random.Random(2026)  # noqa: S311 (reproducible test figures, not secrets)
    codes = [f"S{number:05d}" for number in range(states)]
    table: dict[str, dict[str, Decimal]] = {"population": {}, "gdp": {}, "refugees": {}}
    for code in codes:
        table["population"][code] = Decimal(int(10 ** generator.uniform(4, 9)))
        table["gdp"][code] = Decimal(int(10 ** generator.uniform(10, 15))) / 100
        table["refugees"][code] = Decimal(int(10 ** generator.uniform(0, 6)))
    return codes, table


def run(*, states: int = 193) -> None:
    codes, table = figures(states)
    print(f"fairshare: {states} States")
    started = time.perf_counter()
    population = {c: float(table["population"][c]) for c in codes}
    gdp = {c: float(table["gdp"][c]) for c in codes}
    total_population, total_gdp = sum(population.values()), sum(gdp.values())
    _ = {c: 0.5 * population[c] / total_population + 0.5 * gdp[c] / total_gdp for c in codes}
    floor = time.perf_counter() - started
    print(f"  floor (EU 2024 in floats, one pass): {floor * 1000:.2f} ms")
    for key in (preset_key("eu2024"), FOUR_TERMS):
        started = time.perf_counter()
        shares = key_shares(key, figures=table, states=codes)
        exact = time.perf_counter() - started
        assert sum(shares.shares.values()) == 1
        print(f"  {key.name}: exact key shares {exact * 1000:.1f} ms ({exact / floor:.0f}x floor)")
        for spread in ("0.1", "0.2", "0.3"):
            family = weight_family(key, step="0.05", spread=spread)
            started = time.perf_counter()
            sensitivity(shares, family=family)
            elapsed = time.perf_counter() - started
            print(
                f"    sensitivity ±{spread}: {len(family)} weightings in {elapsed * 1000:.0f} ms "
                f"({elapsed / len(family) * 1e6:.0f} µs each)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fairshare", description=__doc__)
    parser.add_argument("--states", type=int, default=193, help="number of synthetic States")
    run(states=parser.parse_args().states)


if __name__ == "__main__":
    main()
