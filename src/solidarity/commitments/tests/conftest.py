"""Pledges for the commitments tests, made through the actions as the site makes them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from solidarity.commitments import actions
from solidarity.commitments.models import Pledge


def pledge_input(**changes: Any) -> actions.PledgeInput:
    values: dict[str, Any] = {
        "title": "Train border officials in human rights",
        "what": "Train 400 border officials in human-rights, gender and child-rights standards.",
        "form": Pledge.Form.HUMAN_RESOURCES,
        "objectives": [11, 13],
        "by_when": date(2026, 12, 31),
        "measured_how": "Officials trained, by sex and post.",
        "solidarity_types": ["international-cooperation"],
        "target_groups": ["children-and-adolescents"],
        "principles": ["f"],
    }
    values.update(changes)
    return actions.PledgeInput(**values)


@pytest.fixture
def kenya_pledge(cast: Any) -> Pledge:
    """A published pledge of Kenya, with money: pledged, committed and disbursed."""
    pledge = actions.pledge_create(
        actor=cast.focal_point_kenya,
        data=pledge_input(state=cast.kenya, partner_states=["UGA"], south_south=True),
    )
    pledge = actions.pledge_publish(actor=cast.focal_point_kenya, pledge=pledge)
    for kind, day, value, currency in [
        ("12", date(2022, 5, 10), Decimal("1000000"), "USD"),
        ("2", date(2023, 3, 1), Decimal("500000"), "EUR"),
        ("3", date(2024, 2, 15), Decimal("200000"), "EUR"),
        ("3", date(2024, 6, 1), Decimal("1000"), "KES"),  # no ECB rate
    ]:
        actions.money_record(
            actor=cast.focal_point_kenya,
            pledge=pledge,
            data=actions.MoneyInput(
                type=kind,
                date=day,
                value=value,
                currency=currency,
                channel="mptf",
                recipient_country="UGA",
                receiver_name="Uganda Ministry of Internal Affairs",
                sector="15190",
                gender_marker=1,
                human_rights_marker=2,
            ),
        )
    return pledge


@pytest.fixture
def iati_dir(shared_data: Path) -> Path:
    return shared_data / "iati"


@pytest.fixture
def as_user(client: Any, log_in: Any) -> Any:
    """``as_user(user)``: the test client signed in as ``user`` alone (anonymous for None) —
    ``log_in`` shares one client, so each switch signs the previous user out first."""

    def _as(user: Any) -> Any:
        client.logout()
        return log_in(user)

    return _as


@pytest.fixture
def upload_dir(settings: Any, tmp_path: Path) -> Path:
    """Uploads wait in a fresh folder; no IATI schema folder (Solidarity's own rules)."""
    settings.IATI_UPLOAD_DIR = tmp_path / "uploads"
    settings.IATI_SCHEMA_DIR = ""
    return tmp_path / "uploads"
