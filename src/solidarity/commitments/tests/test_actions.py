"""Every action of the commitments app: who may, what it writes, and the audit row."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from solidarity.audit.models import AuditEntry
from solidarity.commitments import actions, selectors
from solidarity.commitments.models import Assessment, Pledge, ProgressUpdate, Transaction
from solidarity.commitments.tests.conftest import pledge_input

pytestmark = pytest.mark.django_db


def _json(value: Any) -> dict[str, Any]:
    """An audit row's before or after, which must be there."""
    assert isinstance(value, dict)
    return value


def test_a_focal_point_records_a_draft_pledge_for_their_state(cast: Any) -> None:
    pledge = actions.pledge_create(
        actor=cast.focal_point_kenya, data=pledge_input(state=cast.kenya, partner_states=["UGA"])
    )
    assert pledge.status == Pledge.Status.DRAFT
    assert sorted(o.number for o in pledge.objectives.all()) == [11, 13]
    assert [c.iso3 for c in pledge.partner_states.all()] == ["UGA"]
    entry = AuditEntry.objects.get(action="pledge.create")
    assert entry.actor == cast.focal_point_kenya
    assert entry.object_id == str(pledge.pk)
    assert _json(entry.after)["state"] == "KEN"
    assert _json(entry.after)["objectives"] == ["11", "13"]


@pytest.mark.parametrize(
    "role", ["focal_point_mexico", "data_provider", "moderator", "reviewer", "migrant_org_member"]
)
def test_nobody_else_pledges_for_kenya(cast: Any, role: str) -> None:
    with pytest.raises(PermissionDenied):
        actions.pledge_create(actor=cast.all_users()[role], data=pledge_input(state=cast.kenya))
    assert not Pledge.objects.exists()
    assert not AuditEntry.objects.filter(action="pledge.create").exists()


def test_an_organisation_pledges_through_its_members_only(cast: Any) -> None:
    data = pledge_input(organisation=cast.migrant_org)
    pledge = actions.pledge_create(actor=cast.migrant_org_member, data=data)
    assert pledge.organisation == cast.migrant_org
    # The statistics office's data provider does not speak for it in pledges.
    with pytest.raises(PermissionDenied):
        actions.pledge_create(
            actor=cast.data_provider, data=pledge_input(organisation=cast.statistics_office)
        )


def test_a_focal_point_edits_only_their_states_pledges(cast: Any, kenya_pledge: Pledge) -> None:
    changed = pledge_input(state=cast.kenya, title="Train 600 border officials")
    with pytest.raises(PermissionDenied):
        actions.pledge_update(actor=cast.focal_point_mexico, pledge=kenya_pledge, data=changed)
    actions.pledge_update(actor=cast.focal_point_kenya, pledge=kenya_pledge, data=changed)
    kenya_pledge.refresh_from_db()
    assert kenya_pledge.title == "Train 600 border officials"
    entry = AuditEntry.objects.get(action="pledge.update")
    assert _json(entry.before)["title"] == "Train border officials in human rights"
    assert _json(entry.after)["title"] == "Train 600 border officials"
    # Kenya's focal point cannot hand the pledge over to Mexico.
    with pytest.raises(PermissionDenied):
        actions.pledge_update(
            actor=cast.focal_point_kenya, pledge=kenya_pledge, data=pledge_input(state=cast.mexico)
        )


def test_a_pledge_is_checked(cast: Any) -> None:
    with pytest.raises(ValidationError) as raised:
        actions.pledge_create(
            actor=cast.administrator,
            data=pledge_input(state=cast.kenya, organisation=cast.migrant_org, objectives=[]),
        )
    assert raised.value.message_dict == {
        "state": ["Choose one pledger: a State or an organisation."],
        "objectives": ["Name at least one GCM objective the pledge serves."],
    }


def test_a_matching_pledge_answers_a_published_one(cast: Any, kenya_pledge: Pledge) -> None:
    match = actions.pledge_create(
        actor=cast.focal_point_mexico,
        data=pledge_input(state=cast.mexico, answers=kenya_pledge, form="financial"),
    )
    assert match.answers == kenya_pledge
    draft = actions.pledge_create(
        actor=cast.focal_point_mexico, data=pledge_input(state=cast.mexico)
    )
    with pytest.raises(ValidationError, match="answers a published pledge"):
        actions.pledge_create(
            actor=cast.focal_point_mexico, data=pledge_input(state=cast.mexico, answers=draft)
        )


def test_progress_goes_through_review_and_sets_the_stage(cast: Any, kenya_pledge: Pledge) -> None:
    update = actions.progress_update_save(
        actor=cast.focal_point_kenya,
        pledge=kenya_pledge,
        as_of=date(2025, 6, 30),
        text="120 officials trained.",
        stage=Pledge.Stage.IN_PROGRESS,
        evidence_url="https://example.org/report.pdf",
    )
    assert update.status == ProgressUpdate.Status.DRAFT
    # Nobody may approve a draft, and the pledger never reviews its own update.
    with pytest.raises(ValidationError):
        actions.progress_update_approve(actor=cast.reviewer, update=update)
    actions.progress_update_submit(actor=cast.focal_point_kenya, update=update)
    with pytest.raises(PermissionDenied):
        actions.progress_update_approve(actor=cast.focal_point_kenya, update=update)
    with pytest.raises(ValidationError, match="Say why"):
        actions.progress_update_return(actor=cast.reviewer, update=update, reason=" ")
    actions.progress_update_return(actor=cast.reviewer, update=update, reason="Add the evidence.")
    update.refresh_from_db()
    assert (update.status, update.return_reason) == ("returned", "Add the evidence.")
    actions.progress_update_save(
        actor=cast.focal_point_kenya,
        pledge=kenya_pledge,
        update=update,
        as_of=date(2025, 6, 30),
        text="120 officials trained; list attached.",
        stage=Pledge.Stage.IN_PROGRESS,
    )
    actions.progress_update_submit(actor=cast.focal_point_kenya, update=update)
    actions.progress_update_approve(actor=cast.reviewer, update=update)
    update.refresh_from_db()
    kenya_pledge.refresh_from_db()
    assert update.status == ProgressUpdate.Status.APPROVED
    assert kenya_pledge.stage == Pledge.Stage.IN_PROGRESS
    assert list(
        AuditEntry.objects.filter(object_type="commitments.progressupdate")
        .order_by("id")
        .values_list("action", flat=True)
    ) == [
        "progress_update.create",
        "progress_update.pending",
        "progress_update.returned",
        "progress_update.update",
        "progress_update.pending",
        "progress_update.approved",
    ]
    assert _json(AuditEntry.objects.get(action="pledge.stage").after)["stage"] == "in_progress"
    with pytest.raises(ValidationError, match="Only a draft or a returned update"):
        actions.progress_update_save(
            actor=cast.focal_point_kenya,
            pledge=kenya_pledge,
            update=update,
            as_of=date(2025, 6, 30),
            text="Changed after approval",
            stage=Pledge.Stage.FULFILLED,
        )


def test_an_assessment_is_never_the_pledgers_to_change(cast: Any, kenya_pledge: Pledge) -> None:
    with pytest.raises(PermissionDenied):
        actions.assessment_save(
            actor=cast.focal_point_kenya,
            pledge=kenya_pledge,
            as_of=date(2025, 7, 1),
            rating="on_track",
            text="We are doing well.",
        )
    assessment = actions.assessment_save(
        actor=cast.migrant_org_member,
        pledge=kenya_pledge,
        as_of=date(2025, 7, 1),
        rating=Assessment.Rating.PARTLY,
        text="Training happened in two of five border posts.",
        organisation=cast.migrant_org,
    )
    for role in ("focal_point_kenya", "administrator", "reviewer", "focal_point_mexico"):
        with pytest.raises(PermissionDenied):
            actions.assessment_save(
                actor=cast.all_users()[role],
                pledge=kenya_pledge,
                assessment=assessment,
                as_of=date(2025, 7, 1),
                rating="on_track",
                text="Rewritten.",
            )
    actions.assessment_save(
        actor=cast.migrant_org_member,
        pledge=kenya_pledge,
        assessment=assessment,
        as_of=date(2025, 8, 1),
        rating=Assessment.Rating.OFF_TRACK,
        text="No training since June.",
        organisation=cast.migrant_org,
    )
    assessment.refresh_from_db()
    assert assessment.rating == "off_track"
    entry = AuditEntry.objects.get(action="assessment.update")
    assert (_json(entry.before)["rating"], _json(entry.after)["rating"]) == ("partly", "off_track")
    # Writing for an organisation one does not belong to is refused.
    with pytest.raises(ValidationError, match="your own organisation"):
        actions.assessment_save(
            actor=cast.moderator,
            pledge=kenya_pledge,
            as_of=date(2025, 7, 1),
            rating="on_track",
            text="x",
            organisation=cast.migrant_org,
        )


def test_money_is_kept_in_its_currency_and_converted(cast: Any, kenya_pledge: Pledge) -> None:
    rows = list(Transaction.objects.filter(commitment__pledge=kenya_pledge).order_by("position"))
    assert [(r.type, r.value, r.currency) for r in rows] == [
        ("12", Decimal("1000000.0000"), "USD"),
        ("2", Decimal("500000.0000"), "EUR"),
        ("3", Decimal("200000.0000"), "EUR"),
        ("3", Decimal("1000.0000"), "KES"),
    ]
    # EUR at the monthly means of the table: March 2023 1.0705826, February 2024 1.0794714.
    assert rows[1].value_usd == Decimal("535291.30")
    assert rows[2].value_usd == Decimal("215894.28")
    assert rows[3].value_usd is None
    pledge = selectors.pledge_get(user=None, pk=kenya_pledge.pk)
    assert pledge.pledged_usd == Decimal("1000000.00")  # type: ignore[attr-defined]
    assert pledge.committed_usd == Decimal("535291.30")  # type: ignore[attr-defined]
    assert pledge.disbursed_usd == Decimal("215894.28")  # type: ignore[attr-defined]
    assert pledge.not_converted == 1  # type: ignore[attr-defined]
    commitment = rows[0].commitment
    assert commitment.iati_identifier == f"SOLIDARITY-KEN-PLEDGE-{kenya_pledge.pk}"
    assert (commitment.channel, commitment.gender_marker, commitment.human_rights_marker) == (
        "mptf",
        1,
        2,
    )
    assert AuditEntry.objects.filter(action="transaction.create").count() == 4


def test_money_is_recorded_by_the_pledgers_editors_only(cast: Any, kenya_pledge: Pledge) -> None:
    data = actions.MoneyInput(type="3", date=date(2024, 1, 1), value=Decimal(5), currency="USD")
    with pytest.raises(PermissionDenied):
        actions.money_record(actor=cast.focal_point_mexico, pledge=kenya_pledge, data=data)
    bad = actions.MoneyInput(type="9", date=date(2024, 1, 1), value=Decimal(0), currency="eu")
    with pytest.raises(ValidationError) as raised:
        actions.money_record(actor=cast.focal_point_kenya, pledge=kenya_pledge, data=bad)
    assert raised.value.message_dict == {
        "type": ["Choose the kind of transaction."],
        "value": ["Give an amount above zero."],
        "currency": ["Give the ISO 4217 currency code, e.g. EUR."],
    }


def test_disbursed_usd_by_state_counts_published_pledges_only(
    cast: Any, kenya_pledge: Pledge
) -> None:
    assert selectors.disbursed_usd_by_state(year=2024) == {"KEN": Decimal("215894.28")}
    assert selectors.not_converted_by_state(year=2024) == {"KEN": 1}
    assert selectors.disbursed_usd_by_state(year=2023) == {}
    draft = actions.pledge_create(
        actor=cast.focal_point_mexico, data=pledge_input(state=cast.mexico)
    )
    actions.money_record(
        actor=cast.focal_point_mexico,
        pledge=draft,
        data=actions.MoneyInput(type="3", date=date(2024, 1, 5), value=Decimal(9), currency="USD"),
    )
    assert "MEX" not in selectors.disbursed_usd_by_state(year=2024)
    actions.pledge_publish(actor=cast.focal_point_mexico, pledge=draft)
    assert selectors.disbursed_usd_by_state(year=2024)["MEX"] == Decimal("9.00")
