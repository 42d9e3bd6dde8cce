"""The dossier: its sections side by side, who may read it in each state of the review, the
page's query count with full data, the PDF's text, the API and the command line."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.utils.html import escape
from pypdf import PdfReader

from solidarity.api.tests.conftest import signed_in_client
from solidarity.cli import main
from solidarity.dossiers import selectors
from solidarity.dossiers.pdf import LocalOnlyFetcher, dossier_pdf
from solidarity.dossiers.tests.conftest import (
    TESTIMONY_TEXT,
    add_recommendations,
    add_review_voices,
    imrf_2026,
    write_review,
)

pytestmark = pytest.mark.django_db

SECTION_TITLES = [
    "The State's voluntary review",
    "Stakeholders' views",
    "Testimonies",
    "Human-rights recommendations",
    "Treaty ratifications",
    "Indicators and their disaggregation",
    "Pledges and money",
    "Fair-share position",
    "Follow-up recommendations",
]
ROLES = [
    "anonymous",
    "focal_point_kenya",
    "focal_point_mexico",
    "data_provider",
    "migrant_org_member",
    "moderator",
    "reviewer",
    "administrator",
]
ENTITLED_TO_KENYAS_DRAFT = {"focal_point_kenya", "reviewer", "administrator"}


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture
def cycle(db: Any) -> Any:
    return imrf_2026()


@pytest.fixture
def full_kenya(kenya_data: Any, cycle: Any) -> Any:
    """Kenya with data in every section: a published review of all 23 objectives, stakeholder
    views, follow-up, many recommendations, pledges, a testimony, indicator data."""
    cast = kenya_data
    write_review(cast.kenya, cycle, author=cast.focal_point_kenya, published=True)
    add_review_voices(cast.kenya, cycle, cast, count=10)
    add_recommendations(cast.kenya, count=40)
    return cast


def client_for(cast: Any, role: str) -> Any:
    from django.test import Client

    return Client() if role == "anonymous" else signed_in_client(cast.all_users()[role])


def test_a_dossier_without_data_says_plainly_what_is_missing(cast: Any, cycle: Any) -> None:
    dossier = selectors.dossier_for(user=cast.reviewer, state=cast.kenya, cycle=cycle)
    assert dossier.is_draft
    assert [section.title for section in dossier.sections] == SECTION_TITLES
    assert dossier.section("review").missing == "Kenya has not written a review for IMRF-2026 yet."
    assert dossier.section("stakeholders").missing == (
        "No stakeholder's view on this State has been approved yet."
    )
    assert dossier.section("follow_up").missing == (
        "No follow-up recommendation to this State has been recorded yet."
    )
    missing = {section.key for section in dossier.sections if section.is_missing}
    # Only the fair-share position comes from reference figures shipped with every install.
    assert missing == {section.key for section in dossier.sections} - {"fair_share"}


def test_a_full_dossier_has_every_section_with_sources(full_kenya: Any, cycle: Any) -> None:
    dossier = selectors.dossier_for(user=None, state=full_kenya.kenya, cycle=cycle)
    assert dossier.published
    assert [s.key for s in dossier.sections if s.is_missing] == []
    assert all(section.sources for section in dossier.sections)
    review = dossier.section("review")
    assert len(review.data["parts"]) == 1 + 23 + 3
    assert review.sources[0].label == "Voluntary national review of Kenya, published version 1"
    stakeholders = dossier.section("stakeholders").data["inputs"]
    assert len(stakeholders) == 10  # the refused one is not in the dossier
    assert len(dossier.section("follow_up").data["recommendations"]) == 10


@pytest.mark.parametrize("review_state", ["none", "draft", "published"])
@pytest.mark.parametrize("role", ROLES)
def test_who_may_read_the_dossier_in_each_state_of_the_review(
    cast: Any, cycle: Any, role: str, review_state: str
) -> None:
    if review_state != "none":
        write_review(
            cast.kenya,
            cycle,
            author=cast.focal_point_kenya,
            published=review_state == "published",
        )
    client = client_for(cast, role)
    expected = 200 if review_state == "published" or role in ENTITLED_TO_KENYAS_DRAFT else 404
    page = client.get("/dossiers/KEN/IMRF-2026/")
    assert page.status_code == expected
    api = client.get("/api/v1/dossiers/KEN/IMRF-2026")
    assert api.status_code == expected
    if expected == 200:
        content = page.content.decode()
        banner = "this dossier is a working draft" in content
        assert banner == (review_state != "published")
        assert api.json()["published"] == (review_state == "published")
        if review_state == "draft":
            # The draft's text itself is shown to those entitled, marked as a draft.
            assert "a national action plan was adopted" in content
    else:
        assert page.status_code == 404


def test_a_focal_point_sees_their_own_states_draft_never_another(cast: Any, cycle: Any) -> None:
    write_review(cast.kenya, cycle, author=cast.focal_point_kenya, published=False)
    write_review(cast.mexico, cycle, author=cast.focal_point_mexico, published=False)
    diego = client_for(cast, "focal_point_mexico")
    assert diego.get("/dossiers/MEX/IMRF-2026/").status_code == 200
    assert diego.get("/dossiers/KEN/IMRF-2026/").status_code == 404
    assert diego.get("/dossiers/KEN/IMRF-2026.pdf").status_code == 404
    amina = client_for(cast, "focal_point_kenya")
    assert amina.get("/dossiers/MEX/IMRF-2026/").status_code == 404
    # The index lists the cycle for both, but only links the draft one may open.
    index = amina.get("/dossiers/MEX/").content.decode()
    assert "/dossiers/MEX/IMRF-2026/" not in index
    assert "/dossiers/KEN/IMRF-2026/" in amina.get("/dossiers/KEN/").content.decode()


def test_unknown_states_and_cycles_are_not_found(cast: Any, cycle: Any, client: Any) -> None:
    assert client.get("/dossiers/XXX/IMRF-2026/").status_code == 404
    assert client.get("/dossiers/KEN/IMRF-1999/").status_code == 404
    assert client.get("/dossiers/XXX/").status_code == 404
    response = client.get("/api/v1/dossiers/KEN/IMRF-1999")
    assert response.json() == {
        "detail": "There is no dossier of 'KEN' for the review cycle 'IMRF-1999'."
    }


def test_the_full_dossier_page_answers_in_a_bounded_number_of_queries(
    full_kenya: Any, client: Any, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(42):
        response = client.get("/dossiers/KEN/IMRF-2026/")
    assert response.status_code == 200
    content = response.content.decode()
    for title in SECTION_TITLES:
        assert ">" + escape(title) + "</h2>" in content
    assert TESTIMONY_TEXT in content
    assert "Sources and dates" in content
    # Many more recommendations and views: the same number of queries.
    add_recommendations(full_kenya.kenya, count=60)
    add_review_voices(full_kenya.kenya, imrf_2026(), full_kenya, count=20)
    with django_assert_max_num_queries(42):
        client.get("/dossiers/KEN/IMRF-2026/")


def test_the_pdf_holds_the_states_name_and_every_section(full_kenya: Any, client: Any) -> None:
    response = client.get("/dossiers/KEN/IMRF-2026.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="dossier-KEN-IMRF-2026.pdf"'
    text = pdf_text(response.content)
    assert "Dossier of Kenya, IMRF-2026" in text
    for title in SECTION_TITLES:
        assert title in text, title
    assert "a national action plan was adopted" in text


def test_a_draft_pdf_says_it_is_a_draft(cast: Any, cycle: Any) -> None:
    write_review(cast.kenya, cycle, author=cast.focal_point_kenya, published=False)
    dossier = selectors.dossier_for(user=cast.focal_point_kenya, state=cast.kenya, cycle=cycle)
    text = pdf_text(dossier_pdf(dossier))
    assert "Draft" in text
    assert "working draft" in text


def test_the_pdf_engine_fetches_nothing_from_the_network() -> None:
    fetcher = LocalOnlyFetcher()
    for url in ("https://example.org/font.woff2", "http://127.0.0.1/x.css", "file:///etc/passwd"):
        with pytest.raises(ValueError, match="fetches nothing outside its package"):
            fetcher.fetch(url)


def test_the_api_returns_every_section_described(full_kenya: Any, client: Any) -> None:
    body = client.get("/api/v1/dossiers/KEN/IMRF-2026").json()
    assert (body["state"], body["cycle"], body["published"]) == ("KEN", "IMRF-2026", True)
    sections = {section["key"]: section for section in body["sections"]}
    assert list(sections) == [
        "review",
        "stakeholders",
        "testimonies",
        "recommendations",
        "ratifications",
        "indicators",
        "pledges",
        "fair_share",
        "follow_up",
    ]
    assert sections["pledges"]["data"]["disbursed_usd"] == "400000"
    assert sections["review"]["data"]["parts"][1]["citations"] == [
        {"kind": "indicator", "reference": "10.7.3"}
    ]
    assert sections["testimonies"]["data"]["testimonies"][0]["text"] == TESTIMONY_TEXT
    listing = client.get("/api/v1/dossiers/KEN").json()
    imrf = next(entry for entry in listing if entry["cycle"] == "IMRF-2026")
    assert (imrf["published"], imrf["readable"]) == (True, True)


def test_the_command_line_summarises_or_writes_the_pdf(full_kenya: Any, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["dossier", "KEN", "--cycle", "IMRF-2026"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Dossier of Kenya (KEN), IMRF-2026: published\n")
    assert "\nPledges and money [present]\n  2 pledges; US$ 2,000,000 pledged" in result.output
    target = tmp_path / "ken.pdf"
    result = runner.invoke(main, ["dossier", "KEN", "--cycle", "IMRF-2026", "--pdf", str(target)])
    assert result.exit_code == 0, result.output
    assert "Dossier of Kenya, IMRF-2026" in pdf_text(target.read_bytes())


def test_the_command_line_refuses_unknown_states_cycles_and_unpublished_drafts(
    cast: Any, cycle: Any
) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["dossier", "XXX", "--cycle", "IMRF-2026"])
    assert result.exit_code == 1
    assert "Unknown State: 'XXX'; give an ISO 3166-1 alpha-3 code, e.g. KEN." in result.output
    result = runner.invoke(main, ["dossier", "KEN", "--cycle", "IMRF-1999"])
    assert result.exit_code == 1
    assert "Unknown review cycle: 'IMRF-1999'" in result.output
    write_review(cast.kenya, cycle, author=cast.focal_point_kenya, published=False)
    result = runner.invoke(main, ["dossier", "KEN", "--cycle", "IMRF-2026"])
    assert result.exit_code == 1
    assert "The dossier of KEN for IMRF-2026 is not published yet" in result.output
    result = runner.invoke(main, ["dossier", "KEN", "--cycle", "IMRF-2026", "--as-user", "amina"])
    assert result.exit_code == 0, result.output
    assert "IMRF-2026: DRAFT (not published)" in result.output
    assert "\nTestimonies [missing]\n" in result.output


def test_ten_recommendations_per_objective_are_listed_and_the_rest_linked(
    cast: Any, cycle: Any, client: Any
) -> None:
    write_review(cast.kenya, cycle, author=cast.focal_point_kenya, published=True)
    add_recommendations(cast.kenya, count=240)  # about 21 on each objective
    content = client.get("/dossiers/KEN/IMRF-2026/").content.decode()
    assert "The 10 most recent of 21 are listed; all are on the human-rights page of Kenya." in (
        content
    )
    assert 'href="/rights/states/KEN/?objective=1"' in content
    body = client.get("/api/v1/dossiers/KEN/IMRF-2026").json()
    recommendations = next(s for s in body["sections"] if s["key"] == "recommendations")
    assert sum(len(o["recommendations"]) for o in recommendations["data"]["objectives"]) == 480


def test_a_published_dossier_shows_the_published_version_even_to_the_authors(
    cast: Any, cycle: Any
) -> None:
    from solidarity.reviews.models import ReviewSection, StateReviewVersion

    review = write_review(cast.kenya, cycle, author=cast.focal_point_kenya, published=True)
    newer = StateReviewVersion.objects.create(review=review, number=2)
    ReviewSection.objects.create(version=newer, part="summary", body="An unfinished new draft.")
    review.latest_version = newer
    review.save()
    for user in (cast.focal_point_kenya, cast.reviewer, None):
        dossier = selectors.dossier_for(user=user, state=cast.kenya, cycle=cycle)
        section = dossier.section("review")
        assert section.data["version"].number == 1
        assert section.sources[0].label.endswith("published version 1")


def test_only_approved_stakeholder_comments_on_the_published_review_appear(
    cast: Any, cycle: Any
) -> None:
    from solidarity.reviews.models import ReviewComment

    review = write_review(cast.kenya, cycle, author=cast.focal_point_kenya, published=True)
    for kind, moderation, text in [
        ("stakeholder", "approved", "Inspections cover the capital only."),
        ("stakeholder", "pending", "Awaiting a moderator."),
        ("stakeholder", "refused", "Refused comment."),
        ("draft", "pending", "An author's note on the draft."),
    ]:
        ReviewComment.objects.create(
            version=review.published_version,
            kind=kind,
            section_key="objective-6",
            field="what_was_done",
            paragraph=2,
            text=text,
            author=cast.migrant_org_member,
            organisation=cast.migrant_org if kind == "stakeholder" else None,
            moderation=moderation,
        )
    for user in (None, cast.focal_point_kenya, cast.moderator):
        dossier = selectors.dossier_for(user=user, state=cast.kenya, cycle=cycle)
        section = dossier.section("stakeholders")
        assert [c.text for c in section.data["comments"]] == ["Inspections cover the capital only."]
        assert not section.is_missing
