from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from solidarity.audit.models import AuditEntry
from solidarity.states.actions import state_profile_update
from solidarity.states.models import StateProfile
from solidarity.states.selectors import state_profile_get

KENYA_EDIT = "/states/KEN/edit/"
MEXICO_EDIT = "/states/MEX/edit/"
PROFILE = {
    "coordinating_institution": "State Department for Diaspora Affairs",
    "implementation_plan_url": "https://example.org/kenya-gcm-plan.pdf",
    "gcm_champion": "on",
    "summary": "Kenya is a GCM Champion country.",
}
MAY_EDIT_KENYA = {"focal_point_kenya", "administrator"}
EVERY_ROLE = [
    "migrant_org_member",
    "focal_point_kenya",
    "focal_point_mexico",
    "data_provider",
    "moderator",
    "reviewer",
    "administrator",
]


def profile_entries():
    return AuditEntry.objects.filter(object_type="states.stateprofile")


# The requirement, end to end through the page.


def test_kenya_focal_point_cannot_edit_mexico(client, cast, log_in):
    log_in(cast.focal_point_kenya)
    assert client.get(MEXICO_EDIT).status_code == 403
    response = client.post(MEXICO_EDIT, PROFILE)
    assert response.status_code == 403
    assert not StateProfile.objects.filter(country=cast.mexico).exists()
    assert not profile_entries().exists()


def test_kenya_focal_point_edits_kenya(client, cast, log_in):
    log_in(cast.focal_point_kenya)
    response = client.get(KENYA_EDIT)
    assert response.status_code == 200
    assert "Edit the profile of Kenya" in response.content.decode()

    response = client.post(KENYA_EDIT, PROFILE)
    assert response.status_code == 302
    assert response["Location"] == "/countries/KEN/"
    profile = StateProfile.objects.get(country=cast.kenya)
    assert profile.coordinating_institution == "State Department for Diaspora Affairs"
    assert profile.gcm_champion is True
    assert profile.updated_by == cast.focal_point_kenya
    entry = profile_entries().get()
    assert entry.action == "state_profile.create"
    assert entry.actor == cast.focal_point_kenya
    assert entry.object_id == "KEN"
    assert entry.before is None
    assert entry.after == {
        "coordinating_institution": "State Department for Diaspora Affairs",
        "implementation_plan_url": "https://example.org/kenya-gcm-plan.pdf",
        "gcm_champion": True,
        "summary": "Kenya is a GCM Champion country.",
    }

    response = client.post(KENYA_EDIT, {**PROFILE, "gcm_champion": ""}, follow=True)
    assert "The profile of Kenya is saved." in response.content.decode()
    entry = profile_entries().latest("id")
    assert entry.action == "state_profile.update"
    assert entry.before["gcm_champion"] is True
    assert entry.after["gcm_champion"] is False
    assert entry.before["summary"] == entry.after["summary"]


def test_the_form_shows_the_current_profile_and_field_errors(client, cast, log_in):
    state_profile_update(
        actor=cast.focal_point_kenya, country=cast.kenya, summary="Current summary."
    )
    log_in(cast.focal_point_kenya)
    html = client.get(KENYA_EDIT).content.decode()
    assert "Current summary." in html
    response = client.post(KENYA_EDIT, {**PROFILE, "implementation_plan_url": "not a url"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter a valid URL." in html
    assert (
        'aria-describedby="id_implementation_plan_url_helptext id_implementation_plan_url_error"'
        in html
    )
    assert profile_entries().count() == 1


@pytest.mark.parametrize("name", EVERY_ROLE)
def test_who_may_open_the_kenya_edit_page(client, cast, log_in, name):
    log_in(cast.all_users()[name])
    expected = 200 if name in MAY_EDIT_KENYA else 403
    assert client.get(KENYA_EDIT).status_code == expected
    response = client.post(KENYA_EDIT, PROFILE)
    assert response.status_code == (302 if name in MAY_EDIT_KENYA else 403)
    assert StateProfile.objects.filter(country=cast.kenya).exists() is (name in MAY_EDIT_KENYA)


def test_anonymous_visitors_are_sent_to_log_in(client, cast):
    for response in (client.get(KENYA_EDIT), client.post(KENYA_EDIT, PROFILE)):
        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/?next=/states/KEN/edit/"
    assert not StateProfile.objects.exists()


def test_unknown_country_is_404_and_lower_case_works(client, cast, log_in):
    log_in(cast.administrator)
    assert client.get("/states/XYZ/edit/").status_code == 404
    assert client.get("/states/ken/edit/").status_code == 200


# The action and selector on their own.


def test_action_refuses_another_states_focal_point(cast):
    with pytest.raises(PermissionDenied):
        state_profile_update(actor=cast.focal_point_kenya, country=cast.mexico, summary="x")
    with pytest.raises(PermissionDenied):
        # The type says a user is required; the guard must hold for whatever is passed.
        state_profile_update(actor=AnonymousUser(), country=cast.kenya, summary="x")  # type: ignore[arg-type]
    assert not StateProfile.objects.exists()
    assert not profile_entries().exists()


def test_action_by_an_administrator_and_no_change_writes_nothing(cast):
    state_profile_update(actor=cast.administrator, country=cast.mexico, summary="Hola")
    profile = state_profile_get(country=cast.mexico)
    assert profile is not None
    assert profile.summary == "Hola"
    state_profile_update(actor=cast.administrator, country=cast.mexico, summary="Hola")
    assert profile_entries().count() == 1


def test_action_validates_values(cast):
    with pytest.raises(ValidationError) as error:
        state_profile_update(
            actor=cast.focal_point_kenya, country=cast.kenya, implementation_plan_url="nope"
        )
    assert error.value.message_dict == {"implementation_plan_url": ["Enter a valid URL."]}
    assert not profile_entries().exists()


def test_selector_returns_none_before_the_first_edit(cast):
    assert state_profile_get(country=cast.kenya) is None
