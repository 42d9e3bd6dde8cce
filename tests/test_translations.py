"""The French and Spanish catalogues are complete, current and compiled.

A user-facing string added to the code without a translation fails here: the catalogue is extracted
afresh from the code (the way ``./dev messages`` does it) and compared with the committed one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "solidarity"
LANGUAGES = ["fr", "es"]
FIX = "run ./dev messages, translate the new entries, then ./dev messages again"


def catalogue_path(language: str, suffix: str) -> Path:
    return PACKAGE / "locale" / language / "LC_MESSAGES" / f"django.{suffix}"


def message_key(entry: polib.POEntry | polib.MOEntry) -> tuple[str | None, str, str | None]:
    return (entry.msgctxt or None, entry.msgid, entry.msgid_plural or None)


def committed(language: str) -> polib.POFile:
    path = catalogue_path(language, "po")
    assert path.is_file(), f"{path.relative_to(PACKAGE)} is missing: {FIX}"
    return polib.pofile(str(path))


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> polib.POFile:
    """The catalogue ``makemessages`` extracts from a copy of the package today."""
    copy = tmp_path_factory.mktemp("extract") / "solidarity"
    shutil.copytree(
        PACKAGE,
        copy,
        ignore=shutil.ignore_patterns("__pycache__", "tests", "migrations", "locale"),
    )
    (copy / "locale").mkdir()
    # Without Django settings makemessages scans only the folder it runs in and writes to its
    # locale/, so the committed catalogues are never touched.
    env = {name: value for name, value in os.environ.items() if name != "DJANGO_SETTINGS_MODULE"}
    django_admin = Path(sys.executable).parent / "django-admin"
    subprocess.run(
        [
            str(django_admin),
            "makemessages",
            "-l",
            "fr",
            "--ignore",
            "tests",
            "--ignore",
            "migrations",
        ],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return polib.pofile(str(copy / "locale" / "fr" / "LC_MESSAGES" / "django.po"))


def test_extraction_finds_the_user_interface_strings(extracted: polib.POFile) -> None:
    # A guard: the language names in settings.py are always there.
    assert {"English", "French", "Spanish"} <= {entry.msgid for entry in extracted}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated(language: str) -> None:
    catalogue = committed(language)
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert untranslated == [], f"untranslated in {language}: {untranslated}"
    assert fuzzy == [], f"fuzzy (unchecked) in {language}: {fuzzy}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_matches_the_code(language: str, extracted: polib.POFile) -> None:
    in_code = {message_key(entry) for entry in extracted if not entry.obsolete}
    in_catalogue = {message_key(entry) for entry in committed(language) if not entry.obsolete}
    missing = sorted(in_code - in_catalogue, key=str)
    stale = sorted(in_catalogue - in_code, key=str)
    assert missing == [], (
        f"strings in the code but not in the {language} catalogue ({FIX}): {missing}"
    )
    assert stale == [], (
        f"strings in the {language} catalogue no longer in the code ({FIX}): {stale}"
    )


def translations(entries: list[polib.POEntry] | polib.MOFile) -> dict[object, object]:
    result: dict[object, object] = {}
    for entry in entries:
        if entry.msgid_plural:
            forms = tuple(sorted((int(n), text) for n, text in entry.msgstr_plural.items()))
            result[message_key(entry)] = forms
        else:
            result[message_key(entry)] = entry.msgstr
    return result


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_the_source(language: str) -> None:
    mo_path = catalogue_path(language, "mo")
    assert mo_path.is_file(), f"{mo_path.relative_to(PACKAGE)} is missing: {FIX}"
    catalogue = committed(language)
    source = translations(catalogue.translated_entries())
    compiled = translations(polib.mofile(str(mo_path)))
    compiled.pop((None, "", None), None)  # the header
    assert compiled == source, f"{mo_path.name} is out of date: {FIX}"
