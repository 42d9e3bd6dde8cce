"""From UPR Info's issue labels to the GCM review's labels: relevance, objectives and groups.

UPR Info (https://www.upr-info.org) files every Universal Periodic Review recommendation under one
or more of 54 *issues* ("Migrants", "Trafficking", "Labour", "Detention", …). They are the only
human labels we have for training and evaluating the classifier, and none of them is a GCM
objective, so this module says, issue by issue, what may honestly be read from them — and, as
importantly, what may not. docs/rights-classifier.md gives the reasoning and the counts.

Relevance to the GCM review
    A recommendation is relevant when UPR Info filed it under **Migrants**, **Trafficking** or
    **Asylum-seekers - refugees**: the three kinds of recommendation the review must see (the
    Compact covers migrants; trafficking is its objective 10; refugees and asylum seekers are in
    the Global Compact on Refugees, but travel in the same mixed movements and are asked about in
    the same breath).

Objectives
    Only where one issue, or a pair of issues, says what the recommendation asks for:

    ======  ===============================================  ======================================
    obj.    rule                                              why it is honest
    ======  ===============================================  ======================================
    10      Trafficking                                       the issue *is* the objective's subject
    6       Migrants and Labour, not International            migrant workers' conditions of work
            instruments                                       (ratification asks go elsewhere)
    13      (Migrants or Asylum-seekers - refugees) and       detention of migrants or asylum
            Detention, not International instruments          seekers
    15      Migrants and a right to a basic service           migrants' access to education, health,
            (education, health, housing, food, water, ESC      housing, food, water
            rights - general), not International instruments
    17      Migrants and Racial discrimination, not           discrimination, racism and xenophobia
            International instruments                         against migrants
    ======  ===============================================  ======================================

    "Not International instruments" keeps out the many calls to ratify a list of treaties (ICRMW,
    ICERD, ICESCR…), which UPR Info files under every issue those treaties touch: "Ratify ICRMW"
    is relevant, but it is no ask about work, detention, services or discrimination.
    The other eighteen objectives have no issue that names them (there is no "Smuggling",
    "Remittances", "Consular" or "Return" issue), so no label is made up for them: the classifier
    does not predict them.

Groups in vulnerable situations
    Women and girls (``Women's rights``), children (``Rights of the Child``) and persons with
    disabilities (``Disabilities``) have an issue each. Older persons have none: that group is
    found by the words of the text alone (see `_groups`), and is not evaluated against labels.

Examples
--------
>>> labels = labels_from_issues(["Migrants", "Labour", "Women's rights"])
>>> labels.relevant, labels.objectives, labels.groups
(True, (6,), ('women-and-girls',))
>>> labels_from_issues(["International instruments", "Labour", "Migrants"]).objectives
()
>>> labels_from_issues(["Trafficking", "Rights of the Child"])
IssueLabels(relevant=True, objectives=(10,), groups=('children-and-adolescents',))
>>> labels_from_issues(["Death penalty"]).relevant
False
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

#: UPR Info issues that make a recommendation relevant to the GCM review.
RELEVANCE_ISSUES = frozenset({"Migrants", "Trafficking", "Asylum-seekers - refugees"})

#: Issues about access to a basic service (objective 15).
BASIC_SERVICE_ISSUES = frozenset(
    {
        "Right to education",
        "Right to health",
        "Right to housing",
        "Right to food",
        "Right to water",
        "ESC rights - general",
    }
)

#: The objectives the crosswalk can label, hence the only ones the classifier learns.
OBJECTIVES = (6, 10, 13, 15, 17)

#: Objectives whose rule alone makes a recommendation relevant (Trafficking is both).
SELF_RELEVANT_OBJECTIVES = (10,)

#: Group codes (as in the reference catalogue's population_groups.json) and the UPR Info issue
#: that labels each; older persons have no issue.
GROUP_ISSUES = {
    "women-and-girls": "Women's rights",
    "children-and-adolescents": "Rights of the Child",
    "persons-with-disabilities": "Disabilities",
}

#: Every group the classifier names, in the reference catalogue's order.
GROUPS = (
    "women-and-girls",
    "children-and-adolescents",
    "older-persons",
    "persons-with-disabilities",
)

_RATIFICATION = "International instruments"


@dataclass(frozen=True, slots=True)
class IssueLabels:
    """What the crosswalk reads from one recommendation's UPR Info issues.

    Attributes
    ----------
    relevant : bool
        Relevant to the GCM review.
    objectives : tuple of int
        GCM objectives (from `OBJECTIVES`), ascending.
    groups : tuple of str
        Codes of the groups in vulnerable situations that have an issue, in `GROUPS` order.
    """

    relevant: bool
    objectives: tuple[int, ...]
    groups: tuple[str, ...]


def split_issues(cell: str | None) -> tuple[str, ...]:
    """Split UPR Info's comma-separated ``Issue`` cell into issue names.

    Examples
    --------
    >>> split_issues("Labour,Migrants, Women's rights")
    ('Labour', 'Migrants', "Women's rights")
    >>> split_issues("")
    ()
    """
    if not cell:
        return ()
    return tuple(part.strip() for part in cell.split(",") if part.strip())


def labels_from_issues(issues: Iterable[str]) -> IssueLabels:
    """Read relevance, objectives and groups from one recommendation's UPR Info issues.

    Parameters
    ----------
    issues : iterable of str
        Issue names as UPR Info spells them (see `split_issues`).

    Returns
    -------
    IssueLabels

    Examples
    --------
    >>> labels_from_issues(["Asylum-seekers - refugees", "Detention"]).objectives
    (13,)
    >>> labels_from_issues(["Migrants", "Right to health", "Racial discrimination"]).objectives
    (15, 17)
    """
    names = frozenset(issues)
    migrants = "Migrants" in names
    ratification = _RATIFICATION in names
    objectives = set()
    if "Trafficking" in names:
        objectives.add(10)
    if not ratification:
        if migrants and "Labour" in names:
            objectives.add(6)
        if (migrants or "Asylum-seekers - refugees" in names) and "Detention" in names:
            objectives.add(13)
        if migrants and names & BASIC_SERVICE_ISSUES:
            objectives.add(15)
        if migrants and "Racial discrimination" in names:
            objectives.add(17)
    groups = tuple(group for group in GROUPS if GROUP_ISSUES.get(group) in names)
    return IssueLabels(
        relevant=bool(names & RELEVANCE_ISSUES),
        objectives=tuple(sorted(objectives)),
        groups=groups,
    )
