"""Writing IATI 2.03 activity files with lxml's incremental writer, one activity at a time, in
the element order the official schema's sequence demands."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import IO, Any

from lxml import etree  # type: ignore[import-untyped]  # no lxml-stubs pinned here

from ._model import Activity, Coded, Organisation, Transaction
from ._read import XML_LANG


def _narratives(parent: Any, texts: dict[str, str]) -> None:
    for language, text in texts.items():
        narrative = etree.SubElement(parent, "narrative")
        if language:
            narrative.set(XML_LANG, language)
        narrative.text = text


def _organisation(parent: Any, tag: str, organisation: Organisation, *, role: bool) -> None:
    element = etree.SubElement(parent, tag)
    if organisation.ref:
        element.set("ref", organisation.ref)
    if role:
        element.set("role", organisation.role)
    if organisation.type:
        element.set("type", organisation.type)
    if organisation.name:
        _narratives(element, {"": organisation.name})


def _number(value: Decimal) -> str:
    # Decimal's own text, never an exponent: xs:decimal has none.
    return format(value, "f")


def _coded(parent: Any, tag: str, coded: Coded) -> None:
    element = etree.SubElement(parent, tag)
    if coded.vocabulary:
        element.set("vocabulary", coded.vocabulary)
    if coded.vocabulary_uri:
        element.set("vocabulary-uri", coded.vocabulary_uri)
    element.set("code", coded.code)
    if coded.significance:
        element.set("significance", coded.significance)
    if coded.percentage is not None:
        element.set("percentage", _number(coded.percentage))
    if coded.name:
        _narratives(element, {"": coded.name})


def _code(parent: Any, tag: str, code: str) -> None:
    if code:
        etree.SubElement(parent, tag, code=code)


def _transaction(parent: Any, transaction: Transaction) -> None:
    element = etree.SubElement(parent, "transaction")
    if transaction.ref:
        element.set("ref", transaction.ref)
    etree.SubElement(element, "transaction-type", code=transaction.type)
    if transaction.date is not None:
        etree.SubElement(element, "transaction-date", {"iso-date": transaction.date.isoformat()})
    value = etree.SubElement(element, "value")
    if transaction.currency:
        value.set("currency", transaction.currency)
    if transaction.value_date is not None:
        value.set("value-date", transaction.value_date.isoformat())
    value.text = _number(transaction.value)
    if transaction.description:
        _narratives(etree.SubElement(element, "description"), {"": transaction.description})
    if transaction.provider is not None:
        _organisation(element, "provider-org", transaction.provider, role=False)
    if transaction.receiver is not None:
        _organisation(element, "receiver-org", transaction.receiver, role=False)
    _code(element, "disbursement-channel", transaction.disbursement_channel)
    for sector in transaction.sectors:
        _coded(element, "sector", sector)
    _code(element, "recipient-country", transaction.recipient_country)
    _code(element, "recipient-region", transaction.recipient_region)
    _code(element, "flow-type", transaction.flow_type)
    _code(element, "finance-type", transaction.finance_type)
    _code(element, "aid-type", transaction.aid_type)
    _code(element, "tied-status", transaction.tied_status)


def activity_element(activity: Activity) -> Any:
    """The ``iati-activity`` element of ``activity``, children in the schema's order."""
    element = etree.Element("iati-activity")
    if activity.language:
        element.set(XML_LANG, activity.language)
    if activity.default_currency:
        element.set("default-currency", activity.default_currency)
    etree.SubElement(element, "iati-identifier").text = activity.identifier
    _organisation(element, "reporting-org", activity.reporting_org, role=False)
    _narratives(etree.SubElement(element, "title"), activity.titles)
    _narratives(etree.SubElement(element, "description"), activity.descriptions)
    for organisation in activity.participating_orgs:
        _organisation(element, "participating-org", organisation, role=True)
    etree.SubElement(element, "activity-status", code=activity.status)
    for kind, day in activity.dates:
        etree.SubElement(element, "activity-date", {"type": kind, "iso-date": day.isoformat()})
    for country in activity.recipient_countries:
        _coded(element, "recipient-country", country)
    for region in activity.recipient_regions:
        _coded(element, "recipient-region", region)
    for sector in activity.sectors:
        _coded(element, "sector", sector)
    for tag in activity.tags:
        _coded(element, "tag", tag)
    for marker in activity.policy_markers:
        _coded(element, "policy-marker", marker)
    _code(element, "collaboration-type", activity.collaboration_type)
    for transaction in activity.transactions:
        _transaction(element, transaction)
    return element


def write_iati(
    activities: Iterable[Activity],
    out: IO[bytes],
    *,
    generated: datetime | None = None,
) -> int:
    """Write ``activities`` to ``out`` as an IATI 2.03 activity file; return how many.

    The file is written as the activities come (lxml's ``xmlfile``), so an export of any size
    takes the memory of one activity. An activity must carry what the schema requires (a title
    and a description narrative, a participating organisation, a status and a date);
    `solidarity.stats.iati.check_iati` with the schema folder tells whether it does.

    Examples
    --------
    >>> import io
    >>> from datetime import date
    >>> from solidarity.stats.iati import Activity, Organisation, read_iati
    >>> activity = Activity(identifier="XM-1", reporting_org=Organisation("XM", "10", "X"),
    ...     titles={"en": "Safe migration"}, descriptions={"en": "Training."},
    ...     participating_orgs=(Organisation("XM", "10", "X", role="1"),), status="2",
    ...     dates=(("1", date(2020, 1, 1)),))
    >>> out = io.BytesIO()
    >>> write_iati([activity], out, generated=datetime(2024, 1, 1, tzinfo=UTC))
    1
    >>> [a == activity for a in read_iati(out.getvalue()).activities()]
    [True]
    """
    stamp = (generated or datetime.now(UTC)).replace(microsecond=0).isoformat()
    count = 0
    with etree.xmlfile(out, encoding="utf-8") as writer:
        writer.write_declaration()
        with writer.element("iati-activities", {"version": "2.03", "generated-datetime": stamp}):
            for activity in activities:
                writer.write(activity_element(activity), pretty_print=True)
                count += 1
    return count
