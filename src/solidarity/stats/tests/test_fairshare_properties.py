"""Properties every fair-share key must have, checked by Hypothesis over random groups."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solidarity.stats.fairshare import (
    FairShareError,
    fair_shares,
    key_shares,
    parse_key,
    sensitivity,
    weight_family,
)

STATES = [f"S{n:02d}" for n in range(12)]
figure = st.integers(min_value=1, max_value=10**12)
weight = st.integers(min_value=0, max_value=100)


@st.composite
def groups(
    draw: st.DrawFn, *, indicators: tuple[str, ...] = ("population", "gdp")
) -> dict[str, Any]:
    states = draw(st.lists(st.sampled_from(STATES), min_size=2, max_size=12, unique=True))
    return {indicator: {state: draw(figure) for state in states} for indicator in indicators} | {
        "_states": states
    }


@st.composite
def positive_keys(draw: st.DrawFn) -> object:
    weights = draw(st.tuples(weight, weight).filter(lambda w: sum(w) > 0))
    return parse_key(
        {
            "name": "k",
            "title": "K",
            "terms": [
                {"indicator": "population", "weight": weights[0]},
                {"indicator": "gdp", "weight": weights[1]},
            ],
        }
    )


@st.composite
def any_keys(draw: st.DrawFn) -> object:
    """Keys with every feature: inverse and per-capita terms, caps."""
    terms = [{"indicator": "population", "weight": draw(st.integers(1, 100))}]
    for indicator in ("gdp", "refugees", "unemployment_rate"):
        if draw(st.booleans()):
            term: dict[str, object] = {"indicator": indicator, "weight": draw(weight)}
            if draw(st.booleans()):
                term["transform"] = "inverse"
            if indicator != "unemployment_rate" and draw(st.booleans()):
                term["per_capita"] = True
            if draw(st.booleans()):
                term["cap"] = str(draw(st.sampled_from(["0", "0.1", "0.3", "1", "5"])))
            terms.append(term)
    return parse_key({"name": "k", "title": "K", "terms": terms})


ALL = ("population", "gdp", "refugees", "unemployment_rate")


@given(any_keys(), groups(indicators=ALL))
def test_shares_sum_to_exactly_one(key, group) -> None:
    states = group.pop("_states")
    shares = key_shares(key, figures=group, states=states)
    assert sum(shares.shares.values()) == 1
    assert all(share >= 0 for share in shares.shares.values())
    assert set(shares.shares) == set(states)


@given(positive_keys(), groups())
def test_more_population_and_gdp_never_means_a_smaller_share(key, group) -> None:
    states = group.pop("_states")
    shares = key_shares(key, figures=group, states=states).shares
    for a in states:
        for b in states:
            if (
                group["population"][a] >= group["population"][b]
                and group["gdp"][a] >= group["gdp"][b]
            ):
                assert shares[a] >= shares[b], (a, b)


@given(any_keys(), groups(indicators=ALL), st.integers(1, 10**6), st.integers(1, 10**6))
def test_scaling_every_figure_leaves_shares_unchanged(key, group, numerator, denominator):
    states = group.pop("_states")
    factor = Fraction(numerator, denominator)
    scaled = {
        indicator: {state: value * factor for state, value in values.items()}
        for indicator, values in group.items()
    }
    assert (
        key_shares(key, figures=group, states=states).shares
        == key_shares(key, figures=scaled, states=states).shares
    )


@given(any_keys(), groups(indicators=ALL), st.data())
def test_missing_data_is_reported_per_state_never_read_as_zero(key, group, data) -> None:
    states = group.pop("_states")
    lacking = data.draw(st.sampled_from(states))
    indicator = data.draw(st.sampled_from(key.indicators))
    with_gap = {name: dict(values) for name, values in group.items()}
    if data.draw(st.booleans()):
        with_gap[indicator][lacking] = None
    else:
        del with_gap[indicator][lacking]
    shares = key_shares(key, figures=with_gap, states=states)
    assert lacking not in shares.shares
    assert [(m.iso3, m.indicator, m.reason) for m in shares.missing] == [
        (lacking, indicator, "no figure")
    ]
    # The others are shared exactly as if the State were not in the group at all.
    others = [state for state in states if state != lacking]
    assert shares.shares == key_shares(key, figures=group, states=others).shares
    table = fair_shares(shares, burden=1000)
    row = next(row for row in table.rows if row.iso3 == lacking)
    assert (row.key_share, row.fair_share, row.gap, row.missing) == (None, None, None, (indicator,))


@settings(max_examples=30)
@given(any_keys(), groups(indicators=ALL))
def test_sensitivity_ranges_hold_the_key_own_share(key, group) -> None:
    states = group.pop("_states")
    shares = key_shares(key, figures=group, states=states)
    family = weight_family(key, step="0.1", spread="0.2")
    for weights in family:
        assert sum(weights) == 1
        assert all(0 <= w <= 1 for w in weights)
    ranges = sensitivity(shares, family=family)
    for state, share in shares.shares.items():
        assert ranges[state].low <= float(share) <= ranges[state].high


@given(positive_keys(), groups(), st.integers(0, 10**9))
def test_fair_shares_add_up_to_the_burden(key, group, burden) -> None:
    states = group.pop("_states")
    table = fair_shares(key_shares(key, figures=group, states=states), burden=burden)
    fair = [row.fair_share for row in table.rows]
    assert None not in fair
    assert sum(share for share in fair if share is not None) == burden


def test_a_zero_cannot_be_inverted_and_is_reported() -> None:
    key = parse_key(
        {
            "name": "k",
            "title": "K",
            "terms": [
                {"indicator": "population", "weight": 1},
                {"indicator": "unemployment_rate", "weight": 1, "transform": "inverse"},
            ],
        }
    )
    figures = {
        "population": {"AAA": 1, "BBB": 1},
        "unemployment_rate": {"AAA": 0, "BBB": 4},
    }
    shares = key_shares(key, figures=figures, states=["AAA", "BBB"])
    assert [str(m) for m in shares.missing] == ["AAA: unemployment_rate (zero cannot be inverted)"]
    assert shares.shares == {"BBB": 1}


def test_a_cap_limits_a_correction_to_a_share_of_the_base_effect() -> None:
    key = parse_key(
        {
            "name": "k",
            "title": "K",
            "terms": [
                {"indicator": "population", "weight": "0.5"},
                {
                    "indicator": "unemployment_rate",
                    "weight": "0.5",
                    "transform": "inverse",
                    "cap": "0.3",
                },
            ],
        }
    )
    # Inverse unemployment shares: AAA 1/2 : BBB 1/8 -> 4/5, 1/5; population 1/2, 1/2.
    # Contributions: AAA min(0.4, 0.3 * 0.25) = 0.075, BBB min(0.1, 0.075) = 0.075; base 0.25 each.
    figures = {"population": {"AAA": 5, "BBB": 5}, "unemployment_rate": {"AAA": 2, "BBB": 8}}
    shares = key_shares(key, figures=figures, states=["AAA", "BBB"])
    assert shares.shares == {"AAA": Fraction(1, 2), "BBB": Fraction(1, 2)}
    uncapped = key.with_weights((Fraction(1, 2), Fraction(1, 2)))
    uncapped = parse_key(
        uncapped.as_dict() | {"terms": [t | {"cap": None} for t in uncapped.as_dict()["terms"]]}
    )
    assert key_shares(uncapped, figures=figures, states=["AAA", "BBB"]).shares == {
        "AAA": Fraction(13, 20),
        "BBB": Fraction(7, 20),
    }


def test_no_burden_needs_every_actual_figure() -> None:
    key = parse_key(
        {"name": "k", "title": "K", "terms": [{"indicator": "population", "weight": 1}]}
    )
    shares = key_shares(key, figures={"population": {"AAA": 1, "BBB": 3}}, states=["AAA", "BBB"])
    with pytest.raises(FairShareError, match="no burden given and refugees is missing for BBB"):
        fair_shares(shares, burden=None, actual={"AAA": 5}, actual_indicator="refugees")
