"""The consent gate, checked everywhere a testimony can leave the platform.

For each consent choice, a released testimony is looked for through every reader of every use —
the selector the State dossier will call (issue 8), the pages, the JSON API and the CSV export —
by the people each use shares with. A use the person agreed to shows it in all of them; every
other use shows it in none. The same holds for a testimony no moderator released, one whose
consent was withdrawn, and one withdrawn entirely.
"""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

import pytest
from django.test import Client

from solidarity.api.tests.conftest import signed_in_client
from solidarity.testimonies import actions, models, selectors
from solidarity.testimonies.tests.conftest import release, submit

pytestmark = pytest.mark.django_db

SHARED_USES = ["publish", "share_state", "share_un", "research"]


def _marker() -> str:
    return f"marker{uuid.uuid4().hex}"


def _csv_text(response: Any) -> str:
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    return " ".join(row["text"] for row in rows)


def _section(response: Any, use: str) -> str:
    """The part of the "shared with you" page for one use (a reviewer's page has two)."""
    page = response.content.decode()
    start = page.find(f'<section id="shared-{use}">')
    return page[start : page.index("</section>", start)] if start >= 0 else ""


def seen_by(use: str, testimony: models.Testimony, marker: str, cast: Any) -> dict[str, bool]:
    """Whether ``testimony`` (its text contains ``marker``) reaches ``use``'s audience through
    each reader. Each audience is a real member of the cast."""
    public_id = str(testimony.public_id)
    seen: dict[str, bool] = {}
    if use == "publish":
        client = Client()
        seen["selector"] = selectors.testimonies_for_use(use).filter(pk=testimony.pk).exists()
        seen["page list"] = marker in client.get("/testimonies/").content.decode()
        seen["page list, by country"] = (
            marker in client.get("/testimonies/?country=KEN").content.decode()
        )
        seen["page list, by objective"] = (
            marker in client.get("/testimonies/?objective=7").content.decode()
        )
        seen["page"] = client.get(f"/testimonies/{public_id}/").status_code == 200
        seen["API list"] = public_id in [t["id"] for t in client.get("/api/v1/testimonies").json()]
        seen["API one"] = client.get(f"/api/v1/testimonies/{public_id}").status_code == 200
        seen["CSV"] = marker in _csv_text(client.get("/testimonies/export.csv"))
        seen["page, Spanish"] = marker in client.get("/es/testimonies/").content.decode()
        return seen
    audience = {
        "share_state": cast.focal_point_kenya,
        "share_un": cast.reviewer,
        "research": cast.reviewer,
    }[use]
    client = signed_in_client(audience)
    state = "KEN" if use == "share_state" else None
    query = f"?state={state}" if state else ""
    seen["selector"] = (
        selectors.testimonies_for_use(use, state=state).filter(pk=testimony.pk).exists()
    )
    seen["shared page"] = marker in _section(client.get("/testimonies/shared/"), use)
    seen["API"] = public_id in [
        t["id"] for t in client.get(f"/api/v1/testimonies/shared/{use}{query}").json()
    ]
    seen["CSV"] = marker in _csv_text(
        client.get(f"/testimonies/export.csv?use={use}" + (f"&state={state}" if state else ""))
    )
    return seen


def _everywhere(value: bool, use: str, testimony: Any, marker: str, cast: Any) -> None:
    seen = seen_by(use, testimony, marker, cast)
    assert seen == dict.fromkeys(seen, value), (use, seen)


@pytest.mark.parametrize("granted", SHARED_USES)
def test_each_use_sees_only_what_was_consented(cast: Any, granted: str) -> None:
    marker = _marker()
    testimony = submit(text=f"{marker} waited", granted={"store", granted}).testimony
    release(testimony, cast.moderator)
    for use in SHARED_USES:
        _everywhere(use == granted, use, testimony, marker, cast)


def test_consent_to_keep_only_reaches_nobody(cast: Any) -> None:
    marker = _marker()
    testimony = submit(text=f"{marker} waited", granted={"store"}).testimony
    release(testimony, cast.moderator)
    for use in SHARED_USES:
        _everywhere(False, use, testimony, marker, cast)
    assert selectors.testimonies_for_use("store").filter(pk=testimony.pk).exists()


@pytest.mark.parametrize("status", ["received", "refused"])
def test_nothing_unreleased_reaches_anyone(cast: Any, status: str) -> None:
    marker = _marker()
    testimony = submit(text=f"{marker} waited").testimony
    if status == "refused":
        actions.testimony_moderate(
            actor=cast.moderator,
            testimony=testimony,
            decision="refuse",
            could_endanger="yes",
            reason="Too specific.",
        )
    for use in SHARED_USES:
        _everywhere(False, use, testimony, marker, cast)


@pytest.mark.parametrize("withdrawn", SHARED_USES)
def test_withdrawing_one_use_blocks_it_everywhere_and_only_it(cast: Any, withdrawn: str) -> None:
    marker = _marker()
    testimony = submit(text=f"{marker} waited").testimony
    release(testimony, cast.moderator)
    for use in SHARED_USES:
        _everywhere(True, use, testimony, marker, cast)
    actions.consent_withdraw(testimony=testimony, uses=[withdrawn])
    for use in SHARED_USES:
        _everywhere(use != withdrawn, use, testimony, marker, cast)


def test_withdrawing_everything_blocks_every_use(cast: Any) -> None:
    marker = _marker()
    testimony = submit(text=f"{marker} waited").testimony
    release(testimony, cast.moderator)
    actions.testimony_withdraw(testimony=testimony)
    for use in [*SHARED_USES]:
        _everywhere(False, use, testimony, marker, cast)
    assert not selectors.testimonies_for_use("store").filter(pk=testimony.pk).exists()


def test_a_state_sees_only_its_own(cast: Any) -> None:
    marker = _marker()
    kenya = submit(text=f"{marker} waited", granted={"store", "share_state"}).testimony
    release(kenya, cast.moderator)
    mexico_client = signed_in_client(cast.focal_point_mexico)
    assert marker not in mexico_client.get("/testimonies/shared/").content.decode()
    assert mexico_client.get("/testimonies/export.csv?use=share_state&state=KEN").status_code == 403
    response = mexico_client.get("/api/v1/testimonies/shared/share_state?state=KEN")
    assert response.status_code == 403
    assert response.json() == {"detail": "These testimonies are not shared with you."}
    assert mexico_client.get("/api/v1/testimonies/shared/share_state?state=MEX").json() == []
    with pytest.raises(selectors.StateRequiredError):
        selectors.testimonies_for_use("share_state")
    # The countries of origin and transit count as "the State concerned" too.
    marker = _marker()
    transit = submit(
        text=f"{marker} waited",
        granted={"store", "share_state"},
        destination=None,
        origin="MEX",
    ).testimony
    release(transit, cast.moderator)
    assert marker in mexico_client.get("/testimonies/shared/").content.decode()


def test_only_redacted_text_leaves(cast: Any) -> None:
    testimony = submit(
        text="My name is Amal Hassan and I live in Nairobi.",
        identity_level="named",
        name="Amal Hassan",
        email="amal@example.org",
    ).testimony
    release(testimony, cast.moderator)
    client = Client()
    api = client.get("/api/v1/testimonies").json()
    assert api[0]["text"] == "My name is [name removed] and I live in [place removed]."
    assert api[0]["attribution"] == "Amal Hassan"  # the person chose to be named
    page = client.get("/testimonies/").content.decode()
    assert "Nairobi" not in page
    assert "amal@example.org" not in page


def test_the_public_list_answers_in_a_fixed_number_of_queries(
    cast: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(5):
        release(submit(granted={"store", "publish"}).testimony, cast.moderator)
    with django_assert_max_num_queries(12):
        response = Client().get("/api/v1/testimonies")
    assert len(response.json()) == 5
