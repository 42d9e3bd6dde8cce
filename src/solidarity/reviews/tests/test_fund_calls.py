"""A participation fund call names its review cycle: once cycles are loaded, a real one."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from solidarity.fund.tests.test_actions import open_call
from solidarity.reviews.loaders import cycles_load

pytestmark = pytest.mark.django_db


def test_a_call_must_name_a_loaded_cycle() -> None:
    cycles_load(actor="system:tests")
    assert open_call(cycle_code="IMRF-2026").cycle_code == "IMRF-2026"
    with pytest.raises(ValidationError) as error:
        open_call(code="imrf-2027", cycle_code="IMRF-2027")
    assert error.value.message_dict == {"cycle_code": ["There is no review cycle IMRF-2027."]}
