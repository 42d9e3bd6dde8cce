"""Keys as data: a key is a weighted sum of normalised shares of indicators, declared in a small
YAML (or JSON) file or built from a mapping."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from importlib import resources
from typing import Any, Literal

import yaml

from ._errors import KeyDeclarationError

Transform = Literal["share", "inverse"]

#: The indicators a key may name, with what each measures. Figures for the first four ship with
#: Solidarity; the others must be supplied (see docs/fair-sharing.md).
INDICATORS: dict[str, str] = {
    "population": "total population (persons)",
    "gdp": "gross domestic product, current US$",
    "refugees": "refugees and asylum seekers hosted (persons)",
    "migrant_stock": "international migrants living in the country (persons)",
    "unemployment_rate": "unemployment rate (percent of the labour force)",
    "asylum_effort": (
        "spontaneous asylum applications and resettled refugees per million inhabitants, "
        "yearly average over the five years before"
    ),
}

PRESETS = ("eu2024", "eu2015")

_TERM_FIELDS = {"indicator", "weight", "transform", "per_capita", "cap"}
_KEY_FIELDS = {"name", "title", "reference", "terms"}


@dataclass(frozen=True, slots=True)
class Term:
    """One term of a key.

    Attributes
    ----------
    indicator : str
        One of `INDICATORS`.
    weight : Fraction
        Non-negative; the weights of a key need not sum to 1 (they are divided by their sum).
    transform : {"share", "inverse"}
        ``share``: the State's part of the group total; ``inverse``: its part of the sum of the
        reciprocals, so that a higher figure gives a smaller share (a correction).
    per_capita : bool
        Divide the figure by the State's population first (GDP per capita, refugees per capita).
    cap : Fraction or None
        The term's contribution to a State's score is at most ``cap`` times the State's
        contribution from the uncapped terms (the EU 2015 key's "30 % of the population and GDP
        effect").
    """

    indicator: str
    weight: Fraction
    transform: Transform = "share"
    per_capita: bool = False
    cap: Fraction | None = None

    @property
    def label(self) -> str:
        """A short name: ``inverse unemployment_rate per capita``."""
        words = [self.indicator]
        if self.transform == "inverse":
            words.insert(0, "inverse")
        if self.per_capita:
            words.append("per capita")
        return " ".join(words)


@dataclass(frozen=True, slots=True)
class Key:
    """A fair-share key: its terms and where it comes from."""

    name: str
    title: str
    terms: tuple[Term, ...]
    reference: str = ""

    @property
    def indicators(self) -> tuple[str, ...]:
        """Every indicator the key needs figures for (population too for per-capita terms)."""
        needed: list[str] = []
        for term in self.terms:
            for indicator in (term.indicator, "population" if term.per_capita else None):
                if indicator is not None and indicator not in needed:
                    needed.append(indicator)
        return tuple(needed)

    @property
    def weights(self) -> tuple[Fraction, ...]:
        return tuple(term.weight for term in self.terms)

    def with_weights(self, weights: tuple[Fraction, ...]) -> Key:
        """The same key with other weights (one per term, in order)."""
        if len(weights) != len(self.terms):
            raise KeyDeclarationError(
                f"{len(weights)} weights for {len(self.terms)} terms", field="terms"
            )
        terms = tuple(
            Term(t.indicator, Fraction(w), t.transform, t.per_capita, t.cap)
            for t, w in zip(self.terms, weights, strict=True)
        )
        return Key(self.name, self.title, terms, self.reference)

    def as_dict(self) -> dict[str, Any]:
        """The declaration, as `parse_key` reads it back (weights as decimal strings)."""
        return {
            "name": self.name,
            "title": self.title,
            "reference": self.reference,
            "terms": [
                {
                    "indicator": t.indicator,
                    "weight": _fraction_text(t.weight),
                    "transform": t.transform,
                    "per_capita": t.per_capita,
                    "cap": None if t.cap is None else _fraction_text(t.cap),
                }
                for t in self.terms
            ],
        }


def _fraction_text(value: Fraction) -> str:
    decimal = Decimal(value.numerator) / Decimal(value.denominator)
    return format(decimal.normalize(), "f")


def _number(value: object, *, source: str, field: str) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise KeyDeclarationError(f"expected a number, got {value!r}", source=source, field=field)
    try:
        # Through the decimal text, so that 0.1 in a file means one tenth, not the binary float.
        number = Fraction(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        raise KeyDeclarationError(
            f"expected a number, got {value!r}", source=source, field=field
        ) from None
    return number


def parse_key(declaration: Mapping[str, Any], *, source: str = "<key>") -> Key:
    """Build a `Key` from its declaration and check it.

    Parameters
    ----------
    declaration : mapping
        ``name``, ``title``, optional ``reference`` and ``terms``: a list of mappings with
        ``indicator``, ``weight`` and optional ``transform`` (``share`` or ``inverse``),
        ``per_capita`` (bool) and ``cap`` (a number ≥ 0).
    source : str
        Named in error messages (the file's name).

    Raises
    ------
    KeyDeclarationError
        Naming the source and the field: unknown fields or indicators, negative weights, no
        positive weight, a cap on every term (a cap is relative to the uncapped terms).

    Examples
    --------
    >>> key = parse_key({"name": "half", "title": "Half and half", "terms": [
    ...     {"indicator": "population", "weight": 1}, {"indicator": "gdp", "weight": "1"}]})
    >>> [term.weight for term in key.terms]
    [Fraction(1, 1), Fraction(1, 1)]
    >>> parse_key({"name": "x", "title": "X", "terms": [{"indicator": "oil", "weight": 1}]})
    Traceback (most recent call last):
    ...
    solidarity.stats.fairshare._errors.KeyDeclarationError: <key>, field terms[1].indicator: \
unknown indicator 'oil'; expected one of population, gdp, refugees, migrant_stock, \
unemployment_rate, asylum_effort
    """
    if not isinstance(declaration, Mapping):
        raise KeyDeclarationError("a key is a mapping with name, title and terms", source=source)
    unknown = set(declaration) - _KEY_FIELDS
    if unknown:
        raise KeyDeclarationError(f"unknown field(s) {', '.join(sorted(unknown))}", source=source)
    for field in ("name", "title"):
        value = declaration.get(field)
        if not isinstance(value, str) or not value.strip():
            raise KeyDeclarationError("required text is missing", source=source, field=field)
    reference = declaration.get("reference") or ""
    if not isinstance(reference, str):
        raise KeyDeclarationError("expected text", source=source, field="reference")
    raw_terms = declaration.get("terms")
    if not isinstance(raw_terms, list) or not raw_terms:
        raise KeyDeclarationError("a key needs at least one term", source=source, field="terms")
    terms = tuple(
        _parse_term(raw, source=source, field=f"terms[{number}]")
        for number, raw in enumerate(raw_terms, start=1)
    )
    if sum(term.weight for term in terms) <= 0:
        raise KeyDeclarationError(
            "at least one weight must be positive", source=source, field="terms"
        )
    if all(term.cap is not None for term in terms):
        raise KeyDeclarationError(
            "every term is capped: a cap is relative to the uncapped terms, so at least one "
            "term must be uncapped",
            source=source,
            field="terms",
        )
    return Key(
        str(declaration["name"]).strip(), str(declaration["title"]).strip(), terms, reference
    )


def _parse_term(raw: object, *, source: str, field: str) -> Term:
    if not isinstance(raw, Mapping):
        raise KeyDeclarationError(
            "a term is a mapping with indicator and weight", source=source, field=field
        )
    unknown = set(raw) - _TERM_FIELDS
    if unknown:
        raise KeyDeclarationError(
            f"unknown field(s) {', '.join(sorted(unknown))}", source=source, field=field
        )
    indicator = raw.get("indicator")
    if indicator not in INDICATORS:
        raise KeyDeclarationError(
            f"unknown indicator {indicator!r}; expected one of {', '.join(INDICATORS)}",
            source=source,
            field=f"{field}.indicator",
        )
    if "weight" not in raw:
        raise KeyDeclarationError(
            "required number is missing", source=source, field=f"{field}.weight"
        )
    weight = _number(raw["weight"], source=source, field=f"{field}.weight")
    if weight < 0:
        raise KeyDeclarationError(
            "a weight cannot be negative", source=source, field=f"{field}.weight"
        )
    transform = raw.get("transform", "share")
    if transform not in ("share", "inverse"):
        raise KeyDeclarationError(
            f"expected share or inverse, got {transform!r}",
            source=source,
            field=f"{field}.transform",
        )
    per_capita = raw.get("per_capita", False)
    if not isinstance(per_capita, bool):
        raise KeyDeclarationError(
            "expected true or false", source=source, field=f"{field}.per_capita"
        )
    cap = None
    if raw.get("cap") is not None:
        cap = _number(raw["cap"], source=source, field=f"{field}.cap")
        if cap < 0:
            raise KeyDeclarationError(
                "a cap cannot be negative", source=source, field=f"{field}.cap"
            )
    return Term(str(indicator), weight, transform, per_capita, cap)


def load_key(path: str | os.PathLike[str]) -> Key:
    """Read a key declared in a YAML or JSON file (JSON is YAML too).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> (folder / "k.yaml").write_text(
    ...     "name: k\\ntitle: K\\nterms:\\n  - {indicator: population, weight: 1}\\n")
    63
    >>> load_key(folder / "k.yaml").indicators
    ('population',)
    """
    name = os.fspath(path)
    try:
        with open(path, encoding="utf-8") as file:
            declaration = yaml.safe_load(file)
    except OSError as error:
        raise KeyDeclarationError(f"cannot be read ({error.strerror})", source=name) from None
    except yaml.YAMLError as error:
        raise KeyDeclarationError(f"is not valid YAML or JSON ({error})", source=name) from None
    return parse_key(declaration, source=name)


def preset_key(name: str) -> Key:
    """One of the presets shipped with the library: ``eu2024`` or ``eu2015``.

    Examples
    --------
    >>> [(t.indicator, t.weight) for t in preset_key("eu2024").terms]
    [('population', Fraction(1, 2)), ('gdp', Fraction(1, 2))]
    >>> preset_key("eu2015").indicators
    ('population', 'gdp', 'asylum_effort', 'unemployment_rate')
    """
    if name not in PRESETS:
        raise KeyDeclarationError(
            f"no preset {name!r}; expected one of {', '.join(PRESETS)}", field="name"
        )
    text = resources.files(__package__).joinpath("keys", f"{name}.yaml").read_text("utf-8")
    return parse_key(yaml.safe_load(text), source=f"{name}.yaml")
