"""Every change to pledges, progress, assessments and money: checked, atomic, audited.

Each action takes the acting user (or a ``"system:…"`` label for commands) as ``actor``, checks
:mod:`solidarity.commitments.permissions`, writes in one transaction and records the audit row
through :func:`solidarity.audit.actions.audit_record`.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from solidarity.accounts.models import Organisation, User
from solidarity.accounts.permissions import is_administrator, states_user_speaks_for
from solidarity.audit.actions import audit_record, audit_snapshot
from solidarity.audit.models import AuditEntry
from solidarity.commitments import iati as bridge
from solidarity.commitments.models import (
    Assessment,
    FinancialCommitment,
    Pledge,
    ProgressUpdate,
    Transaction,
)
from solidarity.commitments.permissions import (
    can_assess_pledge,
    can_create_pledge,
    can_edit_assessment,
    can_edit_pledge,
    can_import_iati,
    can_link_activities,
    can_review_progress,
    organisations_user_pledges_for,
)
from solidarity.commitments.rates import to_usd
from solidarity.reference.models import (
    Country,
    GuidingPrinciple,
    Objective,
    PopulationGroup,
    SolidarityType,
)
from solidarity.stats.iati import Activity, IatiError, Problem, read_iati

PLEDGE_FIELDS = (
    "state",
    "organisation",
    "answers",
    "title",
    "what",
    "by_when",
    "measured_how",
    "form",
    "south_south",
    "triangular",
    "stage",
    "status",
)
PLEDGE_LINKS = (
    "objectives",
    "principles",
    "solidarity_types",
    "target_groups",
    "partner_states",
    "partner_organisations",
)


@dataclass
class PledgeInput:
    """What a pledger says about a pledge (the form, the API and tests fill it)."""

    title: str
    what: str
    form: str
    objectives: list[int]
    state: Country | None = None
    organisation: Organisation | None = None
    by_when: date | None = None
    measured_how: str = ""
    principles: list[str] = field(default_factory=list)
    solidarity_types: list[str] = field(default_factory=list)
    target_groups: list[str] = field(default_factory=list)
    partner_states: list[str] = field(default_factory=list)
    partner_organisations: list[int] = field(default_factory=list)
    answers: Pledge | None = None
    south_south: bool = False
    triangular: bool = False
    stage: str = Pledge.Stage.PLANNING


def _pledge_snapshot(pledge: Pledge) -> dict[str, object]:
    snapshot = audit_snapshot(pledge, fields=PLEDGE_FIELDS)
    for name in PLEDGE_LINKS:
        snapshot[name] = sorted(
            str(pk) for pk in getattr(pledge, name).values_list("pk", flat=True)
        )
    return snapshot


def _check(data: PledgeInput, *, pledge: Pledge | None) -> None:
    errors: dict[str, str] = {}
    if (data.state is None) == (data.organisation is None):
        errors["state"] = _("Choose one pledger: a State or an organisation.")
    if not data.title.strip():
        errors["title"] = _("Give the pledge a title.")
    if not data.what.strip():
        errors["what"] = _("Say what will be done.")
    if data.form not in Pledge.Form.values:
        errors["form"] = _("Choose the form of the pledge.")
    if data.stage not in Pledge.Stage.values:
        errors["stage"] = _("Choose a stage.")
    if not data.objectives:
        errors["objectives"] = _("Name at least one GCM objective the pledge serves.")
    if data.answers is not None and pledge is not None and data.answers.pk == pledge.pk:
        errors["answers"] = _("A pledge cannot match itself.")
    if data.answers is not None and data.answers.status != Pledge.Status.PUBLISHED:
        errors["answers"] = _("A matching pledge answers a published pledge.")
    if data.state is not None and data.state.iso3 in data.partner_states:
        errors["partner_states"] = _("The pledging State cannot also be its partner.")
    if errors:
        raise ValidationError(errors)


def _may_pledge_as(actor: User | str, data: PledgeInput) -> bool:
    if isinstance(actor, str) or is_administrator(actor):
        return True
    if data.state is not None:
        return data.state.iso3 in states_user_speaks_for(actor)
    return data.organisation is not None and data.organisation.pk in organisations_user_pledges_for(
        actor
    )


def _save_links(pledge: Pledge, data: PledgeInput) -> None:
    pledge.objectives.set(Objective.objects.filter(number__in=data.objectives))
    pledge.principles.set(GuidingPrinciple.objects.filter(code__in=data.principles))
    pledge.solidarity_types.set(SolidarityType.objects.filter(code__in=data.solidarity_types))
    pledge.target_groups.set(PopulationGroup.objects.filter(code__in=data.target_groups))
    pledge.partner_states.set(Country.objects.filter(iso3__in=data.partner_states))
    pledge.partner_organisations.set(Organisation.objects.filter(pk__in=data.partner_organisations))


@transaction.atomic
def pledge_create(*, actor: User | str, data: PledgeInput) -> Pledge:
    """Record a pledge as a draft. The actor must speak for the pledger: a focal point of the
    State, a member of the organisation, or an administrator (``PermissionDenied``)."""
    if not isinstance(actor, str) and not can_create_pledge(actor):
        raise PermissionDenied
    _check(data, pledge=None)
    if not _may_pledge_as(actor, data):
        raise PermissionDenied
    pledge = Pledge(created_by=None if isinstance(actor, str) else actor)
    _apply(pledge, data)
    pledge.save()
    _save_links(pledge, data)
    audit_record(actor=actor, action="pledge.create", obj=pledge, after=_pledge_snapshot(pledge))
    return pledge


def _apply(pledge: Pledge, data: PledgeInput) -> None:
    pledge.state = data.state
    pledge.organisation = data.organisation
    pledge.answers = data.answers
    pledge.title = data.title.strip()
    pledge.what = data.what.strip()
    pledge.by_when = data.by_when
    pledge.measured_how = data.measured_how.strip()
    pledge.form = data.form
    pledge.south_south = data.south_south
    pledge.triangular = data.triangular
    pledge.stage = data.stage


@transaction.atomic
def pledge_update(*, actor: User | str, pledge: Pledge, data: PledgeInput) -> Pledge:
    """Change a pledge; the pledger itself cannot be moved to someone the actor does not speak
    for. Records the pledge before and after (nothing when nothing changed)."""
    pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
    if not isinstance(actor, str) and not can_edit_pledge(actor, pledge):
        raise PermissionDenied
    _check(data, pledge=pledge)
    if not _may_pledge_as(actor, data):
        raise PermissionDenied
    before = _pledge_snapshot(pledge)
    _apply(pledge, data)
    pledge.save()
    _save_links(pledge, data)
    after = _pledge_snapshot(pledge)
    if after != before:
        audit_record(actor=actor, action="pledge.update", obj=pledge, before=before, after=after)
    return pledge


@transaction.atomic
def pledge_publish(*, actor: User | str, pledge: Pledge) -> Pledge:
    """Make a draft pledge public. Its pledger's editors (or administrators) decide: a pledge
    is the pledger's own word, so it needs no one else's approval."""
    pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
    if not isinstance(actor, str) and not can_edit_pledge(actor, pledge):
        raise PermissionDenied
    if pledge.status == Pledge.Status.PUBLISHED:
        return pledge
    pledge.status = Pledge.Status.PUBLISHED
    pledge.published_at = timezone.now()
    pledge.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(
        actor=actor,
        action="pledge.publish",
        obj=pledge,
        before={"status": Pledge.Status.DRAFT},
        after={"status": pledge.status},
    )
    return pledge


PROGRESS_FIELDS = ("as_of", "text", "evidence_url", "stage", "status", "return_reason")


@transaction.atomic
def progress_update_save(
    *,
    actor: User,
    pledge: Pledge,
    as_of: date,
    text: str,
    stage: str,
    evidence_url: str = "",
    update: ProgressUpdate | None = None,
) -> ProgressUpdate:
    """Write a new progress update (a draft) or change a draft or returned one: the pledge's
    editors only. An update pending approval or approved is no longer changed."""
    if not can_edit_pledge(actor, pledge):
        raise PermissionDenied
    if not text.strip():
        raise ValidationError({"text": _("Say what has been done.")})
    if stage not in Pledge.Stage.values:
        raise ValidationError({"stage": _("Choose a stage.")})
    if update is None:
        update = ProgressUpdate(pledge=pledge, created_by=actor)
        before = None
    else:
        update = ProgressUpdate.objects.select_for_update().get(pk=update.pk, pledge=pledge)
        if update.status not in (ProgressUpdate.Status.DRAFT, ProgressUpdate.Status.RETURNED):
            raise ValidationError(_("Only a draft or a returned update can be changed."))
        before = audit_snapshot(update, fields=PROGRESS_FIELDS)
    update.as_of = as_of
    update.text = text.strip()
    update.stage = stage
    update.evidence_url = evidence_url.strip()
    update.save()
    audit_record(
        actor=actor,
        action="progress_update.create" if before is None else "progress_update.update",
        obj=update,
        before=before,
        after=audit_snapshot(update, fields=PROGRESS_FIELDS),
    )
    return update


def _progress_move(
    *,
    actor: User,
    update: ProgressUpdate,
    allowed: bool,
    from_statuses: tuple[str, ...],
    to_status: str,
    refusal: str,
    reason: str = "",
) -> ProgressUpdate:
    if not allowed:
        raise PermissionDenied
    update = ProgressUpdate.objects.select_for_update().select_related("pledge").get(pk=update.pk)
    if update.status not in from_statuses:
        raise ValidationError(refusal)
    before = {"status": update.status}
    update.status = to_status
    if to_status in (ProgressUpdate.Status.APPROVED, ProgressUpdate.Status.RETURNED):
        update.reviewed_by = actor
        update.reviewed_at = timezone.now()
    if to_status == ProgressUpdate.Status.RETURNED:
        update.return_reason = reason
    update.save()
    after: dict[str, object] = {"status": to_status}
    if reason:
        after["return_reason"] = reason
    audit_record(
        actor=actor, action=f"progress_update.{to_status}", obj=update, before=before, after=after
    )
    return update


@transaction.atomic
def progress_update_submit(*, actor: User, update: ProgressUpdate) -> ProgressUpdate:
    """Send a draft or returned update for approval: the pledge's editors."""
    return _progress_move(
        actor=actor,
        update=update,
        allowed=can_edit_pledge(actor, update.pledge),
        from_statuses=(ProgressUpdate.Status.DRAFT, ProgressUpdate.Status.RETURNED),
        to_status=ProgressUpdate.Status.PENDING,
        refusal=_("Only a draft or a returned update can be sent for approval."),
    )


@transaction.atomic
def progress_update_return(*, actor: User, update: ProgressUpdate, reason: str) -> ProgressUpdate:
    """Return a pending update to the pledger for revision, saying why: reviewers."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the update is returned.")})
    return _progress_move(
        actor=actor,
        update=update,
        allowed=can_review_progress(actor, update.pledge),
        from_statuses=(ProgressUpdate.Status.PENDING,),
        to_status=ProgressUpdate.Status.RETURNED,
        refusal=_("Only an update pending approval can be returned."),
        reason=reason.strip(),
    )


@transaction.atomic
def progress_update_approve(*, actor: User, update: ProgressUpdate) -> ProgressUpdate:
    """Approve a pending update: it is shown on the pledge, and the pledge takes the stage the
    update reports (recorded in the audit trail as a change of the pledge)."""
    update = _progress_move(
        actor=actor,
        update=update,
        allowed=can_review_progress(actor, update.pledge),
        from_statuses=(ProgressUpdate.Status.PENDING,),
        to_status=ProgressUpdate.Status.APPROVED,
        refusal=_("Only an update pending approval can be approved."),
    )
    pledge = Pledge.objects.select_for_update().get(pk=update.pledge_id)
    if pledge.stage != update.stage:
        before = {"stage": pledge.stage}
        pledge.stage = update.stage
        pledge.save(update_fields=["stage", "updated_at"])
        audit_record(
            actor=actor,
            action="pledge.stage",
            obj=pledge,
            before=before,
            after={"stage": pledge.stage, "progress_update": update.pk},
        )
    return update


ASSESSMENT_FIELDS = ("organisation", "as_of", "rating", "text", "evidence_url")


@transaction.atomic
def assessment_save(
    *,
    actor: User,
    pledge: Pledge,
    as_of: date,
    rating: str,
    text: str,
    evidence_url: str = "",
    organisation: Organisation | None = None,
    assessment: Assessment | None = None,
) -> Assessment:
    """Write (or, by its author, change) an independent assessment of a published pledge. The
    pledge's own editors may not assess it, nor change anyone's assessment."""
    if assessment is None:
        if not can_assess_pledge(actor, pledge):
            raise PermissionDenied
        assessment = Assessment(pledge=pledge, author=actor)
        before = None
    else:
        assessment = Assessment.objects.select_for_update().get(pk=assessment.pk, pledge=pledge)
        if not can_edit_assessment(actor, assessment):
            raise PermissionDenied
        before = audit_snapshot(assessment, fields=ASSESSMENT_FIELDS)
    if rating not in Assessment.Rating.values:
        raise ValidationError({"rating": _("Choose an assessment.")})
    if not text.strip():
        raise ValidationError({"text": _("Give your findings.")})
    if organisation is not None and organisation.pk not in _organisations_of(actor):
        raise ValidationError({"organisation": _("You may write only for your own organisation.")})
    assessment.as_of = as_of
    assessment.rating = rating
    assessment.text = text.strip()
    assessment.evidence_url = evidence_url.strip()
    assessment.organisation = organisation
    assessment.save()
    audit_record(
        actor=actor,
        action="assessment.create" if before is None else "assessment.update",
        obj=assessment,
        before=before,
        after=audit_snapshot(assessment, fields=ASSESSMENT_FIELDS),
    )
    return assessment


def _organisations_of(user: User) -> frozenset[int]:
    from solidarity.accounts.permissions import organisations_user_belongs_to

    return organisations_user_belongs_to(user)


# The IATI shape of money entered on the site for a pledge.
STAGE_TO_ACTIVITY_STATUS = {
    Pledge.Stage.PLANNING: "1",  # Pipeline/identification
    Pledge.Stage.IN_PROGRESS: "2",  # Implementation
    Pledge.Stage.FULFILLED: "4",  # Closed
    Pledge.Stage.WITHDRAWN: "5",  # Cancelled
}
ORGANISATION_TYPES: dict[str, str] = {  # IATI OrganisationType for the pledger's kind
    Organisation.Kind.UN_ENTITY: "40",  # Multilateral
    Organisation.Kind.ACADEMIA: "80",  # Academic, Training and Research
    Organisation.Kind.PRIVATE_SECTOR: "70",  # Private Sector
    Organisation.Kind.STATE_GOVERNMENT: "10",
    Organisation.Kind.LOCAL_AUTHORITY: "15",  # Other Public Sector
}


def pledger_organisation(pledge: Pledge) -> dict[str, str]:
    """The pledger as an IATI organisation: ``SOLIDARITY-KEN`` for Kenya's government (type
    10), ``SOLIDARITY-ORG-4`` for organisation 4 (type from its kind, 21 NGO by default)."""
    if pledge.state is not None:
        return {
            "ref": f"SOLIDARITY-{pledge.state.iso3}",
            "type": "10",
            "name": pledge.state.name,
        }
    organisation = pledge.organisation
    assert organisation is not None
    return {
        "ref": f"SOLIDARITY-ORG-{organisation.pk}",
        "type": ORGANISATION_TYPES.get(organisation.kind, "21"),
        "name": organisation.name,
    }


@dataclass
class MoneyInput:
    type: str
    date: date
    value: Decimal
    currency: str
    channel: str = FinancialCommitment.Channel.OTHER
    recipient_country: str = ""
    receiver_name: str = ""
    sector: str = ""
    gender_marker: int | None = None
    human_rights_marker: int | None = None
    description: str = ""


SITE_TRANSACTION_TYPES = (
    Transaction.Type.OUTGOING_PLEDGE,
    Transaction.Type.OUTGOING_COMMITMENT,
    Transaction.Type.DISBURSEMENT,
    Transaction.Type.EXPENDITURE,
    Transaction.Type.INCOMING_FUNDS,
)


@transaction.atomic
def money_record(*, actor: User | str, pledge: Pledge, data: MoneyInput) -> Transaction:
    """Record one transaction of a pledge's money, in the pledge's own financial commitment
    (created, in IATI shape, on the first one): the pledge's editors only. The amount is kept
    in its currency and converted to US dollars at its date."""
    if not isinstance(actor, str) and not can_edit_pledge(actor, pledge):
        raise PermissionDenied
    errors: dict[str, str] = {}
    if data.type not in SITE_TRANSACTION_TYPES:
        errors["type"] = _("Choose the kind of transaction.")
    if data.value <= 0:
        errors["value"] = _("Give an amount above zero.")
    currency = data.currency.strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        errors["currency"] = _("Give the ISO 4217 currency code, e.g. EUR.")
    if data.channel not in FinancialCommitment.Channel.values:
        errors["channel"] = _("Choose a channel.")
    recipient = None
    if data.recipient_country:
        recipient = Country.objects.filter(iso3=data.recipient_country.upper()).first()
        if recipient is None:
            errors["recipient_country"] = _("No country has this code.")
    if errors:
        raise ValidationError(errors)
    commitment = (
        FinancialCommitment.objects.select_for_update()
        .filter(pledge=pledge, source=FinancialCommitment.Source.SITE)
        .first()
    )
    if commitment is None:
        commitment = _site_commitment(actor=actor, pledge=pledge, data=data)
    before = audit_snapshot(commitment, fields=("channel", "gender_marker", "human_rights_marker"))
    commitment.channel = data.channel
    if data.gender_marker is not None:
        commitment.gender_marker = data.gender_marker
    if data.human_rights_marker is not None:
        commitment.human_rights_marker = data.human_rights_marker
    _sync_site_codes(commitment)
    if data.sector and not any(s["code"] == data.sector for s in commitment.sectors):
        commitment.sectors = [
            *commitment.sectors,
            {
                "code": data.sector,
                "vocabulary": "1",
                "percentage": None,
                "significance": "",
                "vocabulary_uri": "",
                "name": "",
            },
        ]
    if recipient is not None and not any(
        c["code"] == recipient.iso2 for c in commitment.recipient_countries
    ):
        commitment.recipient_countries = [
            *commitment.recipient_countries,
            {
                "code": recipient.iso2,
                "vocabulary": "",
                "percentage": None,
                "significance": "",
                "vocabulary_uri": "",
                "name": "",
            },
        ]
    commitment.save()
    after = audit_snapshot(commitment, fields=("channel", "gender_marker", "human_rights_marker"))
    if after != before:
        audit_record(
            actor=actor,
            action="financial_commitment.update",
            obj=commitment,
            before=before,
            after=after,
        )
    position = commitment.transactions.count() + 1
    giver = pledger_organisation(pledge)
    row = Transaction.objects.create(
        commitment=commitment,
        position=position,
        type=data.type,
        date=data.date,
        value=data.value,
        currency=currency,
        value_date=data.date,
        value_usd=to_usd(data.value, currency, data.date),
        description=data.description.strip(),
        provider_ref=giver["ref"],
        provider_type=giver["type"],
        provider_name=giver["name"],
        has_provider=True,
        receiver_name=data.receiver_name.strip(),
        has_receiver=bool(data.receiver_name.strip()),
        recipient_country=recipient.iso2 if recipient is not None else "",
    )
    audit_record(
        actor=actor,
        action="transaction.create",
        obj=row,
        after={
            "commitment": commitment.pk,
            "pledge": pledge.pk,
            "type": row.type,
            "date": row.date,
            "value": row.value,
            "currency": row.currency,
            "value_usd": row.value_usd,
        },
    )
    return row


def _site_commitment(*, actor: User | str, pledge: Pledge, data: MoneyInput) -> FinancialCommitment:
    giver = pledger_organisation(pledge)
    identifier = f"{giver['ref']}-PLEDGE-{pledge.pk}"
    commitment = FinancialCommitment.objects.create(
        pledge=pledge,
        iati_identifier=identifier,
        import_key=identifier,
        title=pledge.title[:500],
        titles={"en": pledge.title},
        descriptions={"en": pledge.what},
        language="en",
        reporting_org_ref=giver["ref"],
        reporting_org_type=giver["type"],
        reporting_org_name=giver["name"],
        provider_state=pledge.state,
        default_currency=data.currency.strip().upper(),
        activity_status=STAGE_TO_ACTIVITY_STATUS[Pledge.Stage(pledge.stage)],
        activity_dates=[["1", pledge.created_at.date().isoformat()]],
        participating_orgs=[{**giver, "role": "1"}],  # Funding
        sectors=[],
        source=FinancialCommitment.Source.SITE,
    )
    commitment.objectives.set(pledge.objectives.all())
    audit_record(
        actor=actor,
        action="financial_commitment.create",
        obj=commitment,
        after={"pledge": pledge.pk, "iati_identifier": identifier},
    )
    return commitment


def _sync_site_codes(commitment: FinancialCommitment) -> None:
    """Keep the IATI tags and markers of a site-entered commitment in step with its pledge, its
    channel and its markers, so that what is exported says what the page shows."""
    pledge = commitment.pledge
    assert pledge is not None
    tags = [bridge.own_tag(f"PLEDGE-{pledge.pk}")]
    tags += [bridge.own_tag(f"GCM-{o.number}") for o in pledge.objectives.order_by("number")]
    tags.append(bridge.own_tag(f"CHANNEL-{commitment.channel.upper()}"))
    commitment.tags = tags
    markers = []
    if commitment.gender_marker is not None:
        markers.append(
            {
                "code": "1",
                "vocabulary": "1",
                "percentage": None,
                "significance": str(commitment.gender_marker),
                "vocabulary_uri": "",
                "name": "",
            }
        )
    if commitment.human_rights_marker is not None:
        markers.append(bridge.own_marker(bridge.HUMAN_RIGHTS, commitment.human_rights_marker))
    commitment.policy_markers = markers
    commitment.collaboration_type = (
        "1" if commitment.channel == FinancialCommitment.Channel.BILATERAL else ""
    )


@dataclass
class IatiImportResult:
    """What an import did, or why it did nothing."""

    file_name: str
    schema_checked: bool
    activities: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    transactions: int = 0
    not_converted: int = 0
    problems: list[Problem] = field(default_factory=list)
    problems_left_out: int = 0
    warnings: list[str] = field(default_factory=list)
    # A dry run: everything was checked and counted, then rolled back.
    dry_run: bool = False
    # An IATI 1.x file read with the 1.x mapping: what could not be mapped (left out).
    legacy: bool = False
    notices: list[Problem] = field(default_factory=list)
    notices_left_out: int = 0

    @property
    def imported(self) -> bool:
        return not self.problems


class _RejectedError(Exception):
    pass


class _DryRunDoneError(Exception):
    pass


# Activities handled per round of queries: bounds memory and keeps the query count per
# activity small (one lookup per batch, not one per activity).
IMPORT_BATCH = 200


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def iati_import(
    *,
    actor: User | str,
    path: str | os.PathLike[str],
    schema_dir: str | os.PathLike[str] | None,
    file_name: str = "",
    dry_run: bool = False,
) -> IatiImportResult:
    """Import an IATI 2.0x activity file: each activity becomes (or updates) a financial
    commitment keyed by its ``iati-identifier``, with its transactions converted to US dollars.

    One transaction, streamed: the file is read activity by activity and written in batches;
    any problem anywhere (schema or rule) rolls everything back, so an invalid file writes
    nothing, and every problem is listed with file, line, element and rule. Importing the same
    file again changes nothing (each activity's content digest is compared). Without
    ``schema_dir`` Solidarity's own structural rules are applied and the result says that schema
    validation was skipped. Activities with a blank identifier (the standard's test files) are
    keyed by the file's digest and their position.

    An IATI 1.x file (version blank or ``1.0x``) is read with the 1.x → 2.01 mapping of
    :mod:`solidarity.stats.iati`: the 2.03 schema does not apply to it, the result's first
    warning says so, and every element that could not be mapped is listed in ``notices`` (and
    in the warnings) rather than silently dropped.

    Administrators and the CLI import anything. A State's focal point imports for its State's
    pledges: an activity names (tag ``PLEDGE-12``) only pledges they keep — others are not
    linked, with a warning — and an activity already stored for a pledge they do not keep is a
    problem (nothing written). A link made on the site is kept when its activity comes again.

    ``dry_run`` checks and counts everything in the database transaction, then rolls it back:
    the summary shown before a web upload is confirmed.
    """
    if not isinstance(actor, str) and not can_import_iati(actor):
        raise PermissionDenied
    path = Path(path)
    name = file_name or path.name
    sha256 = _sha256(path)
    reading = read_iati(path, file_name=name, schema_dir=schema_dir)
    result = IatiImportResult(
        file_name=name, schema_checked=reading.schema_checked, dry_run=dry_run
    )
    try:
        with transaction.atomic():
            batch: list[tuple[str, Activity]] = []
            position = 0
            for activity in reading.activities():
                position += 1
                if reading.has_problems:
                    continue  # everything will be rolled back: only keep checking
                key = activity.identifier or f"sha256:{sha256[:16]}#{position}"
                batch.append((key, activity))
                if len(batch) >= IMPORT_BATCH:
                    _import_batch(actor, batch, result, name, sha256, reading_legacy=reading.legacy)
                    batch = []
            result.activities = reading.activity_count
            if reading.has_problems:
                raise _RejectedError
            _import_batch(actor, batch, result, name, sha256, reading_legacy=reading.legacy)
            audit_record(
                actor=actor,
                action="iati.import",
                object_type="commitments.iatifile",
                object_id=sha256[:16],
                object_repr=name[:300],
                after={
                    "file": name,
                    "sha256": sha256,
                    "schema_checked": reading.schema_checked,
                    "iati_1x_mapping": reading.legacy,
                    "notices": len(reading.notices) + reading.notices_left_out,
                    "activities": result.activities,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                },
            )
            if dry_run:
                raise _DryRunDoneError
    except _DryRunDoneError:
        pass
    except _RejectedError:
        result.created = result.updated = result.unchanged = result.transactions = 0
        result.not_converted = 0
        result.warnings = []
    except IatiError as error:
        result.problems.append(Problem(name, None, "file", "xml", str(error)))
    result.problems = list(reading.problems) + [
        p for p in result.problems if p not in reading.problems
    ]
    result.problems_left_out = reading.problems_left_out
    result.legacy = reading.legacy
    result.schema_checked = reading.schema_checked
    result.notices = list(reading.notices)
    result.notices_left_out = reading.notices_left_out
    if reading.legacy:
        result.warnings[:0] = [f"{reading.summary}."] + [str(n) for n in reading.notices]
        if reading.notices_left_out:
            result.warnings.insert(
                len(reading.notices) + 1, f"… and {reading.notices_left_out} more notices"
            )
    elif not reading.schema_checked:
        result.warnings.insert(
            0,
            "Schema validation skipped: SOLIDARITY_IATI_SCHEMA_DIR is not set; "
            "Solidarity's own structural rules were applied.",
        )
    return result


def _import_batch(
    actor: User | str,
    batch: list[tuple[str, Activity]],
    result: IatiImportResult,
    file_name: str,
    sha256: str,
    *,
    reading_legacy: bool,
) -> None:
    if not batch:
        return
    keys = [key for key, _activity in batch]
    existing = {
        c.import_key: c
        for c in FinancialCommitment.objects.filter(import_key__in=keys).select_related("pledge")
    }
    # A focal point imports for its State's pledges only; administrators and the CLI for all.
    user = None if isinstance(actor, str) else actor
    restricted = user is not None and not is_administrator(user)
    if restricted:
        refused = [
            (key, activity)
            for key, activity in batch
            if (found := existing.get(key)) is not None
            and found.pledge is not None
            and not can_edit_pledge(user, found.pledge)
        ]
        for key, activity in refused:
            kept_for = existing[key].pledge
            result.problems.append(
                Problem(
                    file_name,
                    activity.line,
                    "iati-activity/iati-identifier",
                    "pledge",
                    f"activity {activity.identifier or key!r} is kept here for pledge "
                    f"P-{kept_for.pk if kept_for else ''}, which you do not keep",
                )
            )
        if refused:
            raise _RejectedError
    state_keys = {bridge.provider_state_key(a) for _key, a in batch} - {None}
    states = {
        key: country
        for country in Country.objects.filter(
            Q(iso2__in=[code for field, code in state_keys if field == "iso2"])  # type: ignore[misc]
            | Q(iso3__in=[code for field, code in state_keys if field == "iso3"])  # type: ignore[misc]
        )
        for key in (("iso2", country.iso2), ("iso3", country.iso3))
    }
    pledge_ids = {bridge.pledge_of(a) for _key, a in batch} - {None}
    pledges = {
        p.pk: p
        for p in Pledge.objects.filter(pk__in=pledge_ids)
        if not restricted or can_edit_pledge(user, p)
    }
    created: list[tuple[FinancialCommitment, Activity, str, int | None]] = []
    updated: list[tuple[FinancialCommitment, Activity, str, int | None]] = []
    for key, activity in batch:
        digest = bridge.activity_digest(activity)
        commitment = existing.get(key)
        pledge_id = bridge.pledge_of(activity)
        # The same activity again changes nothing — unless it names a pledge it is not yet
        # linked to and the importer may link it (an earlier importer could not).
        relink = commitment is not None and pledge_id in pledges and commitment.pledge_id is None
        if commitment is not None and commitment.content_digest == digest and not relink:
            result.unchanged += 1
            continue
        fields = bridge.commitment_fields(activity)
        state_key = bridge.provider_state_key(activity)
        fields["provider_state"] = states.get(state_key) if state_key else None
        fields["pledge"] = pledges.get(pledge_id) if pledge_id else None
        if pledge_id is None and commitment is not None:
            # Linked on the site: the link stays when the activity comes again.
            fields["pledge"] = commitment.pledge
        if pledge_id and pledge_id not in pledges:
            result.warnings.append(
                f"{file_name}, line {activity.line}: activity {activity.identifier!r} names "
                f"pledge P-{pledge_id}, which "
                + ("you do not keep" if restricted else "this platform does not have")
                + "; not linked."
            )
        if commitment is None:
            commitment = FinancialCommitment(import_key=key, source=FinancialCommitment.Source.IATI)
            created.append((commitment, activity, digest, pledge_id))
        else:
            updated.append((commitment, activity, digest, pledge_id))
        for name, value in fields.items():
            setattr(commitment, name, value)
        commitment.source_file = file_name[:255]
        commitment.source_sha256 = sha256
        commitment.content_digest = digest
        commitment.from_iati_1x = reading_legacy
    # Written in bulk, a few statements per batch rather than several per activity: a 50 MB
    # file has tens of thousands of activities.
    FinancialCommitment.objects.bulk_create([c for c, _a, _d, _p in created])
    if updated:
        Transaction.objects.filter(commitment__in=[c for c, _a, _d, _p in updated]).delete()
        FinancialCommitment.objectives.through.objects.filter(
            financialcommitment__in=[c for c, _a, _d, _p in updated]
        ).delete()
        for commitment, _activity, _digest, _pledge in updated:
            commitment.save()
    result.created += len(created)
    result.updated += len(updated)
    links = FinancialCommitment.objectives.through
    new_links = []
    new_rows: list[Transaction] = []
    entries = []
    label = actor if isinstance(actor, str) else actor.get_username()
    for action, group in (
        ("financial_commitment.import", created),
        ("financial_commitment.reimport", updated),
    ):
        for commitment, activity, digest, pledge_id in group:
            new_links += [
                links(financialcommitment_id=commitment.pk, objective_id=number)
                for number in bridge.objectives_of(activity)
            ]
            rows = bridge.transaction_rows(activity, commitment_id=commitment.pk)
            result.not_converted += sum(
                1 for row in rows if row.value_usd is None and row.type in ("2", "3", "4", "12")
            )
            result.transactions += len(rows)
            new_rows.extend(rows)
            # The audit rows of a batch are written together: the same fields as
            # audit_record writes, one row per commitment.
            entries.append(
                AuditEntry(
                    actor=None if isinstance(actor, str) else actor,
                    actor_label=label,
                    action=action,
                    object_type=FinancialCommitment._meta.label_lower,
                    object_id=str(commitment.pk),
                    object_repr=str(commitment)[:300],
                    after={
                        "iati_identifier": commitment.iati_identifier,
                        "file": file_name,
                        "digest": digest,
                        "transactions": len(rows),
                        "pledge": pledge_id,
                    },
                )
            )
    links.objects.bulk_create(new_links, batch_size=1000)
    _insert_transactions(new_rows)
    AuditEntry.objects.bulk_create(entries, batch_size=1000)


def _insert_transactions(rows: list[Transaction]) -> None:
    """Insert transactions with one prepared statement (``executemany``): each field prepared
    for the database as the ORM would, without bulk_create's per-value SQL compilation, which
    took most of the import's time (eight transactions an activity, 26 columns each)."""
    if not rows:
        return
    fields = [f for f in Transaction._meta.concrete_fields if not f.primary_key]
    table = connection.ops.quote_name(Transaction._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    values = [
        tuple(f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields)
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", values)  # noqa: S608


def activity_link(
    *, actor: User | str, pledge: Pledge, commitment: FinancialCommitment
) -> FinancialCommitment:
    """Link an activity imported from IATI to ``pledge``: its transactions then count towards
    the pledge's pledged, committed and disbursed money. Audited.

    Raises
    ------
    PermissionDenied
        ``actor`` may not edit the pledge.
    ValidationError
        The money was entered on the site (it belongs to its pledge), or the activity is
        already linked to another pledge (unlink it there first).
    """
    if not isinstance(actor, str) and not can_link_activities(actor, pledge):
        raise PermissionDenied
    with transaction.atomic():
        commitment = FinancialCommitment.objects.select_for_update().get(pk=commitment.pk)
        if commitment.source != FinancialCommitment.Source.IATI:
            raise ValidationError(
                _("Only activities imported from IATI files can be linked to a pledge.")
            )
        if commitment.pledge_id == pledge.pk:
            return commitment
        if commitment.pledge_id is not None:
            raise ValidationError(
                _(
                    "This activity is already linked to pledge P-%(number)s; "
                    "it must be unlinked there first."
                )
                % {"number": commitment.pledge_id}
            )
        commitment.pledge = pledge
        commitment.save(update_fields=["pledge", "updated_at"])
        audit_record(
            actor=actor,
            action="financial_commitment.link",
            obj=commitment,
            before={"pledge": None},
            after={"pledge": pledge.pk, "iati_identifier": commitment.iati_identifier},
        )
    return commitment


def activity_unlink(*, actor: User | str, commitment: FinancialCommitment) -> FinancialCommitment:
    """Unlink an imported activity from its pledge (its money no longer counts there). Audited.

    Raises
    ------
    PermissionDenied
        ``actor`` may not edit the pledge it is linked to.
    ValidationError
        The activity is not linked, or its money was entered on the site.
    """
    with transaction.atomic():
        # Only the commitment's row is locked: PostgreSQL cannot lock the nullable side of
        # the outer join to its pledge.
        commitment = (
            FinancialCommitment.objects.select_for_update(of=("self",)).select_related("pledge")
        ).get(pk=commitment.pk)
        pledge = commitment.pledge
        if pledge is None:
            raise ValidationError(_("This activity is not linked to a pledge."))
        if not isinstance(actor, str) and not can_link_activities(actor, pledge):
            raise PermissionDenied
        if commitment.source != FinancialCommitment.Source.IATI:
            raise ValidationError(
                _("Money entered on the site belongs to its pledge and cannot be unlinked.")
            )
        commitment.pledge = None
        commitment.save(update_fields=["pledge", "updated_at"])
        audit_record(
            actor=actor,
            action="financial_commitment.unlink",
            obj=commitment,
            before={"pledge": pledge.pk},
            after={"pledge": None, "iati_identifier": commitment.iati_identifier},
        )
    return commitment
