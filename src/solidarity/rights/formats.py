"""Reading the files recommendations come in: UHRI's JSON and Excel exports and the UPR Info
CSV layout, and the treaty ratification table. Plain Python, no database: each reader yields
:class:`RecommendationRecord` or :class:`RatificationRecord` rows with their row number, and
raises :class:`RightsFileError` naming the file, the row and the field on bad input.

UHRI's JSON export is large (about 400 MB for all ~267,000 annotations), so it is read in
chunks by :func:`iter_json_array`, which keeps one chunk and the record being decoded in memory,
never the whole file.
"""

from __future__ import annotations

import csv
import datetime
import gzip
import hashlib
import html
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

_SCALAR_END = re.compile(r"[,\]\s]")

RecommendationFormat = Literal["uhri-json", "uhri-xlsx", "upr-info-csv"]
FORMATS: tuple[RecommendationFormat, ...] = ("uhri-json", "uhri-xlsx", "upr-info-csv")


class RightsFileError(ValueError):
    """A file that cannot be imported. ``str()`` names the file, the row and the field."""

    def __init__(self, file_name: str, row: int | None, field_name: str | None, message: str):
        self.file_name = file_name
        self.row = row
        self.field_name = field_name
        self.message = message
        where = file_name
        if row is not None:
            where += f", row {row}"
        if field_name:
            where += f", field {field_name!r}"
        super().__init__(f"{where}: {message}")


@dataclass
class RecommendationRecord:
    """One recommendation or observation as a file gives it, before countries are looked up."""

    row: int
    source: Literal["uhri", "upr_info"]
    source_key: str
    body: str
    text: str
    countries: list[str]
    kind: Literal["recommendation", "observation"] = "recommendation"
    symbol: str = ""
    published_on: datetime.date | None = None
    session: str = ""
    cycle: str = ""
    recommending: str = ""
    themes: list[str] = field(default_factory=list)
    affected_persons: list[str] = field(default_factory=list)
    sdg_targets: list[str] = field(default_factory=list)
    position: Literal["supported", "noted", ""] = ""
    position_source: str = ""
    upr_action_category: int | None = None


# ---------------------------------------------------------------------------------------------
# Streaming JSON


def iter_json_array(
    stream: IO[str], *, file_name: str, chunk_size: int = 1 << 20
) -> Iterator[tuple[int, Any]]:
    """Yield ``(index, value)`` for each element of the JSON array ``stream`` holds, reading
    ``chunk_size`` characters at a time.

    Hand-written because no streaming JSON parser (ijson) is among the project's dependencies:
    the standard library's ``JSONDecoder.raw_decode`` decodes one element at a time from the
    buffer, and an element cut by the end of a chunk is decoded again once the next chunk is in.
    Memory holds one chunk plus the longest element, whatever the size of the file.

    >>> list(iter_json_array(io.StringIO('[{"a": 1}, 2 ,"x"]'), file_name="f", chunk_size=3))
    [(0, {'a': 1}), (1, 2), (2, 'x')]
    """
    decoder = json.JSONDecoder()
    buffer = ""
    position = 0
    consumed_lines = 1  # line number of buffer[0], for error messages
    at_end = False

    def fill() -> bool:
        nonlocal buffer, position, consumed_lines, at_end
        if at_end:
            return False
        chunk = stream.read(chunk_size)
        if not chunk:
            at_end = True
            return False
        consumed_lines += buffer.count("\n", 0, position)
        buffer = buffer[position:] + chunk
        position = 0
        return True

    def skip_space() -> str:
        nonlocal position
        while True:
            while position < len(buffer) and buffer[position] in " \t\r\n\ufeff":
                position += 1
            if position < len(buffer):
                return buffer[position]
            if not fill():
                return ""

    def fail(row: int | None, message: str) -> RightsFileError:
        line = consumed_lines + buffer.count("\n", 0, position)
        return RightsFileError(
            file_name, row, None, f"{message} (line {line}): not a JSON array of records"
        )

    if skip_space() != "[":
        raise fail(None, "the file does not start with '['")
    position += 1
    index = 0
    if skip_space() == "]":
        return
    while True:
        first = skip_space()
        if first == "":
            raise fail(index + 1, "the file ends inside the array")
        if first not in '{["':
            # A number or literal cut by the end of the chunk would decode as a shorter one
            # ("-0" of "-0.5"): read on until its end is in the buffer.
            while not _SCALAR_END.search(buffer, position) and fill():
                pass
        while True:
            try:
                value, end = decoder.raw_decode(buffer, position)
            except json.JSONDecodeError as error:
                # Cut by the end of the chunk, or truly malformed? Only more input can tell.
                if fill():
                    continue
                raise fail(index + 1, f"malformed JSON: {error.msg}") from None
            break
        position = end
        yield index, value
        index += 1
        separator = skip_space()
        if separator == ",":
            position += 1
        elif separator == "]":
            position += 1
            if skip_space() != "":
                raise fail(index, "something follows the end of the array")
            return
        else:
            raise fail(index, "expected ',' or ']' after a record")


# ---------------------------------------------------------------------------------------------
# UHRI

UHRI_FIELDS = (
    "AnnotationId",
    "AnnotationType",
    "Body",
    "Countries",
    "Symbol",
    "PublicationDate",
    "Text",
    "Themes",
    "AffectedPersons",
    "Sdgs",
    "UprCycle",
    "UprPositions",
    "UprRecommendingCountry",
    "UprSession",
)
UHRI_REQUIRED = ("AnnotationId", "Body", "Countries", "Text")

_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<\s*(br|/p|/li|/div)\b[^>]*>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\f\v]+")
_SDG_TARGET = re.compile(r"\b(\d{1,2}\.(?:\d{1,2}|[a-c]))\b")


def html_to_text(value: str) -> str:
    """UHRI's ``Text`` is HTML; keep its words and paragraph breaks, drop the markup.

    >>> html_to_text("<p>Ensure <b>access</b> to justice &amp; remedies.</p><p>Next</p>")
    'Ensure access to justice & remedies.\\nNext'
    """
    text = _TAG.sub("", _BREAK.sub("\n", value))
    text = html.unescape(text).replace("\xa0", " ")
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _as_list(value: Any, *, where: tuple[str, int, str]) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [part.strip() for part in re.split(r"[;\n]", value) if part.strip()]
    if isinstance(value, list):
        items = []
        for item in value:
            if isinstance(item, dict):  # {"Name": …} objects in some exports
                item = item.get("Name") or item.get("name") or item.get("Value")
            if not isinstance(item, str | int):
                raise RightsFileError(*where, f"expected a list of names, found {item!r}")
            if str(item).strip():
                items.append(str(item).strip())
        return items
    raise RightsFileError(*where, f"expected a list of names, found {value!r}")


def _as_text(value: Any, *, where: tuple[str, int, str]) -> str:
    if value is None:
        return ""
    if isinstance(value, str | int):
        return str(value).strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list) and len(value) == 1:
        return _as_text(value[0], where=where)
    raise RightsFileError(*where, f"expected text, found {value!r}")


def _as_date(value: Any, *, where: tuple[str, int, str]) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        for candidate in (text[:10], text):
            try:
                return datetime.date.fromisoformat(candidate)
            except ValueError:
                pass
        day_month_year = re.fullmatch(r"(\d{1,2})[./](\d{1,2})[./](\d{4})", text)
        if day_month_year:
            day, month, year = (int(part) for part in day_month_year.groups())
            try:
                return datetime.date(year, month, day)
            except ValueError:
                pass
    raise RightsFileError(*where, f"not a date (YYYY-MM-DD): {value!r}")


def position_from(value: str) -> Literal["supported", "noted", ""]:
    """UPR positions as UHRI and UPR Info write them, to supported or noted."""
    word = value.strip().lower()
    if word in {"supported", "accepted", "support", "accept"}:
        return "supported"
    if word in {"noted", "not supported", "rejected", "not accepted", "note"}:
        return "noted"
    return ""


def _sdg_codes(values: list[str]) -> list[str]:
    codes: list[str] = []
    for value in values:
        found = _SDG_TARGET.findall(value)
        codes.extend(found or [value])
    return list(dict.fromkeys(codes))


def uhri_record(raw: Any, *, file_name: str, row: int) -> RecommendationRecord:
    """One UHRI annotation (a JSON object or a spreadsheet row as a dict) as a record."""
    if not isinstance(raw, dict):
        raise RightsFileError(file_name, row, None, f"expected an object, found {raw!r:.60}")
    for name in UHRI_REQUIRED:
        if raw.get(name) in (None, "", []):
            raise RightsFileError(file_name, row, name, "missing")

    def where(name: str) -> tuple[str, int, str]:
        return (file_name, row, name)

    annotation_type = _as_text(raw.get("AnnotationType"), where=where("AnnotationType"))
    body = _as_text(raw.get("Body"), where=where("Body"))
    positions = _as_list(raw.get("UprPositions"), where=where("UprPositions"))
    position = position_from(positions[0]) if positions else ""
    if positions and not position:
        raise RightsFileError(
            *where("UprPositions"), f"not a position (Supported or Noted): {positions[0]!r}"
        )
    text = html_to_text(_as_text(raw.get("Text"), where=where("Text")))
    if not text:
        raise RightsFileError(*where("Text"), "no text once the HTML markup is removed")
    return RecommendationRecord(
        row=row,
        source="uhri",
        source_key=_as_text(raw.get("AnnotationId"), where=where("AnnotationId")),
        kind="observation" if "observation" in annotation_type.lower() else "recommendation",
        body=body,
        text=text,
        countries=_as_list(raw.get("Countries"), where=where("Countries")),
        symbol=_as_text(raw.get("Symbol"), where=where("Symbol")),
        published_on=_as_date(raw.get("PublicationDate"), where=where("PublicationDate")),
        session=_as_text(raw.get("UprSession"), where=where("UprSession")),
        cycle=_as_text(raw.get("UprCycle"), where=where("UprCycle")),
        recommending=_as_text(
            raw.get("UprRecommendingCountry"), where=where("UprRecommendingCountry")
        ),
        themes=_as_list(raw.get("Themes"), where=where("Themes")),
        affected_persons=_as_list(raw.get("AffectedPersons"), where=where("AffectedPersons")),
        sdg_targets=_sdg_codes(_as_list(raw.get("Sdgs"), where=where("Sdgs"))),
        position=position,
        position_source=f"UHRI UprPositions: {positions[0]}" if positions else "",
    )


def _open_text(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return path.open(encoding="utf-8-sig", newline="")


def read_uhri_json(path: Path, *, chunk_size: int = 1 << 20) -> Iterator[RecommendationRecord]:
    """UHRI's JSON export: an array of annotation objects. Rows are numbered from 1 in the order
    of the array."""
    with _open_text(path) as stream:
        try:
            for index, raw in iter_json_array(stream, file_name=path.name, chunk_size=chunk_size):
                yield uhri_record(raw, file_name=path.name, row=index + 1)
        except UnicodeDecodeError as error:
            raise RightsFileError(path.name, None, None, f"not UTF-8 text: {error}") from None


def _header_key(value: Any) -> str:
    return re.sub(r"[^a-z]", "", str(value or "").lower())


_UHRI_BY_KEY = {_header_key(name): name for name in UHRI_FIELDS}


def read_uhri_xlsx(path: Path) -> Iterator[RecommendationRecord]:
    """UHRI's Excel export: the first sheet, a header row naming the same fields as the JSON
    export (spaces and case do not matter: "Annotation Id" is ``AnnotationId``), one annotation
    per row; a cell with several values separates them by ``;`` or line breaks. Rows are numbered
    as in the spreadsheet (the header is row 1). Read with openpyxl in read-only mode, row by
    row."""
    from zipfile import BadZipFile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, OSError, KeyError, ValueError) as error:
        raise RightsFileError(path.name, None, None, f"not an Excel workbook: {error}") from None
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise RightsFileError(path.name, 1, None, "the sheet is empty")
        columns = {
            position: _UHRI_BY_KEY[_header_key(cell)]
            for position, cell in enumerate(header)
            if _header_key(cell) in _UHRI_BY_KEY
        }
        missing = [name for name in UHRI_REQUIRED if name not in columns.values()]
        if missing:
            raise RightsFileError(path.name, 1, missing[0], "no such column in the header row")
        for number, values in enumerate(rows, start=2):
            if not any(value not in (None, "") for value in values):
                continue
            raw = {
                name: values[position]
                for position, name in columns.items()
                if position < len(values)
            }
            yield uhri_record(raw, file_name=path.name, row=number)
    finally:
        workbook.close()


# ---------------------------------------------------------------------------------------------
# UPR Info

UPR_INFO_REQUIRED = ("To", "Text", "From", "Session")


def upr_info_key(*, to: str, from_: str, session: str, text: str, occurrence: int) -> str:
    """UPR Info rows carry no identifier: a digest of what makes a recommendation itself, with
    the number of earlier identical rows in the file (the file repeats a few verbatim)."""
    digest = hashlib.sha256("\x1f".join((to, from_, session, text)).encode()).hexdigest()[:32]
    return f"upr-info:{digest}:{occurrence}"


def read_upr_info_csv(path: Path) -> Iterator[RecommendationRecord]:
    """The UPR Info CSV layout (``To``, ``Text``, ``From``, ``Response``, ``Action``, ``Issue``,
    ``Session``; plain or gzip-compressed). ``Response``, ``Action`` and ``Issue`` may be
    absent. Rows are numbered as lines (the header is row 1)."""
    seen: dict[str, int] = {}
    with _open_text(path) as stream:
        try:
            reader = csv.DictReader(stream)
            header = reader.fieldnames or []
            for name in UPR_INFO_REQUIRED:
                if name not in header:
                    raise RightsFileError(path.name, 1, name, "no such column in the header row")
            for number, raw in enumerate(reader, start=2):
                yield _upr_info_record(raw, file_name=path.name, row=number, seen=seen)
        except UnicodeDecodeError as error:
            raise RightsFileError(path.name, None, None, f"not UTF-8 text: {error}") from None
        except csv.Error as error:
            raise RightsFileError(path.name, None, None, f"not CSV: {error}") from None


def _upr_info_record(
    raw: dict[str, str | None], *, file_name: str, row: int, seen: dict[str, int]
) -> RecommendationRecord:
    if None in raw:
        raise RightsFileError(file_name, row, None, "more cells than the header has columns")
    values = {name: html.unescape((value or "").strip()) for name, value in raw.items() if name}
    for name in UPR_INFO_REQUIRED:
        if not values.get(name):
            raise RightsFileError(file_name, row, name, "empty")
    session = values["Session"]
    if not session.isdigit():
        raise RightsFileError(file_name, row, "Session", f"not a session number: {session!r}")
    response = values.get("Response", "")
    position = position_from(response) if response else ""
    if response and not position:
        raise RightsFileError(file_name, row, "Response", f"not Accepted or Noted: {response!r}")
    action = values.get("Action", "")
    if action and not (action.isdigit() and 1 <= int(action) <= 5):
        raise RightsFileError(file_name, row, "Action", f"not a category 1-5: {action!r}")
    identity = "\x1f".join((values["To"], values["From"], session, values["Text"]))
    occurrence = seen.get(identity, 0)
    seen[identity] = occurrence + 1
    issues = [part.strip() for part in values.get("Issue", "").split(",") if part.strip()]
    return RecommendationRecord(
        row=row,
        source="upr_info",
        source_key=upr_info_key(
            to=values["To"],
            from_=values["From"],
            session=session,
            text=values["Text"],
            occurrence=occurrence,
        ),
        body="UPR",
        text=values["Text"],
        countries=[values["To"]],
        session=session,
        # UPR Info sessions 1-12 are the first cycle; 13 opened the second (May 2012).
        cycle="1" if int(session) <= 12 else "2" if int(session) <= 26 else "3",
        recommending=values["From"],
        themes=issues,
        position=position,
        position_source=f"UPR Info Response: {response}" if response else "",
        upr_action_category=int(action) if action else None,
    )


def read_recommendations(
    path: Path, file_format: RecommendationFormat
) -> Iterator[RecommendationRecord]:
    if file_format == "uhri-json":
        return read_uhri_json(path)
    if file_format == "uhri-xlsx":
        return read_uhri_xlsx(path)
    return read_upr_info_csv(path)


# ---------------------------------------------------------------------------------------------
# Ratifications


@dataclass(frozen=True)
class RatificationRecord:
    row: int
    iso: str  # ISO 3166-1 alpha-2 (UNTC layout) or alpha-3 (our compact table)
    treaty: str  # reference treaty code (CPED, CEDAW-OP, …)
    status: Literal["party", "signatory", "none"]
    year: int | None


# The source table's instrument names, to the reference catalogue's treaty codes.
UNTC_INSTRUMENTS = {
    "CAT": "CAT",
    "CED": "CPED",
    "CEDAW": "CEDAW",
    "CRC": "CRC",
    "CRPD": "CRPD",
    "ICCPR": "ICCPR",
    "ICCPR-OP1": "ICCPR-OP1",
    "ICCPR-OP2": "ICCPR-OP2",
    "ICERD": "ICERD",
    "ICESCR": "ICESCR",
    "ICESCR-OP": "ICESCR-OP",
    "ICMW": "ICMW",
    "OP-CAT": "OP-CAT",
    "OP-CEDAW": "CEDAW-OP",
    "OP-CRC-AC": "CRC-OP-AC",
    "OP-CRC-IC": "CRC-OP-IC",
    "OP-CRC-SC": "CRC-OP-SC",
    "OP-CRPD": "CRPD-OP",
}
# Codes of the source that are not ISO 3166-1 alpha-2 (East Timor's former code, a truncated
# South Sudan).
UNTC_ISO2_FIXES = {"TP": "TL", "S": "SS"}
UNTC_STATUSES: dict[str, Literal["party", "signatory", "none"]] = {
    "state party": "party",
    "signatory state": "signatory",
    "no action": "none",
}
COMPACT_HEADER = ["iso3", "treaty", "status", "year"]


def read_ratifications_csv(path: Path) -> Iterator[RatificationRecord]:
    """A ratification table: either the long UN Treaty Collection extract
    (``instrument, iso2, …, year_ratification_or_accession, …, status``) or Solidarity's compact
    table (``iso3, treaty, status, year``). Rows are numbered as lines (the header is row 1)."""
    with _open_text(path) as stream:
        reader = csv.DictReader(line for line in stream if not line.startswith("#"))
        header = reader.fieldnames or []
        compact = header == COMPACT_HEADER
        needed = COMPACT_HEADER if compact else ["instrument", "iso2", "status"]
        for name in needed:
            if name not in header:
                raise RightsFileError(path.name, 1, name, "no such column in the header row")
        year_column = "year" if compact else "year_ratification_or_accession"
        for number, raw in enumerate(reader, start=2):
            if compact:
                treaty = raw["treaty"].strip()
                iso = raw["iso3"].strip().upper()
                status_word = raw["status"].strip()
                status = status_word if status_word in {"party", "signatory", "none"} else None
            else:
                instrument = raw["instrument"].strip()
                if instrument not in UNTC_INSTRUMENTS:
                    raise RightsFileError(
                        path.name, number, "instrument", f"unknown instrument {instrument!r}"
                    )
                treaty = UNTC_INSTRUMENTS[instrument]
                iso = raw["iso2"].strip().upper()
                iso = UNTC_ISO2_FIXES.get(iso, iso)
                status_word = raw["status"].strip()
                status = UNTC_STATUSES.get(status_word.lower())
            if status is None:
                raise RightsFileError(
                    path.name, number, "status", f"unknown status {status_word!r}"
                )
            year_text = (raw.get(year_column) or "").strip()
            if year_text and not (year_text.isdigit() and 1945 <= int(year_text) <= 2100):
                raise RightsFileError(path.name, number, year_column, f"not a year: {year_text!r}")
            yield RatificationRecord(
                row=number,
                iso=iso,
                treaty=treaty,
                status=status,  # type: ignore[arg-type]  # checked against the literal above
                year=int(year_text) if year_text and status != "none" else None,
            )


def write_compact_ratifications(records: Iterable[RatificationRecord], out: IO[str]) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COMPACT_HEADER)
    for record in records:
        writer.writerow([record.iso, record.treaty, record.status, record.year or ""])
