"""The file readers' messages reach people in their language: the readers (without Django) give
each message a code and params, and the indicators app words it with its own templates, marked
for translation, falling back to the reader's English."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import trans_real

from solidarity.indicators.reader_messages import MESSAGES, error_reason, reader_text
from solidarity.indicators.tests.test_submission_interfaces import upload
from solidarity.stats import opensdg, sdmx
from solidarity.stats._messages import Message, message

STATS = Path(sdmx.__file__).parent.parent
NOT_A_NUMBER = "is not a number"
IN_FRENCH = "n'est pas un nombre"
FILE = b"Year,Sex,Value\n2020,,10\n2021,Female,abc\n"


@pytest.fixture
def french_not_a_number() -> Iterator[None]:
    """The French catalogue with the reader's "is not a number" translated, as the lead's
    translation will have it."""
    catalog: Any = getattr(trans_real.translation("fr"), "_catalog")  # noqa: B009  # private
    catalog[NOT_A_NUMBER] = IN_FRENCH
    try:
        yield
    finally:
        del catalog._catalogs[0][NOT_A_NUMBER]


@pytest.mark.django_db
@pytest.mark.usefixtures("french_not_a_number")
def test_a_french_upload_shows_a_french_message(cast: Any, log_in: Any) -> None:
    client = log_in(cast.data_provider)
    form = {"indicator": "10.7.3", "organisation": cast.statistics_office.pk, "ref_area": "KEN"}
    response = client.post(
        "/fr/indicators/submissions/new/", {**form, "file": upload(FILE), "dry_run": "on"}
    )
    assert response.status_code == 200
    problems = response.context["summary"]["problems"]
    assert [p["reason"] for p in problems if p["value"] == "abc"] == [IN_FRENCH]
    assert "n&#x27;est pas un nombre" in response.content.decode()
    # The same file in English says it in English.
    english = client.post(
        "/indicators/submissions/new/", {**form, "file": upload(FILE), "dry_run": "on"}
    )
    reasons = [p["reason"] for p in english.context["summary"]["problems"] if p["value"] == "abc"]
    assert reasons == [NOT_A_NUMBER]


def test_every_code_the_readers_give_has_a_template() -> None:
    given = set()
    for path in STATS.glob("*/*.py"):
        given |= set(re.findall(r'message\(\s*"([a-z0-9_]+)"', path.read_text(encoding="utf-8")))
    given |= {"missing_owid_columns", "missing_columns", "semicolons", "separator", "long_row"}
    given |= {"short_row", "unexpected_heading", "unexpected_heading_start"}
    assert len(given) > 40
    assert given - set(MESSAGES) == set()


def test_the_templates_say_in_english_what_the_readers_say() -> None:
    with translation.override("en"):
        value = opensdg.parse_value("abc", decimal_comma=False)
        assert value.error == NOT_A_NUMBER
        assert reader_text(value.error) == NOT_A_NUMBER
        period = opensdg.normalise_period("2011-12")
        assert period.warning is not None
        assert reader_text(period.warning) == period.warning
        coded = message("unknown_code", "observation {number}: {dimension} {code!r} is not a "
                        "code of {codelist}", number=3, dimension="SEX", code="X",
                        codelist="CL_SEX")  # fmt: skip
        assert reader_text(coded) == str(coded) == "observation 3: SEX 'X' is not a code of CL_SEX"


def test_an_unknown_code_or_a_mismatch_falls_back_to_the_english() -> None:
    assert reader_text(Message("something new", "brand_new")) == "something new"
    assert reader_text(Message("row 3 repeated", "repeated_figure", {})) == "row 3 repeated"
    assert reader_text(None) == ""


def test_reader_errors_share_one_base_and_carry_their_code(tmp_path: Path) -> None:
    from solidarity.stats._messages import ReaderError
    from solidarity.stats.undesa import UndesaError

    broken = tmp_path / "empty.csv"
    broken.write_bytes(b"\n\n")
    with pytest.raises(opensdg.OpenSdgError) as caught:
        opensdg.read_open_sdg(broken)
    assert isinstance(caught.value, ReaderError)
    assert issubclass(UndesaError, ReaderError)
    assert caught.value.code == "empty_file"
    with translation.override("en"):
        assert error_reason(caught.value) == "the file is empty: it has no header and no data"
