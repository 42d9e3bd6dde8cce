"""Reading and checking IATI 2.0x activity files, one activity at a time.

The file is streamed with lxml's ``iterparse``: each ``iati-activity`` is checked (against the
official XSD when its folder is given, else against Solidarity's own structural rules), turned
into an :class:`~solidarity.stats.iati.Activity` and dropped from memory before the next one is
read, so a 50 MB file takes the memory of one activity, not of the whole tree. The XSD declares
``iati-activity`` as a global element, which is what lets each one be validated on its own; the
few rules about the ``iati-activities`` root itself (its ``version``, its ``generated-datetime``)
are checked by hand in both modes.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from lxml import etree  # type: ignore[import-untyped]  # no lxml-stubs pinned here

from ._errors import IatiError, IatiSyntaxError, Problem
from ._legacy import LEGACY_SUMMARY, LegacyReader, is_legacy_version
from ._model import Activity, Coded, Organisation, Transaction, canonical_decimal

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SCHEMA_FILE = "iati-activities-schema.xsd"
# Problems listed per file at most: a file broken everywhere says so without a million lines.
MOST_PROBLEMS = 200

Source = str | os.PathLike[str] | bytes | IO[bytes]

_DATE = re.compile(r"^\s*(-?\d{4,}-\d{2}-\d{2})(Z|[+-]\d{2}:\d{2})?\s*$")
_DATETIME = re.compile(
    r"^\s*-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?\s*$"
)


@lru_cache(maxsize=4)
def _schema(path: Path) -> etree.XMLSchema:
    # Compiled once per folder: the activity schema includes iati-common.xsd and xml.xsd.
    return etree.XMLSchema(etree.parse(str(path)))


def iati_schema(schema_dir: str | os.PathLike[str]) -> etree.XMLSchema:
    """The official IATI activity schema compiled from ``schema_dir``.

    Raises
    ------
    IatiError
        The folder does not hold ``iati-activities-schema.xsd`` (with ``iati-common.xsd`` and
        ``xml.xsd`` beside it).
    """
    path = Path(schema_dir) / SCHEMA_FILE
    if not path.is_file():
        raise IatiError(f"{path} does not exist: is {schema_dir} the IATI schema folder?")
    try:
        return _schema(path.resolve())
    except (etree.XMLSchemaParseError, etree.XMLSyntaxError) as error:
        raise IatiError(f"{path} is not a usable XML schema: {error}") from error


def parse_date(text: str | None) -> date | None:
    """An ``xs:date`` as a date (its time zone dropped); ``None`` when it is not one.

    >>> parse_date("2010-07-07"), parse_date("2010-07-07Z"), parse_date("07/07/2010")
    (datetime.date(2010, 7, 7), datetime.date(2010, 7, 7), None)
    """
    match = _DATE.match(text or "")
    if not match:
        return None
    try:
        return date.fromisoformat(match.group(1))
    except ValueError:
        return None


def parse_decimal(text: str | None) -> Decimal | None:
    """An ``xs:decimal`` (no exponent, no NaN) as a Decimal; ``None`` when it is not one.

    >>> parse_decimal(" 100.50 "), parse_decimal("1e3"), parse_decimal("")
    (Decimal('100.50'), None, None)
    """
    text = (text or "").strip()
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        return None


def _local(element: Any) -> str:
    tag = element.tag
    return tag if isinstance(tag, str) else ""


def _narratives(element: Any) -> dict[str, str]:
    texts: dict[str, str] = {}
    for narrative in element.iterfind("narrative"):
        texts.setdefault(narrative.get(XML_LANG, ""), " ".join((narrative.text or "").split()))
    return texts


def _first_narrative(element: Any | None) -> str:
    if element is None:
        return ""
    return next(iter(_narratives(element).values()), "")


def _organisation(element: Any | None, *, role: str = "") -> Organisation | None:
    if element is None:
        return None
    return Organisation(
        ref=element.get("ref", ""),
        type=element.get("type", ""),
        name=_first_narrative(element),
        role=role or element.get("role", ""),
    )


def _coded(element: Any) -> Coded:
    return Coded(
        code=element.get("code", ""),
        vocabulary=element.get("vocabulary", ""),
        percentage=parse_decimal(element.get("percentage")),
        significance=element.get("significance", ""),
        vocabulary_uri=element.get("vocabulary-uri", ""),
        name=_first_narrative(element),
    )


def _code_of(element: Any, name: str) -> str:
    child = element.find(name)
    return "" if child is None else str(child.get("code", ""))


def _transaction(element: Any) -> Transaction:
    value = element.find("value")
    date_element = element.find("transaction-date")
    description = element.find("description")
    return Transaction(
        type=_code_of(element, "transaction-type"),
        date=parse_date(date_element.get("iso-date")) if date_element is not None else None,
        # Normalised (100.50 and 100.5 are one amount), so that a value stored with a fixed
        # number of decimals and written back reads as the same activity.
        value=canonical_decimal(parse_decimal(value.text) or Decimal(0)),
        value_date=parse_date(value.get("value-date")),
        currency=value.get("currency", ""),
        ref=element.get("ref", ""),
        description=_first_narrative(description),
        provider=_organisation(element.find("provider-org")),
        receiver=_organisation(element.find("receiver-org")),
        disbursement_channel=_code_of(element, "disbursement-channel"),
        sectors=tuple(_coded(sector) for sector in element.iterfind("sector")),
        recipient_country=_code_of(element, "recipient-country"),
        recipient_region=_code_of(element, "recipient-region"),
        flow_type=_code_of(element, "flow-type"),
        finance_type=_code_of(element, "finance-type"),
        aid_type=_code_of(element, "aid-type"),
        tied_status=_code_of(element, "tied-status"),
        line=element.sourceline,
    )


def activity_from_element(element: Any) -> Activity:
    """The :class:`Activity` an ``iati-activity`` element describes (already checked)."""
    descriptions: dict[str, str] = {}
    for description in element.iterfind("description"):
        for language, text in _narratives(description).items():
            descriptions.setdefault(language, text)
    dates = []
    for activity_date in element.iterfind("activity-date"):
        parsed = parse_date(activity_date.get("iso-date"))
        if parsed is not None:
            dates.append((activity_date.get("type", ""), parsed))
    status = element.find("activity-status")
    reporting = _organisation(element.find("reporting-org")) or Organisation()
    return Activity(
        identifier=(element.findtext("iati-identifier") or "").strip(),
        reporting_org=reporting,
        titles=_narratives(element.find("title")) if element.find("title") is not None else {},
        descriptions=descriptions,
        default_currency=element.get("default-currency", ""),
        language=element.get(XML_LANG, ""),
        status="" if status is None else status.get("code", ""),
        dates=tuple(dates),
        participating_orgs=tuple(
            org for org in map(_organisation, element.iterfind("participating-org")) if org
        ),
        recipient_countries=tuple(map(_coded, element.iterfind("recipient-country"))),
        recipient_regions=tuple(map(_coded, element.iterfind("recipient-region"))),
        sectors=tuple(map(_coded, element.iterfind("sector"))),
        tags=tuple(map(_coded, element.iterfind("tag"))),
        policy_markers=tuple(map(_coded, element.iterfind("policy-marker"))),
        collaboration_type=_code_of(element, "collaboration-type"),
        transactions=tuple(map(_transaction, element.iterfind("transaction"))),
        line=element.sourceline,
    )


# Solidarity's own structural rules, applied when no schema folder is given: a subset of the
# XSD covering every element Solidarity reads, so that what it stores is never malformed.
_ONE = ("iati-identifier", "reporting-org", "title", "activity-status")
_AT_MOST_ONE = ("collaboration-type",)
_CODED = (
    "activity-status",
    "collaboration-type",
    "recipient-country",
    "recipient-region",
    "sector",
    "tag",
    "policy-marker",
)
_TRANSACTION_ONE = ("transaction-type", "transaction-date", "value")
_TRANSACTION_CODED = (
    "transaction-type",
    "disbursement-channel",
    "sector",
    "recipient-country",
    "recipient-region",
    "flow-type",
    "finance-type",
    "aid-type",
    "tied-status",
)


@dataclass
class _Checker:
    file_name: str
    problems: list[Problem] = field(default_factory=list)
    left_out: int = 0
    notices: list[Problem] = field(default_factory=list)
    notices_left_out: int = 0

    def add(self, line: int | None, element: str, rule: str, message: str) -> None:
        if len(self.problems) >= MOST_PROBLEMS:
            self.left_out += 1
            return
        self.problems.append(Problem(self.file_name, line, element, rule, message))

    def note(self, line: int | None, element: str, rule: str, message: str) -> None:
        """Something reported that does not stop the import (IATI 1.x files only)."""
        if len(self.notices) >= MOST_PROBLEMS:
            self.notices_left_out += 1
            return
        self.notices.append(Problem(self.file_name, line, element, rule, message))

    def root(self, root: Any) -> None:
        name = _local(root)
        if name != "iati-activities":
            self.add(
                root.sourceline,
                name or "root",
                "root",
                "an IATI activity file starts with iati-activities",
            )
            return
        version = root.get("version")
        if version is None:
            self.add(root.sourceline, "iati-activities/@version", "required", "is missing")
        generated = root.get("generated-datetime")
        if generated is not None and not _DATETIME.match(generated):
            self.add(
                root.sourceline,
                "iati-activities/@generated-datetime",
                "datetime",
                f"{generated!r} is not a date and time (xs:dateTime)",
            )

    def stray_child(self, element: Any) -> None:
        tag = element.tag
        if isinstance(tag, str) and not tag.startswith("{"):
            self.add(
                element.sourceline,
                f"iati-activities/{tag}",
                "unexpected",
                "only iati-activity, or elements of another namespace, may stand here",
            )

    def schema(self, element: Any, schema: etree.XMLSchema) -> None:
        if schema.validate(element):
            return
        for error in schema.error_log:
            self.add(
                error.line,
                (error.path or "").lstrip("/") or "iati-activity",
                "schema",
                error.message,
            )

    def structure(self, element: Any) -> None:
        where = "iati-activity"
        updated = element.get("last-updated-datetime")
        if updated is not None and not _DATETIME.match(updated):
            self.add(
                element.sourceline,
                f"{where}/@last-updated-datetime",
                "datetime",
                f"{updated!r} is not a date and time (xs:dateTime)",
            )
        children = [child for child in element if isinstance(child.tag, str)]
        if not children or _local(children[0]) != "iati-identifier":
            self.add(
                element.sourceline,
                f"{where}/iati-identifier",
                "required",
                "every activity starts with its iati-identifier",
            )
        counts: dict[str, int] = {}
        for child in children:
            counts[child.tag] = counts.get(child.tag, 0) + 1
        for name in _ONE:
            if counts.get(name, 0) > 1:
                self.add(
                    element.sourceline, f"{where}/{name}", "one-only", "appears more than once"
                )
            elif counts.get(name, 0) == 0 and name != "iati-identifier":
                self.add(element.sourceline, f"{where}/{name}", "required", "is missing")
        for name in _AT_MOST_ONE:
            if counts.get(name, 0) > 1:
                self.add(
                    element.sourceline, f"{where}/{name}", "one-only", "appears more than once"
                )
        for name in ("reporting-org", "title", "description"):
            for child in element.iterfind(name):
                if child.find("narrative") is None:
                    self.add(
                        child.sourceline,
                        f"{where}/{name}/narrative",
                        "narrative",
                        "needs at least one narrative",
                    )
        for name in _CODED:
            self._codes(element.iterfind(name), f"{where}/{name}")
        for child in element.iterfind("participating-org"):
            if not child.get("role"):
                self.add(
                    child.sourceline, f"{where}/participating-org/@role", "required", "is missing"
                )
        for child in element.iterfind("activity-date"):
            if parse_date(child.get("iso-date")) is None:
                self.add(
                    child.sourceline,
                    f"{where}/activity-date/@iso-date",
                    "date",
                    f"{child.get('iso-date')!r} is not a date (xs:date)",
                )
        for transaction in element.iterfind("transaction"):
            self._transaction(transaction)

    def _codes(self, elements: Any, path: str) -> None:
        for child in elements:
            if child.get("code") is None:
                self.add(child.sourceline, f"{path}/@code", "required", "is missing")
            if (child.text or "").strip() and _local(child) not in ("sector", "tag"):
                self.add(child.sourceline, path, "no-text", "holds text; it takes a code attribute")

    def _transaction(self, transaction: Any) -> None:
        where = "iati-activity/transaction"
        for name in _TRANSACTION_ONE:
            found = transaction.findall(name)
            if not found:
                self.add(transaction.sourceline, f"{where}/{name}", "required", "is missing")
            elif len(found) > 1:
                self.add(
                    found[1].sourceline, f"{where}/{name}", "one-only", "appears more than once"
                )
        for name in _TRANSACTION_CODED:
            self._codes(transaction.iterfind(name), f"{where}/{name}")
        for child in transaction.iterfind("transaction-date"):
            if parse_date(child.get("iso-date")) is None:
                self.add(
                    child.sourceline,
                    f"{where}/transaction-date/@iso-date",
                    "date",
                    f"{child.get('iso-date')!r} is not a date (xs:date)",
                )
            if (child.text or "").strip():
                self.add(child.sourceline, f"{where}/transaction-date", "no-text", "holds text")
        for value in transaction.iterfind("value"):
            if parse_decimal(value.text) is None:
                self.add(
                    value.sourceline,
                    f"{where}/value",
                    "decimal",
                    f"{(value.text or '').strip()!r} is not a decimal amount",
                )
            if parse_date(value.get("value-date")) is None:
                self.add(
                    value.sourceline,
                    f"{where}/value/@value-date",
                    "date",
                    f"{value.get('value-date')!r} is not a date (xs:date)",
                )


@dataclass
class IatiReading:
    """A file being read: iterate :meth:`activities`, then look at :attr:`problems`.

    Activities with problems are not yielded; a file with any problem must not be stored (the
    caller rolls back). ``schema_checked`` says whether the official XSD was applied.

    An IATI 1.x file (``version`` blank or ``1.0x``, or a lone ``iati-activity``) is read with
    the 1.x → 2.01 mapping (:mod:`._legacy`): ``legacy`` is then True, the XSD is not applied,
    and what could not be mapped is listed in :attr:`notices` (the file still imports)."""

    file_name: str
    schema_checked: bool
    version: str = ""
    activity_count: int = 0
    legacy: bool = False
    _checker: _Checker = field(default_factory=lambda: _Checker(""))
    _source: Any = None
    _schema: Any = None

    @property
    def problems(self) -> list[Problem]:
        return self._checker.problems

    @property
    def problems_left_out(self) -> int:
        return self._checker.left_out

    @property
    def has_problems(self) -> bool:
        return bool(self._checker.problems)

    @property
    def notices(self) -> list[Problem]:
        """What an IATI 1.x file holds that could not be mapped (reported, left out)."""
        return self._checker.notices

    @property
    def notices_left_out(self) -> int:
        return self._checker.notices_left_out

    @property
    def summary(self) -> str:
        """How the file was checked, in one sentence."""
        if self.legacy:
            return LEGACY_SUMMARY
        if self.schema_checked:
            return "Validated against the IATI 2.03 schema"
        return "Schema validation skipped: Solidarity's own structural rules were applied"

    def activities(self) -> Iterator[Activity]:
        """Each valid activity of the file, in order, read as the file streams by.

        Raises
        ------
        IatiSyntaxError
            The file is not well-formed XML (reported with its line).
        """
        with contextlib.ExitStack() as stack:
            source = self._source
            if isinstance(source, bytes):
                source = io.BytesIO(source)
            elif isinstance(source, str | os.PathLike):
                # Opened here, not by lxml, so that it is closed however the reading ends.
                source = stack.enter_context(open(source, "rb"))
            yield from self._read(source)

    def _read(self, source: IO[bytes]) -> Iterator[Activity]:
        checker = self._checker
        # Events for the two elements that matter only: the loop runs once per activity, not
        # once per element (an activity has about a hundred), which is what keeps it fast.
        events = etree.iterparse(
            source,
            events=("start", "end"),
            tag=("iati-activities", "iati-activity"),
            remove_comments=True,
            remove_pis=True,
            resolve_entities=False,
            no_network=True,
            huge_tree=True,
        )
        root = None
        legacy: LegacyReader | None = None
        try:
            for event, element in events:
                if event == "start":
                    if root is None:
                        root = element
                        self.version = root.get("version", "")
                        lone = _local(root) == "iati-activity"
                        if lone or (
                            _local(root) == "iati-activities"
                            and is_legacy_version(root.get("version"))
                        ):
                            self.legacy = True
                            self.schema_checked = False
                            legacy = LegacyReader(checker.add, checker.note)
                            continue
                        checker.root(root)
                        if _local(root) != "iati-activities":
                            return  # not an activity file: nothing else to say about it
                    continue
                lone_root = element is root and _local(root) == "iati-activity"
                if not lone_root and (element is root or element.getparent() is not root):
                    continue
                if legacy is None:
                    # What stands between two activities must be of another namespace.
                    for sibling in element.itersiblings(preceding=True):
                        if _local(sibling) != "iati-activity":
                            checker.stray_child(sibling)
                self.activity_count += 1
                before = len(checker.problems) + checker.left_out
                if legacy is not None:
                    activity = legacy.activity(element)
                elif self._schema is not None:
                    checker.schema(element, self._schema)
                else:
                    checker.structure(element)
                if len(checker.problems) + checker.left_out == before:
                    yield activity if legacy is not None else activity_from_element(element)
                # Forget what has been read: flat memory however long the file.
                element.clear(keep_tail=False)
                if root is not None and not lone_root:
                    while element.getprevious() is not None:
                        del root[0]
        except etree.XMLSyntaxError as error:
            line = error.position[0] if error.position else None
            raise IatiSyntaxError(
                f"{self.file_name}, line {line}: not well-formed XML: {error.msg}"
            ) from error
        if root is None:
            # Neither element anywhere: say what the root is instead.
            checker.root(events.root)
            return
        if legacy is not None:
            legacy.finish(root.sourceline)
            if _local(root) == "iati-activity":
                return
        for child in root:
            if _local(child) != "iati-activity":
                checker.stray_child(child)
        if self.activity_count == 0:
            checker.add(root.sourceline, "iati-activities/iati-activity", "required", "no activity")


def read_iati(
    source: Source,
    *,
    file_name: str = "",
    schema_dir: str | os.PathLike[str] | None = None,
) -> IatiReading:
    """Open an IATI 2.0x activity file for a streamed, checked read.

    Parameters
    ----------
    source : path, bytes or binary file
    file_name : str
        How problems name the file (default: the path's name).
    schema_dir : path, optional
        The folder of the official IATI schemas (``iati-activities-schema.xsd`` with
        ``iati-common.xsd`` and ``xml.xsd``). Without it, Solidarity's own structural rules are
        applied instead (``schema_checked`` is then False).

    Returns
    -------
    IatiReading

    Examples
    --------
    >>> xml = (b'<iati-activities version="2.03"><iati-activity default-currency="EUR">'
    ...   b'<iati-identifier>XM-1</iati-identifier>'
    ...   b'<reporting-org ref="XM" type="10"><narrative>X</narrative></reporting-org>'
    ...   b'<title><narrative>Safe migration</narrative></title>'
    ...   b'<description><narrative>D</narrative></description>'
    ...   b'<participating-org role="1"/><activity-status code="2"/>'
    ...   b'<activity-date type="1" iso-date="2020-01-01"/>'
    ...   b'<transaction><transaction-type code="3"/><transaction-date iso-date="2020-02-01"/>'
    ...   b'<value value-date="2020-02-01">1000</value></transaction>'
    ...   b'</iati-activity></iati-activities>')
    >>> reading = read_iati(xml, file_name="x.xml")
    >>> [(a.identifier, a.title, a.transactions[0].value) for a in reading.activities()]
    [('XM-1', 'Safe migration', Decimal('1000'))]
    >>> reading.problems, reading.schema_checked
    ([], False)
    """
    if not file_name:
        file_name = (
            Path(os.fspath(source)).name if isinstance(source, str | os.PathLike) else "upload"
        )
    schema = iati_schema(schema_dir) if schema_dir else None
    return IatiReading(
        file_name=file_name,
        schema_checked=schema is not None,
        _checker=_Checker(file_name),
        _source=source,
        _schema=schema,
    )


def check_iati(
    source: Source, *, file_name: str = "", schema_dir: str | os.PathLike[str] | None = None
) -> list[Problem]:
    """Every problem of a file (empty when it may be imported), read in one streamed pass.

    Raises
    ------
    IatiSyntaxError
        The file is not well-formed XML.

    Examples
    --------
    >>> for problem in check_iati(b'<iati-activities/>', file_name="a.xml"):
    ...     print(problem)
    a.xml, line 1, iati-activities/@version [required]: is missing
    a.xml, line 1, iati-activities/iati-activity [required]: no activity
    """
    reading = read_iati(source, file_name=file_name, schema_dir=schema_dir)
    for _activity in reading.activities():
        pass
    return reading.problems


__all__ = [
    "IatiReading",
    "activity_from_element",
    "check_iati",
    "iati_schema",
    "parse_date",
    "parse_decimal",
    "read_iati",
]
