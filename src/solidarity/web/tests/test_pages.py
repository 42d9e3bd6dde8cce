"""The public pages: who may see them (everyone), what they show, and how they fail."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from solidarity.reference.models import Country, GuidingPrinciple, Objective, Region
from solidarity.states.actions import state_profile_update

PUBLIC_PAGES = [
    "/",
    "/objectives/",
    "/objectives/1/",
    "/objectives/23/",
    "/countries/",
    "/countries/KEN/",
    "/countries/mex/",
    "/fr/",
    "/es/countries/FJI/",
]

CAST_ROLES = [
    "focal_point_kenya",
    "focal_point_mexico",
    "data_provider",
    "migrant_org_member",
    "moderator",
    "reviewer",
    "administrator",
]

COUNTRY_LINK = re.compile(r'href="/countries/([A-Z]{3})/"')


def listed_countries(html: str) -> set[str]:
    return set(COUNTRY_LINK.findall(html))


@pytest.mark.django_db
def test_every_public_page_answers_anonymous_visitors(client: Client) -> None:
    for url in PUBLIC_PAGES:
        response = client.get(url)
        assert response.status_code == 200, url


def test_every_public_page_answers_each_role_of_the_cast(cast, client_for) -> None:
    assert set(cast.all_users()) == set(CAST_ROLES)
    for role, user in cast.all_users().items():
        client = client_for(user)
        for url in PUBLIC_PAGES:
            response = client.get(url)
            assert response.status_code == 200, (role, url)
            assert b'/accounts/logout/">' in response.content, (role, url)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/objectives/0/",
        "/objectives/24/",
        "/countries/XXX/",
        "/countries/KENYA/",
        "/fr/objectives/24/",
    ],
)
def test_unknown_objectives_and_countries_are_not_found(client: Client, url: str) -> None:
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_pages_carry_no_inline_script_or_style(client: Client) -> None:
    """The Content Security Policy refuses inline code; a page that relied on it would break."""
    for url in PUBLIC_PAGES:
        html = client.get(url).content.decode()
        assert " style=" not in html, url
        assert "<style" not in html, url
        assert re.search(r"<script(?![^>]*\bsrc=)", html) is None, url


@pytest.mark.django_db
def test_layout_has_landmarks_skip_link_and_current_page(client: Client) -> None:
    html = client.get("/objectives/").content.decode()
    assert '<html lang="en"' in html
    assert '<a class="skip-link" href="#main">Skip to main content</a>' in html
    for landmark in (
        "<header",
        '<nav class="site-nav" aria-label="Main">',
        '<main id="main"',
        "<footer",
    ):
        assert landmark in html
    assert '<a href="/objectives/" aria-current="page">Objectives</a>' in html
    assert '<a href="/" aria-current' not in html
    assert '<a href="/api/v1/docs">API docs</a>' in html
    assert 'href="/accounts/login/?next=/objectives/">Log in</a>' in html
    assert "GNU Affero General Public License" in html


@pytest.mark.django_db
def test_the_objective_section_stays_marked_on_an_objective_page(client: Client) -> None:
    html = client.get("/objectives/5/").content.decode()
    assert '<a href="/objectives/" aria-current="true">Objectives</a>' in html


@pytest.mark.django_db
def test_language_switcher_offers_each_language_in_its_own_name(client: Client) -> None:
    html = client.get("/countries/?grouping=ldc").content.decode()
    assert '<form class="language-form" action="/i18n/setlang/" method="post">' in html
    assert '<input name="next" type="hidden" value="/countries/?grouping=ldc">' in html
    assert '<label for="language-select">Language</label>' in html
    assert '<option value="en" lang="en" selected>English</option>' in html
    assert '<option value="fr" lang="fr">Français</option>' in html
    assert '<option value="es" lang="es">Español</option>' in html


@pytest.mark.django_db
def test_switching_language_keeps_the_page_and_its_filters(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/countries/?grouping=ldc"})
    assert response.status_code == 302
    assert response["Location"] == "/fr/countries/?grouping=ldc"
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/objectives/3/"})
    assert response["Location"] == "/objectives/3/"


@pytest.mark.django_db
def test_home_shows_the_23_objectives_and_three_kinds_of_solidarity(client: Client) -> None:
    html = client.get("/").content.decode()
    for objective in Objective.objects.all():
        assert f'href="/objectives/{objective.number}/"' in html
        assert objective.title in html
    assert len(re.findall(r'href="/objectives/\d+/"', html)) == 23
    for kind in ("Preventive solidarity", "Reactive solidarity", "International cooperation"):
        assert f"<h3>{kind}</h3>" in html


@pytest.mark.django_db
def test_french_home_shows_the_french_objective_titles(client: Client) -> None:
    html = client.get("/fr/").content.decode()
    assert '<html lang="fr"' in html
    first = Objective.objects.get(number=1)
    assert first.title_fr
    assert first.title_fr != first.title
    for objective in Objective.objects.all():
        assert objective.localized("title", "fr") in html.replace("&#x27;", "'")
        assert f'href="/fr/objectives/{objective.number}/"' in html


@pytest.mark.django_db
def test_objective_page_shows_its_paragraph_principles_and_placeholders(client: Client) -> None:
    objective = Objective.objects.get(number=7)
    html = client.get("/objectives/7/").content.decode()
    assert f"Objective 7: {objective.title}" in html
    assert f"Set out in paragraph {objective.paragraph} of the annex" in html
    for principle in GuidingPrinciple.objects.all():
        assert principle.name in html
    for section in ("Indicators", "Pledges and commitments", "Human-rights recommendations"):
        assert f"<h2>{section}</h2>" in html
    assert html.count('<p class="placeholder">Not available yet.') == 1
    assert "No published pledge yet." in html
    assert 'href="/pledges/objectives/7/"' in html
    # The data hub's indicators for objective 7 (reducing vulnerabilities) are listed instead.
    assert 'href="/indicators/5.2.1/"' in html


@pytest.mark.django_db
def test_objective_list_links_every_objective(client: Client) -> None:
    html = client.get("/objectives/").content.decode()
    assert len(set(re.findall(r'href="/objectives/(\d+)/"', html))) == 23


@pytest.mark.django_db
def test_countries_list_shows_every_country_with_codes_and_regions(client: Client) -> None:
    html = client.get("/countries/").content.decode()
    assert listed_countries(html) == set(Country.objects.values_list("iso3", flat=True))
    assert f"{Country.objects.count()} countries and areas." in html
    assert "<td>KEN</td>" in html
    assert "<td>404</td>" in html
    assert "<td>Sub-Saharan Africa</td>" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("grouping=ldc", {"ldc": True}),
        ("grouping=lldc", {"lldc": True}),
        ("grouping=sids", {"sids": True}),
        ("grouping=developing", {"developing": True}),
        ("grouping=developed", {"developing": False}),
        ("un_member=yes", {"un_member": True}),
        ("un_member=no", {"un_member": False}),
        ("region=002", {"region_id": "002"}),
        ("region=202", {"subregion_id": "202"}),
        ("region=014", {"intermediate_region_id": "014"}),
        (
            "region=002&grouping=ldc&un_member=yes",
            {"region_id": "002", "ldc": True, "un_member": True},
        ),
    ],
)
def test_countries_list_filters(client: Client, query: str, expected: dict[str, object]) -> None:
    response = client.get(f"/countries/?{query}")
    assert response.status_code == 200
    wanted = set(Country.objects.filter(**expected).values_list("iso3", flat=True))
    assert wanted
    assert listed_countries(response.content.decode()) == wanted


@pytest.mark.django_db
def test_region_filter_keeps_only_africa(client: Client) -> None:
    listed = listed_countries(client.get("/countries/?region=002").content.decode())
    assert "KEN" in listed
    assert "MEX" not in listed
    assert Country.objects.filter(iso3__in=listed).exclude(region_id="002").count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [("q=kenya", {"KEN"}), ("q=mex", {"MEX"}), ("q=MX", {"MEX"}), ("q=Allemagne", {"DEU"})],
)
def test_countries_search_by_name_in_any_language_or_code(client: Client, query, expected) -> None:
    listed = listed_countries(client.get(f"/countries/?{query}").content.decode())
    assert expected <= listed
    assert "FJI" not in listed


@pytest.mark.django_db
def test_countries_search_without_match_says_so(client: Client) -> None:
    html = client.get("/countries/?q=Atlantis").content.decode()
    assert "0 countries and areas." in html
    assert "<table>" not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("region=999", "There is no M49 region with the code “999”."),
        ("grouping=rich", "“rich” is not a grouping we know."),
        ("un_member=maybe", "“maybe” is not a UN membership filter."),
    ],
)
def test_invalid_filters_get_a_message_not_a_crash(client: Client, query, message) -> None:
    response = client.get(f"/countries/?{query}")
    assert response.status_code == 400
    html = response.content.decode()
    assert "These filters cannot be used" in html
    assert message in html
    assert 'aria-invalid="true"' in html
    assert "<table>" not in html


@pytest.mark.django_db
def test_region_filter_offers_regions_and_sub_regions_by_name(client: Client) -> None:
    html = client.get("/countries/").content.decode()
    assert '<optgroup label="Africa">' in html
    assert '<option value="002">All of Africa</option>' in html
    assert '<option value="202">Sub-Saharan Africa</option>' in html
    assert '<option value="014">\N{EN DASH} Eastern Africa</option>' in html
    assert 'value="001"' not in html


@pytest.mark.django_db
def test_french_countries_list_uses_french_names(client: Client) -> None:
    html = client.get("/fr/countries/?region=150").content.decode()
    assert ">Allemagne</a>" in html
    assert '<option value="150" selected>Tout : Europe</option>' in html or "Europe" in html


@pytest.mark.django_db
def test_countries_list_makes_no_query_per_country(
    client: Client, django_assert_max_num_queries
) -> None:
    assert Country.objects.count() > 200
    with django_assert_max_num_queries(3):
        response = client.get("/countries/")
    assert response.status_code == 200


def test_countries_list_query_count_for_a_signed_in_user(
    cast, client_for, django_assert_max_num_queries
) -> None:
    client = client_for(cast.administrator)
    with django_assert_max_num_queries(10):
        response = client.get("/countries/?region=002")
    assert response.status_code == 200


@pytest.mark.django_db
def test_country_page_shows_codes_regions_groupings_and_placeholders(client: Client) -> None:
    html = client.get("/countries/ken/").content.decode()
    assert "<h1>Kenya</h1>" in html
    for fact in ("<dd>KEN</dd>", "<dd>KE</dd>", "<dd>404</dd>", "<dd>Africa</dd>"):
        assert fact in html
    assert "<dd>Sub-Saharan Africa</dd>" in html
    assert "<dd>Eastern Africa</dd>" in html
    assert "Member State of the United Nations" in html
    assert "Developing" in html
    for section in (
        "State profile",
        "Data",
        "Pledges and commitments",
        "Human-rights recommendations",
    ):
        assert f"<h2>{section}</h2>" in html
    assert html.count('<p class="placeholder">Not available yet.') == 0
    assert "No published pledge yet." in html
    assert '<p class="placeholder">No data published yet.</p>' in html
    assert "This State has not published a profile yet." in html


@pytest.mark.django_db
def test_country_page_in_spanish_uses_spanish_names(client: Client) -> None:
    html = client.get("/es/countries/MEX/").content.decode()
    assert '<html lang="es"' in html
    assert "<h1>México</h1>" in html
    region = Region.objects.get(m49="019")
    assert f"<dd>{region.localized('name', 'es')}</dd>" in html


def test_country_page_shows_the_state_profile(cast, client: Client) -> None:
    state_profile_update(
        actor=cast.focal_point_kenya,
        country=cast.kenya,
        coordinating_institution="State Department for Diaspora Affairs",
        implementation_plan_url="https://example.org/kenya-gcm-plan",
        gcm_champion=True,
        summary="Kenya is a GCM Champion country.",
    )
    html = client.get("/countries/KEN/").content.decode()
    assert "<dd>State Department for Diaspora Affairs</dd>" in html
    assert 'href="https://example.org/kenya-gcm-plan"' in html
    assert "<p>Kenya is a GCM Champion country.</p>" in html
    assert "has not published a profile yet" not in html


EDIT_KENYA = 'href="/states/KEN/edit/"'
EDIT_MEXICO = 'href="/states/MEX/edit/"'


def test_kenya_focal_point_may_edit_kenya_only(cast, client_for) -> None:
    client = client_for(cast.focal_point_kenya)
    assert EDIT_KENYA in client.get("/countries/KEN/").content.decode()
    assert EDIT_MEXICO not in client.get("/countries/MEX/").content.decode()
    assert "Edit profile" not in client.get("/countries/MEX/").content.decode()


def test_administrator_may_edit_every_profile(cast, client_for) -> None:
    client = client_for(cast.administrator)
    assert EDIT_KENYA in client.get("/countries/KEN/").content.decode()
    assert EDIT_MEXICO in client.get("/countries/MEX/").content.decode()


def test_other_roles_see_no_edit_link(cast, client_for) -> None:
    for role in (
        "migrant_org_member",
        "data_provider",
        "moderator",
        "reviewer",
        "focal_point_mexico",
    ):
        client = client_for(cast.all_users()[role])
        assert "Edit profile" not in client.get("/countries/KEN/").content.decode(), role


@pytest.mark.django_db
def test_anonymous_visitors_see_no_edit_link(client: Client) -> None:
    assert "Edit profile" not in client.get("/countries/KEN/").content.decode()


def test_account_menu_offers_logout_and_the_audit_trail_to_administrators(cast, client_for) -> None:
    html = client_for(cast.administrator).get("/").content.decode()
    assert "Signed in as ada" in html
    assert '<form class="inline-form" method="post" action="/accounts/logout/">' in html
    assert 'href="/audit/">Audit trail</a>' in html
    html = client_for(cast.migrant_org_member).get("/").content.decode()
    assert "Signed in as lucia" in html
    assert "Audit trail" not in html
    assert ">Log in</a>" not in html


@pytest.mark.django_db
def test_language_switcher_works_from_a_translated_page(client: Client) -> None:
    html = client.get("/fr/countries/?grouping=ldc").content.decode()
    assert '<input name="next" type="hidden" value="/countries/?grouping=ldc">' in html
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/countries/?grouping=ldc"})
    assert response["Location"] == "/es/countries/?grouping=ldc"
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/countries/?grouping=ldc"})
    assert response["Location"] == "/countries/?grouping=ldc"
    assert client.get("/").content.decode().startswith("<!doctype html>")
    assert '<html lang="en"' in client.get("/").content.decode()


@pytest.mark.django_db
def test_home_shows_the_kinds_of_solidarity_from_the_catalogue_in_french(client: Client) -> None:
    html = client.get("/fr/").content.decode()
    for kind in ("Solidarité préventive", "Solidarité réactive", "Coopération internationale"):
        assert f"<h3>{kind}</h3>" in html


@pytest.mark.django_db
def test_not_found_pages_say_why_in_the_visitors_language(client: Client) -> None:
    response = client.get("/fr/objectives/24/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="fr"' in html
    assert "Page introuvable" in html
    assert "Le Pacte mondial ne comporte aucun objectif portant ce numéro." in html
    response = client.get("/es/no-such-page/")
    assert response.status_code == 404
    assert "No hay ninguna página en esta dirección." in response.content.decode()


def test_forbidden_pages_are_explained(cast, client_for) -> None:
    response = client_for(cast.focal_point_kenya).get("/fr/states/MEX/edit/")
    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()


def test_server_error_page_needs_no_request_context(rf) -> None:
    from django.utils import translation
    from django.views.defaults import server_error

    with translation.override("en"):
        response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_a_kept_country_page_shows_a_new_pledge_within_the_bound(
    cast: Any, client: Client, settings: Any, django_assert_num_queries: Any
) -> None:
    """The country page is kept whole for anonymous visitors; its pledges summary is not
    published data of the hub, so the page follows any audited change, read again at most every
    SOLIDARITY_PUBLIC_STATE_SECONDS (here an hour, then none)."""
    from solidarity.commitments import actions as commitments
    from solidarity.commitments.tests.conftest import pledge_input

    settings.PUBLIC_STATE_SECONDS = 3600
    assert "No published pledge yet." in client.get("/countries/KEN/").content.decode()
    with django_assert_num_queries(0):
        client.get("/countries/KEN/")
    pledge = commitments.pledge_create(
        actor=cast.focal_point_kenya, data=pledge_input(state=cast.kenya)
    )
    commitments.pledge_publish(actor=cast.focal_point_kenya, pledge=pledge)
    # Within the bound, the worker may still send the page it kept...
    assert "No published pledge yet." in client.get("/countries/KEN/").content.decode()
    # ...and past it, the new pledge is there.
    settings.PUBLIC_STATE_SECONDS = 0
    assert "1 published pledge." in client.get("/countries/KEN/").content.decode()
