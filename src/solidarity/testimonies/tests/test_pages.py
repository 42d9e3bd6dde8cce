"""The testimony pages through Django's test client: the public form with its abuse protection,
the receipt page, the moderators' pages and the staff form."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.core import signing
from django.test import Client

from solidarity.audit.models import AuditEntry
from solidarity.testimonies import models, ratelimit
from solidarity.testimonies.tests.conftest import release, submit

pytestmark = pytest.mark.django_db


def form_data(**changes: Any) -> dict[str, Any]:
    data = {
        "text": "Crucé la frontera de noche con mi hija.",
        "identity_level": "anonymous",
        "consent_store": "on",
        "consent_publish": "on",
        "country_of_origin": "Honduras",
        "country_of_destination": "México",
        "objectives": ["7", "8"],
        "groups": ["woman"],
        "website": "",
        "token": ratelimit.form_token(),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def receipt_code(response: Any) -> str:
    match = re.search(r'id="receipt-code">([A-Z2-7-]+)<', response.content.decode())
    assert match, response.content.decode()[:500]
    return match.group(1)


def test_the_form_in_spanish_receives_a_testimony_and_gives_a_receipt() -> None:
    client = Client()
    page = client.get("/es/testimonies/new/")
    assert page.status_code == 200
    assert 'lang="es"' in page.content.decode()
    assert "<script" not in page.content.decode()
    response = client.post("/es/testimonies/new/", form_data())
    assert response.status_code == 200
    code = receipt_code(response)
    testimony = models.Testimony.objects.get()
    assert testimony.language == "es"
    assert testimony.country_of_origin_id == "HND"
    assert testimony.country_of_destination_id == "MEX"
    assert sorted(o.number for o in testimony.objectives.all()) == [7, 8]
    assert testimony.groups == ["woman"]
    assert {c.use for c in testimony.consents.all() if c.granted} == {"store", "publish"}
    # The wording kept is the Spanish one the person saw (once translated; English until then).
    assert testimony.consents.get(use="store").language == "es"
    assert testimony.receipt_digest in response.content.decode()
    assert len(code) == 24


def test_without_consent_to_keep_it_nothing_is_saved() -> None:
    response = Client().post("/testimonies/new/", form_data(consent_store=None))
    assert response.status_code == 400
    assert "We can only receive your testimony if you agree that we keep it." in (
        response.content.decode()
    )
    assert not models.Testimony.objects.exists()


def test_an_unknown_country_is_named() -> None:
    response = Client().post("/testimonies/new/", form_data(country_of_origin="Atlantis"))
    assert response.status_code == 400
    assert "We do not know this country: please pick one from the list." in (
        response.content.decode()
    )


def test_the_time_trap_asks_again_and_keeps_the_text(settings: Any) -> None:
    settings.TESTIMONY_FORM_MIN_SECONDS = 3
    client = Client()
    response = client.post("/testimonies/new/", form_data())
    assert response.status_code == 400
    body = response.content.decode()
    assert "Please check your answers and press “Send my testimony” again." in body
    assert "Crucé la frontera de noche con mi hija." in body
    assert not models.Testimony.objects.exists()
    # The form now carries a fresh token; a person sending it again after a moment succeeds.
    old = signing.dumps({"t": time.time() - 10, "n": "abc"}, salt=ratelimit.TOKEN_SALT)
    assert client.post("/testimonies/new/", form_data(token=old)).status_code == 200
    assert models.Testimony.objects.count() == 1


def test_the_honeypot_and_replays_are_refused() -> None:
    client = Client()
    assert client.post("/testimonies/new/", form_data(website="http://spam")).status_code == 400
    assert not models.Testimony.objects.exists()
    data = form_data()
    assert client.post("/testimonies/new/", data).status_code == 200
    again = client.post("/testimonies/new/", data)
    assert again.status_code == 400
    assert "This testimony was already received." in again.content.decode()
    assert models.Testimony.objects.count() == 1
    assert client.post("/testimonies/new/", form_data(token="forged")).status_code == 400


def test_a_shared_connection_has_a_generous_budget(settings: Any) -> None:
    settings.TESTIMONY_SUBMISSIONS_PER_HOUR = 3
    shelter = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(3):
        assert shelter.post("/testimonies/new/", form_data()).status_code == 200
    refused = shelter.post("/testimonies/new/", form_data())
    assert refused.status_code == 429
    assert "Your text is still here" in refused.content.decode()
    assert "Crucé la frontera" in refused.content.decode()
    # Another connection is not affected; an IPv6 /64 counts as one address.
    assert (
        Client(REMOTE_ADDR="198.51.100.2").post("/testimonies/new/", form_data()).status_code == 200
    )
    for host in range(1, 4):
        phone = Client(REMOTE_ADDR=f"2001:db8:1:2::{host}")
        assert phone.post("/testimonies/new/", form_data()).status_code == 200
    assert (
        Client(REMOTE_ADDR="2001:db8:1:2::99").post("/testimonies/new/", form_data()).status_code
        == 429
    )
    assert models.Testimony.objects.count() == 7


def test_the_receipt_page_checks_and_withdraws(cast: Any) -> None:
    receipt = submit()
    release(receipt.testimony, cast.moderator)
    client = Client()
    response = client.post("/testimonies/receipt/", {"code": receipt.code.lower()})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Released by a moderator" in body
    assert "Yes: the stored testimony matches your fingerprint." in body
    assert receipt.code.lower() not in response.wsgi_request.get_full_path()
    client.post(
        "/testimonies/receipt/", {"code": receipt.code, "action": "withdraw", "use": ["publish"]}
    )
    assert not receipt.testimony.consents.get(use="publish").in_force
    response = client.post(
        "/testimonies/receipt/", {"code": receipt.code, "action": "withdraw_all"}
    )
    assert "Your testimony is withdrawn and its text erased." in response.content.decode()
    assert "The text was erased when you withdrew it." in response.content.decode()
    assert models.Testimony.objects.get().status == "withdrawn"


def test_wrong_receipt_codes_are_limited() -> None:
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(ratelimit.WRONG_RECEIPTS_PER_HOUR):
        response = client.post("/testimonies/receipt/", {"code": "AAAA-BBBB-CCCC-DDDD-EEEE"})
        assert response.status_code == 404
        assert "No testimony has this receipt code. Please check it." in response.content.decode()
    response = client.post("/testimonies/receipt/", {"code": "AAAA-BBBB-CCCC-DDDD-EEEE"})
    assert response.status_code == 429
    assert "Too many attempts. Please try again in an hour." in response.content.decode()


def test_a_moderator_reveals_redacts_and_publishes(cast: Any, log_in: Any) -> None:
    testimony = submit(text="My name is Amal Hassan. We slept in Moyale for a week.").testimony
    client = log_in(cast.moderator)
    queue = client.get("/testimonies/moderation/").content.decode()
    assert str(testimony.public_id) in queue
    assert "Amal" not in queue
    address = f"/testimonies/moderation/{testimony.public_id}/"
    page = client.get(address).content.decode()
    assert "Amal" not in page
    assert "Could publishing this endanger the person?" in page
    revealed = client.post(address, {"action": "reveal", "reason": "Redaction"})
    assert "My name is Amal Hassan." in revealed.content.decode()
    assert AuditEntry.objects.filter(action="testimony.reveal", actor=cast.moderator).count() == 1
    flags = [str(flag.pk) for flag in testimony.flags.all()]
    assert len(flags) == 2
    refused = client.post(
        address,
        {
            "action": "decide",
            "decision": "publish",
            "could_endanger": "unsure",
            "reason": "ok",
            "flags": flags,
        },
    )
    assert refused.status_code == 400
    assert "only when you are sure publishing it could not endanger the person" in (
        refused.content.decode()
    )
    done = client.post(
        address,
        {
            "action": "decide",
            "decision": "publish",
            "could_endanger": "no",
            "reason": "Name and town removed.",
            "flags": flags,
        },
    )
    assert done.status_code == 200
    public = Client().get("/testimonies/").content.decode()
    assert "My name is [name removed]. We slept in [place removed] for a week." in public


def test_before_publication_a_focal_point_sees_nothing(cast: Any, log_in: Any) -> None:
    testimony = submit(text="Waiting in Kenya for a decision.").testimony
    client = log_in(cast.focal_point_kenya)
    assert "Waiting" not in client.get("/testimonies/shared/").content.decode()
    assert client.get(f"/testimonies/moderation/{testimony.public_id}/").status_code == 403
    assert client.get("/testimonies/moderation/").status_code == 403
    release(testimony, cast.moderator)
    assert "Waiting in [place removed]" in client.get("/testimonies/shared/").content.decode()


def test_staff_record_on_someones_behalf(cast: Any, log_in: Any) -> None:
    client = log_in(cast.reviewer)
    data = form_data(token=None)
    response = client.post("/testimonies/record/", data)
    assert response.status_code == 400  # the read-aloud confirmation is required
    response = client.post("/testimonies/record/", data | {"read_aloud": "on"})
    assert response.status_code == 200
    receipt_code(response)
    testimony = models.Testimony.objects.get()
    assert testimony.recorded_by == cast.reviewer
    assert testimony.consents.get(use="store").wording.startswith("Read out by staff: ")


def test_the_public_list_pages_in_a_bounded_number_of_queries(
    cast: Any, django_assert_max_num_queries: Any
) -> None:
    for number in range(23):
        release(submit(text=f"Story number {number:02d}.").testimony, cast.moderator)
    client = Client()
    with django_assert_max_num_queries(10):
        first = client.get("/testimonies/?objective=7").content.decode()
    assert first.count("Story number") == 20
    assert "Story number 22." in first
    assert "Story number 02." not in first
    second = client.get("/testimonies/?objective=7&page=2").content.decode()
    assert second.count("Story number") == 3
    assert 'href="?objective=7&amp;page=1"' in second
