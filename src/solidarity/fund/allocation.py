"""Choosing the grants of a participation fund call: the set of applications with the largest
total score that fits the budget and meets the call's balance rules. Plain Python, no Django.

It is a 0-1 knapsack with side constraints, solved exactly as a mixed-integer linear programme by
HiGHS (``highspy``) — an established solver rather than a greedy heuristic, which can miss the
optimum by a wide margin once balance rules bind. For candidates ``i`` with cost ``c_i``, score
``s_i``, region ``r(i)`` and ``w_i = 1`` when the applicant is a woman or a women-led
organisation, choose ``x_i`` in {0, 1} to

    maximise    sum_i s_i x_i
    subject to  sum_i c_i x_i <= budget
                sum_{i in r} x_i >= min(min_per_region, |r|)        for each region r
                sum_{i in r} c_i x_i <= max_region_share * budget    for each region r
                sum_i (w_i - min_women_share) x_i >= 0               (the women's share of awards)

:func:`allocate_exhaustively` solves the same problem by trying every subset; the tests compare
the two on small cases, and it is what a reader can check by hand.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import highspy

TOLERANCE = 1e-6


@dataclass(frozen=True)
class Candidate:
    """One eligible application: ``cost`` is the amount requested, ``score`` the panel's."""

    key: str
    cost: float
    score: float
    region: str
    woman: bool


@dataclass(frozen=True)
class Rules:
    """The call's budget and balance rules (all published with the call)."""

    budget: float
    min_per_region: int = 0
    min_women_share: float = 0.0
    max_region_share: float = 1.0


@dataclass(frozen=True)
class Allocation:
    """The solver's answer. ``status`` is ``optimal`` or ``infeasible`` (no set meets the rules;
    ``chosen`` is then empty)."""

    status: str
    chosen: tuple[str, ...]
    total_score: float
    total_cost: float


def violations(chosen: Iterable[str], candidates: Sequence[Candidate], rules: Rules) -> list[str]:
    """The rules a set of chosen keys breaks, in words; empty when it meets them all.

    >>> people = [Candidate("a", 10, 5, "Africa", True), Candidate("b", 10, 4, "Asia", False)]
    >>> violations(["a", "b"], people, Rules(budget=15))
    ['over budget: 20 > 15']
    """
    keys = set(chosen)
    picked = [c for c in candidates if c.key in keys]
    problems = []
    cost = sum(c.cost for c in picked)
    if cost > rules.budget + TOLERANCE:
        problems.append(f"over budget: {cost:g} > {rules.budget:g}")
    by_region = Counter(c.region for c in candidates)
    chosen_by_region = Counter(c.region for c in picked)
    cost_by_region: dict[str, float] = defaultdict(float)
    for c in picked:
        cost_by_region[c.region] += c.cost
    for region, available in sorted(by_region.items()):
        needed = min(rules.min_per_region, available)
        if chosen_by_region[region] < needed:
            problems.append(f"{region}: {chosen_by_region[region]} of the {needed} awards needed")
        if cost_by_region[region] > rules.max_region_share * rules.budget + TOLERANCE:
            problems.append(f"{region}: {cost_by_region[region]:g} over its share of the budget")
    women = sum(1 for c in picked if c.woman)
    if women + TOLERANCE < rules.min_women_share * len(picked):
        problems.append(f"women: {women} of {len(picked)} awards, below {rules.min_women_share:g}")
    return problems


def _validate(candidates: Sequence[Candidate], rules: Rules) -> None:
    keys = [c.key for c in candidates]
    if len(set(keys)) != len(keys):
        raise ValueError("Each candidate needs its own key.")
    if rules.budget < 0 or not 0 <= rules.min_women_share <= 1 or rules.max_region_share < 0:
        raise ValueError(f"Rules out of range: {rules}")
    for c in candidates:
        if c.cost < 0 or c.score < 0:
            raise ValueError(f"Candidate {c.key}: cost and score must not be negative.")


def allocate(candidates: Sequence[Candidate], rules: Rules) -> Allocation:
    """The highest-scoring set of candidates within the rules, solved by HiGHS.

    >>> people = [
    ...     Candidate("a", 6, 9, "Africa", False),
    ...     Candidate("b", 5, 6, "Africa", True),
    ...     Candidate("c", 5, 5, "Asia", True),
    ... ]
    >>> allocate(people, Rules(budget=11, min_per_region=1)).chosen
    ('a', 'c')
    >>> allocate(people, Rules(budget=11, min_women_share=1.0)).chosen
    ('b', 'c')
    """
    _validate(candidates, rules)
    if not candidates:
        return Allocation("optimal", (), 0.0, 0.0)
    # highspy's constructor carries no type annotations.
    solver = highspy.Highs()  # type: ignore[no-untyped-call]
    solver.silent()
    x = [solver.addBinary() for _ in candidates]
    solver.addConstr(sum(c.cost * xi for c, xi in zip(candidates, x, strict=True)) <= rules.budget)
    regions: dict[str, list[int]] = defaultdict(list)
    for i, c in enumerate(candidates):
        regions[c.region].append(i)
    for members in regions.values():
        needed = min(rules.min_per_region, len(members))
        if needed:
            solver.addConstr(sum(x[i] for i in members) >= needed)
        if rules.max_region_share < 1:
            solver.addConstr(
                sum(candidates[i].cost * x[i] for i in members)
                <= rules.max_region_share * rules.budget
            )
    if rules.min_women_share > 0:
        solver.addConstr(
            sum(
                ((1.0 if c.woman else 0.0) - rules.min_women_share) * xi
                for c, xi in zip(candidates, x, strict=True)
            )
            >= 0
        )
    solver.maximize(sum(c.score * xi for c, xi in zip(candidates, x, strict=True)))
    status = solver.getModelStatus()
    if status == highspy.HighsModelStatus.kInfeasible:
        return Allocation("infeasible", (), 0.0, 0.0)
    if status != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(
            f"HiGHS stopped without an optimum: {solver.modelStatusToString(status)}"
        )
    values = solver.vals(x)
    chosen = [c for c, value in zip(candidates, values, strict=True) if value > 0.5]
    return _answer(chosen)


def _answer(chosen: list[Candidate]) -> Allocation:
    return Allocation(
        "optimal",
        tuple(sorted(c.key for c in chosen)),
        sum(c.score for c in chosen),
        sum(c.cost for c in chosen),
    )


def why_not(
    key: str, chosen: Iterable[str], candidates: Sequence[Candidate], rules: Rules
) -> list[str]:
    """Why a candidate left out of an optimal set stays out: the rules adding it would break.
    (At the optimum every candidate left out breaks one, or adding it would raise the score.)"""
    return violations([*chosen, key], candidates, rules)


def allocate_exhaustively(candidates: Sequence[Candidate], rules: Rules) -> Allocation:
    """The same optimum by trying all 2^n subsets: for checking, with n up to about 15."""
    _validate(candidates, rules)
    best: list[Candidate] | None = None
    best_score = -1.0
    for size in range(len(candidates) + 1):
        for subset in itertools.combinations(candidates, size):
            score = sum(c.score for c in subset)
            if score > best_score + TOLERANCE and not violations(
                [c.key for c in subset], candidates, rules
            ):
                best, best_score = list(subset), score
    if best is None:
        return Allocation("infeasible", (), 0.0, 0.0)
    return _answer(best)
