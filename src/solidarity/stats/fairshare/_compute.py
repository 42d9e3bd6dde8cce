"""The arithmetic of fair shares: key shares, fair shares, gaps, ratios and the sensitivity of
each State's share to the choice of weights. Exact: every figure is turned into a `Fraction`
(through its decimal text), so that shares sum to exactly 1 and results do not depend on the
order of the States.

The formula, for a group of States ``i`` and a key with terms ``t`` (weight ``w_t``, optional
cap ``c_t``):

* value ``v_ti = x_ti`` (or ``x_ti / population_i`` for a per-capita term);
* normalised share ``s_ti = v_ti / Σ_j v_tj`` (``share``) or ``s_ti = (1/v_ti) / Σ_j (1/v_tj)``
  (``inverse``);
* base effect ``B_i = Σ_{t uncapped} w_t s_ti``;
* contribution ``c_ti = w_t s_ti``, or ``min(w_t s_ti, c_t B_i)`` for a capped term;
* key share ``k_i = Σ_t c_ti / Σ_j Σ_t c_tj`` (so ``Σ_i k_i = 1``);
* fair share ``f_i = k_i * burden``; gap ``g_i = a_i - f_i`` (positive: the State does more than
  its fair share); ratio ``r_i = a_i / f_i``.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Literal

import numpy

from ._errors import FairShareError, NoUsableStates
from ._keys import Key, Term

Number = Decimal | Fraction | int | float | str
#: Figures by indicator, then by State (ISO3); ``None`` or an absent State means no figure.
Figures = Mapping[str, Mapping[str, Number | None]]
Reason = Literal["no figure", "zero cannot be inverted", "negative"]


@dataclass(frozen=True, slots=True)
class MissingFigure:
    """A figure a State lacks (or cannot use) for an indicator the key needs."""

    iso3: str
    indicator: str
    reason: Reason

    def __str__(self) -> str:
        return f"{self.iso3}: {self.indicator} ({self.reason})"


@dataclass(frozen=True)
class KeyShares:
    """Each State's key share over a group.

    ``shares`` holds the States that have every figure the key needs; the others are in
    ``missing`` (one entry per State and indicator) and in `excluded`: they take no part in the
    normalisation — a missing figure is never read as zero.
    """

    key: Key
    states: tuple[str, ...]
    shares: dict[str, Fraction]
    term_shares: dict[str, tuple[Fraction, ...]]
    missing: tuple[MissingFigure, ...]

    @property
    def excluded(self) -> tuple[str, ...]:
        return tuple(state for state in self.states if state not in self.shares)

    def missing_for(self, iso3: str) -> tuple[MissingFigure, ...]:
        return tuple(m for m in self.missing if m.iso3 == iso3)


def _fraction(value: Number) -> Fraction:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float):
        # The decimal text a person reads, not the binary expansion of the float.
        return Fraction(Decimal(repr(value)))
    return Fraction(Decimal(str(value)) if not isinstance(value, int) else value)


def _values(
    key: Key, figures: Figures, states: Sequence[str]
) -> tuple[dict[str, list[Fraction]], list[MissingFigure]]:
    """Each usable State's value per term (per capita where asked) and what is missing."""
    missing: list[MissingFigure] = []
    values: dict[str, list[Fraction]] = {}
    for state in states:
        row: list[Fraction] = []
        problems: list[MissingFigure] = []
        for indicator in key.indicators:
            raw = figures.get(indicator, {}).get(state)
            if raw is None:
                problems.append(MissingFigure(state, indicator, "no figure"))
            elif _fraction(raw) < 0:
                problems.append(MissingFigure(state, indicator, "negative"))
        if not problems:
            for term in key.terms:
                value = _fraction(figures[term.indicator][state])  # type: ignore[arg-type]
                if term.per_capita:
                    population = _fraction(figures["population"][state])  # type: ignore[arg-type]
                    if population == 0:
                        problems.append(MissingFigure(state, "population", "no figure"))
                        break
                    value /= population
                if term.transform == "inverse" and value == 0:
                    problems.append(MissingFigure(state, term.indicator, "zero cannot be inverted"))
                row.append(value)
        if problems:
            missing.extend(problems)
        else:
            values[state] = row
    return values, missing


def _normalise(key: Key, values: dict[str, list[Fraction]]) -> dict[str, tuple[Fraction, ...]]:
    columns: list[dict[str, Fraction]] = []
    for number, term in enumerate(key.terms):
        column = {state: row[number] for state, row in values.items()}
        if term.transform == "inverse":
            column = {state: 1 / value for state, value in column.items()}
        total = sum(column.values(), Fraction(0))
        if total == 0:
            raise FairShareError(
                f"the group's total of {term.label} is zero: the term cannot be normalised"
            )
        columns.append({state: value / total for state, value in column.items()})
    return {state: tuple(column[state] for column in columns) for state in values}


def _scores(
    terms: Sequence[Term], weights: Sequence[Fraction], normalised: dict[str, tuple[Fraction, ...]]
) -> dict[str, Fraction]:
    """Key shares from normalised term shares: contributions, caps, renormalisation."""
    raw: dict[str, Fraction] = {}
    for state, shares in normalised.items():
        base = sum(
            (w * s for t, w, s in zip(terms, weights, shares, strict=True) if t.cap is None),
            Fraction(0),
        )
        score = Fraction(0)
        for term, weight, share in zip(terms, weights, shares, strict=True):
            contribution = weight * share
            if term.cap is not None:
                contribution = min(contribution, term.cap * base)
            score += contribution
        raw[state] = score
    total = sum(raw.values(), Fraction(0))
    if total == 0:
        raise FairShareError("every State's score is zero: the weights leave nothing to share")
    return {state: score / total for state, score in raw.items()}


def key_shares(key: Key, *, figures: Figures, states: Sequence[str]) -> KeyShares:
    """Each State's share of the group under ``key``.

    Parameters
    ----------
    key : Key
    figures : mapping
        ``{indicator: {iso3: value}}``; a value is a number (``Decimal``, ``int``, ``float``,
        ``Fraction`` or numeric text) or ``None`` for no figure.
    states : sequence of str
        The group, as ISO3 codes; repeated codes are counted once.

    Returns
    -------
    KeyShares
        Shares summing to exactly 1 over the States that have every figure; the others listed
        in ``missing``.

    Raises
    ------
    NoUsableStates
        No State has every figure the key needs (``error.missing`` says which).
    FairShareError
        A term's group total is zero.

    Examples
    --------
    >>> from solidarity.stats.fairshare import preset_key
    >>> figures = {"population": {"AAA": 30, "BBB": 10, "CCC": None},
    ...            "gdp": {"AAA": 100, "BBB": 300, "CCC": 50}}
    >>> result = key_shares(preset_key("eu2024"), figures=figures, states=["AAA", "BBB", "CCC"])
    >>> result.shares
    {'AAA': Fraction(1, 2), 'BBB': Fraction(1, 2)}
    >>> [str(m) for m in result.missing]
    ['CCC: population (no figure)']
    """
    group = tuple(dict.fromkeys(states))
    values, missing = _values(key, figures, group)
    if not values:
        error = NoUsableStates(
            f"no State of the group has every figure the key {key.name} needs "
            f"({', '.join(key.indicators)})"
        )
        error.missing = tuple(missing)  # type: ignore[attr-defined]
        raise error
    normalised = _normalise(key, values)
    shares = _scores(key.terms, key.weights, normalised)
    return KeyShares(key, group, shares, normalised, tuple(missing))


@dataclass(frozen=True, slots=True)
class FairShareRow:
    """One State's line: key share, fair share, what it actually does, the gap and the ratio.

    ``None`` where a figure is missing (listed in ``missing``) or, for the ratio, where the fair
    share is zero.
    """

    iso3: str
    key_share: Fraction | None
    fair_share: Fraction | None
    actual: Fraction | None
    gap: Fraction | None
    ratio: Fraction | None
    missing: tuple[str, ...]


@dataclass(frozen=True)
class FairShareTable:
    key_shares: KeyShares
    burden: Fraction | None
    burden_from_actual: bool
    actual_indicator: str | None
    rows: tuple[FairShareRow, ...]


def fair_shares(
    shares: KeyShares,
    *,
    burden: Number | None,
    actual: Mapping[str, Number | None] | None = None,
    actual_indicator: str | None = None,
) -> FairShareTable:
    """Each State's fair share of ``burden``, against what it ``actual``-ly does.

    Parameters
    ----------
    shares : KeyShares
    burden : number or None
        People to receive or money to provide, shared among the States with a key share. With
        ``None``, the total of ``actual`` over those States (the actual effort redistributed by
        the key); every one of them must then have an actual figure. With neither a burden nor
        an actual measure, only the key shares are given (no fair share, gap or ratio).
    actual : mapping, optional
        ``{iso3: value}``: refugees hosted, migrant stock, money disbursed…
    actual_indicator : str, optional
        Its name, reported as missing where a State has no figure.

    Examples
    --------
    >>> from solidarity.stats.fairshare import preset_key
    >>> figures = {"population": {"AAA": 30, "BBB": 10}, "gdp": {"AAA": 100, "BBB": 300}}
    >>> shares = key_shares(preset_key("eu2024"), figures=figures, states=["AAA", "BBB"])
    >>> table = fair_shares(shares, burden=None, actual={"AAA": 900, "BBB": 100})
    >>> [(r.iso3, r.fair_share, r.gap, r.ratio) for r in table.rows]
    [('AAA', Fraction(500, 1), Fraction(400, 1), Fraction(9, 5)), \
('BBB', Fraction(500, 1), Fraction(-400, 1), Fraction(1, 5))]
    """
    name = actual_indicator or "actual"
    actual_values = {
        state: None if value is None else _fraction(value)
        for state, value in (actual or {}).items()
    }
    from_actual = burden is None and actual is not None
    total: Fraction | None
    if burden is None and actual is None:
        total = None
    elif burden is None:
        total = Fraction(0)
        lacking = []
        for state in shares.shares:
            value = actual_values.get(state)
            if value is None:
                lacking.append(state)
            else:
                total += value
        if lacking:
            raise FairShareError(
                f"no burden given and {name} is missing for {', '.join(lacking)}: "
                "give the burden explicitly"
            )
    else:
        total = _fraction(burden)
        if total < 0:
            raise FairShareError("the burden cannot be negative")
    rows = []
    gap: Fraction | None
    ratio: Fraction | None
    for state in shares.states:
        missing = [m.indicator for m in shares.missing_for(state)]
        key_share = shares.shares.get(state)
        fair = None if key_share is None or total is None else key_share * total
        value = actual_values.get(state)
        if actual is not None and value is None:
            missing.append(name)
        gap = ratio = None
        if fair is not None and value is not None:
            gap = value - fair
            ratio = value / fair if fair else None
        rows.append(FairShareRow(state, key_share, fair, value, gap, ratio, tuple(missing)))
    return FairShareTable(shares, total, from_actual, actual_indicator, tuple(rows))


def weight_family(
    key: Key, *, step: Number = Fraction(1, 20), spread: Number = Fraction(1, 5)
) -> list[tuple[Fraction, ...]]:
    """A family of reasonable weights around the key's own: every vector on a grid of ``step``
    whose weights each differ from the key's (scaled to sum to 1) by at most ``spread``, stay
    between 0 and 1 and sum to 1. The key's own weights come first.

    Examples
    --------
    >>> from solidarity.stats.fairshare import preset_key
    >>> family = weight_family(preset_key("eu2024"), step="0.1", spread="0.2")
    >>> [tuple(str(w) for w in weights) for weights in family]
    [('1/2', '1/2'), ('3/10', '7/10'), ('2/5', '3/5'), ('3/5', '2/5'), ('7/10', '3/10')]
    """
    step_, spread_ = _fraction(step), _fraction(spread)
    if step_ <= 0 or spread_ < 0:
        raise FairShareError("the step must be positive and the spread not negative")
    total = sum(key.weights, Fraction(0))
    base = tuple(w / total for w in key.weights)
    reach = int(spread_ / step_)
    offsets = range(-reach, reach + 1)
    family: list[tuple[Fraction, ...]] = [base]
    for moves in itertools.product(offsets, repeat=len(base) - 1):
        last = -sum(moves)
        if abs(last) > reach or (not any(moves) and last == 0):
            continue
        weights = tuple(w + m * step_ for w, m in zip(base, (*moves, last), strict=True))
        if all(0 <= w <= 1 for w in weights):
            family.append(weights)
    return family


@dataclass(frozen=True, slots=True)
class ShareRange:
    """A State's key share under the key (exact) and its lowest and highest across the family
    (in double precision, with NumPy: a range is read at a glance, and exact fractions of
    inverse and per-capita terms grow too large to scan hundreds of weightings in time)."""

    iso3: str
    share: Fraction
    low: float
    high: float
    low_weights: tuple[Fraction, ...]
    high_weights: tuple[Fraction, ...]


def sensitivity(
    shares: KeyShares, *, family: Sequence[tuple[Fraction, ...]]
) -> dict[str, ShareRange]:
    """Each State's range of key shares across a family of weights (see `weight_family`), over
    the same States and figures as ``shares``, by the same formula as `key_shares`.

    Examples
    --------
    >>> from solidarity.stats.fairshare import preset_key
    >>> key = preset_key("eu2024")
    >>> figures = {"population": {"AAA": 30, "BBB": 10}, "gdp": {"AAA": 100, "BBB": 300}}
    >>> shares = key_shares(key, figures=figures, states=["AAA", "BBB"])
    >>> ranges = sensitivity(shares, family=weight_family(key, step="0.1", spread="0.2"))
    >>> round(ranges["AAA"].low, 12), round(ranges["AAA"].high, 12), ranges["AAA"].low_weights
    (0.4, 0.6, (Fraction(3, 10), Fraction(7, 10)))
    """
    if not family or not shares.shares:
        return {}
    states = list(shares.shares)
    # One array operation over every weighting at once: family x States x terms.
    values = numpy.array([[float(v) for v in shares.term_shares[s]] for s in states])
    weights = numpy.array([[float(w) for w in ws] for ws in family])
    capped = numpy.array([term.cap is not None for term in shares.key.terms])
    caps = numpy.array([float(term.cap or 0) for term in shares.key.terms])
    parts = weights[:, None, :] * values[None, :, :]
    base = parts[:, :, ~capped].sum(axis=2)
    limited = numpy.minimum(parts[:, :, capped], caps[capped][None, None, :] * base[:, :, None])
    scores = base + limited.sum(axis=2)
    totals = scores.sum(axis=1)
    usable = totals > 0
    scores, totals = scores[usable], totals[usable]
    kept = [ws for ws, ok in zip(family, usable, strict=True) if ok]
    if not kept:
        return {}
    ratios = scores / totals[:, None]
    lowest, highest = ratios.argmin(axis=0), ratios.argmax(axis=0)
    low = {s: (float(ratios[lowest[n], n]), kept[lowest[n]]) for n, s in enumerate(states)}
    high = {s: (float(ratios[highest[n], n]), kept[highest[n]]) for n, s in enumerate(states)}
    return {
        state: ShareRange(state, share, *_pair(low, high, state, share))
        for state, share in shares.shares.items()
    }


def _pair(
    low: dict[str, tuple[float, tuple[Fraction, ...]]],
    high: dict[str, tuple[float, tuple[Fraction, ...]]],
    state: str,
    share: Fraction,
) -> tuple[float, float, tuple[Fraction, ...], tuple[Fraction, ...]]:
    # The key's own weights are in the family, so its exact share bounds the range; rounding
    # must not put the share outside it.
    exact = float(share)
    return (
        min(low[state][0], exact),
        max(high[state][0], exact),
        low[state][1],
        high[state][1],
    )


def describe(key: Key) -> str:
    """The key's formula in symbols, with its weights.

    Examples
    --------
    >>> from solidarity.stats.fairshare import preset_key
    >>> describe(preset_key("eu2024"))
    'k_i = 0.5·s_i(population) + 0.5·s_i(gdp)'
    >>> describe(preset_key("eu2015"))  # doctest: +NORMALIZE_WHITESPACE
    'k_i ∝ 0.4·s_i(population) + 0.4·s_i(gdp) + min(0.1·s_i(1/asylum_effort), 0.3·B_i)
     + min(0.1·s_i(1/unemployment_rate), 0.3·B_i), B_i = the uncapped terms'
    """
    parts = []
    total = sum(key.weights, Fraction(0))
    for term in key.terms:
        inner = term.indicator + ("/population" if term.per_capita else "")
        if term.transform == "inverse":
            inner = f"1/{inner}" if not term.per_capita else f"1/({inner})"
        part = f"{_text(term.weight / total)}·s_i({inner})"
        if term.cap is not None:
            part = f"min({part}, {_text(term.cap)}·B_i)"
        parts.append(part)
    capped = any(term.cap is not None for term in key.terms)
    formula = ("k_i ∝ " if capped else "k_i = ") + " + ".join(parts)
    return formula + (", B_i = the uncapped terms" if capped else "")


def _text(value: Fraction) -> str:
    decimal = Decimal(value.numerator) / Decimal(value.denominator)
    return format(decimal.normalize(), "f")
