"""The automatic flags: what they find in English, French and Spanish, and how redaction
replaces confirmed stretches."""

from __future__ import annotations

import pytest

from solidarity.testimonies.redaction import find_identifying, redact

COUNTRIES = ["Kenya", "Somalia", "Mexico", "México", "Mexique", "Honduras"]


def found(text: str) -> list[tuple[str, str]]:
    return [(f.kind, text[f.start : f.end]) for f in find_identifying(text, place_names=COUNTRIES)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Je m'appelle Awa Diallo et je vis à Agadez depuis 2019.",
            [("name", "Awa Diallo"), ("place", "Agadez")],
        ),
        (
            "Je m\u2019appelle Awa.",
            [("name", "Awa")],
        ),
        (
            "Me llamo José de la Cruz y salí de Honduras hacia México.",
            [("name", "José de la Cruz"), ("place", "Honduras"), ("place", "México")],
        ),
        (
            "Mrs Wanjiku helped us near Moyale. Phone: (0722) 123-456.",
            [("name", "Wanjiku"), ("place", "Moyale"), ("phone", "(0722) 123-456")],
        ),
        ("Write to help+desk@ngo.example.org please", [("email", "help+desk@ngo.example.org")]),
        ("We were 12 people in 2 boats for 3 days.", []),
        ("The year 2019 was hard; 400 people waited.", []),
    ],
)
def test_flags(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


def test_country_names_are_matched_whole_and_in_any_case() -> None:
    assert found("kenyan food in KENYA") == [("place", "KENYA")]


def test_overlapping_flags_keep_the_longest() -> None:
    text = "call +254 712 345 678 or me"
    assert found(text) == [("phone", "+254 712 345 678")]


def test_redact_replaces_each_stretch_once() -> None:
    labels = {"name": "[name]", "place": "[place]"}
    assert redact("Ana in Tijuana", [(0, 3, "name"), (7, 14, "place")], labels=labels) == (
        "[name] in [place]"
    )
    # Overlapping stretches (a moderator's phrase inside an automatic flag) do not garble it.
    assert redact("Ana Pérez left", [(0, 9, "name"), (4, 9, "name")], labels=labels) == (
        "[name] left"
    )
