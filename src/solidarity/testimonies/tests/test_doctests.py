"""The examples in the docstrings of the Django-free modules run, so they stay true."""

from __future__ import annotations

import doctest

from solidarity.fund import allocation
from solidarity.testimonies import redaction


def test_the_examples_run() -> None:
    for module in (redaction, allocation):
        failures, tried = doctest.testmod(module)
        assert tried > 0, module.__name__
        assert failures == 0, module.__name__
