"""Reading and writing the figures keys are computed from: the World Bank's CSV layout, the
compact derived tables Solidarity ships (``iso3,year,value``) and figures supplied by a user
(``indicator,iso3,year,value,source``)."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import IO, NamedTuple

from ._errors import FiguresError
from ._keys import INDICATORS

Source = str | os.PathLike[str] | IO[str]


class FigureRow(NamedTuple):
    """One figure: an indicator's value for a State and a year, and where it comes from."""

    indicator: str
    iso3: str
    year: int
    value: Decimal | None
    source: str


def _open(source: Source) -> tuple[IO[str], str, bool]:
    if isinstance(source, str | os.PathLike):
        name = os.fspath(source)
        try:
            return open(source, encoding="utf-8-sig", newline=""), name, True
        except OSError as error:
            raise FiguresError(f"cannot be read ({error.strerror})", file=name) from None
    return source, getattr(source, "name", "figures.csv"), False


def _rows(source: Source, *, columns: tuple[str, ...]) -> Iterator[tuple[str, int, dict[str, str]]]:
    file, name, close = _open(source)
    try:
        reader = csv.DictReader(file)
        header = reader.fieldnames or []
        lacking = [column for column in columns if column not in header]
        if lacking:
            raise FiguresError(
                f"the header lacks {', '.join(lacking)} (expected {', '.join(columns)})",
                file=name,
                row=1,
            )
        for number, row in enumerate(reader, start=2):
            yield name, number, row
    except csv.Error as error:
        raise FiguresError(f"is not a readable CSV file ({error})", file=name) from None
    finally:
        if close:
            file.close()


def _year(text: str | None, *, file: str, row: int, field: str) -> int:
    try:
        year = int((text or "").strip())
    except ValueError:
        raise FiguresError(
            f"expected a year, got {text!r}", file=file, row=row, field=field
        ) from None
    if not 1800 <= year <= 2200:
        raise FiguresError(f"year {year} is out of range", file=file, row=row, field=field)
    return year


def _value(text: str | None, *, file: str, row: int, field: str) -> Decimal | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise FiguresError(
            f"expected a number, got {text!r}", file=file, row=row, field=field
        ) from None
    if not value.is_finite():
        raise FiguresError(f"expected a number, got {text!r}", file=file, row=row, field=field)
    return value


def _iso3(text: str | None, *, file: str, row: int, field: str) -> str:
    code = (text or "").strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise FiguresError(f"expected an ISO3 code, got {text!r}", file=file, row=row, field=field)
    return code


def read_worldbank_csv(
    source: Source, *, indicator: str, source_note: str, countries: Iterable[str] | None = None
) -> Iterator[FigureRow]:
    """Read a World Bank indicator file in the layout of the ``datasets/population`` and
    ``datasets/gdp`` packages: ``Country Name,Country Code,Year,Value``.

    Parameters
    ----------
    source : path or text file
    indicator : str
        What the file holds (``population`` or ``gdp``).
    source_note : str
        Where the figures come from, carried on every row.
    countries : iterable of str, optional
        Keep only these ISO3 codes (the World Bank's aggregates, such as ``EUU`` or ``WLD``,
        are not States).

    Raises
    ------
    FiguresError
        Naming the file, the row and the field.

    Examples
    --------
    >>> import io
    >>> text = ("Country Name,Country Code,Year,Value\\n"
    ...         "Malta,MLT,2023,563443\\nWorld,WLD,2023,8e9\\n")
    >>> list(read_worldbank_csv(io.StringIO(text), indicator="population",
    ...                         source_note="World Bank SP.POP.TOTL", countries=["MLT"]))
    [FigureRow(indicator='population', iso3='MLT', year=2023, value=Decimal('563443'), \
source='World Bank SP.POP.TOTL')]
    """
    if indicator not in INDICATORS:
        raise FiguresError(f"unknown indicator {indicator!r}", file=str(source))
    keep = None if countries is None else frozenset(countries)
    for name, number, row in _rows(source, columns=("Country Code", "Year", "Value")):
        iso3 = _iso3(row["Country Code"], file=name, row=number, field="Country Code")
        if keep is not None and iso3 not in keep:
            continue
        year = _year(row["Year"], file=name, row=number, field="Year")
        value = _value(row["Value"], file=name, row=number, field="Value")
        yield FigureRow(indicator, iso3, year, value, source_note)


def read_table(source: Source, *, indicator: str, source_note: str) -> Iterator[FigureRow]:
    """Read a compact derived table, ``iso3,year,value`` (an empty value: no figure)."""
    for name, number, row in _rows(source, columns=("iso3", "year", "value")):
        yield FigureRow(
            indicator,
            _iso3(row["iso3"], file=name, row=number, field="iso3"),
            _year(row["year"], file=name, row=number, field="year"),
            _value(row["value"], file=name, row=number, field="value"),
            source_note,
        )


def read_figures_csv(source: Source) -> list[FigureRow]:
    """Read figures supplied by a user: ``indicator,iso3,year,value,source``, every row with its
    source. The same State, indicator and year twice is an error.

    Examples
    --------
    >>> import io
    >>> text = "indicator,iso3,year,value,source\\nunemployment_rate,MLT,2014,5.8,Eurostat\\n"
    >>> read_figures_csv(io.StringIO(text))[0].value
    Decimal('5.8')
    >>> read_figures_csv(io.StringIO("indicator,iso3,year,value,source\\noil,MLT,2014,1,x\\n"))
    Traceback (most recent call last):
    ...
    solidarity.stats.fairshare._errors.FiguresError: figures.csv, row 2, field indicator: \
unknown indicator 'oil'
    """
    rows: list[FigureRow] = []
    seen: dict[tuple[str, str, int], int] = {}
    columns = ("indicator", "iso3", "year", "value", "source")
    for name, number, row in _rows(source, columns=columns):
        indicator = (row["indicator"] or "").strip()
        if indicator not in INDICATORS:
            raise FiguresError(
                f"unknown indicator {indicator!r}", file=name, row=number, field="indicator"
            )
        note = (row["source"] or "").strip()
        if not note:
            raise FiguresError(
                "every figure needs its source", file=name, row=number, field="source"
            )
        figure = FigureRow(
            indicator,
            _iso3(row["iso3"], file=name, row=number, field="iso3"),
            _year(row["year"], file=name, row=number, field="year"),
            _value(row["value"], file=name, row=number, field="value"),
            note,
        )
        identity = (figure.indicator, figure.iso3, figure.year)
        if identity in seen:
            raise FiguresError(
                f"{figure.iso3} {figure.indicator} {figure.year} is already given in row "
                f"{seen[identity]}",
                file=name,
                row=number,
            )
        seen[identity] = number
        rows.append(figure)
    return rows


def write_table(rows: Iterable[FigureRow], file: IO[str]) -> int:
    """Write rows as a compact table (``iso3,year,value``), sorted; returns the row count."""
    writer = csv.writer(file, lineterminator="\n")
    writer.writerow(["iso3", "year", "value"])
    count = 0
    for row in sorted(rows, key=lambda r: (r.iso3, r.year)):
        writer.writerow([row.iso3, row.year, "" if row.value is None else format(row.value, "f")])
        count += 1
    return count


def figures_for_year(
    rows: Iterable[FigureRow], *, year: int
) -> tuple[dict[str, dict[str, Decimal | None]], dict[str, set[str]]]:
    """The figures of one year, ``{indicator: {iso3: value}}``, and the sources used for each
    indicator. Only that year counts: a figure of another year is never carried over.

    Examples
    --------
    >>> rows = [FigureRow("population", "MLT", 2019, Decimal(1), "WB"),
    ...         FigureRow("population", "MLT", 2020, Decimal(2), "WB")]
    >>> figures_for_year(rows, year=2020)
    ({'population': {'MLT': Decimal('2')}}, {'population': {'WB'}})
    """
    figures: dict[str, dict[str, Decimal | None]] = {}
    sources: dict[str, set[str]] = {}
    for row in rows:
        if row.year != year:
            continue
        figures.setdefault(row.indicator, {})[row.iso3] = row.value
        sources.setdefault(row.indicator, set()).add(row.source)
    return figures, sources


def merge_figures(
    *layers: Mapping[str, Mapping[str, Decimal | None]],
) -> dict[str, dict[str, Decimal | None]]:
    """Later layers win, figure by figure (a user's file over the shipped tables)."""
    merged: dict[str, dict[str, Decimal | None]] = {}
    for layer in layers:
        for indicator, values in layer.items():
            merged.setdefault(indicator, {}).update(values)
    return merged


def table_text(rows: Iterable[FigureRow]) -> str:
    buffer = io.StringIO()
    write_table(rows, buffer)
    return buffer.getvalue()
