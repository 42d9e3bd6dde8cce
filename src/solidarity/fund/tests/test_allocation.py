"""The allocation engine: HiGHS's answer never breaks the budget or the balance rules, and it
reaches the same total score as trying every subset."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solidarity.fund.allocation import (
    Allocation,
    Candidate,
    Rules,
    allocate,
    allocate_exhaustively,
    violations,
    why_not,
)

REGIONS = ["Africa", "Americas", "Asia", "Europe", "Oceania"]


@st.composite
def problems(draw: st.DrawFn, max_size: int = 9) -> tuple[list[Candidate], Rules]:
    size = draw(st.integers(min_value=0, max_value=max_size))
    candidates = [
        Candidate(
            key=f"app{i}",
            cost=draw(st.integers(min_value=1, max_value=50)) * 100.0,
            score=float(draw(st.integers(min_value=0, max_value=100))),
            region=draw(st.sampled_from(REGIONS[:3])),
            woman=draw(st.booleans()),
        )
        for i in range(size)
    ]
    rules = Rules(
        budget=draw(st.integers(min_value=0, max_value=200)) * 100.0,
        min_per_region=draw(st.integers(min_value=0, max_value=2)),
        min_women_share=draw(st.sampled_from([0.0, 0.3, 0.5, 0.6, 1.0])),
        max_region_share=draw(st.sampled_from([1.0, 0.6, 0.4])),
    )
    return candidates, rules


@settings(max_examples=150, deadline=None)
@given(problems())
def test_the_chosen_set_keeps_every_rule(problem: tuple[list[Candidate], Rules]) -> None:
    candidates, rules = problem
    result = allocate(candidates, rules)
    if result.status == "optimal":
        assert violations(result.chosen, candidates, rules) == []
        assert result.total_cost <= rules.budget
        for candidate in candidates:
            if candidate.key not in result.chosen and candidate.score > 0:
                assert why_not(candidate.key, result.chosen, candidates, rules)
    else:
        assert result.chosen == ()


@settings(max_examples=150, deadline=None)
@given(problems(max_size=8))
def test_highs_matches_the_brute_force_optimum(problem: tuple[list[Candidate], Rules]) -> None:
    candidates, rules = problem
    solved = allocate(candidates, rules)
    exhaustive = allocate_exhaustively(candidates, rules)
    assert solved.status == exhaustive.status
    assert solved.total_score == pytest.approx(exhaustive.total_score)


def test_the_balance_rules_change_the_answer() -> None:
    candidates = [
        Candidate("a", 5000, 90, "Europe", False),
        Candidate("b", 5000, 85, "Europe", False),
        Candidate("c", 5000, 60, "Africa", True),
    ]
    assert allocate(candidates, Rules(budget=10000)).chosen == ("a", "b")
    by_region = allocate(candidates, Rules(budget=10000, min_per_region=1))
    assert by_region == Allocation("optimal", ("a", "c"), 150.0, 10000.0)
    assert why_not("b", by_region.chosen, candidates, Rules(10000, min_per_region=1)) == [
        "over budget: 15000 > 10000"
    ]
    assert allocate(candidates, Rules(budget=4000, min_per_region=1)).status == "infeasible"


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="Each candidate needs its own key"):
        allocate([Candidate("a", 1, 1, "X", True)] * 2, Rules(budget=1))
    with pytest.raises(ValueError, match="must not be negative"):
        allocate([Candidate("a", -1, 1, "X", True)], Rules(budget=1))
