"""Finding what may identify someone in a testimony, so that a moderator can remove it before
publication. Plain Python, no Django, no language model: regular expressions for e-mail
addresses, phone numbers, names after the words people use to introduce them ("my name is",
"me llamo", "je m'appelle", titles such as "Mr" or "Sra.") and places after "in"/"en"/"à"…,
plus every country name of the reference catalogue in English, French and Spanish.

Nothing found here is removed on its own: each stretch is a *proposal* a moderator confirms or
dismisses (issue 9: "flagged automatically, confirmed by a moderator"). The rules miss things and
flag harmless words; the moderator is the safeguard, and can flag more by hand.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Seven or more digits, possibly with a leading +, spaces, dots, dashes or brackets between.
PHONE = re.compile(r"(?<![\w+])\+?\(?\d(?:[\s().-]*\d){6,}")
WORD = r"[A-ZÀ-ÖØ-Þ][\w'\u2019-]+"
CAPITALISED = rf"{WORD}(?:\s+(?:de\s+la\s+|de\s+|del\s+|van\s+|von\s+)?{WORD})*"
NAME_CUES = (
    r"my name is|i am called|i'm called|called|named|"
    r"me llamo|mi nombre es|se llama|llamado|llamada|"
    r"je m'appelle|je m\u2019appelle|mon nom est|s'appelle|s\u2019appelle|nommée?|"
    r"mr\.?|mrs\.?|ms\.?|miss|dr\.?|sr\.?|sra\.?|srta\.?|don|doña|m\.|mme|mlle"
)
NAME = re.compile(rf"(?i:\b(?:{NAME_CUES}))\s+(?P<name>{CAPITALISED})")
PLACE_CUES = (
    r"in|at|near|from|to|city of|town of|camp|"
    r"en|cerca de|desde|ciudad de|pueblo de|campo de|"
    r"à|au|près de|depuis|ville de|camp de"
)
PLACE = re.compile(rf"(?i:\b(?:{PLACE_CUES}))\s+(?P<place>{CAPITALISED})")


@dataclass(frozen=True, order=True)
class Flag:
    """A stretch ``text[start:end]`` that may identify someone, of kind ``name``, ``place``,
    ``phone`` or ``email``."""

    start: int
    end: int
    kind: str


def find_identifying(text: str, *, place_names: Iterable[str] = ()) -> list[Flag]:
    """Stretches of ``text`` that may identify someone, in order, without overlaps (the first,
    longest match wins).

    >>> text = "Me llamo Ana Pérez, vivo en Tapachula. Escríbeme: ana@example.org, +52 962 1234567."
    >>> for flag in find_identifying(text, place_names=["Mexico"]):
    ...     print(flag.kind, text[flag.start : flag.end])
    name Ana Pérez
    place Tapachula
    email ana@example.org
    phone +52 962 1234567
    """
    found: list[Flag] = []
    found += [Flag(m.start(), m.end(), "email") for m in EMAIL.finditer(text)]
    found += [Flag(m.start(), m.end(), "phone") for m in PHONE.finditer(text)]
    found += [Flag(m.start("name"), m.end("name"), "name") for m in NAME.finditer(text)]
    found += [Flag(m.start("place"), m.end("place"), "place") for m in PLACE.finditer(text)]
    names = sorted({name for name in place_names if len(name) > 2}, key=len, reverse=True)
    if names:
        countries = re.compile(
            r"(?<!\w)(?:" + "|".join(re.escape(name) for name in names) + r")(?!\w)",
            re.IGNORECASE,
        )
        found += [Flag(m.start(), m.end(), "place") for m in countries.finditer(text)]
    kept: list[Flag] = []
    for flag in sorted(found, key=lambda f: (f.start, -(f.end - f.start))):
        if kept and flag.start < kept[-1].end:
            continue
        kept.append(flag)
    return kept


def redact(text: str, stretches: Iterable[tuple[int, int, str]], *, labels: dict[str, str]) -> str:
    """``text`` with each ``(start, end, kind)`` stretch replaced by ``labels[kind]``.

    >>> redact("Call Ana on 555 1234 567", [(5, 8, "name"), (12, 24, "phone")],
    ...        labels={"name": "[name]", "phone": "[phone]"})
    'Call [name] on [phone]'
    """
    pieces: list[str] = []
    position = 0
    for start, end, kind in sorted(stretches):
        if start < position:
            start = position
        if end <= start:
            continue
        pieces.append(text[position:start])
        pieces.append(labels[kind])
        position = end
    pieces.append(text[position:])
    return "".join(pieces)
