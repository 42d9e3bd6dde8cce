"""Keyword rules: the baseline the trained classifier must beat, and the older-persons finder.

The rules are regular expressions over the text, case-insensitive, on word starts. They are kept
deliberately readable: anyone can see why a recommendation was flagged.

Examples
--------
>>> keyword_relevant("Ratify the ICRMW")
True
>>> keyword_relevant("Abolish the death penalty")
False
>>> keyword_groups("Protect older persons and migrant women")
('women-and-girls', 'older-persons')
>>> keyword_objectives("Combat trafficking in persons and end the detention of migrants")
(10, 13)
"""

from __future__ import annotations

import re

#: The minimal rule: the four stems that name the review's subjects.
MINIMAL_RELEVANCE = re.compile(r"\b(?:migra|immigra|emigra|traffick|refugee|asylum)", re.IGNORECASE)

#: The extended rule: the minimal one plus the treaties' abbreviations and the other words UPR
#: recommendations use for people on the move.
RELEVANCE = re.compile(
    r"\b(?:migra|immigra|emigra|traffick|refugee|asylum|icrmw\b|cmw\b|stateless|non-citizen"
    r"|foreign workers?\b|aliens?\b|non-refoulement|refoul)",
    re.IGNORECASE,
)

_MIGRANTS = re.compile(r"\b(?:migra|immigra|emigra|asylum|refugee|foreign|non-citizen)", re.I)
OBJECTIVE_RULES: dict[int, tuple[re.Pattern[str], ...]] = {
    6: (_MIGRANTS, re.compile(r"\b(?:work|labou?r|employ|domestic worker|recruit)", re.I)),
    10: (re.compile(r"\btraffick", re.I),),
    13: (_MIGRANTS, re.compile(r"\b(?:detention|detain)", re.I)),
    15: (
        _MIGRANTS,
        re.compile(r"\b(?:education|school|health|housing|food|water|social serv)", re.I),
    ),
    17: (_MIGRANTS, re.compile(r"\b(?:discriminat|racis|xenophob|intoleran)", re.I)),
}

GROUP_RULES: dict[str, re.Pattern[str]] = {
    "women-and-girls": re.compile(r"\b(?:wom[ae]n|girls?\b|gender|female|maternal)", re.I),
    "children-and-adolescents": re.compile(
        r"\b(?:child|girls?\b|boys?\b|minors?\b|juvenile|adolescen|youth|birth regist)", re.I
    ),
    "older-persons": re.compile(
        r"\b(?:older (?:\w+ )?(?:persons|people|women|men|migrants|workers|adults)|elderly"
        r"|the aged\b|old age)",
        re.I,
    ),
    "persons-with-disabilities": re.compile(r"\b(?:disabilit|disabled|crpd\b|handicap)", re.I),
}


def keyword_relevant(text: str, *, minimal: bool = False) -> bool:
    """The keyword rule for relevance to the GCM review (the extended rule unless ``minimal``)."""
    rule = MINIMAL_RELEVANCE if minimal else RELEVANCE
    return rule.search(text) is not None


def keyword_objectives(text: str) -> tuple[int, ...]:
    """The objectives whose keyword rules all match the text, ascending."""
    return tuple(
        objective
        for objective, rules in OBJECTIVE_RULES.items()
        if all(rule.search(text) for rule in rules)
    )


def keyword_groups(text: str) -> tuple[str, ...]:
    """The groups in vulnerable situations the text names, in the reference catalogue's order."""
    return tuple(group for group, rule in GROUP_RULES.items() if rule.search(text))
