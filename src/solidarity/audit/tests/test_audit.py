from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from solidarity.accounts.actions import organisation_create
from solidarity.accounts.models import Organisation
from solidarity.audit.actions import audit_record
from solidarity.audit.models import AuditEntry
from solidarity.audit.selectors import audit_entry_list, audit_object_type_list

AUDIT = "/audit/"
NOT_ADMINISTRATORS = [
    "migrant_org_member",
    "focal_point_kenya",
    "focal_point_mexico",
    "data_provider",
    "moderator",
    "reviewer",
]


@pytest.fixture
def entries(cast):
    # Start from an empty trail (the session's reference load wrote to it); rolled back after.
    AuditEntry.objects.all().delete()
    organisation_create(
        actor=cast.administrator, name="Red Cross Kenya", kind=Organisation.Kind.CSO
    )
    audit_record(
        actor="system:tests",
        action="thing.update",
        object_type="tests.thing",
        object_id="7",
        object_repr="A thing",
        before={"colour": "red", "size": 2},
        after={"colour": "blue", "size": 2},
    )


def test_selector_filters_by_object_type_and_actor(cast, entries):
    everything = audit_entry_list(user=cast.administrator)
    assert [e.action for e in everything] == ["thing.update", "organisation.create"]
    assert [e.action for e in audit_entry_list(user=cast.administrator, actor="ada")] == [
        "organisation.create"
    ]
    assert [
        e.action for e in audit_entry_list(user=cast.administrator, object_type="tests.thing")
    ] == ["thing.update"]
    assert audit_object_type_list(user=cast.administrator) == [
        "accounts.organisation",
        "tests.thing",
    ]


@pytest.mark.parametrize("name", ["anonymous", *NOT_ADMINISTRATORS])
def test_selector_refuses_everyone_but_administrators(cast, name):
    user = AnonymousUser() if name == "anonymous" else cast.all_users()[name]
    with pytest.raises(PermissionDenied):
        audit_entry_list(user=user)
    with pytest.raises(PermissionDenied):
        audit_object_type_list(user=user)


def test_changes_pairs_before_and_after():
    entry = AuditEntry(before={"a": 1, "b": 2}, after={"b": 3, "c": 4})
    assert entry.changes() == [
        ("a", 1, None, True),
        ("b", 2, 3, True),
        ("c", None, 4, True),
    ]
    assert AuditEntry(before=None, after={"a": 1}).changes() == [("a", None, 1, True)]


def test_anonymous_visitors_are_sent_to_log_in(client, cast):
    response = client.get(AUDIT)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/audit/"


@pytest.mark.parametrize("name", NOT_ADMINISTRATORS)
def test_everyone_but_administrators_is_refused(client, cast, log_in, entries, name):
    log_in(cast.all_users()[name])
    response = client.get(AUDIT)
    assert response.status_code == 403
    assert b"Red Cross Kenya" not in response.content


def test_administrators_read_the_trail_with_before_and_after(client, cast, log_in, entries):
    log_in(cast.administrator)
    response = client.get(AUDIT)
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 entries" in html
    assert "Red Cross Kenya" in html
    assert "system:tests" in html
    assert '<tr class="changed">' in html
    assert "<td>red</td>" in html
    assert "<td>blue</td>" in html


def test_filters_and_paging(client, cast, log_in, entries):
    for number in range(60):
        audit_record(
            actor="system:tests", action="bulk", object_type="tests.bulk", object_id=str(number)
        )
    log_in(cast.administrator)
    response = client.get(AUDIT, {"object_type": "tests.bulk"})
    page = response.context["page"]
    assert page.paginator.count == 60
    assert len(page.object_list) == 50
    assert "Page 1 of 2" in response.content.decode()
    assert "?object_type=tests.bulk&amp;page=2" in response.content.decode()
    response = client.get(AUDIT, {"object_type": "tests.bulk", "page": 2})
    assert len(response.context["page"].object_list) == 10

    response = client.get(AUDIT, {"actor": "ada"})
    assert response.context["page"].paginator.count == 1
    response = client.get(AUDIT, {"actor": "nobody"})
    assert "No entries match these filters." in response.content.decode()


def test_the_list_page_query_count_does_not_grow_with_entries(
    client, cast, log_in, entries, django_assert_max_num_queries
):
    for number in range(40):
        audit_record(
            actor=cast.reviewer, action="bulk", object_type="tests.bulk", object_id=str(number)
        )
    log_in(cast.administrator)
    with django_assert_max_num_queries(8):
        assert client.get(AUDIT).status_code == 200


def test_the_admin_shows_the_trail_read_only(cast):
    model_admin = admin.site._registry[AuditEntry]
    request = RequestFactory().get("/admin/audit/auditentry/")
    request.user = cast.administrator
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_the_admin_changelist_opens_for_administrators(client, cast, log_in, entries):
    log_in(cast.administrator)
    response = client.get("/admin/audit/auditentry/")
    assert response.status_code == 200
    entry = AuditEntry.objects.latest("id")
    assert client.get(f"/admin/audit/auditentry/{entry.pk}/change/").status_code == 200
