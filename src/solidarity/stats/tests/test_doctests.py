"""Run the examples in the stats library's docstrings, so that the documentation cannot drift.

Only ``solidarity.stats`` is collected this way (pytest's ``--doctest-modules`` would apply to the
whole project, Django apps included)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import solidarity.stats

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(solidarity.stats.__path__, prefix="solidarity.stats.")
    if ".tests" not in info.name
)


def test_the_library_has_modules_to_check() -> None:
    assert "solidarity.stats.opensdg._reader" in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False, report=True)
    assert result.failed == 0
