"""Every change to a testimony: receiving it (from the person or from staff on their behalf),
withdrawing consent or the whole testimony with the receipt code, revealing the text to a
moderator (audited), moderating with redaction, deleting expired testimonies and re-encrypting
under a new key. Each is atomic and writes its audit row; no audit row carries the content."""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from solidarity.accounts.models import User
from solidarity.audit.actions import audit_record
from solidarity.reference.models import Country, Objective
from solidarity.testimonies.crypto import reseal, seal, unseal
from solidarity.testimonies.models import (
    Consent,
    Group,
    IdentityLevel,
    ModerationDecision,
    RedactionFlag,
    Testimony,
    Use,
)
from solidarity.testimonies.permissions import can_moderate_testimonies, can_record_on_behalf
from solidarity.testimonies.redaction import find_identifying, redact

MAX_TEXT_LENGTH = 20_000


def _metadata(testimony: Testimony) -> dict[str, object]:
    """What the audit trail may say about a testimony: never its content."""
    return {
        "status": testimony.status,
        "language": testimony.language,
        "identity_level": testimony.identity_level,
        "recorded_on_behalf": testimony.recorded_by_id is not None,
    }


# Receipt codes ------------------------------------------------------------------------------


def receipt_code_new() -> str:
    """100 random bits as 20 base-32 letters and digits in groups of four (easy to copy out by
    hand: no 0/O or 1/I confusion in base 32's alphabet)."""
    letters = base64.b32encode(secrets.token_bytes(15)).decode("ascii")[:20]
    return "-".join(letters[i : i + 4] for i in range(0, 20, 4))


def receipt_lookup(code: str) -> str:
    """The stored form of a receipt code: SHA-256 of its letters, upper case, separators dropped
    (so ``abcd efgh`` and ``ABCD-EFGH`` are the same code)."""
    letters = re.sub(r"[^A-Z2-7]", "", code.upper())
    return hashlib.sha256(letters.encode("ascii")).hexdigest()


def _canonical(
    testimony: Testimony, content: Mapping[str, Any], consents: Iterable[Consent]
) -> str:
    record = {
        "id": str(testimony.public_id),
        "received": testimony.created_at.isoformat(),
        "language": testimony.language,
        "identity_level": testimony.identity_level,
        "groups": sorted(testimony.groups),
        "objectives": sorted(o.number for o in testimony.objectives.all()),
        "countries": [
            testimony.country_of_origin_id,
            testimony.country_of_transit_id,
            testimony.country_of_destination_id,
        ],
        "guardian_agrees": testimony.guardian_agrees,
        "content": dict(content),
        "consents": sorted([c.use, c.granted, c.wording] for c in consents),
    }
    return json.dumps(record, ensure_ascii=False, sort_keys=True)


def receipt_digest(testimony: Testimony) -> str | None:
    """SHA-256 of the testimony as received, recomputed from what is stored now; ``None`` once its
    content is erased (withdrawn). The sealed content carries a random salt, so the digest cannot
    be used to confirm a guess of the text."""
    content = unseal(testimony.sealed)
    if not content:
        return None
    return hashlib.sha256(
        _canonical(testimony, content, testimony.consents.all()).encode("utf-8")
    ).hexdigest()


# Receiving ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    testimony: Testimony
    code: str
    digest: str


@transaction.atomic
def testimony_submit(
    *,
    text: str,
    language: str,
    identity_level: str,
    consents: Mapping[str, bool],
    wording: Mapping[str, str],
    name: str = "",
    pseudonym: str = "",
    email: str = "",
    phone: str = "",
    other_contact: str = "",
    groups: Iterable[str] = (),
    objectives: Iterable[Objective] = (),
    country_of_origin: Country | None = None,
    country_of_transit: Country | None = None,
    country_of_destination: Country | None = None,
    guardian_name: str = "",
    guardian_agrees: bool = False,
    recorded_by: User | None = None,
    place_names: Iterable[str] = (),
) -> Receipt:
    """Keep a testimony with the consent given for each use (``consents``: use → yes/no, and
    ``wording``: use → the words shown), and return its receipt code, shown once and never
    stored. Identifying stretches of the text are flagged for the moderator."""
    errors: dict[str, list[str]] = {}
    text = text.strip()
    if not text:
        errors.setdefault("text", []).append(_("Please write your testimony."))
    elif len(text) > MAX_TEXT_LENGTH:
        errors.setdefault("text", []).append(
            _("Please keep your testimony under %(limit)s characters.") % {"limit": MAX_TEXT_LENGTH}
        )
    if set(consents) != set(Use.values) or set(wording) != set(Use.values):
        raise ValueError("A choice and its wording are needed for every use.")
    if not consents[Use.STORE]:
        errors.setdefault("consent_store", []).append(
            _(
                "We can only receive your testimony if you agree that we keep it. Without that "
                "agreement nothing is saved."
            )
        )
    if identity_level == IdentityLevel.NAMED and not name.strip():
        errors.setdefault("name", []).append(_("Please give your name, or choose another option."))
    if identity_level == IdentityLevel.PSEUDONYM and not pseudonym.strip():
        errors.setdefault("pseudonym", []).append(
            _("Please give the name you want to use, or choose another option.")
        )
    groups = sorted(set(groups))
    if set(groups) - set(Group.values):
        raise ValueError(f"Unknown groups: {sorted(set(groups) - set(Group.values))}")
    if Group.CHILD in groups and recorded_by is None and not (guardian_agrees and guardian_name):
        errors.setdefault("guardian_agrees", []).append(
            _(
                "Children and adolescents need a parent or guardian to agree: give their name "
                "and tick the box, or ask a member of our staff to record your testimony with you."
            )
        )
    if recorded_by is not None and not can_record_on_behalf(recorded_by):
        raise PermissionDenied(_("Only secretariat staff and moderators record testimonies."))
    if errors:
        raise ValidationError(errors)

    content = {
        "text": text,
        "name": name.strip() if identity_level == IdentityLevel.NAMED else "",
        "pseudonym": pseudonym.strip() if identity_level == IdentityLevel.PSEUDONYM else "",
        "email": email.strip(),
        "phone": phone.strip(),
        "other_contact": other_contact.strip(),
        "guardian_name": guardian_name.strip(),
        "salt": secrets.token_hex(16),
    }
    code = receipt_code_new()
    testimony = Testimony.objects.create(
        status=Testimony.Status.RECEIVED,
        language=language,
        identity_level=identity_level,
        groups=groups,
        country_of_origin=country_of_origin,
        country_of_transit=country_of_transit,
        country_of_destination=country_of_destination,
        guardian_agrees=guardian_agrees,
        sealed=seal(content),
        receipt_lookup=receipt_lookup(code),
        receipt_digest="",
        recorded_by=recorded_by,
        retain_until=(
            timezone.now() + datetime.timedelta(days=settings.TESTIMONY_RETENTION_DAYS)
        ).date(),
    )
    testimony.objectives.set(list(objectives))
    rows = [
        Consent(
            testimony=testimony,
            use=use,
            granted=bool(consents[use]),
            wording=wording[use],
            language=language,
        )
        for use in Use.values
    ]
    Consent.objects.bulk_create(rows)
    digest = hashlib.sha256(_canonical(testimony, content, rows).encode("utf-8")).hexdigest()
    testimony.receipt_digest = digest
    testimony.save(update_fields=["receipt_digest"])
    RedactionFlag.objects.bulk_create(
        RedactionFlag(testimony=testimony, kind=flag.kind, start=flag.start, end=flag.end)
        for flag in find_identifying(text, place_names=place_names)
    )
    audit_record(
        actor=recorded_by or "anonymous",
        action="testimony.submit",
        obj=testimony,
        after=_metadata(testimony) | {"consents": {use: consents[use] for use in Use.values}},
    )
    return Receipt(testimony=testimony, code=code, digest=digest)


# The person, with their receipt --------------------------------------------------------------


def testimony_by_receipt(*, code: str) -> Testimony:
    """The testimony a receipt code belongs to; :class:`Testimony.DoesNotExist` for none."""
    return Testimony.objects.get(receipt_lookup=receipt_lookup(code))


@transaction.atomic
def consent_withdraw(*, testimony: Testimony, uses: Iterable[str]) -> list[str]:
    """Withdraw the person's consent to some uses; from now on no page, export, API answer or
    dossier shows the testimony for them. Withdrawing consent to keeping it withdraws it all."""
    uses = [Use(use) for use in uses]
    if Use.STORE in uses:
        testimony_withdraw(testimony=testimony)
        return list(Use.values)
    now = timezone.now()
    changed = list(
        testimony.consents.filter(
            use__in=uses, granted=True, withdrawn_at__isnull=True
        ).values_list("use", flat=True)
    )
    testimony.consents.filter(use__in=changed).update(withdrawn_at=now)
    if changed:
        audit_record(
            actor="receipt",
            action="testimony.consent_withdraw",
            obj=testimony,
            after={"withdrawn": sorted(changed)},
        )
    return changed


@transaction.atomic
def testimony_withdraw(*, testimony: Testimony) -> Testimony:
    """Withdraw the whole testimony: every consent ends, and the text, contact details and the
    redacted text are erased at once (the row stays, empty, so the receipt still says
    "withdrawn"; the retention job deletes it later)."""
    testimony = Testimony.objects.select_for_update().get(pk=testimony.pk)
    if testimony.status == Testimony.Status.WITHDRAWN:
        return testimony
    before = _metadata(testimony)
    now = timezone.now()
    testimony.consents.filter(withdrawn_at__isnull=True).update(withdrawn_at=now)
    testimony.flags.all().delete()
    testimony.status = Testimony.Status.WITHDRAWN
    testimony.withdrawn_at = now
    testimony.sealed = ""
    testimony.sealed_redacted = ""
    testimony.save(update_fields=["status", "withdrawn_at", "sealed", "sealed_redacted"])
    audit_record(
        actor="receipt",
        action="testimony.withdraw",
        obj=testimony,
        before=before,
        after=_metadata(testimony),
    )
    return testimony


# Moderation ---------------------------------------------------------------------------------


def _require_moderator(actor: User) -> None:
    if not can_moderate_testimonies(actor):
        raise PermissionDenied(_("Only moderators may do this."))


@transaction.atomic
def testimony_reveal(*, actor: User, testimony: Testimony, reason: str) -> dict[str, Any]:
    """The decrypted testimony (text and contact details) for a moderator, with the reason they
    gave: the only way anyone reads a text in clear, and it leaves an audit row each time."""
    _require_moderator(actor)
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why you need to read this testimony.")]})
    document = unseal(testimony.sealed)
    if not document:
        raise ValidationError(_("This testimony was withdrawn: there is nothing left to read."))
    audit_record(
        actor=actor,
        action="testimony.reveal",
        obj=testimony,
        after={"reason": reason.strip()},
    )
    return document


def _phrase_flags(text: str, phrases: Iterable[str]) -> list[tuple[int, int]]:
    spans = []
    for phrase in phrases:
        phrase = phrase.strip()
        if phrase:
            spans += [
                (m.start(), m.end())
                for m in re.finditer(re.escape(phrase), text, flags=re.IGNORECASE)
            ]
    return spans


@transaction.atomic
def testimony_moderate(
    *,
    actor: User,
    testimony: Testimony,
    decision: str,
    could_endanger: str,
    reason: str,
    confirmed_flags: Iterable[int] = (),
    extra_phrases: Iterable[str] = (),
) -> ModerationDecision:
    """Decide on a testimony. Every decision records its reason and the answer to "could
    publishing this endanger the person?"; only a "no" lets it be released. Releasing it seals the
    text with the confirmed redactions removed; refusing (also later, to take a released testimony
    down) erases the redacted text."""
    _require_moderator(actor)
    testimony = Testimony.objects.select_for_update().get(pk=testimony.pk)
    if testimony.recorded_by_id == actor.pk:
        raise PermissionDenied(
            _("You recorded this testimony: another moderator must decide on it.")
        )
    if testimony.status == Testimony.Status.WITHDRAWN:
        raise ValidationError(_("This testimony was withdrawn by the person."))
    decision = ModerationDecision.Decision(decision)
    could_endanger = ModerationDecision.Danger(could_endanger)
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for your decision.")]})
    if decision == ModerationDecision.Decision.PUBLISH and could_endanger != "no":
        raise ValidationError(
            {
                "could_endanger": [
                    _(
                        "A testimony is released only when you are sure publishing it could not "
                        "endanger the person."
                    )
                ]
            }
        )
    before = _metadata(testimony)
    content = unseal(testimony.sealed)
    text = str(content.get("text", ""))
    confirmed = set(confirmed_flags)
    flags = list(testimony.flags.all())
    for flag in flags:
        flag.confirmed = flag.pk in confirmed or not flag.automatic
    RedactionFlag.objects.bulk_update(flags, ["confirmed"])
    RedactionFlag.objects.bulk_create(
        RedactionFlag(
            testimony=testimony,
            kind=RedactionFlag.Kind.OTHER,
            start=start,
            end=end,
            automatic=False,
            confirmed=True,
        )
        for start, end in _phrase_flags(text, extra_phrases)
    )
    now = timezone.now()
    testimony.moderated_at = now
    stretches: list[tuple[int, int, str]] = []
    if decision == ModerationDecision.Decision.PUBLISH:
        labels = {
            RedactionFlag.Kind.NAME: _("[name removed]"),
            RedactionFlag.Kind.PLACE: _("[place removed]"),
            RedactionFlag.Kind.PHONE: _("[phone number removed]"),
            RedactionFlag.Kind.EMAIL: _("[e-mail removed]"),
            RedactionFlag.Kind.OTHER: _("[detail removed]"),
        }
        stretches = [
            (flag.start, flag.end, flag.kind) for flag in testimony.flags.filter(confirmed=True)
        ]
        attribution = {
            IdentityLevel.NAMED: str(content.get("name", "")),
            IdentityLevel.PSEUDONYM: str(content.get("pseudonym", "")),
        }.get(IdentityLevel(testimony.identity_level), "")
        testimony.sealed_redacted = seal(
            {
                "text": redact(text, stretches, labels={k: str(v) for k, v in labels.items()}),
                "attribution": attribution,
            }
        )
        testimony.status = Testimony.Status.PUBLISHED
        testimony.published_at = now
    else:
        testimony.sealed_redacted = ""
        testimony.status = Testimony.Status.REFUSED
        testimony.published_at = None
    testimony.save(update_fields=["moderated_at", "sealed_redacted", "status", "published_at"])
    row = ModerationDecision.objects.create(
        testimony=testimony,
        moderator=actor,
        decision=decision,
        could_endanger=could_endanger,
        reason=reason.strip(),
    )
    audit_record(
        actor=actor,
        action=f"testimony.{decision}",
        obj=testimony,
        before=before,
        after=_metadata(testimony)
        | {"reason": row.reason, "could_endanger": could_endanger, "redactions": len(stretches)},
    )
    return row


# Retention and keys --------------------------------------------------------------------------


@transaction.atomic
def testimonies_delete_expired(*, today: datetime.date | None = None, dry_run: bool = False) -> int:
    """Delete every testimony whose retention period has ended (``retain_until`` before
    ``today``), with its consents, flags and decisions; the audit trail keeps only that it
    existed and when it was deleted. Returns how many."""
    today = today or timezone.localdate()
    expired = list(Testimony.objects.filter(retain_until__lt=today).order_by("id"))
    if dry_run:
        return len(expired)
    for testimony in expired:
        audit_record(
            actor="system:retention",
            action="testimony.delete_expired",
            obj=testimony,
            before=_metadata(testimony) | {"retain_until": testimony.retain_until},
        )
    Testimony.objects.filter(pk__in=[t.pk for t in expired]).delete()
    return len(expired)


@transaction.atomic
def testimony_keys_rotate() -> int:
    """Re-encrypt every sealed testimony under the first key of SOLIDARITY_TESTIMONY_KEYS, so the
    older keys can then be removed. Returns how many testimonies were re-encrypted."""
    count = 0
    for testimony in Testimony.objects.select_for_update().exclude(sealed="").order_by("id"):
        testimony.sealed = reseal(testimony.sealed)
        testimony.sealed_redacted = reseal(testimony.sealed_redacted)
        testimony.save(update_fields=["sealed", "sealed_redacted"])
        count += 1
    audit_record(
        actor="system:cli",
        action="testimony.keys_rotate",
        object_type="testimonies.testimony",
        after={"re-encrypted": count},
    )
    return count
