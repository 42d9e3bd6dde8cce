"""The fund's pages and commands with a real call: applying, the panel's screening and scoring,
the allocation and its publication, the public results and the applicant's own page."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.test import Client
from django.utils import timezone

from conftest import verify_two_factor
from solidarity.accounts.models import User
from solidarity.fund import cli
from solidarity.fund.models import Application, Decision, FundCall

pytestmark = pytest.mark.django_db


def call_file(tmp_path: Path, **changes: str) -> Path:
    today = timezone.localdate()
    fields = {
        "code": "imrf-2026",
        "title": "Participation in the IMRF 2026",
        "cycle": "IMRF-2026",
        "budget": "5000",
        "opens_on": (today - datetime.timedelta(days=1)).isoformat(),
        "closes_on": (today + datetime.timedelta(days=30)).isoformat(),
        "eligibility": "Migrants and migrant-led organisations.",
        "min_awards_per_region": "1",
        "min_women_share": "0.5",
    } | changes
    text = "".join(f"{k}: {v}\n" for k, v in fields.items() if v)
    text += "criteria:\n  - {name: Relevance, weight: 2, max_points: 10}\n"
    path = tmp_path / "call.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_create_call_from_a_file(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli.fund, ["create-call", str(call_file(tmp_path, budget=""))])
    assert result.exit_code == 1
    assert f"{tmp_path / 'call.yaml'}: the field 'budget' is missing." in result.output
    result = runner.invoke(cli.fund, ["create-call", str(call_file(tmp_path, opens_on="soon"))])
    assert "opens_on must be a date, YYYY-MM-DD." in result.output
    assert not FundCall.objects.exists()
    result = runner.invoke(cli.fund, ["create-call", str(call_file(tmp_path))])
    assert result.output == "Call imrf-2026 opened for the cycle IMRF-2026.\n"
    assert Client().get("/fund/imrf-2026/").status_code == 200
    assert Client().get("/api/v1/fund/calls/imrf-2026").json()["cycle_code"] == "IMRF-2026"


def test_a_call_from_application_to_published_results(
    cast: Any, log_in: Any, tmp_path: Path
) -> None:
    CliRunner().invoke(cli.fund, ["create-call", str(call_file(tmp_path))])
    lucia = log_in(cast.migrant_org_member, two_factor=False)
    response = lucia.post(
        "/fund/imrf-2026/apply/",
        {
            "kind": "organisation",
            "name": "Migrant Workers' Voice",
            "country": "MEX",
            "gender": "unsaid",
            "migrant_led": "on",
            "women_led": "on",
            "amount_requested": "3000",
            "purpose": "Two members travel to the forum.",
        },
    )
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.counts_as_woman
    assert application.migrant_led
    assert "Submitted" in lucia.get("/fund/mine/").content.decode()

    rita = Client()
    rita.force_login(cast.reviewer)
    verify_two_factor(rita, cast.reviewer)
    panel = "/fund/imrf-2026/panel/"
    criterion = FundCall.objects.get().criteria.get()
    rita.post(panel, {"action": "screen", "application": application.pk, "eligible": "yes"})
    bad = rita.post(
        panel,
        {"action": "score", "application": application.pk, f"criterion_{criterion.pk}": "11"},
    )
    assert bad.status_code == 400
    rita.post(
        panel, {"action": "score", "application": application.pk, f"criterion_{criterion.pk}": "8"}
    )
    rita.post(panel, {"action": "allocate"})
    # Not yet public.
    assert "Chosen: score 80.00" not in Client().get("/fund/imrf-2026/").content.decode()
    assert "Chosen: score 80.00" in rita.get(panel).content.decode()
    rita.post(panel, {"action": "publish"})
    public = Client().get("/fund/imrf-2026/").content.decode()
    assert "Chosen: score 80.00, ranked 1 of 1." in public
    results = Client().get("/api/v1/fund/calls/imrf-2026").json()["results"]
    assert results == [
        {
            "applicant": "Migrant Workers' Voice",
            "country": "MEX",
            "score": "80.00",
            "awarded": True,
            "amount": "3000.00",
            "reason": "Chosen: score 80.00, ranked 1 of 1.",
        }
    ]
    csv_text = Client().get("/fund/imrf-2026/results.csv").content.decode()
    assert csv_text.splitlines() == [
        "applicant,kind,country,score,awarded,amount,reason",
        "Migrant Workers' Voice,organisation,MEX,80.00,yes,3000.00,"
        '"Chosen: score 80.00, ranked 1 of 1."',
    ]
    decision = Decision.objects.get()
    rita.post(
        panel,
        {
            "action": "disburse",
            "decision": decision.pk,
            "amount": "2500",
            "paid_on": "2026-05-01",
            "reference": "TRF-1",
        },
    )
    over = rita.post(
        panel,
        {"action": "disburse", "decision": decision.pk, "amount": "600", "paid_on": "2026-05-02"},
    )
    assert over.status_code == 400
    assert "500.00 is left to pay on this award." in over.content.decode()
    assert [p.amount for p in decision.disbursements.all()] == [Decimal("2500.00")]
    mine = lucia.get("/fund/mine/").content.decode()
    assert "Awarded" in mine
    assert "Send the report" in mine
    assert "Paid 2500.00 on" in mine
    decision = Decision.objects.get()
    lucia.post("/fund/mine/", {"decision": decision.pk, "report": "We spoke at the forum."})
    decision.refresh_from_db()
    assert decision.report == "We spoke at the forum."
    # Someone else cannot report on her grant.
    other = Client()
    other.force_login(User.objects.create_user(username="x", email="x@example.org"))
    assert other.post("/fund/mine/", {"decision": decision.pk, "report": "x"}).status_code == 404


def test_the_panel_is_the_secretariats(cast: Any, log_in: Any, tmp_path: Path) -> None:
    CliRunner().invoke(cli.fund, ["create-call", str(call_file(tmp_path))])
    for user, status in (
        (cast.migrant_org_member, 403),
        (cast.focal_point_kenya, 403),
        (cast.moderator, 403),
        (cast.reviewer, 200),
        (cast.administrator, 200),
    ):
        assert log_in(user).get("/fund/imrf-2026/panel/").status_code == status


def test_allocate_from_the_command_line(cast: Any, tmp_path: Path) -> None:
    runner = CliRunner()
    runner.invoke(cli.fund, ["create-call", str(call_file(tmp_path, min_women_share="0"))])
    call = FundCall.objects.get()
    Application.objects.create(
        call=call,
        applicant=cast.migrant_org_member,
        kind="person",
        name="Lucia",
        country_id="MEX",
        amount_requested=Decimal(2000),
        purpose="x",
        status="eligible",
    )
    result = runner.invoke(cli.fund, ["allocate", "imrf-2026", "--as", "lucia"])
    assert result.exit_code == 1
    assert "Only the secretariat runs the participation fund." in result.output
    result = runner.invoke(cli.fund, ["allocate", "imrf-2026", "--as", "rita", "--publish"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "optimal: 2000.00 USD awarded, total score 0.00 (published)",
        "AWARD  Lucia: Chosen: score 0.00, ranked 1 of 1.",
    ]
