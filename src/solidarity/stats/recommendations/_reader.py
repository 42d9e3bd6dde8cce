"""Reading UPR Info's CSV layout and the people's label decisions exported by the rights app."""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ._errors import FileFormatError
from .crosswalk import split_issues

#: The columns of UPR Info's layout; only ``Text`` is required.
UPR_INFO_COLUMNS = ("To", "Text", "From", "Response", "Action", "Issue", "Session")

_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True, slots=True)
class UprInfoRecommendation:
    """One row of a UPR Info CSV file.

    Attributes
    ----------
    row : int
        Position among the data rows, from 0 (the header is not counted).
    text : str
    state_under_review : str or None
        ``To``.
    recommending_state : str or None
        ``From``.
    response : str or None
        ``Response`` (Accepted / Noted).
    action : str or None
        ``Action`` (UPR Info's action category, 1-5).
    issues : tuple of str
        ``Issue``, split on commas; empty when the column is absent.
    session : int or None
        ``Session``, the UPR session number.
    """

    row: int
    text: str
    state_under_review: str | None
    recommending_state: str | None
    response: str | None
    action: str | None
    issues: tuple[str, ...]
    session: int | None


@dataclass(frozen=True, slots=True)
class LabelDecision:
    """A person's decision on one objective label of one recommendation.

    Attributes
    ----------
    text : str
    objective : int
        GCM objective, 1-23.
    confirmed : bool
        True when the label was confirmed, False when it was rejected.
    """

    text: str
    objective: int
    confirmed: bool


@contextlib.contextmanager
def _open_text(
    source: str | Path | IO[bytes], file_name: str | None
) -> Iterator[tuple[IO[str], str]]:
    """Open a (possibly gzip-compressed) UTF-8 file; everything opened here is closed after."""
    with contextlib.ExitStack() as stack:
        raw: IO[bytes]
        if isinstance(source, str | Path):
            path = Path(source)
            name = file_name or path.name
            try:
                raw = stack.enter_context(path.open("rb"))
            except OSError as error:
                raise FileFormatError(f"cannot be opened ({error.strerror})", file=name) from None
        else:
            name = file_name or str(getattr(source, "name", "<stream>"))
            raw = source
        buffered = raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(raw)  # type: ignore[type-var]  # any binary stream will do
        if buffered.peek(2)[:2] == _GZIP_MAGIC:
            raw = stack.enter_context(gzip.GzipFile(fileobj=buffered, mode="rb"))  # type: ignore[arg-type]  # a binary stream
        else:
            raw = buffered
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        try:
            yield text, name
        finally:
            text.detach()


def _rows(text: IO[str], name: str) -> Iterator[tuple[int, list[str]]]:
    """Yield (spreadsheet row number, cells), turning decoding and CSV trouble into errors."""
    reader = csv.reader(text, strict=True)
    number = 0
    try:
        # Records, not lines: a text over several lines is one row, as in a spreadsheet.
        for cells in reader:
            number += 1
            yield number, cells
    except UnicodeDecodeError:
        raise FileFormatError(
            "is not UTF-8 text (or gzip-compressed UTF-8)", file=name, row=number + 1
        ) from None
    except (csv.Error, gzip.BadGzipFile, EOFError) as error:
        raise FileFormatError(f"is not valid CSV: {error}", file=name, row=number + 1) from None


def _header(
    rows: Iterator[tuple[int, list[str]]], name: str, required: tuple[str, ...]
) -> dict[str, int]:
    for _number, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue
        columns: dict[str, int] = {}
        for index, cell in enumerate(cells):
            column = cell.strip()
            if column in columns:
                raise FileFormatError(f"the column {column} appears twice", file=name, row=1)
            columns[column] = index
        missing = [column for column in required if column not in columns]
        if missing:
            raise FileFormatError(
                "the header has no " + ", ".join(missing) + " column", file=name, row=1
            )
        return columns
    raise FileFormatError("is empty: no header row", file=name)


def read_upr_info_csv(
    source: str | Path | IO[bytes],
    *,
    file_name: str | None = None,
    require_labels: bool = False,
) -> Iterator[UprInfoRecommendation]:
    """Read a CSV file in UPR Info's layout, row by row.

    The file may be gzip-compressed (recognised by its first bytes). Only the ``Text`` column is
    required; ``To``, ``From``, ``Response``, ``Action``, ``Issue`` and ``Session`` are read when
    present, other columns are ignored.

    Parameters
    ----------
    source : path or binary file
    file_name : str, optional
        The name errors should give (default: the path's name).
    require_labels : bool
        Also require ``Issue`` and ``Session`` (to train or evaluate a classifier).

    Yields
    ------
    UprInfoRecommendation

    Raises
    ------
    FileFormatError
        Naming the file, the row (the header is row 1) and the column: not UTF-8, not CSV, no
        ``Text`` column, an empty text, a session that is not a whole number.

    Examples
    --------
    >>> data = io.BytesIO(b"To,Text,Session\\nKenya,Ratify ICRMW,9\\n")
    >>> [(r.row, r.text, r.session, r.issues) for r in read_upr_info_csv(data, file_name="a.csv")]
    [(0, 'Ratify ICRMW', 9, ())]
    >>> list(read_upr_info_csv(io.BytesIO(b"To,Text\\nKenya,\\n"), file_name="a.csv"))
    Traceback (most recent call last):
    ...
    solidarity.stats.recommendations._errors.FileFormatError: a.csv, row 2, column Text: is empty
    """
    required = ("Text", "Issue", "Session") if require_labels else ("Text",)
    with _open_text(source, file_name) as (text, name):
        rows = _rows(text, name)
        columns = _header(rows, name, required)
        width = len(columns)

        def cell(cells: list[str], column: str) -> str | None:
            index = columns.get(column)
            if index is None or index >= len(cells):
                return None
            return cells[index].strip() or None

        position = 0
        for number, cells in rows:
            if not any(value.strip() for value in cells):
                continue
            if len(cells) > width:
                raise FileFormatError(
                    f"has {len(cells)} cells but the header has {width} columns",
                    file=name,
                    row=number,
                )
            body = cell(cells, "Text")
            if body is None:
                raise FileFormatError("is empty", file=name, row=number, column="Text")
            session_text = cell(cells, "Session")
            session = None
            if session_text is not None:
                try:
                    session = int(session_text)
                except ValueError:
                    raise FileFormatError(
                        f"{session_text!r} is not a session number",
                        file=name,
                        row=number,
                        column="Session",
                    ) from None
            elif require_labels:
                raise FileFormatError("is empty", file=name, row=number, column="Session")
            yield UprInfoRecommendation(
                row=position,
                text=body,
                state_under_review=cell(cells, "To"),
                recommending_state=cell(cells, "From"),
                response=cell(cells, "Response"),
                action=cell(cells, "Action"),
                issues=split_issues(cell(cells, "Issue")),
                session=session,
            )
            position += 1


_CONFIRMED = {"confirmed": True, "rejected": False}


def read_label_decisions(
    source: str | Path | IO[bytes], *, file_name: str | None = None
) -> list[LabelDecision]:
    """Read people's decisions on objective labels (CSV: ``text``, ``objective``, ``decision``).

    ``decision`` is ``confirmed`` or ``rejected``; ``objective`` a GCM objective number, 1-23.
    This is the file the rights app exports from the labels people confirmed or rejected.

    Raises
    ------
    FileFormatError
        Naming file, row and column for a missing column, an empty text, an objective outside
        1-23 or a decision that is neither ``confirmed`` nor ``rejected``.

    Examples
    --------
    >>> data = io.BytesIO(b"text,objective,decision\\nEnd child detention,13,confirmed\\n")
    >>> read_label_decisions(data, file_name="d.csv")
    [LabelDecision(text='End child detention', objective=13, confirmed=True)]
    >>> read_label_decisions(io.BytesIO(b"text,objective,decision\\nx,24,confirmed\\n"),
    ...                      file_name="d.csv")
    Traceback (most recent call last):
    ...
    solidarity.stats.recommendations._errors.FileFormatError: d.csv, row 2, column objective: ...
    """
    decisions = []
    with _open_text(source, file_name) as (text, name):
        rows = _rows(text, name)
        columns = _header(rows, name, ("text", "objective", "decision"))
        for number, cells in rows:
            if not any(value.strip() for value in cells):
                continue
            values = {
                column: cells[index].strip() if index < len(cells) else ""
                for column, index in columns.items()
            }
            if not values["text"]:
                raise FileFormatError("is empty", file=name, row=number, column="text")
            objective = values["objective"]
            if not objective.isdigit() or not 1 <= int(objective) <= 23:
                raise FileFormatError(
                    f"{objective!r} is not a GCM objective (1-23)",
                    file=name,
                    row=number,
                    column="objective",
                )
            decision = values["decision"].lower()
            if decision not in _CONFIRMED:
                raise FileFormatError(
                    f"{values['decision']!r} is neither 'confirmed' nor 'rejected'",
                    file=name,
                    row=number,
                    column="decision",
                )
            decisions.append(
                LabelDecision(
                    text=values["text"], objective=int(objective), confirmed=_CONFIRMED[decision]
                )
            )
    return decisions
