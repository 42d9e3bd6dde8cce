"""The privacy budget ledger: totals from the specification or the first release, explicit
logged raises, refusals that write nothing, independent recomputation, and one writer at a
time across processes."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from solidarity.stats.privacy import ledger


def charge(folder: Path, rho: float, *, budget: float | None = None, name: str = "r") -> None:
    scale = 2.0 / (2 * rho) ** 0.5
    ledger.charge(
        folder,
        "adult-1994",
        rho=rho,
        budget_rho=budget,
        release=name,
        sensitivity=2.0,
        scale=scale,
        cells=100,
        tables=["T1"],
    )


def test_the_specification_sets_the_total(tmp_path: Path) -> None:
    charge(tmp_path, 0.25, budget=1.0, name="a")
    charge(tmp_path, 0.5, budget=1.0, name="b")
    state = ledger.read_ledger(tmp_path, "adult-1994")
    assert state.total_rho == 1.0
    assert state.spent_rho == 0.75
    assert state.left_rho == 0.25
    assert state.events[0]["source"] == "specification"
    with pytest.raises(
        ledger.BudgetExceededError, match=r"the release needs rho 0\.5 but only 0\.25"
    ):
        charge(tmp_path, 0.5, budget=1.0, name="c")
    # The refusal wrote nothing.
    assert [e["release"] for e in ledger.read_ledger(tmp_path, "adult-1994").releases] == [
        "a",
        "b",
    ]
    # A specification that now says something else is refused until an explicit raise.
    with pytest.raises(ledger.LedgerError, match="raise the total explicitly"):
        charge(tmp_path, 0.1, budget=2.0, name="d")


def test_without_a_budget_the_first_release_is_the_total(tmp_path: Path) -> None:
    charge(tmp_path, 0.3, name="first")
    state = ledger.read_ledger(tmp_path, "adult-1994")
    assert state.total_rho == 0.3
    assert state.events[0]["source"] == "first release"
    with pytest.raises(ledger.BudgetExceededError):
        charge(tmp_path, 0.01, name="second")
    with pytest.raises(ledger.LedgerError, match="needs a reason"):
        ledger.raise_total(tmp_path, "adult-1994", rho=1.0, reason=" ")
    with pytest.raises(ledger.LedgerError, match="a raise must go above it"):
        ledger.raise_total(tmp_path, "adult-1994", rho=0.2, reason="lower")
    ledger.raise_total(tmp_path, "adult-1994", rho=0.6, reason="board decision 2026-11")
    charge(tmp_path, 0.3, name="second")
    state = ledger.read_ledger(tmp_path, "adult-1994")
    raised = [e for e in state.events if e["event"] == "total"][-1]
    assert raised["reason"] == "board decision 2026-11"
    assert raised["source"] == "raise"
    assert state.left_rho == pytest.approx(0.0)
    assert ledger.verify(tmp_path, "adult-1994").passed


def test_verify_recomputes_each_release(tmp_path: Path) -> None:
    charge(tmp_path, 0.5, budget=1.0, name="a")
    path = tmp_path / ledger.LEDGER_FILE
    document = json.loads(path.read_text())
    # Someone under-records a release: its noise really cost 0.5.
    document["events"][1]["rho"] = 0.05
    path.write_text(json.dumps(document))
    verification = ledger.verify(tmp_path, "adult-1994")
    assert not verification.passed
    assert verification.problems[0].startswith("release a: charged rho 0.05 but its noise costs")
    assert verification.spent_rho == pytest.approx(0.5)


def test_a_broken_or_foreign_ledger_is_refused(tmp_path: Path) -> None:
    path = tmp_path / ledger.LEDGER_FILE
    path.write_text("{not json")
    with pytest.raises(ledger.LedgerError, match="is not a ledger"):
        ledger.read_ledger(tmp_path, "adult-1994")
    path.write_text(json.dumps({"format": ledger.FORMAT, "dataset": "other", "events": []}))
    with pytest.raises(ledger.LedgerError, match="is the ledger of 'other', not of 'adult-1994'"):
        charge(tmp_path, 0.1)
    path.write_text(
        json.dumps({"format": ledger.FORMAT, "dataset": "adult-1994", "events": [{"rho": -1}]})
    )
    with pytest.raises(ledger.LedgerError, match="its events are not as this module writes"):
        ledger.read_ledger(tmp_path, "adult-1994")


def _charge_in_process(folder: str, name: str) -> str:
    try:
        charge(Path(folder), 0.3, budget=0.5, name=name)
    except ledger.BudgetExceededError:
        return "refused"
    return "charged"


def test_concurrent_releases_cannot_both_spend_the_same_budget(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    with context.Pool(2) as pool:
        outcomes = pool.starmap(_charge_in_process, [(str(tmp_path), "x"), (str(tmp_path), "y")])
    assert sorted(outcomes) == ["charged", "refused"]
    state = ledger.read_ledger(tmp_path, "adult-1994")
    assert len(state.releases) == 1
    assert state.spent_rho == pytest.approx(0.3)
