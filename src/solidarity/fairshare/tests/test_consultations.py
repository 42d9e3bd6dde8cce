"""Equal voice: one State, one vote, cast by its focal point; quorum and majority; results
published at the close; everything audited."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from solidarity.audit.models import AuditEntry
from solidarity.fairshare.actions import (
    OptionInput,
    consultation_create,
    consultation_open,
    country_group_create,
)
from solidarity.fairshare.models import Consultation, CountryGroup, Vote
from solidarity.fairshare.selectors import consultation_result
from solidarity.stats.fairshare import preset_key

pytestmark = pytest.mark.django_db

OPTIONS = "EU 2024 key | eu2024 | 30000\nPopulation only | population:1 | 30000\n"


@pytest.fixture
def trio(cast: Any) -> CountryGroup:
    return country_group_create(
        actor=cast.migrant_org_member,
        slug="trio",
        name="Kenya, Mexico and Ethiopia",
        members=["KEN", "MEX", "ETH"],
    )


def _draft(cast: Any, *, majority: str = "simple", quorum: str = "0.5") -> Consultation:
    return consultation_create(
        actor=cast.reviewer,
        title="Which key?",
        question="Which key should share the next 30,000 resettlement places?",
        group="GROUP:trio",
        year=2020,
        quorum=Decimal(quorum),
        majority=majority,
        options=[
            OptionInput("EU 2024 key", preset_key("eu2024").as_dict(), Decimal(30000)),
            OptionInput(
                "Population only",
                {"name": "p", "title": "P", "terms": [{"indicator": "population", "weight": 1}]},
                Decimal(30000),
            ),
        ],
    )


def test_a_consultation_from_draft_to_published_results(
    cast: Any, log_in: Any, trio: CountryGroup
) -> None:
    client = log_in(cast.reviewer)
    response = client.post(
        "/fairshare/consultations/new/",
        {
            "title": "Which key?",
            "question": "Which key should share the next 30,000 resettlement places?",
            "group": "GROUP:trio",
            "year": "2020",
            "quorum": "0.5",
            "majority": "simple",
            "options": OPTIONS,
        },
    )
    consultation = Consultation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/fairshare/consultations/{consultation.pk}/"
    address = response["Location"]
    first, second = consultation.options.all()

    # A draft is the secretariat's: nobody else sees it, on the site or in the API.
    assert Client().get(address).status_code == 404
    assert log_in(cast.focal_point_kenya).get(address).status_code == 404
    assert Client().get("/api/v1/fairshare/consultations").json() == []

    client = log_in(cast.reviewer)
    assert client.post(f"{address}status/", {"change": "open"}).status_code == 302
    consultation.refresh_from_db()
    assert consultation.status == "open"
    assert consultation.eligible == ["ETH", "KEN", "MEX"]

    amina = log_in(cast.focal_point_kenya)
    page = amina.get(address).content.decode()
    assert "The vote of KEN" in page
    assert amina.post(f"{address}vote/", {"country": "KEN", "option": first.pk}).status_code == 302
    diego = log_in(cast.focal_point_mexico)
    assert diego.post(f"{address}vote/", {"country": "MEX", "option": second.pk}).status_code == 302
    amina = log_in(cast.focal_point_kenya)
    assert amina.post(f"{address}vote/", {"country": "KEN", "option": second.pk}).status_code == 302

    # While open: who has voted is public, how they voted is not.
    public = Client().get(address).content.decode()
    assert "KEN, MEX" in public
    assert "Each State&#x27;s vote" not in public
    listed = Client().get("/api/v1/fairshare/consultations").json()
    assert listed[0]["voted"] == ["KEN", "MEX"]
    assert listed[0]["votes"] is None

    client = log_in(cast.reviewer)
    assert client.post(f"{address}status/", {"change": "close"}).status_code == 302
    public = Client().get(address).content.decode()
    assert "Adopted: Population only." in public
    # Each option opens in the calculator with its own key and burden.
    assert (
        "/fairshare/?group=GROUP%3Atrio&amp;year=2020&amp;burden=30000.00&amp;spread=0.2&amp;key=eu2024"
        in public
    )
    assert "key=custom&amp;weight_population=1" in public
    assert "The quorum was met." in public
    listed = Client().get("/api/v1/fairshare/consultations").json()
    assert listed[0]["adopted"] == second.pk
    assert listed[0]["votes"] == [
        {"country": "KEN", "option": second.pk},
        {"country": "MEX", "option": second.pk},
    ]
    actions = list(
        AuditEntry.objects.filter(action__startswith="fairshare.")
        .exclude(action="fairshare.group_create")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "fairshare.consultation_create",
        "fairshare.consultation_open",
        "fairshare.vote_cast",
        "fairshare.vote_cast",
        "fairshare.vote_change",
        "fairshare.consultation_close",
    ]
    change = AuditEntry.objects.get(action="fairshare.vote_change")
    assert change.before == {"option": first.pk, "cast_by": cast.focal_point_kenya.pk}
    assert change.actor == cast.focal_point_kenya
    close = AuditEntry.objects.get(action="fairshare.consultation_close")
    assert close.after is not None
    assert close.after["tallies"] == {"EU 2024 key": 0, "Population only": 2}


@pytest.mark.parametrize(
    ("role", "country", "status"),
    [
        ("focal_point_kenya", "MEX", 403),  # not her State
        ("focal_point_mexico", "KEN", 403),
        ("administrator", "KEN", 403),  # a vote speaks for a State: administrators have none
        ("reviewer", "KEN", 403),
        ("moderator", "KEN", 403),
        ("migrant_org_member", "KEN", 403),
        ("anonymous", "KEN", 302),  # to the login page
    ],
)
def test_only_a_states_focal_point_casts_its_vote(
    cast: Any, log_in: Any, trio: CountryGroup, role: str, country: str, status: int
) -> None:
    consultation = consultation_open(actor=cast.reviewer, consultation=_draft(cast))
    option = consultation.options.first()
    assert option is not None
    client = log_in(None if role == "anonymous" else cast.all_users()[role])
    response = client.post(
        f"/fairshare/consultations/{consultation.pk}/vote/",
        {"country": country, "option": option.pk},
    )
    assert response.status_code == status
    assert not Vote.objects.exists()


def test_no_vote_outside_an_open_consultation_or_for_an_ineligible_state(
    cast: Any, log_in: Any, trio: CountryGroup
) -> None:
    draft = _draft(cast)
    option = draft.options.first()
    assert option is not None
    amina = log_in(cast.focal_point_kenya)
    # A draft does not exist for her.
    assert (
        amina.post(
            f"/fairshare/consultations/{draft.pk}/vote/", {"country": "KEN", "option": option.pk}
        ).status_code
        == 404
    )
    other = consultation_create(
        actor=cast.reviewer,
        title="Europe only",
        question="?",
        group="EU27",
        year=2020,
        quorum=Decimal("0.5"),
        majority="simple",
        options=[
            OptionInput("A", preset_key("eu2024").as_dict(), Decimal(1)),
            OptionInput("B", preset_key("eu2024").as_dict(), Decimal(2)),
        ],
    )
    other = consultation_open(actor=cast.reviewer, consultation=other)
    option = other.options.first()
    assert option is not None
    response = amina.post(
        f"/fairshare/consultations/{other.pk}/vote/", {"country": "KEN", "option": option.pk}
    )
    assert response.status_code == 403  # Kenya is not among the EU27


def test_only_the_secretariat_drafts_opens_and_closes(
    cast: Any, log_in: Any, trio: CountryGroup
) -> None:
    draft = _draft(cast)
    for role in ("focal_point_kenya", "moderator", "migrant_org_member"):
        client = log_in(cast.all_users()[role])
        assert (
            client.post(
                f"/fairshare/consultations/{draft.pk}/status/", {"change": "open"}
            ).status_code
            == 403
        )
    draft.refresh_from_db()
    assert draft.status == "draft"
    client = log_in(cast.administrator)
    assert (
        client.post(f"/fairshare/consultations/{draft.pk}/status/", {"change": "close"}).status_code
        == 302
    )
    draft.refresh_from_db()
    assert draft.status == "draft"  # only an open consultation closes (the page says so)


def test_a_bad_option_line_is_refused_with_its_line(cast: Any, log_in: Any, trio: Any) -> None:
    client = log_in(cast.reviewer)
    response = client.post(
        "/fairshare/consultations/new/",
        {
            "title": "T",
            "question": "Q",
            "group": "GROUP:trio",
            "year": "2020",
            "quorum": "0.5",
            "majority": "simple",
            "options": "A | eu2024 | 10\nB | oil:1 | 10\n",
        },
    )
    assert response.status_code == 400
    assert "line 2, field terms[1].indicator: unknown indicator &#x27;oil&#x27;" in (
        response.content.decode()
    )
    assert not Consultation.objects.exists()


@pytest.mark.parametrize(
    ("majority", "quorum", "votes", "adopted", "quorum_met"),
    [
        ("simple", "0.5", ["A", "A", "B"], "A", True),
        ("simple", "0.5", ["A", "B"], None, True),  # a tie: no majority
        ("simple", "0.75", ["A", "A"], None, False),  # 2 of 4 eligible < ceil(3)
        ("absolute", "0.5", ["A", "A"], None, True),  # 2 is not more than half of 4
        ("absolute", "0.5", ["A", "A", "A"], "A", True),
        ("two_thirds", "0.5", ["A", "A", "B"], "A", True),
        ("two_thirds", "0.5", ["A", "A", "B", "B"], None, True),
    ],
)
def test_quorum_and_majority(
    cast: Any, majority: str, quorum: str, votes: list[str], adopted: str | None, quorum_met: bool
) -> None:
    group = country_group_create(
        actor=cast.reviewer, slug="four", name="Four", members=["KEN", "MEX", "ETH", "UGA"]
    )
    consultation = consultation_create(
        actor=cast.reviewer,
        title="T",
        question="Q",
        group=f"GROUP:{group.slug}",
        year=2020,
        quorum=Decimal(quorum),
        majority=majority,
        options=[
            OptionInput("A", preset_key("eu2024").as_dict(), Decimal(1)),
            OptionInput("B", preset_key("eu2024").as_dict(), Decimal(1)),
        ],
    )
    consultation = consultation_open(actor=cast.reviewer, consultation=consultation)
    by_label = {option.label: option for option in consultation.options.all()}
    for country, label in zip(["KEN", "MEX", "ETH", "UGA"], votes, strict=False):
        Vote.objects.create(consultation=consultation, country_id=country, option=by_label[label])
    result = consultation_result(consultation=consultation)
    assert result.quorum_met is quorum_met
    assert (result.adopted.label if result.adopted else None) == adopted
    # One State, one vote: every tally is a count of States.
    assert sum(tally.votes for tally in result.tallies) == len(votes)


def test_groups_are_defined_by_anyone_signed_in(cast: Any, log_in: Any) -> None:
    assert log_in(None).post("/fairshare/groups/", {}).status_code == 403
    client = log_in(cast.migrant_org_member)
    response = client.post(
        "/fairshare/groups/",
        {"slug": "horn", "name": "Horn of Africa", "members": "ETH, KEN SOM DJI XXX"},
    )
    assert response.status_code == 400
    assert "Unknown ISO3 codes: XXX." in response.content.decode()
    response = client.post(
        "/fairshare/groups/",
        {"slug": "horn", "name": "Horn of Africa", "members": "ETH, KEN SOM DJI"},
    )
    assert response.status_code == 302
    group = CountryGroup.objects.get(slug="horn")
    assert sorted(group.members.values_list("iso3", flat=True)) == ["DJI", "ETH", "KEN", "SOM"]
    entry = AuditEntry.objects.get(action="fairshare.group_create")
    assert entry.actor == cast.migrant_org_member
    assert entry.after is not None
    assert entry.after["members"] == ["DJI", "ETH", "KEN", "SOM"]
    page = Client().get("/fairshare/?key=eu2024&group=GROUP:horn&year=2020&spread=0.2")
    assert page.status_code == 200
    assert "Horn of Africa" in page.content.decode()
