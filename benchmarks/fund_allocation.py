"""Allocating a participation fund call: `solidarity.fund.allocation.allocate` (HiGHS MILP) on
generated calls, against a floor and against a greedy heuristic.

Data: ``applications`` generated applications (seeded, so every run solves the same problems):
costs 1,000 to 15,000 in steps of 500, scores 0 to 100 with two decimals, five UN regions with
uneven numbers of applicants (Africa and Asia most), about 45% women or women-led; the budget is a
quarter of the total requested. Rules: at least 2 awards per region, at least half the awards to
women, at most 35% of the budget to one region.

It prints, for each size, the time HiGHS takes to prove the optimum, the floor (sorting the
applications by score per unit of cost, which any heuristic must do at least), and how far a
greedy pick by that ratio, repaired for the balance rules where it can be, falls short of the
optimum's total score — the reason an exact solver is used.

Run with ``python -m benchmarks.fund_allocation [--applications N]`` (default 200; several sizes
up to N are solved).
"""

from __future__ import annotations

import argparse
import random
import time

from solidarity.fund.allocation import Candidate, Rules, allocate, violations

REGIONS = ["Africa", "Asia", "Americas", "Europe", "Oceania"]
WEIGHTS = [0.35, 0.3, 0.2, 0.1, 0.05]


def generate(size: int, *, seed: int = 20260) -> tuple[list[Candidate], Rules]:
    rng = random.Random(seed + size)  # noqa: S311  # reproducible test data, not secrets
    candidates = [
        Candidate(
            key=f"app{i}",
            cost=float(rng.randrange(1000, 15001, 500)),
            score=round(rng.uniform(0, 100), 2),
            region=rng.choices(REGIONS, WEIGHTS)[0],
            woman=rng.random() < 0.45,
        )
        for i in range(size)
    ]
    budget = sum(c.cost for c in candidates) / 4
    return candidates, Rules(
        budget=budget, min_per_region=2, min_women_share=0.5, max_region_share=0.35
    )


def greedy(candidates: list[Candidate], rules: Rules) -> tuple[float, bool]:
    """Best score per unit of cost first, skipping what breaks the budget, the regional cap or
    the women's share; returns its total score and whether the result meets every rule."""
    chosen: list[str] = []
    for candidate in sorted(candidates, key=lambda c: c.score / c.cost, reverse=True):
        trial = [*chosen, candidate.key]
        broken = violations(trial, candidates, rules)
        if not any(p.startswith("over budget") or "over its share" in p for p in broken) and (
            not any(p.startswith("women") for p in broken) or candidate.woman
        ):
            chosen = trial
    score = sum(c.score for c in candidates if c.key in set(chosen))
    return score, not violations(chosen, candidates, rules)


def run(*, applications: int = 200) -> None:
    sizes = sorted({s for s in (50, 200, 1000, 5000) if s < applications} | {applications})
    print("fund_allocation: HiGHS MILP against a sort floor and a greedy heuristic")
    print(
        f"{'applications':>12} {'HiGHS s':>9} {'floor s':>9} {'chosen':>7} "
        f"{'greedy short of optimum':>24} {'greedy meets rules':>19}"
    )
    for size in sizes:
        candidates, rules = generate(size)
        started = time.perf_counter()
        result = allocate(candidates, rules)
        solved = time.perf_counter() - started
        started = time.perf_counter()
        sorted(candidates, key=lambda c: c.score / c.cost, reverse=True)
        floor = time.perf_counter() - started
        assert result.status == "optimal"
        assert not violations(result.chosen, candidates, rules)
        greedy_score, greedy_ok = greedy(candidates, rules)
        short = 100 * (result.total_score - greedy_score) / result.total_score
        print(
            f"{size:>12} {solved:>9.3f} {floor:>9.4f} {len(result.chosen):>7} "
            f"{short:>23.2f}% {greedy_ok!s:>19}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.fund_allocation", description=__doc__
    )
    parser.add_argument("--applications", type=int, default=200)
    run(applications=parser.parse_args().applications)


if __name__ == "__main__":
    main()
