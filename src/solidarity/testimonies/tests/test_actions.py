"""Each action on a testimony, with the audit row it writes and the rules it enforces."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from solidarity.audit.models import AuditEntry
from solidarity.testimonies import actions, crypto, models
from solidarity.testimonies.tests.conftest import ALL_USES, release, submit

pytestmark = pytest.mark.django_db

TEXT = (
    "My name is Amal Hassan. I left Somalia and worked in Nairobi; call me on +254 712 345 678 "
    "or write to amal@example.org."
)


def test_submitting_keeps_consent_per_use_with_wording_and_time() -> None:
    receipt = submit(granted={"store", "publish", "research"})
    testimony = receipt.testimony
    consents = {c.use: c for c in testimony.consents.all()}
    assert set(consents) == set(ALL_USES)
    assert {use for use, c in consents.items() if c.granted} == {"store", "publish", "research"}
    assert consents["publish"].wording == (
        "Publish it on this site, without my name and with details removed"
    )
    assert all(c.recorded_at is not None and c.language == "en" for c in consents.values())
    assert testimony.status == "received"
    entry = AuditEntry.objects.get(action="testimony.submit")
    assert entry.actor_label == "anonymous"
    assert (entry.after or {})["consents"]["share_state"] is False
    # The audit trail never carries the text.
    assert "border" not in str(entry.after)


def test_the_receipt_code_is_not_stored_and_finds_the_testimony() -> None:
    receipt = submit()
    assert len(receipt.code) == 24
    assert receipt.code.count("-") == 4
    stored = models.Testimony.objects.get(pk=receipt.testimony.pk)
    letters = receipt.code.replace("-", "")
    assert receipt.code not in str(stored.__dict__)
    assert letters not in str(stored.__dict__)
    assert stored.receipt_lookup == hashlib.sha256(letters.encode()).hexdigest()
    lowered = receipt.code.lower().replace("-", " ")
    assert actions.testimony_by_receipt(code=lowered).pk == stored.pk
    with pytest.raises(models.Testimony.DoesNotExist):
        actions.testimony_by_receipt(code="AAAA-BBBB-CCCC-DDDD-EEEE")


def test_the_receipt_digest_detects_tampering() -> None:
    receipt = submit()
    testimony = models.Testimony.objects.get(pk=receipt.testimony.pk)
    assert actions.receipt_digest(testimony) == receipt.digest == testimony.receipt_digest
    # Someone with database access turns a refusal to share with the State into consent.
    testimony.consents.filter(use="share_state").update(granted=False)
    testimony.consents.filter(use="research").update(wording="Anything goes")
    assert actions.receipt_digest(testimony) != receipt.digest


def test_keeping_it_is_the_one_consent_needed_to_receive_anything() -> None:
    with pytest.raises(ValidationError) as error:
        submit(granted={"publish"})
    assert error.value.message_dict["consent_store"] == [
        "We can only receive your testimony if you agree that we keep it. Without that "
        "agreement nothing is saved."
    ]
    assert not models.Testimony.objects.exists()


def test_a_child_needs_a_guardian_or_a_staff_member(cast: Any) -> None:
    with pytest.raises(ValidationError) as error:
        submit(groups=["child"])
    assert "guardian_agrees" in error.value.message_dict
    assert submit(groups=["child"], guardian_name="Fatuma", guardian_agrees=True).testimony.pk
    recorded = submit(groups=["child"], recorded_by=cast.reviewer).testimony
    assert recorded.recorded_by == cast.reviewer
    assert AuditEntry.objects.filter(action="testimony.submit", actor=cast.reviewer).exists()


def test_named_and_pseudonymous_need_the_name() -> None:
    with pytest.raises(ValidationError) as error:
        submit(identity_level="named")
    assert error.value.message_dict["name"] == ["Please give your name, or choose another option."]
    with pytest.raises(ValidationError):
        submit(identity_level="pseudonym")


def test_only_staff_record_on_someones_behalf(cast: Any) -> None:
    for user in (cast.focal_point_kenya, cast.migrant_org_member, cast.data_provider):
        with pytest.raises(PermissionDenied):
            submit(recorded_by=user)
    assert submit(recorded_by=cast.moderator).testimony.recorded_by == cast.moderator


def test_identifying_details_are_flagged_on_arrival() -> None:
    testimony = submit(text=TEXT).testimony
    flagged = {(f.kind, TEXT[f.start : f.end]) for f in testimony.flags.all()}
    assert flagged == {
        ("name", "Amal Hassan"),
        ("place", "Somalia"),
        ("place", "Nairobi"),
        ("phone", "+254 712 345 678"),
        ("email", "amal@example.org"),
    }
    assert all(f.confirmed is None and f.automatic for f in testimony.flags.all())


def test_revealing_the_text_is_for_moderators_and_audited(cast: Any) -> None:
    testimony = submit(text=TEXT, email="amal@example.org").testimony
    for user in (cast.focal_point_kenya, cast.reviewer, cast.migrant_org_member):
        with pytest.raises(PermissionDenied):
            actions.testimony_reveal(actor=user, testimony=testimony, reason="curious")
    with pytest.raises(ValidationError):
        actions.testimony_reveal(actor=cast.moderator, testimony=testimony, reason=" ")
    assert not AuditEntry.objects.filter(action="testimony.reveal").exists()
    document = actions.testimony_reveal(
        actor=cast.moderator, testimony=testimony, reason="Redaction before publication"
    )
    assert document["text"] == TEXT
    assert document["email"] == "amal@example.org"
    entry = AuditEntry.objects.get(action="testimony.reveal")
    assert entry.actor == cast.moderator
    assert entry.after == {"reason": "Redaction before publication"}


def test_publishing_removes_confirmed_stretches_only(cast: Any) -> None:
    testimony = submit(text=TEXT).testimony
    flags = {TEXT[f.start : f.end]: f.pk for f in testimony.flags.all()}
    decision = actions.testimony_moderate(
        actor=cast.moderator,
        testimony=testimony,
        decision="publish",
        could_endanger="no",
        reason="Redacted the name, phone, e-mail and city.",
        confirmed_flags=[
            flags[k] for k in ("Amal Hassan", "Nairobi", "+254 712 345 678", "amal@example.org")
        ],
        extra_phrases=["worked"],
    )
    testimony.refresh_from_db()
    assert testimony.status == "published"
    assert testimony.published_at is not None
    published = crypto.unseal(testimony.sealed_redacted)
    assert published == {
        "text": "My name is [name removed]. I left Somalia and [detail removed] in "
        "[place removed]; call me on [phone number removed] or write to [e-mail removed].",
        "attribution": "",
    }
    assert decision.reason == "Redacted the name, phone, e-mail and city."
    entry = AuditEntry.objects.get(action="testimony.publish")
    assert (entry.after or {})["could_endanger"] == "no"
    assert (entry.after or {})["redactions"] == 5
    assert testimony.flags.get(pk=flags["Somalia"]).confirmed is False


def test_nothing_is_released_that_could_endanger_the_person(cast: Any) -> None:
    testimony = submit().testimony
    for answer in ("yes", "unsure"):
        with pytest.raises(ValidationError) as error:
            actions.testimony_moderate(
                actor=cast.moderator,
                testimony=testimony,
                decision="publish",
                could_endanger=answer,
                reason="Fine",
            )
        assert "could_endanger" in error.value.message_dict
    with pytest.raises(ValidationError):
        actions.testimony_moderate(
            actor=cast.moderator,
            testimony=testimony,
            decision="refuse",
            could_endanger="yes",
            reason="",
        )
    actions.testimony_moderate(
        actor=cast.moderator,
        testimony=testimony,
        decision="refuse",
        could_endanger="yes",
        reason="Names the smuggler's village.",
    )
    testimony.refresh_from_db()
    assert testimony.status == "refused"
    assert testimony.sealed_redacted == ""
    assert (AuditEntry.objects.get(action="testimony.refuse").after or {})["reason"] == (
        "Names the smuggler's village."
    )


def test_only_moderators_decide_and_never_on_their_own_recording(cast: Any) -> None:
    testimony = submit(recorded_by=cast.moderator).testimony
    for user in (cast.reviewer, cast.focal_point_kenya, cast.moderator):
        with pytest.raises(PermissionDenied):
            release(testimony, user)
    release(testimony, cast.administrator)
    testimony.refresh_from_db()
    assert testimony.status == "published"


def test_a_released_testimony_can_be_taken_down(cast: Any) -> None:
    testimony = submit().testimony
    release(testimony, cast.moderator)
    actions.testimony_moderate(
        actor=cast.moderator,
        testimony=testimony,
        decision="refuse",
        could_endanger="unsure",
        reason="The person's family was identified from it.",
    )
    testimony.refresh_from_db()
    assert testimony.status == "refused"
    assert testimony.published_at is None


def test_withdrawing_some_uses_keeps_the_others(cast: Any) -> None:
    testimony = submit().testimony
    withdrawn = actions.consent_withdraw(testimony=testimony, uses=["publish", "share_un"])
    assert sorted(withdrawn) == ["publish", "share_un"]
    in_force = {c.use for c in testimony.consents.all() if c.in_force}
    assert in_force == {"store", "share_state", "research"}
    assert AuditEntry.objects.get(action="testimony.consent_withdraw").after == {
        "withdrawn": ["publish", "share_un"]
    }
    # Again: nothing changes, nothing is recorded twice.
    assert actions.consent_withdraw(testimony=testimony, uses=["publish"]) == []


def test_withdrawing_everything_erases_the_content(cast: Any) -> None:
    testimony = submit(text=TEXT).testimony
    release(testimony, cast.moderator)
    actions.consent_withdraw(testimony=testimony, uses=["store"])
    testimony.refresh_from_db()
    assert testimony.status == "withdrawn"
    assert testimony.withdrawn_at is not None
    assert testimony.sealed == ""
    assert testimony.sealed_redacted == ""
    assert not testimony.flags.exists()
    assert all(c.withdrawn_at is not None for c in testimony.consents.all())
    assert actions.receipt_digest(testimony) is None
    with pytest.raises(ValidationError):
        release(testimony, cast.moderator)
    assert AuditEntry.objects.filter(action="testimony.withdraw").count() == 1


def test_expired_testimonies_are_deleted(cast: Any, settings: Any) -> None:
    settings.TESTIMONY_RETENTION_DAYS = 30
    old = submit().testimony
    kept = submit().testimony
    assert old.retain_until == (old.created_at + datetime.timedelta(days=30)).date()
    models.Testimony.objects.filter(pk=old.pk).update(retain_until=datetime.date(2020, 1, 1))
    assert actions.testimonies_delete_expired(dry_run=True) == 1
    assert models.Testimony.objects.count() == 2
    assert actions.testimonies_delete_expired() == 1
    assert list(models.Testimony.objects.all()) == [kept]
    assert not models.Consent.objects.filter(testimony_id=old.pk).exists()
    entry = AuditEntry.objects.get(action="testimony.delete_expired")
    assert entry.object_id == str(old.pk)
    assert entry.actor_label == "system:retention"
    assert actions.testimonies_delete_expired() == 0
