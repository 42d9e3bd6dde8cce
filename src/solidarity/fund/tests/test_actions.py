"""The participation fund end to end through its actions: a call, applications, screening,
scores, the allocation within the budget and balance rules, publication with reasons,
disbursements and the report required before a new grant."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from solidarity.accounts.models import User
from solidarity.audit.models import AuditEntry
from solidarity.fund import actions
from solidarity.fund.models import Application, Decision, FundCall
from solidarity.reference.models import Country

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 2, 1)


def open_call(code: str = "imrf-2026", **changes: Any) -> FundCall:
    fields: dict[str, Any] = {
        "actor": "system:tests",
        "code": code,
        "title": "Participation in the IMRF 2026",
        "cycle_code": "IMRF-2026",
        "budget": Decimal("10000"),
        "opens_on": datetime.date(2026, 1, 1),
        "closes_on": datetime.date(2026, 3, 31),
        "eligibility_rules": "Migrant-led organisations and migrants.",
        "criteria": [
            actions.CriterionSpec("Relevance", Decimal(3), 10),
            actions.CriterionSpec("Voice", Decimal(1), 5),
        ],
        "min_awards_per_region": 1,
        "min_women_share": Decimal("0.5"),
    }
    fields.update(changes)
    return actions.call_create(**fields)


def apply(call: FundCall, username: str, country: str, amount: int, **extra: Any) -> Application:
    user = User.objects.create_user(username=username, email=f"{username}@example.org")
    return actions.application_submit(
        actor=user,
        call=call,
        kind=extra.pop("kind", "person"),
        name=username.title(),
        country=Country.objects.get(iso3=country),
        amount_requested=Decimal(amount),
        purpose="Travel to the forum and speak for our network.",
        today=extra.pop("today", TODAY),
        **extra,
    )


def score(panel: Any, application: Application, relevance: int, voice: int) -> None:
    criteria = list(application.call.criteria.all())
    actions.application_screen(actor=panel, application=application, eligible=True, reason="")
    actions.score_record(
        actor=panel, application=application, criterion=criteria[0], points=relevance
    )
    actions.score_record(actor=panel, application=application, criterion=criteria[1], points=voice)


def test_a_call_refuses_impossible_rules() -> None:
    with pytest.raises(ValidationError) as error:
        open_call(closes_on=datetime.date(2025, 1, 1), budget=Decimal(0), criteria=[])
    assert set(error.value.message_dict) == {"closes_on", "budget", "criteria"}
    open_call()
    with pytest.raises(ValidationError) as error:
        open_call()
    assert error.value.message_dict["code"] == ["A call with this code exists already."]
    assert AuditEntry.objects.filter(action="fund.call_create").count() == 1


def test_applications_only_while_open_and_once(cast: Any) -> None:
    call = open_call()
    app = apply(call, "amal", "KEN", 3000, gender="woman")
    assert app.counts_as_woman
    with pytest.raises(ValidationError, match=r"You have applied to this call already\."):
        actions.application_submit(
            actor=app.applicant,
            call=call,
            kind="person",
            name="Amal",
            country=app.country,
            amount_requested=Decimal(1),
            purpose="x",
            today=TODAY,
        )
    with pytest.raises(ValidationError, match="This call is not open for applications"):
        apply(call, "late", "KEN", 3000, today=datetime.date(2026, 4, 1))
    with pytest.raises(ValidationError) as error:
        apply(call, "greedy", "KEN", 20000)
    assert error.value.message_dict["amount_requested"] == [
        "Ask for more than zero and at most the call's budget (10000.00 USD)."
    ]


def test_the_allocation_balances_regions_and_gender_and_explains_itself(cast: Any) -> None:
    call = open_call()
    panel = cast.reviewer
    europe_1 = apply(call, "erik", "SWE", 4000, gender="man")
    europe_2 = apply(call, "hans", "DEU", 4000, gender="man")
    africa = apply(call, "amina2", "KEN", 4000, gender="woman")
    americas = apply(call, "lupe", "MEX", 2000, kind="organisation", women_led=True)
    ineligible = apply(call, "ghost", "FRA", 1000)
    for application, points in (
        (europe_1, (10, 5)),
        (europe_2, (9, 5)),
        (africa, (6, 3)),
        (americas, (5, 2)),
    ):
        score(panel, application, *points)
    actions.application_screen(
        actor=panel, application=ineligible, eligible=False, reason="Not migrant-led."
    )
    run = actions.allocation_run(actor=panel, call=call)
    decisions = {d.application_id: d for d in run.decisions.all()}
    assert ineligible.pk not in decisions
    # By score alone the two Europeans would win; the rules need Africa, the Americas and women.
    awarded = {pk for pk, d in decisions.items() if d.awarded}
    assert awarded == {europe_1.pk, africa.pk, americas.pk}
    assert run.total_amount == Decimal("10000.00")
    assert decisions[europe_1.pk].reason == "Chosen: score 100.00, ranked 1 of 4."
    assert decisions[europe_2.pk].reason == (
        "Not chosen: score 92.50, ranked 2 of 4; over budget: 14000 > 10000."
    )
    assert decisions[africa.pk].score == Decimal("60.00")
    assert not run.published
    # Nothing is public before publication.
    assert Application.objects.get(pk=europe_1.pk).status == "eligible"
    actions.allocation_publish(actor=panel, run=run)
    assert Application.objects.get(pk=europe_2.pk).status == "not_awarded"
    assert FundCall.objects.get(pk=call.pk).status == "published"
    with pytest.raises(ValidationError):
        actions.allocation_publish(actor=panel, run=run)
    assert (AuditEntry.objects.get(action="fund.allocation_run").after or {})["chosen"] == sorted(
        awarded
    )


def test_only_the_secretariat_runs_the_fund_and_nobody_scores_themselves(cast: Any) -> None:
    call = open_call()
    application = apply(call, "amal", "KEN", 3000)
    criterion = call.criteria.first()
    assert criterion is not None
    for user in (cast.migrant_org_member, cast.focal_point_kenya, cast.moderator):
        with pytest.raises(PermissionDenied):
            actions.allocation_run(actor=user, call=call)
        with pytest.raises(PermissionDenied):
            actions.score_record(actor=user, application=application, criterion=criterion, points=5)
    with pytest.raises(PermissionDenied):
        actions.score_record(
            actor=cast.administrator, application=application, criterion=criterion, points=5
        )
    reviewer_application = actions.application_submit(
        actor=cast.reviewer,
        call=call,
        kind="person",
        name="Rita",
        country=application.country,
        amount_requested=Decimal(100),
        purpose="x",
        today=TODAY,
    )
    with pytest.raises(PermissionDenied):
        actions.score_record(
            actor=cast.reviewer, application=reviewer_application, criterion=criterion, points=9
        )
    with pytest.raises(ValidationError):
        actions.score_record(
            actor=cast.reviewer, application=application, criterion=criterion, points=11
        )


def test_no_new_grant_before_the_report_and_payments_within_the_award(cast: Any) -> None:
    call = open_call(min_awards_per_region=0, min_women_share=Decimal(0))
    application = apply(call, "amal", "KEN", 3000)
    score(cast.reviewer, application, 8, 4)
    run = actions.allocation_run(actor=cast.reviewer, call=call)
    actions.allocation_publish(actor=cast.reviewer, run=run)
    decision = Decision.objects.get(application=application)
    actions.disbursement_record(
        actor=cast.reviewer, decision=decision, amount=Decimal(2000), paid_on=TODAY
    )
    with pytest.raises(ValidationError) as error:
        actions.disbursement_record(
            actor=cast.reviewer, decision=decision, amount=Decimal(1500), paid_on=TODAY
        )
    assert error.value.message_dict["amount"] == ["1000.00 is left to pay on this award."]
    later = open_call("imrf-2030", opens_on=datetime.date(2026, 1, 1))
    with pytest.raises(
        ValidationError,
        match="Please send the report on your grant from the call imrf-2026 before applying",
    ):
        actions.application_submit(
            actor=application.applicant,
            call=later,
            kind="person",
            name="Amal",
            country=application.country,
            amount_requested=Decimal(100),
            purpose="x",
            today=TODAY,
        )
    with pytest.raises(PermissionDenied):
        actions.report_submit(actor=cast.reviewer, decision=decision, report="Went well.")
    actions.report_submit(actor=application.applicant, decision=decision, report="We spoke.")
    again = actions.application_submit(
        actor=application.applicant,
        call=later,
        kind="person",
        name="Amal",
        country=application.country,
        amount_requested=Decimal(100),
        purpose="x",
        today=TODAY,
    )
    assert again.call == later


def test_infeasible_rules_are_reported_not_published(cast: Any) -> None:
    call = open_call(min_women_share=Decimal(1))
    application = apply(call, "erik", "SWE", 3000, gender="man")
    score(cast.reviewer, application, 8, 4)
    run = actions.allocation_run(actor=cast.reviewer, call=call)
    # Choosing nobody meets the women's share; the region rule then needs Europe's one award.
    assert run.status == "infeasible"
    assert "No set of applications meets the call's balance rules" in run.decisions.get().reason
    with pytest.raises(ValidationError):
        actions.allocation_publish(actor=cast.reviewer, run=run)
