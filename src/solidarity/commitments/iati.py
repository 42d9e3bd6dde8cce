"""The bridge between IATI activities (:mod:`solidarity.stats.iati`, plain Python) and the
commitments' rows: what an activity becomes when stored, and the activity a stored commitment
exports as. Both directions use the same fields, so an export read back stores the same rows.

Solidarity's own vocabulary (IATI tag and policy-marker vocabulary 99, the reporting
organisation's, with :data:`~solidarity.stats.iati.GCM_TAG_VOCABULARY_URI`):

- tag ``GCM-7``: the activity serves GCM objective 7;
- tag ``PLEDGE-12``: the activity carries money for pledge P-12 of this platform;
- tag ``CHANNEL-MPTF`` / ``CHANNEL-BILATERAL`` / ``CHANNEL-OTHER``: the channel;
- policy marker ``HUMAN-RIGHTS`` with a DAC significance (0 to 2): the human-rights marker, which
  the DAC policy-marker codelist does not have. The gender marker is the DAC one (vocabulary 1,
  code 1).
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from decimal import Decimal
from typing import Any

from solidarity.commitments.models import FinancialCommitment, Transaction
from solidarity.commitments.rates import to_usd
from solidarity.stats.iati import (
    GCM_TAG_VOCABULARY_URI,
    Activity,
    Coded,
    Organisation,
    canonical_decimal,
)
from solidarity.stats.iati import (
    Transaction as IatiTransaction,
)

OWN_VOCABULARY = "99"
HUMAN_RIGHTS = "HUMAN-RIGHTS"
_OBJECTIVE_TAG = re.compile(r"^GCM-(\d{1,2})$")
_PLEDGE_TAG = re.compile(r"^PLEDGE-(\d+)$")
_CHANNEL_TAG = re.compile(r"^CHANNEL-(MPTF|BILATERAL|OTHER)$")
# An IATI organisation identifier of a government starts with its ISO 3166-1 alpha-2 code
# (``GB-GOV-1``, ``SE-0``); ``XM``, ``XI`` and ``XX`` are IATI's own prefixes, not States.
_STATE_PREFIX = re.compile(r"^([A-Z]{2})-")
# Money entered on this platform is reported as ``SOLIDARITY-KEN`` for Kenya's pledges.
_OWN_STATE = re.compile(r"^SOLIDARITY-([A-Z]{3})$")
NOT_STATES = frozenset({"XM", "XI", "XX"})
GOVERNMENT = "10"


def activity_digest(activity: Activity) -> str:
    """A digest of everything the activity says (not where it was read from)."""
    return hashlib.sha256(repr(activity).encode()).hexdigest()


def _coded_json(coded: Coded) -> dict[str, Any]:
    return {
        "code": coded.code,
        "vocabulary": coded.vocabulary,
        "percentage": None if coded.percentage is None else str(coded.percentage),
        "significance": coded.significance,
        "vocabulary_uri": coded.vocabulary_uri,
        "name": coded.name,
    }


def _coded(data: dict[str, Any]) -> Coded:
    percentage = data.get("percentage")
    return Coded(
        code=data["code"],
        vocabulary=data.get("vocabulary", ""),
        percentage=None if percentage is None else Decimal(percentage),
        significance=data.get("significance", ""),
        vocabulary_uri=data.get("vocabulary_uri", ""),
        name=data.get("name", ""),
    )


def _organisation_json(organisation: Organisation) -> dict[str, str]:
    return {
        "ref": organisation.ref,
        "type": organisation.type,
        "name": organisation.name,
        "role": organisation.role,
    }


def _own(coded: Coded) -> bool:
    return coded.vocabulary == OWN_VOCABULARY and coded.vocabulary_uri == GCM_TAG_VOCABULARY_URI


def objectives_of(activity: Activity) -> list[int]:
    """GCM objective numbers from the activity's tags in Solidarity's vocabulary."""
    numbers = []
    for tag in activity.tags:
        match = _OBJECTIVE_TAG.match(tag.code) if _own(tag) else None
        if match and 1 <= int(match.group(1)) <= 23:
            numbers.append(int(match.group(1)))
    return sorted(set(numbers))


def pledge_of(activity: Activity) -> int | None:
    """The platform pledge an activity says it carries money for, if any."""
    for tag in activity.tags:
        match = _PLEDGE_TAG.match(tag.code) if _own(tag) else None
        if match:
            return int(match.group(1))
    return None


def _channel(activity: Activity) -> str:
    for tag in activity.tags:
        match = _CHANNEL_TAG.match(tag.code) if _own(tag) else None
        if match:
            return match.group(1).lower()
    names = [org.name for org in activity.participating_orgs] + [
        t.receiver.name for t in activity.transactions if t.receiver is not None
    ]
    if any("migration multi-partner trust fund" in name.casefold() for name in names):
        return FinancialCommitment.Channel.MPTF
    if activity.collaboration_type == "1":
        return FinancialCommitment.Channel.BILATERAL
    return FinancialCommitment.Channel.OTHER


def _marker(activity: Activity, *, human_rights: bool) -> int | None:
    for marker in activity.policy_markers:
        if human_rights:
            matches = _own(marker) and marker.code == HUMAN_RIGHTS
        else:
            matches = marker.vocabulary in ("", "1") and marker.code == "1"
        if matches and marker.significance.isdigit():
            return int(marker.significance)
    return None


def provider_state_key(activity: Activity) -> tuple[str, str] | None:
    """How to find the State that reports the activity, when the reporting organisation is a
    government (type 10): ``("iso2", "SE")`` for an identifier with a country prefix,
    ``("iso3", "KEN")`` for this platform's own ``SOLIDARITY-KEN``."""
    org = activity.reporting_org
    if org.type != GOVERNMENT:
        return None
    own = _OWN_STATE.match(org.ref)
    if own:
        return ("iso3", own.group(1))
    match = _STATE_PREFIX.match(org.ref)
    if match and match.group(1) not in NOT_STATES:
        return ("iso2", match.group(1))
    return None


def commitment_fields(activity: Activity) -> dict[str, Any]:
    """The :class:`FinancialCommitment` fields ``activity`` stores (without keys and links)."""
    return {
        "iati_identifier": activity.identifier,
        "title": activity.title[:500],
        "titles": activity.titles,
        "descriptions": activity.descriptions,
        "language": activity.language,
        "reporting_org_ref": activity.reporting_org.ref,
        "reporting_org_type": activity.reporting_org.type,
        "reporting_org_name": activity.reporting_org.name,
        "default_currency": activity.default_currency,
        "activity_status": activity.status,
        "activity_dates": [[kind, day.isoformat()] for kind, day in activity.dates],
        "participating_orgs": [_organisation_json(o) for o in activity.participating_orgs],
        "recipient_countries": [_coded_json(c) for c in activity.recipient_countries],
        "recipient_regions": [_coded_json(c) for c in activity.recipient_regions],
        "sectors": [_coded_json(c) for c in activity.sectors],
        "tags": [_coded_json(c) for c in activity.tags],
        "policy_markers": [_coded_json(c) for c in activity.policy_markers],
        "collaboration_type": activity.collaboration_type,
        "channel": _channel(activity),
        "gender_marker": _marker(activity, human_rights=False),
        "human_rights_marker": _marker(activity, human_rights=True),
    }


def transaction_rows(activity: Activity, *, commitment_id: int) -> list[Transaction]:
    """Unsaved :class:`Transaction` rows for the activity's transactions, converted to USD."""
    rows = []
    for position, item in enumerate(activity.transactions, start=1):
        currency = item.currency or activity.default_currency
        rows.append(
            Transaction(
                commitment_id=commitment_id,
                position=position,
                type=item.type,
                date=item.date,
                value=item.value,
                currency=item.currency,
                value_date=item.value_date,
                value_usd=to_usd(item.value, currency, item.value_date or item.date),
                ref=item.ref,
                description=item.description,
                provider_ref=item.provider.ref if item.provider else "",
                provider_type=item.provider.type if item.provider else "",
                provider_name=item.provider.name if item.provider else "",
                has_provider=item.provider is not None,
                receiver_ref=item.receiver.ref if item.receiver else "",
                receiver_type=item.receiver.type if item.receiver else "",
                receiver_name=item.receiver.name if item.receiver else "",
                has_receiver=item.receiver is not None,
                disbursement_channel=item.disbursement_channel,
                sectors=[_coded_json(c) for c in item.sectors],
                recipient_country=item.recipient_country,
                recipient_region=item.recipient_region,
                flow_type=item.flow_type,
                finance_type=item.finance_type,
                aid_type=item.aid_type,
                tied_status=item.tied_status,
            )
        )
    return rows


def _iati_transaction(row: Transaction) -> IatiTransaction:
    return IatiTransaction(
        type=row.type,
        date=row.date,
        value=canonical_decimal(Decimal(row.value)),
        value_date=row.value_date,
        currency=row.currency,
        ref=row.ref,
        description=row.description,
        provider=(
            Organisation(row.provider_ref, row.provider_type, row.provider_name)
            if row.has_provider
            else None
        ),
        receiver=(
            Organisation(row.receiver_ref, row.receiver_type, row.receiver_name)
            if row.has_receiver
            else None
        ),
        disbursement_channel=row.disbursement_channel,
        sectors=tuple(_coded(c) for c in row.sectors),
        recipient_country=row.recipient_country,
        recipient_region=row.recipient_region,
        flow_type=row.flow_type,
        finance_type=row.finance_type,
        aid_type=row.aid_type,
        tied_status=row.tied_status,
    )


def activity_of(commitment: FinancialCommitment) -> Activity:
    """The IATI activity a stored commitment exports as (its transactions prefetched)."""
    return Activity(
        identifier=commitment.iati_identifier,
        reporting_org=Organisation(
            commitment.reporting_org_ref,
            commitment.reporting_org_type,
            commitment.reporting_org_name,
        ),
        titles=dict(commitment.titles) or {"": commitment.title},
        descriptions=dict(commitment.descriptions),
        default_currency=commitment.default_currency,
        language=commitment.language,
        status=commitment.activity_status,
        dates=tuple((kind, date.fromisoformat(day)) for kind, day in commitment.activity_dates),
        participating_orgs=tuple(
            Organisation(o["ref"], o["type"], o["name"], o["role"])
            for o in commitment.participating_orgs
        ),
        recipient_countries=tuple(map(_coded, commitment.recipient_countries)),
        recipient_regions=tuple(map(_coded, commitment.recipient_regions)),
        sectors=tuple(map(_coded, commitment.sectors)),
        tags=tuple(map(_coded, commitment.tags)),
        policy_markers=tuple(map(_coded, commitment.policy_markers)),
        collaboration_type=commitment.collaboration_type,
        transactions=tuple(_iati_transaction(row) for row in commitment.transactions.all()),
    )


def own_tag(code: str, name: str = "") -> dict[str, Any]:
    """A tag of Solidarity's vocabulary, as stored in ``FinancialCommitment.tags``."""
    return _coded_json(
        Coded(
            code=code, vocabulary=OWN_VOCABULARY, vocabulary_uri=GCM_TAG_VOCABULARY_URI, name=name
        )
    )


def own_marker(code: str, significance: int) -> dict[str, Any]:
    return _coded_json(
        Coded(
            code=code,
            vocabulary=OWN_VOCABULARY,
            vocabulary_uri=GCM_TAG_VOCABULARY_URI,
            significance=str(significance),
        )
    )


def coded_json(coded: Coded) -> dict[str, Any]:
    return _coded_json(coded)
