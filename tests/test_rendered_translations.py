"""The French and Spanish pages show no English left over from the user interface.

``test_translations.py`` checks that every catalogue entry has a translation; this checks what
visitors actually see: each page is rendered in French and in Spanish, and none of the English
strings of the catalogue (two words or more, with a different translation) may appear in its text
or in the labels a screen reader reads out. Names of countries, regions and objectives come from
the reference data in the database, not from the catalogue, and an audit entry shows the fields it
recorded as they were recorded: neither counts; nor does an element marked as English
(``lang="en"``), such as an indicator's name that has no translation yet.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import polib
import pytest
from django.test import Client

from solidarity.states.actions import state_profile_update

LOCALE = Path(__file__).resolve().parents[1] / "src" / "solidarity" / "locale"
LANGUAGES = ["fr", "es"]

# Attributes whose text is read out or shown to people (not ids, classes or addresses).
READ_ATTRIBUTES = frozenset({"alt", "aria-label", "placeholder", "title"})
# Elements that flow within a line: their edges are no word break ("<a>License</a>, version").
INLINE = frozenset(
    {"a", "abbr", "b", "bdi", "cite", "code", "em", "i", "kbd", "q", "small", "span", "strong"}
    | {"sub", "sup", "time", "u", "var"}
)
PLACEHOLDER = re.compile(r"%\(\w+\)s|%s|\{\w*\}")
TAG = re.compile(r"<[^>]+>")


class VisibleText(HTMLParser):
    """The text of a page as people perceive it, and the language of its ``<html>``. Left out:
    scripts, styles, and the recorded fields of audit entries (the body of their tables)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.lang: str | None = None
        self._hidden_depth = 0
        self._audit_entry_depth = 0
        # The element marked in another language than the page's, and how deep the same tag nests
        # inside it.
        self._foreign_tag: str | None = None
        self._foreign_nesting = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.lang = values.get("lang")
        if tag == "li" and "audit-entry" in (values.get("class") or "").split():
            self._audit_entry_depth += 1
        if tag in ("script", "style") or (tag == "tbody" and self._audit_entry_depth):
            self._hidden_depth += 1
        if tag == self._foreign_tag:
            self._foreign_nesting += 1
        elif self._foreign_tag is None and tag != "html" and self._is_foreign(values.get("lang")):
            self._foreign_tag, self._foreign_nesting = tag, 0
            self._hidden_depth += 1
        if tag not in INLINE:
            self.parts.append(" ")
        for name in sorted(READ_ATTRIBUTES & values.keys()):
            self.parts.append(f" {values[name] or ''} ")
        if tag == "meta" and values.get("name") == "description":
            self.parts.append(f" {values.get('content') or ''} ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") or (tag == "tbody" and self._audit_entry_depth):
            self._hidden_depth = max(self._hidden_depth - 1, 0)
        if tag == "li" and self._audit_entry_depth:
            self._audit_entry_depth -= 1
        if tag == self._foreign_tag:
            if self._foreign_nesting:
                self._foreign_nesting -= 1
            else:
                self._foreign_tag = None
                self._hidden_depth = max(self._hidden_depth - 1, 0)
        if tag not in INLINE:
            self.parts.append(" ")

    def _is_foreign(self, lang: str | None) -> bool:
        return bool(lang and self.lang and lang[:2] != self.lang[:2])

    def handle_data(self, data: str) -> None:
        if not self._hidden_depth:
            self.parts.append(data)

    def text(self) -> str:
        return normalize("".join(self.parts))


def normalize(text: str) -> str:
    return " ".join(text.split())


def fragments(msgid: str) -> list[str]:
    """The literal runs of English in ``msgid`` that a page would show as they are: the tags are
    dropped and the text is cut at each placeholder."""
    text = normalize(TAG.sub("", msgid))
    return [normalize(part) for part in PLACEHOLDER.split(text) if len(part.split()) >= 2]


def pattern(fragment: str) -> re.Pattern[str]:
    start = r"\b" if fragment[0].isalnum() else ""
    end = r"\b" if fragment[-1].isalnum() else ""
    return re.compile(start + re.escape(fragment) + end)


@cache
def english_strings(language: str) -> dict[str, re.Pattern[str]]:
    """The English fragments of the catalogue of ``language`` that its translation changes — or
    would change: an empty or fuzzy entry leaves the English on the page, so it is looked for."""
    catalogue = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    found: dict[str, re.Pattern[str]] = {}
    for entry in catalogue:
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            pairs = [
                (entry.msgid, entry.msgstr_plural.get(0, "")),
                (entry.msgid_plural, entry.msgstr_plural.get(1, "")),
            ]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        for msgid, msgstr in pairs:
            if "fuzzy" not in entry.flags and normalize(msgid) == normalize(msgstr):
                continue
            for fragment in fragments(msgid):
                found[fragment] = pattern(fragment)
    return found


def untranslated(html: str, language: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    text = parser.text()
    return sorted(
        english for english, regex in english_strings(language).items() if regex.search(text)
    )


def html_lang(html: str) -> str | None:
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return parser.lang


def test_the_english_strings_are_found() -> None:
    """A guard: the check looks for the strings of the interface, placeholders and tags aside."""
    english = english_strings("fr")
    assert len(english) > 100
    assert "Skip to main content" in english
    assert "Signed in as" in english  # from "Signed in as %(name)s"
    assert "GNU Affero General Public License" in " ".join(english)  # inside <a>…</a>
    assert "Log in" not in untranslated("<p>Se connecter</p>", "fr")
    assert untranslated("<p>Se connecter</p><p>Skip to  main\ncontent</p>", "fr") == [
        "Skip to main content"
    ]
    assert untranslated('<a aria-label="Skip to main content">x</a>', "fr") != []
    licence = (
        "<p>Solidarity is free software: you may use, study, share and improve it under the\n"
        '<a href="https://www.gnu.org/licenses/agpl-3.0.html">GNU Affero General Public\n'
        "License</a>, version 3 or later.</p><p>Next</p>"
    )
    assert untranslated(licence, "fr") != []
    assert untranslated("<script>'Skip to main content'</script>", "fr") == []
    marked = (
        '<html lang="fr"><table><tr><td lang="en">Skip to main content</td></tr></table></html>'
    )
    assert untranslated(marked, "fr") == []
    assert untranslated(marked.replace(' lang="en"', ""), "fr") != []
    recorded = '<li class="audit-entry"><table><tbody><tr><th>guiding principles</th></tr>'
    assert untranslated(recorded + "</tbody></table></li>", "fr") == []


PUBLIC_PAGES = {
    "home": "/",
    "objectives": "/objectives/",
    "objective 1": "/objectives/1/",
    "countries": "/countries/",
    "country KEN": "/countries/KEN/",
    "indicators": "/indicators/",
    "indicator 10.7.3": "/indicators/10.7.3/",
    "indicator GCM_MIGRANT_STOCK": "/indicators/GCM_MIGRANT_STOCK/",
    "dimension AGE": "/indicators/dimensions/AGE/",
    "login": "/accounts/login/",
    "password reset": "/accounts/password-reset/",
}

ADMINISTRATOR_PAGES = {
    "audit trail": "/audit/",
    "State profile of KEN": "/states/KEN/edit/",
    "label mappings": "/indicators/mappings/",
}


def check_page(client: Client, language: str, path: str) -> None:
    response = client.get(f"/{language}{path}")
    assert response.status_code == 200, f"/{language}{path}"
    html = response.content.decode()
    assert html_lang(html) == language
    assert untranslated(html, language) == [], f"English left on /{language}{path}"


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("path", PUBLIC_PAGES.values(), ids=PUBLIC_PAGES.keys())
def test_public_page_is_fully_translated(client: Client, language: str, path: str) -> None:
    check_page(client, language, path)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("path", ADMINISTRATOR_PAGES.values(), ids=ADMINISTRATOR_PAGES.keys())
def test_administrator_page_is_fully_translated(
    cast: Any, log_in: Callable[..., Client], language: str, path: str
) -> None:
    # A saved profile, so that the audit trail lists a change and the form holds values.
    state_profile_update(
        actor=cast.focal_point_kenya,
        country=cast.kenya,
        coordinating_institution="State Department for Diaspora Affairs",
        implementation_plan_url="https://example.org/kenya-gcm-plan",
        gcm_champion=True,
        summary="",
    )
    client = log_in(cast.administrator, two_factor=True)
    check_page(client, language, path)


@pytest.mark.parametrize("language", LANGUAGES)
def test_country_page_with_a_profile_and_a_message_is_fully_translated(
    cast: Any, log_in: Callable[..., Client], language: str
) -> None:
    client = log_in(cast.focal_point_kenya, two_factor=True)
    response = client.post(
        f"/{language}/states/KEN/edit/",
        {"coordinating_institution": "Ministry of Labour", "implementation_plan_url": ""},
        follow=True,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="message message-success"' in html
    assert html_lang(html) == language
    assert untranslated(html, language) == []


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_login_error_is_fully_translated(client: Client, language: str) -> None:
    response = client.post(
        f"/{language}/accounts/login/", {"username": "nobody", "password": "wrong"}
    )
    html = response.content.decode()
    assert 'class="form-errors"' in html
    assert html_lang(html) == language
    assert untranslated(html, language) == []
