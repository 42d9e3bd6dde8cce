"""The privacy budget ledger of a dataset: every differentially private release, charged once.

Zero-concentrated DP composes by addition: releases of rho_1, rho_2, … of the same people cost
rho_1 + rho_2 + … together. The ledger keeps that sum for a dataset, in a JSON file of the
dataset's state directory (``<state dir>/privacy_ledger.json``; the state directory is the
specification's ``state_dir``, else ``<dataset>.solidarity`` beside the microdata, the folder
that also keeps the record keys), and refuses any release that would take the sum past the
dataset's total budget:

- the total is the specification's ``privacy_budget: {rho: R}`` when it has one (written into
  the ledger on first use; a specification that later says something else is refused until the
  ledger's total is raised explicitly);
- without one, the first release's rho becomes the total, so that a second release needs an
  explicit raise;
- a raise (`raise_total`) is an event of the ledger with its reason and time: it is never
  silent, and a total never goes down.

A release is charged *before* its noise is drawn (`charge`), so a failure after the charge
wastes budget but never releases uncharged noise. Every event is appended; the file is written
to a temporary name and renamed, under an exclusive lock (``fcntl.flock`` on
``privacy_ledger.lock``), so concurrent runs on the same dataset are serialised.

The file::

    {"format": "solidarity-privacy-ledger/1", "dataset": "adult-1994",
     "events": [
       {"event": "total", "rho": 0.5, "source": "specification", "at": "…"},
       {"event": "release", "release": "…", "rho": 0.25, "sensitivity": 2.0,
        "scale": 2.83, "cells": 3906, "tables": ["T1", "T2"], "at": "…"}, …]}

`verify` recomputes it independently: every release's rho from its sensitivity and noise
scale (rho = sensitivity² / (2 scale²), the discrete Gaussian's zCDP bound), the sum, and the
total in force at each release.

Examples
--------
>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> entry = charge(folder, "demo", rho=0.25, budget_rho=None, release="first",
...                sensitivity=2.0, scale=2 / (2 * 0.25) ** 0.5, cells=10, tables=["T1"])
>>> state = read_ledger(folder, "demo")
>>> state.total_rho, state.spent_rho
(0.25, 0.25)
>>> try:
...     charge(folder, "demo", rho=0.1, budget_rho=None, release="second",
...            sensitivity=2.0, scale=4.47, cells=10, tables=["T1"])
... except BudgetExceededError as error:
...     print(error)  # doctest: +NORMALIZE_WHITESPACE
the release needs rho 0.1 but only 0 of the dataset's total 0.25 is left (spent 0.25);
raise the total explicitly to release more
>>> raise_total(folder, "demo", rho=0.5, reason="second wave approved")
>>> read_ledger(folder, "demo").left_rho
0.25
>>> verify(folder, "demo").passed
True
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import math
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "LEDGER_FILE",
    "BudgetExceededError",
    "LedgerError",
    "LedgerState",
    "LedgerVerification",
    "charge",
    "gaussian_rho",
    "raise_total",
    "read_ledger",
    "verify",
]

LEDGER_FILE = "privacy_ledger.json"
LOCK_FILE = "privacy_ledger.lock"
FORMAT = "solidarity-privacy-ledger/1"
# Float sums of rho: a release that fits up to this relative slack fits.
SLACK = 1e-9


class LedgerError(RuntimeError):
    """The ledger file is not as this module writes it, or a request contradicts it."""


class BudgetExceededError(LedgerError):
    """A release would spend more than the dataset's total budget."""


def gaussian_rho(sensitivity: float, scale: float) -> float:
    """The zCDP cost of adding discrete (or continuous) Gaussian noise of standard deviation
    ``scale`` to a query of L2 ``sensitivity``: sensitivity² / (2 scale²) (Canonne, Kamath and
    Steinke 2020, Theorem 14; Bun and Steinke 2016, Proposition 1.6).

    Examples
    --------
    >>> gaussian_rho(2.0, 2.0)
    0.5
    """
    if scale <= 0:
        raise ValueError("the noise scale must be positive")
    return sensitivity**2 / (2.0 * scale**2)


@dataclass
class LedgerState:
    """The ledger as read: its events, the total in force and what has been spent."""

    dataset: str
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total_rho(self) -> float | None:
        """The total budget in force (the last ``total`` event), None before any."""
        totals = [e["rho"] for e in self.events if e["event"] == "total"]
        return float(totals[-1]) if totals else None

    @property
    def spent_rho(self) -> float:
        """The sum of the releases' rho."""
        return float(math.fsum(e["rho"] for e in self.events if e["event"] == "release"))

    @property
    def left_rho(self) -> float | None:
        """What is left of the total (never below 0)."""
        total = self.total_rho
        return None if total is None else max(0.0, total - self.spent_rho)

    @property
    def releases(self) -> list[dict[str, Any]]:
        """The release events, oldest first."""
        return [e for e in self.events if e["event"] == "release"]


def ledger_path(state_dir: str | Path) -> Path:
    """The ledger file of a dataset's state directory."""
    return Path(state_dir) / LEDGER_FILE


def read_ledger(state_dir: str | Path, dataset: str) -> LedgerState:
    """Read the ledger (an empty one when the file does not exist yet)."""
    path = ledger_path(state_dir)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return LedgerState(dataset=dataset)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise LedgerError(f"{path}: is not a ledger ({error})") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise LedgerError(f"{path}: is not a ledger of format {FORMAT}")
    if raw.get("dataset") != dataset:
        raise LedgerError(f"{path}: is the ledger of {raw.get('dataset')!r}, not of {dataset!r}")
    events = raw.get("events")
    if not isinstance(events, list) or not all(
        isinstance(e, dict)
        and e.get("event") in ("total", "release")
        and isinstance(e.get("rho"), int | float)
        and math.isfinite(e["rho"])
        and e["rho"] > 0
        for e in events
    ):
        raise LedgerError(f"{path}: its events are not as this module writes them")
    return LedgerState(dataset=dataset, events=events)


@contextlib.contextmanager
def _locked(state_dir: str | Path) -> Iterator[None]:
    folder = Path(state_dir)
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / LOCK_FILE).open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _write(state_dir: str | Path, state: LedgerState) -> None:
    path = ledger_path(state_dir)
    temporary = path.with_name(f".{LEDGER_FILE}.tmp")
    document = {"format": FORMAT, "dataset": state.dataset, "events": state.events}
    temporary.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _format(number: float) -> str:
    return f"{number:.6g}"


def charge(
    state_dir: str | Path,
    dataset: str,
    *,
    rho: float,
    budget_rho: float | None,
    release: str,
    sensitivity: float,
    scale: float,
    cells: int,
    tables: Sequence[str],
    opendp_rho: float | None = None,
) -> dict[str, Any]:
    """Charge a release of ``rho`` to the dataset's ledger, or refuse it.

    Parameters
    ----------
    state_dir : path
        The dataset's state directory.
    dataset : str
    rho : float
        What the release costs (its noise's zCDP rho).
    budget_rho : float or None
        The specification's total budget (``privacy_budget.rho``), if it has one.
    release : str
        An identifier of the release (recorded).
    sensitivity, scale : float
        The L2 sensitivity and the noise's standard deviation, recorded so that `verify` can
        recompute rho independently.
    cells : int
    tables : sequence of str
        Recorded with the release.
    opendp_rho : float, optional
        The privacy loss OpenDP's measurement reports (recorded beside ours).

    Returns
    -------
    dict
        The release event written.

    Raises
    ------
    BudgetExceededError
        The release does not fit in what is left; nothing is written.
    LedgerError
        The specification's budget contradicts the ledger's total.
    """
    if not (math.isfinite(rho) and rho > 0):
        raise ValueError("rho must be a positive number")
    with _locked(state_dir):
        state = read_ledger(state_dir, dataset)
        total = state.total_rho
        if total is None:
            source = "specification" if budget_rho is not None else "first release"
            total = float(budget_rho) if budget_rho is not None else float(rho)
            state.events.append({"event": "total", "rho": total, "source": source, "at": _now()})
        elif budget_rho is not None and abs(budget_rho - total) > SLACK * max(total, 1.0):
            raise LedgerError(
                f"the specification's budget is rho {_format(budget_rho)} but the ledger's total "
                f"is {_format(total)}: raise the total explicitly (--raise-budget) to change it"
            )
        spent = state.spent_rho
        if spent + rho > total * (1 + SLACK):
            raise BudgetExceededError(
                f"the release needs rho {_format(rho)} but only "
                f"{_format(max(0.0, total - spent))} of the dataset's total {_format(total)} is "
                f"left (spent {_format(spent)}); raise the total explicitly to release more"
            )
        event: dict[str, Any] = {
            "event": "release",
            "release": release,
            "rho": float(rho),
            "sensitivity": float(sensitivity),
            "scale": float(scale),
            "cells": int(cells),
            "tables": list(tables),
            "at": _now(),
        }
        if opendp_rho is not None:
            event["opendp_rho"] = float(opendp_rho)
        state.events.append(event)
        _write(state_dir, state)
        return event


def raise_total(state_dir: str | Path, dataset: str, *, rho: float, reason: str) -> None:
    """Raise the dataset's total budget to ``rho`` (logged with ``reason``; never lowered).

    Raises
    ------
    LedgerError
        ``rho`` is not above the current total, or no reason is given.
    """
    if not reason.strip():
        raise LedgerError("a raise of the privacy budget needs a reason")
    if not (math.isfinite(rho) and rho > 0):
        raise ValueError("rho must be a positive number")
    with _locked(state_dir):
        state = read_ledger(state_dir, dataset)
        total = state.total_rho
        if total is not None and rho <= total:
            raise LedgerError(
                f"the total is already rho {_format(total)}; a raise must go above it"
            )
        state.events.append(
            {"event": "total", "rho": float(rho), "source": "raise", "reason": reason, "at": _now()}
        )
        _write(state_dir, state)


@dataclass
class LedgerVerification:
    """The ledger recomputed: ``passed`` and the problems found."""

    passed: bool
    spent_rho: float
    total_rho: float | None
    problems: list[str]


def verify(state_dir: str | Path, dataset: str) -> LedgerVerification:
    """Recompute the ledger independently of how it was written: each release's rho from its
    sensitivity and scale (`gaussian_rho`) must not exceed the rho charged (nor OpenDP's, when
    recorded, differ from it beyond rounding), and at every release the sum so far must fit in
    the total then in force."""
    state = read_ledger(state_dir, dataset)
    problems: list[str] = []
    total: float | None = None
    spent = 0.0
    for event in state.events:
        if event["event"] == "total":
            if total is not None and event["rho"] < total:
                problems.append(f"the total went down from {total} to {event['rho']}")
            total = float(event["rho"])
            continue
        name = event.get("release", "?")
        try:
            recomputed = gaussian_rho(float(event["sensitivity"]), float(event["scale"]))
        except (KeyError, TypeError, ValueError):
            problems.append(f"release {name}: no sensitivity and scale to recompute rho from")
            continue
        if recomputed > event["rho"] * (1 + 1e-6):
            problems.append(
                f"release {name}: charged rho {event['rho']} but its noise costs {recomputed}"
            )
        opendp = event.get("opendp_rho")
        if opendp is not None and abs(opendp - recomputed) > 1e-6 * max(recomputed, 1e-12):
            problems.append(
                f"release {name}: OpenDP's privacy loss {opendp} differs from {recomputed}"
            )
        spent += max(recomputed, float(event["rho"]))
        if total is None:
            problems.append(f"release {name}: charged before any total was set")
        elif spent > total * (1 + SLACK):
            problems.append(f"release {name}: spent {spent} exceeds the total {total}")
    return LedgerVerification(
        passed=not problems, spent_rho=spent, total_rho=total, problems=problems
    )
