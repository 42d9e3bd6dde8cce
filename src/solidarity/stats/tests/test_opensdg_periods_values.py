"""Time periods and values as providers write them."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest

from solidarity.stats.opensdg import normalise_period, parse_obs_status, parse_value
from solidarity.stats.opensdg._keys import KeyIndex


@pytest.mark.parametrize(
    ("written", "sdmx"),
    [
        ("2014", "2014"),
        ("2013 Q1", "2013-Q1"),
        ("2013-Q1", "2013-Q1"),
        ("2013Q4", "2013-Q4"),
        ("Q1 2013", "2013-Q1"),
        ("q2-2013", "2013-Q2"),
        ("2013 S2", "2013-S2"),
        ("2013-01", "2013-01"),
        ("Jan 2013", "2013-01"),
        ("September 2013", "2013-09"),
        ("Sept. 2013", "2013-09"),
        ("2013-01-31", "2013-01-31"),
        ("2002/03", "2002-A1"),
        ("2002/2003", "2002-A1"),
        ("2002-2003", "2002-A1"),
        ("2012-13", "2012-A1"),
        ("1999/00", "1999-A1"),
    ],
)
def test_periods(written: str, sdmx: str) -> None:
    assert normalise_period(written) == (sdmx, None, None)


def test_a_month_that_could_be_a_fiscal_year_is_a_month_with_a_warning() -> None:
    assert normalise_period("2002-03") == (
        "2002-03",
        None,
        "read as the month 2002-03 (ISO 8601); if a fiscal year is meant, write it with a "
        "slash: 2002/03",
    )


@pytest.mark.parametrize(
    "written", ["20144", "14", "2013 Q5", "Q0 2013", "2013-00", "2012-14", "Foo 2013", "2013-02-30"]
)
def test_not_periods(written: str) -> None:
    period = normalise_period(written)
    assert period.sdmx is None
    assert period.error is not None


@pytest.mark.parametrize(
    ("written", "number"),
    [("17.0", "17.0"), ("-2", "-2"), ("+.5", "0.5"), ("1e3", "1E+3"), ("0", "0")],
)
def test_numbers(written: str, number: str) -> None:
    assert parse_value(written, decimal_comma=False).number == Decimal(number)


@pytest.mark.parametrize("written", ["NaN", "Infinity", "1_000", "1 000", "0x10", "3,5", "€5"])
def test_not_numbers_in_a_comma_file(written: str) -> None:
    value = parse_value(written, decimal_comma=False)
    assert (value.number, value.error is not None) == (None, True)


@pytest.mark.parametrize(
    ("written", "obs_status", "conf_status"),
    [
        ("", "O", None),
        (":", "O", None),
        ("..", "O", None),
        ("x", "Q", "C"),
        ("X", "Q", "C"),
        ("c", "Q", "C"),
        ("Suppressed", "Q", None),
        ("confidential", "Q", "C"),
        ("n/a", "M", None),
        ("-", "M", None),
    ],
)
def test_status_symbols(written: str, obs_status: str, conf_status: str | None) -> None:
    value = parse_value(written, decimal_comma=False)
    assert (value.number, value.obs_status, value.conf_status, value.error) == (
        None,
        obs_status,
        conf_status,
        None,
    )
    assert value.warning is not None


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("Normal value", "A"),
        ("Provisional", "P"),
        ("Estimated value", "E"),
        ("Missing value; suppressed", "Q"),
        ("Forecast value", "F"),
        ("Time series break", "B"),
        ("p", "P"),
        ("", None),
    ],
)
def test_observation_status_words(written: str, code: str | None) -> None:
    assert parse_obs_status(written) == (code, True)


def test_key_index_remembers_first_rows_across_growth() -> None:
    index = KeyIndex(capacity=4)
    digests = [hashlib.blake2b(str(n).encode(), digest_size=16).digest() for n in range(5000)]
    assert [index.first_row(digest, row) for row, digest in enumerate(digests, start=2)] == list(
        range(2, 5002)
    )
    assert [index.first_row(digest, 9999) for digest in digests[::7]] == list(range(2, 5002, 7))
    assert len(index) == 5000


def test_key_index_capacity_is_a_power_of_two() -> None:
    with pytest.raises(ValueError, match="power of two"):
        KeyIndex(capacity=6)
