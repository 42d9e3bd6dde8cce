"""Reading IATI 1.0x activity files (and the 2009-2010 pilot files before them) as 2.0x
activities, with the IATI Standard's own 1.x → 2.01 upgrade mapping (``data/iati1_to_2.csv``, see
``data/PROVENANCE.md``).

A file is read this way when its ``iati-activities/@version`` is blank or starts with ``1.``, or
when its root is a lone ``iati-activity`` (the pilot "worked example"). The 2.03 schema does not
apply to such a file, so Solidarity's own rules are used instead, in two strengths:

- **problems** refuse the file, as for a 2.0x file: an amount that is not a decimal, a date that
  is not a date — anything that would store a wrong value;
- **notices** are reported and the file still imports: a code with no 2.x equivalent (the
  classification, or the transaction, is then left out — never guessed), an empty placeholder
  element, an element Solidarity does not read at all.

What changes between 1.x and 2.x, and how it is read:

- names and descriptions are text, not ``narrative`` elements (``xml:lang`` on the element);
- organisations carry their name as text; ``participating-org/@role`` is a word (``Funding``);
- ``transaction-type/@code`` is a letter code (``C``, ``D``, …), or in the pilot files the
  codelist's name in ``transaction/@type`` (``commitment``);
- ``activity-date/@type`` is ``start-planned`` and the like;
- sector and policy-marker vocabularies are the 1.x ``Vocabulary`` codes (``DAC``, ``RO``);
- the pilot files put codes in ``@ref`` rather than ``@code``: both are read.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

from ._model import Activity, Coded, Organisation, Transaction, canonical_decimal

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

LEGACY_SUMMARY = "IATI 1.0x file: read with the 1.x mapping; 2.03 schema validation does not apply"

# Codelists whose codes did not change between 1.0x and 2.01: a value is read as given once it
# has the codelist's shape (what does not is reported, not stored).
_SHAPES = {
    "activity-status": re.compile(r"^[1-6]$"),
    "collaboration-type": re.compile(r"^[1-8]$"),
    "recipient-country": re.compile(r"^[A-Z]{2}$"),
    "recipient-region": re.compile(r"^\d{3}$"),
    "organisation-type": re.compile(r"^\d{2}$"),
    "policy-marker": re.compile(r"^\d{1,2}$"),
    "significance": re.compile(r"^[0-4]$"),
    "disbursement-channel": re.compile(r"^[1-4]$"),
    "flow-type": re.compile(r"^\d{2}$"),
    "finance-type": re.compile(r"^\d{3}$"),
    "aid-type": re.compile(r"^[A-H]\d{2}$"),
    "tied-status": re.compile(r"^[345]$"),
    "currency": re.compile(r"^[A-Z]{3}$"),
}
# The children of iati-activity and of transaction that Solidarity reads; the others are listed
# in one notice per file, as a 2.0x file's would be ignored.
_READ = frozenset(
    {
        "iati-identifier",
        "reporting-org",
        "title",
        "description",
        "activity-status",
        "activity-date",
        "participating-org",
        "recipient-country",
        "recipient-region",
        "sector",
        "policy-marker",
        "collaboration-type",
        "transaction",
    }
)
_READ_IN_TRANSACTION = frozenset(
    {
        "transaction-type",
        "transaction-date",
        "value",
        "description",
        "provider-org",
        "receiver-org",
        "disbursement-channel",
        "flow-type",
        "finance-type",
        "aid-type",
        "tied-status",
    }
)

Note = Callable[[int | None, str, str, str], None]


@lru_cache(maxsize=1)
def legacy_codes() -> dict[tuple[str, str], dict[str, str]]:
    """The mapping file as ``{(element, attribute): {1.x code or name, casefolded: 2.x code}}``.

    >>> legacy_codes()[("transaction-type", "code")]["c"]
    '2'
    >>> legacy_codes()[("transaction-type", "code")]["disbursement"]
    '3'
    """
    mapping: dict[tuple[str, str], dict[str, str]] = {}
    text = resources.files("solidarity.stats.iati").joinpath("data/iati1_to_2.csv")
    with text.open("r", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            codes = mapping.setdefault((row["element"], row["attribute"]), {})
            codes[row["v1"].casefold()] = row["v2"]
            codes.setdefault(row["name"].casefold(), row["v2"])
    return mapping


def is_legacy_version(version: str | None) -> bool:
    """Whether an ``iati-activities/@version`` names IATI 1.x (blank: the pilot files).

    >>> is_legacy_version("1.05"), is_legacy_version(""), is_legacy_version("2.03")
    (True, True, False)
    >>> is_legacy_version(None)
    False
    """
    if version is None:
        return False
    version = version.strip()
    return not version or version.startswith("1.")


def _attr(element: Any, name: str) -> str:
    return str(element.get(name, "")).strip()


def _text(element: Any | None) -> str:
    if element is None:
        return ""
    return " ".join((element.text or "").split())


def _is_empty(element: Any) -> bool:
    return (
        not any(str(v).strip() for v in element.attrib.values())
        and not (element.text or "").strip()
        and not len(element)
    )


class _Reader:
    def __init__(self, problem: Note, note: Note) -> None:
        self.problem = problem
        self._note = note
        # The same notice on many elements (a file's 300 sectors of one unmapped vocabulary)
        # is reported once, with how many times and where first.
        self.pending: dict[tuple[str, str, str], list[int | None]] = {}
        self.empty: Counter[str] = Counter()
        self.not_read: Counter[str] = Counter()
        self.codes = legacy_codes()

    def note(self, line: int | None, path: str, rule: str, message: str) -> None:
        self.pending.setdefault((path, rule, message), []).append(line)

    def mapped(self, element: Any, attribute: str, value: str, what: str) -> str | None:
        code = self.codes[(_local(element), attribute)].get(value.casefold())
        if code is None:
            self.note(
                element.sourceline,
                f"iati-activity/{_path(element)}/@{attribute}",
                "1.x mapping",
                f"{value!r} is no IATI 1.x {what} code or name: "
                f"{_not_imported(element)} not imported",
            )
        return code

    def shaped(self, element: Any, codelist: str, value: str, path: str) -> str:
        """``value`` when it has the codelist's shape, else "" (reported)."""
        if not value or _SHAPES[codelist].match(value):
            return value
        self.note(
            element.sourceline,
            path,
            "1.x mapping",
            f"{value!r} is no code of the {codelist} codelist; left out",
        )
        return ""

    def decimal(self, element: Any, text: str, path: str) -> Decimal | None:
        from ._read import parse_decimal

        value = parse_decimal(text)
        if value is None:
            self.problem(element.sourceline, path, "decimal", f"{text!r} is not a decimal amount")
        return value

    def date(self, element: Any, attribute: str, path: str) -> Any:
        from ._read import parse_date

        text = _attr(element, attribute)
        if not text:
            return None
        value = parse_date(text)
        if value is None:
            self.problem(
                element.sourceline, f"{path}/@{attribute}", "date", f"{text!r} is not a date"
            )
        return value

    def code(self, element: Any) -> str:
        # 1.0x puts codes in @code; the pilot files in @ref.
        return _attr(element, "code") or _attr(element, "ref")

    def organisation(self, element: Any | None, path: str) -> Organisation | None:
        if element is None:
            return None
        return Organisation(
            ref=_attr(element, "ref"),
            type=self.shaped(element, "organisation-type", _attr(element, "type"), f"{path}/@type"),
            name=_text(element),
        )

    def percentage(self, element: Any, path: str) -> Decimal | None:
        text = _attr(element, "percentage")
        return self.decimal(element, text, f"{path}/@percentage") if text else None

    def activity(self, element: Any) -> Activity:
        children = [child for child in element if isinstance(child.tag, str)]
        for child in children:
            name = _local(child)
            if name not in _READ:
                self.not_read[name] += 1
            elif _is_empty(child):
                self.empty[name] += 1
        live = [c for c in children if _local(c) in _READ and not _is_empty(c)]

        def each(name: str) -> list[Any]:
            return [c for c in live if _local(c) == name]

        titles: dict[str, str] = {}
        for title in each("title"):
            if _text(title):
                titles.setdefault(title.get(XML_LANG, ""), _text(title))
        if not titles:
            self.note(element.sourceline, "iati-activity/title", "1.x mapping", "no title")
        descriptions: dict[str, str] = {}
        for description in each("description"):
            if _text(description):
                descriptions.setdefault(description.get(XML_LANG, ""), _text(description))
        reporting = each("reporting-org")
        status = ""
        for child in each("activity-status"):
            status = self.shaped(
                child, "activity-status", self.code(child), "iati-activity/activity-status/@code"
            )
        dates = []
        for child in each("activity-date"):
            kind = self.mapped(child, "type", _attr(child, "type"), "activity date type")
            day = self.date(child, "iso-date", "iati-activity/activity-date")
            if kind is not None and day is None and not _attr(child, "iso-date"):
                self.note(
                    child.sourceline,
                    "iati-activity/activity-date/@iso-date",
                    "1.x mapping",
                    "is missing: activity date not imported",
                )
            if kind is not None and day is not None:
                dates.append((kind, day))
        participants = []
        for child in each("participating-org"):
            role = self.mapped(child, "role", _attr(child, "role"), "organisation role")
            org = self.organisation(child, "iati-activity/participating-org")
            if role is not None and org is not None:
                participants.append(
                    Organisation(ref=org.ref, type=org.type, name=org.name, role=role)
                )
        countries = []
        for child in each("recipient-country"):
            path = "iati-activity/recipient-country"
            code = self.shaped(child, "recipient-country", _attr(child, "code"), f"{path}/@code")
            if code:
                countries.append(
                    Coded(code, percentage=self.percentage(child, path), name=_text(child))
                )
            elif not _attr(child, "code"):
                self.note(child.sourceline, f"{path}/@code", "1.x mapping", "is blank; left out")
        regions = []
        for child in each("recipient-region"):
            path = "iati-activity/recipient-region"
            code = self.shaped(child, "recipient-region", _attr(child, "code"), f"{path}/@code")
            if code:
                regions.append(
                    Coded(code, percentage=self.percentage(child, path), name=_text(child))
                )
        sectors = [s for s in map(self.sector, each("sector")) if s is not None]
        markers = [m for m in map(self.marker, each("policy-marker")) if m is not None]
        collaboration = ""
        for child in each("collaboration-type"):
            collaboration = self.shaped(
                child,
                "collaboration-type",
                self.code(child),
                "iati-activity/collaboration-type/@code",
            )
        transactions = []
        for child in each("transaction"):
            item = self.transaction(child)
            if item is not None:
                transactions.append(item)
        default_currency = self.shaped(
            element,
            "currency",
            _attr(element, "default-currency"),
            "iati-activity/@default-currency",
        )
        return Activity(
            identifier=" ".join((element.findtext("iati-identifier") or "").split()),
            reporting_org=(
                self.organisation(reporting[0], "iati-activity/reporting-org") or Organisation()
            )
            if reporting
            else Organisation(),
            titles=titles,
            descriptions=descriptions,
            default_currency=default_currency,
            language=_attr(element, XML_LANG),
            status=status,
            dates=tuple(dates),
            participating_orgs=tuple(participants),
            recipient_countries=tuple(countries),
            recipient_regions=tuple(regions),
            sectors=tuple(sectors),
            policy_markers=tuple(markers),
            collaboration_type=collaboration,
            transactions=tuple(transactions),
            line=element.sourceline,
        )

    def sector(self, element: Any) -> Coded | None:
        path = "iati-activity/sector"
        code = self.code(element)
        vocabulary = _attr(element, "vocabulary")
        if not code:
            self.note(element.sourceline, f"{path}/@code", "1.x mapping", "is blank; left out")
            return None
        mapped = (
            self.mapped(element, "vocabulary", vocabulary, "sector vocabulary")
            if (vocabulary)
            else ""
        )
        if mapped is None:
            return None
        return Coded(
            code,
            vocabulary=mapped,
            percentage=self.percentage(element, path),
            name=_text(element),
        )

    def marker(self, element: Any) -> Coded | None:
        path = "iati-activity/policy-marker"
        code = self.shaped(element, "policy-marker", self.code(element), f"{path}/@code")
        if not code:
            return None
        vocabulary = _attr(element, "vocabulary")
        mapped = (
            self.mapped(element, "vocabulary", vocabulary, "policy-marker vocabulary")
            if (vocabulary)
            else ""
        )
        if mapped is None:
            return None
        return Coded(
            code,
            vocabulary=mapped,
            significance=self.shaped(
                element, "significance", _attr(element, "significance"), f"{path}/@significance"
            ),
            name=_text(element),
        )

    def transaction(self, element: Any) -> Transaction | None:
        where = "iati-activity/transaction"
        for child in element:
            if isinstance(child.tag, str) and _local(child) not in _READ_IN_TRANSACTION:
                self.not_read[f"transaction/{_local(child)}"] += 1
        type_element = element.find("transaction-type")
        if type_element is not None and self.code(type_element):
            kind = self.mapped(type_element, "code", self.code(type_element), "transaction type")
        elif _attr(element, "type"):
            # The pilot files: <transaction type="commitment">.
            kind = self.codes[("transaction-type", "code")].get(_attr(element, "type").casefold())
            if kind is None:
                self.note(
                    element.sourceline,
                    f"{where}/@type",
                    "1.x mapping",
                    f"{_attr(element, 'type')!r} is no IATI 1.x transaction type code or name: "
                    "transaction not imported",
                )
        else:
            self.note(
                element.sourceline,
                f"{where}/transaction-type",
                "1.x mapping",
                "is missing: transaction not imported",
            )
            kind = None
        value_element = element.find("value")
        text = (value_element.text or "").strip() if value_element is not None else ""
        if not text:
            self.note(
                element.sourceline,
                f"{where}/value",
                "1.x mapping",
                "is missing: transaction not imported",
            )
            return None
        value = self.decimal(value_element, text, f"{where}/value")
        value_date = self.date(value_element, "value-date", f"{where}/value")
        date_element = element.find("transaction-date")
        day = (
            self.date(date_element, "iso-date", f"{where}/transaction-date")
            if date_element is not None
            else None
        )
        if kind is None or value is None:
            return None

        def code_of(name: str) -> str:
            child = element.find(name)
            if child is None:
                return ""
            return self.shaped(child, name, self.code(child), f"{where}/{name}/@code")

        return Transaction(
            type=kind,
            date=day,
            value=canonical_decimal(value),
            value_date=value_date,
            currency=self.shaped(
                value_element, "currency", _attr(value_element, "currency"), f"{where}/value"
            ),
            ref=_attr(element, "ref"),
            description=_text(element.find("description")),
            provider=self.organisation(element.find("provider-org"), f"{where}/provider-org"),
            receiver=self.organisation(element.find("receiver-org"), f"{where}/receiver-org"),
            disbursement_channel=code_of("disbursement-channel"),
            flow_type=code_of("flow-type"),
            finance_type=code_of("finance-type"),
            aid_type=code_of("aid-type"),
            tied_status=code_of("tied-status"),
            line=element.sourceline,
        )

    def summary_notes(self, file_line: int | None) -> None:
        """Each notice once (with its count), then one for the empty placeholders and one for
        what Solidarity does not read."""
        for (path, rule, message), lines in self.pending.items():
            if len(lines) > 1:
                message = f"{message} ({len(lines)} times)"
            self._note(lines[0], path, rule, message)
        if self.empty:
            self._note(
                file_line,
                "iati-activity",
                "1.x empty",
                "empty elements skipped: " + _counts(self.empty),
            )
        if self.not_read:
            self._note(
                file_line,
                "iati-activity",
                "not read",
                "elements Solidarity does not store (as for a 2.0x file): "
                + _counts(self.not_read),
            )


def _counts(counter: Counter[str]) -> str:
    return ", ".join(
        f"{name} \N{MULTIPLICATION SIGN}{count}" for name, count in sorted(counter.items())
    )


def _local(element: Any) -> str:
    tag = element.tag
    return tag if isinstance(tag, str) else ""


def _path(element: Any) -> str:
    parent = element.getparent()
    if parent is not None and _local(parent) == "transaction":
        return f"transaction/{_local(element)}"
    return _local(element)


def _not_imported(element: Any) -> str:
    name = _local(element)
    if name == "transaction-type":
        return "transaction"
    if name == "participating-org":
        return "participating organisation"
    if name == "activity-date":
        return "activity date"
    return name.replace("-", " ")


class LegacyReader:
    """Reads the activities of one 1.x file, reporting through ``problem`` and ``note``."""

    def __init__(self, problem: Note, note: Note) -> None:
        self._reader = _Reader(problem, note)

    def activity(self, element: Any) -> Activity:
        return self._reader.activity(element)

    def finish(self, line: int | None) -> None:
        self._reader.summary_notes(line)


__all__ = ["LEGACY_SUMMARY", "LegacyReader", "is_legacy_version", "legacy_codes"]
