"""The serving caches never share what is not public, and follow publications at once: whole
pages kept for anonymous visitors (solidarity.web.caching), the worker's memo of what is public
(sdmx_cache.public_state), and the gzip copies of SDMX answers."""

from __future__ import annotations

import gzip
import io
import os
import re
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone

from solidarity.indicators import sdmx_cache
from solidarity.indicators.actions import (
    dataset_version_approve,
    dataset_version_publish,
    dataset_version_submit,
    submission_import,
)
from solidarity.indicators.models import DatasetVersion, Indicator
from solidarity.indicators.selectors import ref_area_get
from solidarity.states.actions import state_profile_update
from solidarity.web.tests.conftest import signed_in_client

pytestmark = pytest.mark.django_db

PAGE = "/indicators/10.7.3/"
# Kenya's figures for 10.7.3, and how the chart's description says the headline one.
KENYA = b"Year,Sex,Value\n2020,,4321\n2020,Female,1234\n2020,Male,3087\n"
FIGURE = "latest 4321 in 2020"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')
SDMX_CSV = "/sdmx/data/DF_10_7_3?format=csv"


@pytest.fixture(autouse=True)
def _memo_as_in_production(settings: Any) -> None:
    """Workers keep what is public for an hour here: what is seen at once is then seen because
    of the change stamp and the signals, not because the memo ran out."""
    settings.PUBLIC_STATE_SECONDS = 3600


def _draft(cast: Any, content: bytes = KENYA, note: str = "") -> DatasetVersion:
    result = submission_import(
        actor=cast.data_provider,
        indicator=Indicator.objects.get(code="10.7.3"),
        provider=cast.statistics_office,
        ref_area=ref_area_get(iso3_or_m49="KEN"),
        file=io.BytesIO(content),
        file_name="kenya.csv",
        dry_run=False,
        revision_note=note,
    )
    assert result.version is not None, result.summary.as_json()
    return result.version


def _approved(cast: Any, content: bytes = KENYA, note: str = "") -> DatasetVersion:
    version = dataset_version_submit(actor=cast.data_provider, version=_draft(cast, content, note))
    return dataset_version_approve(actor=cast.reviewer, version=version)


def _figure_shown(client: Client) -> bool:
    response = client.get(PAGE)
    assert response.status_code == 200
    return FIGURE in response.content.decode()


def test_anonymous_visitors_share_the_page_but_not_their_csrf_tokens(
    cast: Any, django_assert_num_queries: Any
) -> None:
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    page = first.get(PAGE).content.decode()
    with django_assert_num_queries(0):
        kept = second.get(PAGE)
    tokens = TOKEN.findall(kept.content.decode())
    assert len(tokens) == 1  # the language form; the visitors are signed out
    assert tokens[0] not in page
    assert TOKEN.sub("", kept.content.decode()) == TOKEN.sub("", page)
    assert kept.cookies[django_settings.CSRF_COOKIE_NAME].value
    # The token given from the cache is the second visitor's own: the language form works.
    switched = second.post(
        "/i18n/setlang/", {"language": "fr", "next": PAGE, "csrfmiddlewaretoken": tokens[0]}
    )
    assert switched.status_code == 302
    # And is not the first visitor's.
    refused = first.post(
        "/i18n/setlang/", {"language": "fr", "next": PAGE, "csrfmiddlewaretoken": tokens[0]}
    )
    assert refused.status_code == 403


def test_signed_in_users_get_their_own_page_never_a_kept_one(
    cast: Any, client: Client, django_assert_max_num_queries: Any
) -> None:
    focal_point = signed_in_client(cast.focal_point_kenya)
    name = cast.focal_point_kenya.get_username()
    assert name in focal_point.get(PAGE).content.decode()  # before any anonymous visit
    assert name not in client.get(PAGE).content.decode()  # not kept from the signed-in visit
    with django_assert_max_num_queries(20) as queries:
        mine = focal_point.get(PAGE).content.decode()
    assert len(queries) > 0  # rendered for the focal point, not taken from the kept page
    assert name in mine
    assert 'action="/accounts/logout/"' in mine


def test_drafts_approved_and_embargoed_versions_never_reach_the_kept_page(
    cast: Any, client: Client
) -> None:
    assert not _figure_shown(client)
    draft = _draft(cast)
    provider = signed_in_client(cast.data_provider)
    # The provider sees the draft on its own page; the public page stays without it.
    version_page = f"/indicators/datasets/{draft.dataset_id}/versions/{draft.number}/"
    assert provider.get(version_page).status_code == 200
    assert not _figure_shown(provider)
    assert not _figure_shown(client)
    approved = _approved(cast, KENYA.replace(b"4321", b"4322"), "Revised.")
    assert approved.status == DatasetVersion.Status.APPROVED
    assert not _figure_shown(client)
    dataset_version_publish(
        actor=cast.administrator, version=approved, embargo_until=timezone.now() + timedelta(days=1)
    )
    assert "4322" not in client.get(PAGE).content.decode()


def test_a_publication_shows_at_once(
    cast: Any, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    assert not _figure_shown(client)
    version = _approved(cast)
    with django_capture_on_commit_callbacks(execute=True):
        dataset_version_publish(actor=cast.administrator, version=version)
    assert _figure_shown(client)


def test_another_worker_sees_a_publication_by_the_change_stamp(
    cast: Any, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    version = _approved(cast)
    assert not _figure_shown(client)
    # Published behind the platform's back (no signal, no stamp): this worker keeps what it
    # read, for at most SOLIDARITY_PUBLIC_STATE_SECONDS.
    DatasetVersion.objects.filter(pk=version.pk).update(
        status=DatasetVersion.Status.PUBLISHED, published_at=timezone.now()
    )
    assert not _figure_shown(client)
    # What another worker's publication leaves behind once it commits: a new change stamp
    # (written as a new file, as that worker would; this worker does not forget its copy).
    stamp = Path(django_settings.HOME) / "cache" / "public-state"
    stamp.parent.mkdir(parents=True, exist_ok=True)
    written = stamp.with_suffix(".part")
    written.write_bytes(b"another worker")
    os.replace(written, stamp)
    assert _figure_shown(client)


def test_without_the_memo_every_request_reads_what_is_public(
    cast: Any, client: Client, settings: Any
) -> None:
    settings.PUBLIC_STATE_SECONDS = 0
    version = _approved(cast)
    assert not _figure_shown(client)
    DatasetVersion.objects.filter(pk=version.pk).update(
        status=DatasetVersion.Status.PUBLISHED, published_at=timezone.now()
    )
    assert _figure_shown(client)


def test_the_end_of_an_embargo_shows_at_once(cast: Any, client: Client) -> None:
    release = timezone.now() + timedelta(seconds=1.5)
    dataset_version_publish(
        actor=cast.administrator, version=_approved(cast), embargo_until=release
    )
    assert not _figure_shown(client)
    assert sdmx_cache.public_state().next_release == release
    time.sleep(max(0.0, (release - timezone.now()).total_seconds()) + 0.1)
    assert _figure_shown(client)


def test_a_catalogue_change_shows_at_once(client: Client) -> None:
    assert "IOM and UNHCR" not in client.get(PAGE).content.decode()
    indicator = Indicator.objects.get(code="10.7.3")
    indicator.custodian = "IOM and UNHCR"
    indicator.save()
    assert "IOM and UNHCR" in client.get(PAGE).content.decode()


def test_a_country_page_follows_its_profile(
    cast: Any, client: Client, django_assert_num_queries: Any
) -> None:
    assert "Ministry of Interior" not in client.get("/countries/KEN/").content.decode()
    with django_assert_num_queries(0):  # the profile's moment is kept too
        assert "Ministry of Interior" not in client.get("/countries/KEN/").content.decode()
    state_profile_update(
        actor=cast.focal_point_kenya,
        country=cast.kenya,
        coordinating_institution="Ministry of Interior",
    )
    assert "Ministry of Interior" in client.get("/countries/KEN/").content.decode()


def test_a_visitors_messages_and_session_are_never_kept(
    client: Client, rf: Any, django_assert_max_num_queries: Any
) -> None:
    visitor = Client()
    storage = CookieStorage(rf.get(PAGE))
    storage.add(constants.INFO, "Only for you.")
    carrier = HttpResponse()
    storage.update(carrier)
    visitor.cookies[CookieStorage.cookie_name] = carrier.cookies[CookieStorage.cookie_name].value
    assert "Only for you." in visitor.get(PAGE).content.decode()
    assert "Only for you." not in client.get(PAGE).content.decode()
    # A visitor with a session may be signed in or have messages there: the page is theirs.
    with_session = Client()
    with_session.cookies[django_settings.SESSION_COOKIE_NAME] = "no-such-session"
    with django_assert_max_num_queries(20) as queries:
        assert with_session.get(PAGE).status_code == 200
    assert len(queries) > 0


def test_sdmx_answers_go_gzip_compressed_to_clients_that_take_it(
    cast: Any, client: Client, django_assert_num_queries: Any
) -> None:
    dataset_version_publish(actor=cast.administrator, version=_approved(cast))
    plain = client.get(SDMX_CSV).getvalue()  # written, and stored
    assert b"4321" in plain
    with django_assert_num_queries(0):
        compressed = client.get(SDMX_CSV, HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert compressed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed["Vary"]
    assert gzip.decompress(compressed.getvalue()) == plain
    again = client.get(SDMX_CSV)
    assert not again.has_header("Content-Encoding")
    assert "Accept-Encoding" in again["Vary"]
    assert again.getvalue() == plain
    assert again["ETag"] != compressed["ETag"]
    refused = client.get(SDMX_CSV, HTTP_ACCEPT_ENCODING="gzip;q=0, identity")
    assert not refused.has_header("Content-Encoding")
    assert refused.getvalue() == plain
    with django_assert_num_queries(0):
        unchanged = client.get(
            SDMX_CSV, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=compressed["ETag"]
        )
    assert unchanged.status_code == 304
