# Tests read optional relations (code, parent) that the catalogue is known to fill.
# mypy: disable-error-code="union-attr,arg-type"
from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from solidarity.accounts.models import Organisation, Role, RoleAssignment, User
from solidarity.audit.models import AuditEntry
from solidarity.indicators.actions import label_mapping_delete, label_mapping_set
from solidarity.indicators.models import Dimension, LabelMapping

pytestmark = pytest.mark.django_db


def entries():
    return AuditEntry.objects.filter(object_type="indicators.labelmapping").order_by("id")


def test_a_data_provider_maps_a_value_and_the_audit_trail_records_it(cast):
    status = Dimension.objects.get(code="MIGRATORY_STATUS")
    mapping = label_mapping_set(
        actor=cast.data_provider,
        provider=cast.statistics_office,
        kind="value",
        label="  Non-EU   born ",
        dimension=status,
        code="MIGRANT",
    )
    assert mapping.label == "Non-EU   born"
    assert mapping.normalised_label == "non-eu born"
    assert mapping.code.code == "MIGRANT"
    entry = entries().get()
    assert entry.action == "label_mapping.create"
    assert entry.actor == cast.data_provider
    assert entry.before is None
    assert entry.after == {
        "provider": cast.statistics_office.pk,
        "kind": "value",
        "dimension": "MIGRATORY_STATUS",
        "label": "Non-EU   born",
        "code": "MIGRANT",
    }

    # The same label, whatever its case and spacing, replaces the mapping.
    again = label_mapping_set(
        actor=cast.data_provider,
        provider=cast.statistics_office,
        kind="value",
        label="NON-EU BORN",
        dimension=status,
        code="_O",
    )
    assert again.pk == mapping.pk
    assert LabelMapping.objects.filter(provider=cast.statistics_office).count() == 1
    update = entries().last()
    assert update.action == "label_mapping.update"
    assert update.before["code"] == "MIGRANT"
    assert update.after["code"] == "_O"

    # Nothing changed: nothing recorded.
    label_mapping_set(
        actor=cast.data_provider,
        provider=cast.statistics_office,
        kind="value",
        label="NON-EU BORN",
        dimension=status,
        code="_O",
    )
    assert entries().count() == 2

    label_mapping_delete(actor=cast.data_provider, mapping=again)
    assert not LabelMapping.objects.filter(provider=cast.statistics_office).exists()
    deleted = entries().last()
    assert deleted.action == "label_mapping.delete"
    assert deleted.before["label"] == "NON-EU BORN"


def test_a_column_header_maps_one_dimension(cast):
    label_mapping_set(
        actor=cast.data_provider,
        provider=cast.statistics_office,
        kind="column",
        label="Gender",
        dimension=Dimension.objects.get(code="SEX"),
    )
    mapping = label_mapping_set(
        actor=cast.data_provider,
        provider=cast.statistics_office,
        kind="column",
        label="gender",
        dimension=Dimension.objects.get(code="AGE"),
    )
    assert LabelMapping.objects.filter(provider=cast.statistics_office).get() == mapping
    assert mapping.dimension_id == "AGE"
    assert mapping.code is None


@pytest.mark.parametrize(
    ("kind", "label", "code", "message"),
    [
        ("value", "Female", "W", {"code": ["W is not a code of SEX."]}),
        ("value", "Female", "", {"code": ['"" is not a code of SEX.']}),
        ("column", "  ", "", {"label": ["A column header cannot be blank."]}),
        ("row", "Female", "F", {"kind": ["Choose a column header or a value."]}),
    ],
)
def test_bad_input_is_refused_with_a_message(cast, kind, label, code, message):
    with pytest.raises(ValidationError) as caught:
        label_mapping_set(
            actor=cast.data_provider,
            provider=cast.statistics_office,
            kind=kind,
            label=label,
            dimension=Dimension.objects.get(code="SEX"),
            code=code,
        )
    assert caught.value.message_dict == message
    assert not entries().exists()


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("data_provider", True),
        ("administrator", True),
        ("focal_point_kenya", False),
        ("focal_point_mexico", False),
        ("migrant_org_member", False),
        ("moderator", False),
        ("reviewer", False),
    ],
)
def test_who_may_change_the_mappings_of_the_statistics_office(cast, role, allowed):
    actor = cast.all_users()[role]
    sex = Dimension.objects.get(code="SEX")

    def change():
        return label_mapping_set(
            actor=actor,
            provider=cast.statistics_office,
            kind="value",
            label="Wanawake",
            dimension=sex,
            code="F",
        )

    if allowed:
        mapping = change()
        label_mapping_delete(actor=actor, mapping=mapping)
        assert [e.action for e in entries()] == ["label_mapping.create", "label_mapping.delete"]
    else:
        with pytest.raises(PermissionDenied):
            change()
        assert not entries().exists()


def test_another_organisations_data_provider_may_not(cast):
    other = Organisation.objects.create(
        name="INEGI", kind=Organisation.Kind.NSO, country=cast.mexico
    )
    provider = User.objects.create_user(username="pablo", email="pablo@example.org")
    RoleAssignment.objects.create(user=provider, role=Role.DATA_PROVIDER, organisation=other)
    mapping = label_mapping_set(
        actor=cast.data_provider,
        provider=cast.statistics_office,
        kind="column",
        label="Jinsia",
        dimension=Dimension.objects.get(code="SEX"),
    )
    with pytest.raises(PermissionDenied):
        label_mapping_set(
            actor=provider,
            provider=cast.statistics_office,
            kind="column",
            label="Umri",
            dimension=Dimension.objects.get(code="AGE"),
        )
    with pytest.raises(PermissionDenied):
        label_mapping_delete(actor=provider, mapping=mapping)
    assert LabelMapping.objects.filter(provider=cast.statistics_office).count() == 1


def test_the_default_mappings_are_not_deleted_through_the_action(cast):
    default = LabelMapping.objects.filter(provider=None).first()
    with pytest.raises(PermissionDenied):
        label_mapping_delete(actor=cast.administrator, mapping=default)
