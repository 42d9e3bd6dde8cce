"""The commitments pages with real pledges: who sees and changes what, the forms end to end,
the downloads, the dashboard, and the registry's bounded number of queries."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from tests.permission_rows import LOGIN, ROLES

from solidarity.audit.models import AuditEntry
from solidarity.commitments import actions
from solidarity.commitments.models import Assessment, Pledge, ProgressUpdate, Transaction
from solidarity.commitments.tests.conftest import pledge_input

pytestmark = pytest.mark.django_db


@pytest.fixture
def kenya_draft(cast: Any) -> Pledge:
    return actions.pledge_create(
        actor=cast.focal_point_kenya, data=pledge_input(state=cast.kenya, title="Draft pledge")
    )


def _get(log_in: Any, cast: Any, role: str, address: str) -> Any:
    client = log_in(None if role == "anonymous" else cast.all_users()[role])
    return client.get(address)


def _status(response: Any) -> int | str:
    if response.status_code == 302 and response["Location"].startswith("/accounts/login/"):
        return LOGIN
    return int(response.status_code)


EDITORS = {"focal_point_kenya", "administrator"}


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_a_draft_and_who_edits_it(
    cast: Any, log_in: Any, role: str, kenya_draft: Pledge
) -> None:
    detail = _get(log_in, cast, role, f"/pledges/{kenya_draft.pk}/")
    expected = 200 if role in EDITORS else LOGIN if role == "anonymous" else 403
    assert _status(detail) == expected
    registry = _get(log_in, cast, role, "/pledges/")
    assert ("Draft pledge" in registry.content.decode()) is (role in EDITORS)
    edit = _get(log_in, cast, role, f"/pledges/{kenya_draft.pk}/edit/")
    assert _status(edit) == expected
    api = _get(log_in, cast, role, f"/api/v1/pledges/{kenya_draft.pk}")
    if role != "anonymous" and role != "migrant_org_member":
        return  # privileged roles need their second factor for the API: api/tests
    assert api.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_who_may_open_a_published_pledges_forms(
    cast: Any, log_in: Any, role: str, kenya_pledge: Pledge
) -> None:
    pk = kenya_pledge.pk
    assert _status(_get(log_in, cast, role, f"/pledges/{pk}/")) == 200
    editor = 200 if role in EDITORS else LOGIN if role == "anonymous" else 403
    for form in ("edit/", "progress/new/", "money/new/"):
        assert _status(_get(log_in, cast, role, f"/pledges/{pk}/{form}")) == editor, form
    # Assessing: anyone signed in who does not keep the pledge.
    assessor = LOGIN if role == "anonymous" else 403 if role in EDITORS else 200
    assert _status(_get(log_in, cast, role, f"/pledges/{pk}/assessments/new/")) == assessor


def test_a_focal_point_records_and_publishes_a_pledge_through_the_form(
    cast: Any, as_user: Any
) -> None:
    client = as_user(cast.focal_point_kenya)
    page = client.get("/pledges/new/")
    assert 'value="state:KEN"' in page.content.decode()
    assert 'value="state:MEX"' not in page.content.decode()
    response = client.post(
        "/pledges/new/",
        {
            "pledger": "state:KEN",
            "title": "Open regular pathways for domestic workers",
            "what": "Bilateral labour agreements with three Gulf States.",
            "form": "policy",
            "objectives": ["5", "6"],
            "solidarity_types": ["preventive"],
            "target_groups": ["women-and-girls"],
            "partner_states": "uga, tza",
            "partner_organisations": [str(cast.migrant_org.pk)],
            "stage": "planning",
            "by_when": "2027-06-30",
        },
    )
    pledge = Pledge.objects.get(title="Open regular pathways for domestic workers")
    assert response.status_code == 302
    assert response["Location"] == f"/pledges/{pledge.pk}/"
    assert sorted(c.iso3 for c in pledge.partner_states.all()) == ["TZA", "UGA"]
    assert list(pledge.partner_organisations.all()) == [cast.migrant_org]
    assert pledge.status == "draft"
    # Pledging for Mexico through a forged form is refused.
    forged = client.post(
        "/pledges/new/",
        {
            "pledger": "state:MEX",
            "title": "x",
            "what": "y",
            "form": "policy",
            "objectives": ["5"],
            "stage": "planning",
        },
    )
    assert forged.status_code == 400
    assert not Pledge.objects.filter(state="MEX").exists()
    assert client.post(f"/pledges/{pledge.pk}/publish/").status_code == 302
    pledge.refresh_from_db()
    assert pledge.status == "published"


def test_a_bad_partner_code_is_named(cast: Any, as_user: Any) -> None:
    response = as_user(cast.focal_point_kenya).post(
        "/pledges/new/",
        {
            "pledger": "state:KEN",
            "title": "x",
            "what": "y",
            "form": "policy",
            "objectives": ["5"],
            "stage": "planning",
            "partner_states": "UGA, XXX",
        },
    )
    assert response.status_code == 400
    assert "No State has the code XXX." in response.content.decode()


def test_another_states_focal_point_cannot_publish(
    cast: Any, as_user: Any, kenya_draft: Pledge
) -> None:
    response = as_user(cast.focal_point_mexico).post(f"/pledges/{kenya_draft.pk}/publish/")
    assert response.status_code == 403
    kenya_draft.refresh_from_db()
    assert kenya_draft.status == "draft"


def test_progress_through_the_pages(cast: Any, as_user: Any, kenya_pledge: Pledge) -> None:
    response = as_user(cast.focal_point_kenya).post(
        f"/pledges/{kenya_pledge.pk}/progress/new/",
        {"as_of": "2025-06-30", "text": "120 trained.", "stage": "in_progress"},
    )
    update = ProgressUpdate.objects.get()
    address = f"/pledges/{kenya_pledge.pk}/progress/{update.pk}/"
    assert response["Location"] == address
    # Until approved the update is the pledger's and the reviewers' only.
    assert _status(as_user(cast.focal_point_mexico).get(address)) == 403
    assert "120 trained." not in as_user(None).get(f"/pledges/{kenya_pledge.pk}/").content.decode()
    as_user(cast.focal_point_kenya).post(address, {"step": "submit"})
    assert "Approve" in as_user(cast.reviewer).get(address).content.decode()
    as_user(cast.reviewer).post(address, {"step": "return", "reason": "Which posts?"})
    update.refresh_from_db()
    assert (update.status, update.return_reason) == ("returned", "Which posts?")
    as_user(cast.focal_point_kenya).post(
        address,
        {
            "action": "save",
            "as_of": "2025-06-30",
            "text": "120 trained at Busia and Malaba.",
            "stage": "in_progress",
        },
    )
    as_user(cast.focal_point_kenya).post(address, {"step": "submit"})
    as_user(cast.reviewer).post(address, {"step": "approve"})
    update.refresh_from_db()
    assert update.status == "approved"
    page = as_user(None).get(f"/pledges/{kenya_pledge.pk}/").content.decode()
    assert "120 trained at Busia and Malaba." in page
    # A reviewer who forges an approval of a draft gets an error message, not a change.
    draft = actions.progress_update_save(
        actor=cast.focal_point_kenya,
        pledge=kenya_pledge,
        as_of=date(2025, 9, 1),
        text="More.",
        stage="in_progress",
    )
    as_user(cast.reviewer).post(
        f"/pledges/{kenya_pledge.pk}/progress/{draft.pk}/", {"step": "approve"}
    )
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_an_assessment_through_the_pages(cast: Any, as_user: Any, kenya_pledge: Pledge) -> None:
    lucia = as_user(cast.migrant_org_member)
    response = lucia.post(
        f"/pledges/{kenya_pledge.pk}/assessments/new/",
        {
            "as_of": "2025-07-01",
            "rating": "partly",
            "text": "Two of five posts.",
            "organisation": str(cast.migrant_org.pk),
        },
    )
    assert response.status_code == 302
    assessment = Assessment.objects.get()
    assert assessment.organisation == cast.migrant_org
    edit = f"/pledges/{kenya_pledge.pk}/assessments/{assessment.pk}/edit/"
    assert as_user(cast.focal_point_kenya).get(edit).status_code == 403
    assert (
        as_user(cast.focal_point_kenya)
        .post(edit, {"as_of": "2025-07-01", "rating": "on_track", "text": "All good."})
        .status_code
        == 403
    )
    assessment.refresh_from_db()
    assert assessment.rating == "partly"
    page = as_user(None).get(f"/pledges/{kenya_pledge.pk}/").content.decode()
    assert "Two of five posts." in page
    assert "Migrant Workers&#x27; Voice" in page


def test_money_through_the_page(cast: Any, as_user: Any, kenya_pledge: Pledge) -> None:
    response = as_user(cast.focal_point_kenya).post(
        f"/pledges/{kenya_pledge.pk}/money/new/",
        {
            "type": "3",
            "date": "2025-01-20",
            "value": "1000.50",
            "currency": "gbp",
            "channel": "bilateral",
            "recipient_country": "UGA",
        },
    )
    assert response.status_code == 302
    row = Transaction.objects.filter(commitment__pledge=kenya_pledge).order_by("-position").first()
    assert row is not None
    assert (row.currency, row.recipient_country) == ("GBP", "UG")
    assert row.value_usd is not None
    bad = as_user(cast.focal_point_kenya).post(
        f"/pledges/{kenya_pledge.pk}/money/new/",
        {
            "type": "3",
            "date": "2025-01-20",
            "value": "10",
            "currency": "GBP",
            "channel": "bilateral",
            "recipient_country": "ZZZ",
        },
    )
    assert bad.status_code == 400
    assert "No country has this code." in bad.content.decode()


def test_the_registry_filters_and_downloads(cast: Any, as_user: Any, kenya_pledge: Pledge) -> None:
    client = as_user(None)
    assert "Train border officials" in client.get("/pledges/?objective=11").content.decode()
    assert "Train border officials" not in client.get("/pledges/?objective=1").content.decode()
    # Uganda is a partner of Kenya's pledge: it is on Uganda's page.
    uganda = client.get("/pledges/states/UGA/").content.decode()
    assert "Train border officials" in uganda
    assert 'href="/pledges/pledges.csv?state=UGA"' in uganda
    assert "Train border officials" in client.get("/pledges/?south_south=on").content.decode()
    assert client.get("/pledges/?objective=99").status_code == 400
    rows = list(csv.DictReader(io.StringIO(client.get("/pledges/pledges.csv").content.decode())))
    assert len(rows) == 1
    assert rows[0]["reference"] == f"P-{kenya_pledge.pk}"
    assert rows[0]["partners"] == "UGA"
    assert rows[0]["pledged_usd"] == "1000000.00"
    assert rows[0]["transactions_not_converted"] == "1"
    workbook = load_workbook(io.BytesIO(client.get("/pledges/pledges.xlsx").content))
    sheet = workbook["pledges"]
    assert [cell.value for cell in sheet[1]][:3] == ["reference", "title", "pledger"]
    assert sheet.cell(row=2, column=3).value == "KEN"


def test_the_dashboard_shows_the_money(cast: Any, as_user: Any, kenya_pledge: Pledge) -> None:
    page = as_user(None).get("/pledges/dashboard/").content.decode()
    assert "215,894" in page  # disbursed in 2024 (EUR 200,000; the KES amount has no rate)
    assert "South-South or triangular" in page
    assert "Uganda" in page
    assert "<svg" in page


def test_the_dashboard_draws_the_flows(cast: Any, as_user: Any, kenya_pledge: Pledge) -> None:
    from lxml import html  # type: ignore[import-untyped]

    # A second, northern pledger disbursing to Uganda too: one flow hatched, one not.
    sweden = actions.pledge_create(
        actor=cast.administrator,
        data=pledge_input(state=cast.kenya.__class__.objects.get(iso3="SWE")),
    )
    sweden = actions.pledge_publish(actor=cast.administrator, pledge=sweden)
    actions.money_record(
        actor=cast.administrator,
        pledge=sweden,
        data=actions.MoneyInput(
            type="3",
            date=date(2024, 2, 15),
            value=Decimal("100000"),
            currency="USD",
            channel="bilateral",
            recipient_country="UGA",
        ),
    )
    page = html.fromstring(as_user(None).get("/pledges/dashboard/").content)
    (svg,) = page.xpath("//figure[@class='flow-diagram']/svg")
    assert svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby").split()
    assert svg.xpath(f".//*[@id='{title_id}']")[0].text == (
        "Money disbursed from pledgers to recipient countries"
    )
    description = " ".join(svg.xpath(f".//*[@id='{desc_id}']")[0].text.split())
    assert description.startswith("2 flows (2 pledgers, one recipient), each band as thick")
    assert "South-South and triangular flows are hatched" in description
    bands = {
        " ".join(band.xpath("string(title)").split()): band.get("fill")
        for band in svg.xpath(".//path")
    }
    assert bands == {
        "Kenya → Uganda: US$ 215,894 (South-South or triangular cooperation)": (
            "url(#flows-south-south)"
        ),
        "Sweden → Uganda: US$ 100,000": "#9fb4c7",
    }
    # Never an inline style: the strict CSP would refuse it.
    assert not svg.xpath(".//@style")
    # The table stays, as the diagram's accessible alternative.
    assert page.xpath("//caption[@id='flows-caption']")


def test_the_registry_answers_in_a_bounded_number_of_queries(cast: Any, as_user: Any) -> None:
    from django.utils import timezone

    from solidarity.reference.models import Objective

    now = timezone.now()
    pledges = Pledge.objects.bulk_create(
        Pledge(
            state_id=("KEN", "MEX", "UGA")[n % 3],
            title=f"Pledge {n}",
            what="Something.",
            form="policy",
            status="published",
            published_at=now,
        )
        for n in range(10_000)
    )
    links = Pledge.objectives.through
    links.objects.bulk_create(links(pledge_id=p.pk, objective_id=1 + p.pk % 23) for p in pledges)
    assert Objective.objects.count() == 23
    client = as_user(None)
    counts = {}
    for address in ("/pledges/", "/pledges/?page=200", "/pledges/?state=KEN&objective=7"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(address)
        assert response.status_code == 200
        counts[address] = len(queries)
    # The filter form's three lists, the count, the page, then its objectives, kinds of
    # solidarity and partners (States, organisations) — whatever the number of pledges; the
    # State filter checks its code once more.
    assert counts == {
        "/pledges/": 9,
        "/pledges/?page=200": 9,
        "/pledges/?state=KEN&objective=7": 10,
    }
    assert "10000 pledges." in client.get("/pledges/").content.decode()
    assert AuditEntry.objects.filter(object_type="commitments.pledge").count() == 0


def test_country_and_objective_pages_count_published_pledges(
    cast: Any, as_user: Any, kenya_pledge: Pledge, kenya_draft: Pledge
) -> None:
    client = as_user(None)
    kenya = client.get("/countries/KEN/").content.decode()
    assert "1 published pledge." in kenya  # the draft is not counted
    assert "US$ 215,894 disbursed so far." in kenya
    assert 'href="/pledges/states/KEN/"' in kenya
    assert "1 published pledge." in client.get("/countries/UGA/").content.decode()  # partner
    assert "1 published pledge." in client.get("/objectives/13/").content.decode()
    assert "No published pledge yet." in client.get("/objectives/1/").content.decode()
