"""Dataset versions through review: who may move them, what each step records, who reads them,
what the public never sees, and what changed between two versions."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from solidarity.audit.models import AuditEntry
from solidarity.indicators.actions import (
    dataset_version_approve,
    dataset_version_publish,
    dataset_version_return,
    dataset_version_submit,
    submission_import,
)
from solidarity.indicators.models import DatasetVersion, Indicator
from solidarity.indicators.selectors import (
    can_read_version,
    dataset_list_for_user,
    dataset_version_diff,
    observation_list,
    published_observation_list,
    ref_area_get,
)

pytestmark = pytest.mark.django_db

FIRST = b"Year,Sex,Value\n2020,,10\n2020,Female,4\n2020,Male,6\n2021,Female,x\n"
SECOND = b"Year,Sex,Value\n2020,,11\n2020,Female,5\n2020,Male,6\n2022,,12\n"


def imported(cast: Any, content: bytes = FIRST, note: str = "") -> DatasetVersion:
    result = submission_import(
        actor=cast.data_provider,
        indicator=Indicator.objects.get(code="10.7.3"),
        provider=cast.statistics_office,
        ref_area=ref_area_get(iso3_or_m49="KEN"),
        file=io.BytesIO(content),
        file_name="deaths.csv",
        dry_run=False,
        revision_note=note,
    )
    assert result.version is not None, result.summary.as_json()
    return result.version


def test_a_version_goes_from_draft_to_published(cast: Any) -> None:
    version = imported(cast)
    assert version.status == "draft"
    version = dataset_version_submit(actor=cast.data_provider, version=version)
    version = dataset_version_return(actor=cast.reviewer, version=version, reason="Check 2021.")
    assert version.status == "returned"
    assert version.return_reason == "Check 2021."
    version = dataset_version_submit(actor=cast.data_provider, version=version)
    version = dataset_version_approve(actor=cast.reviewer, version=version)
    embargo = timezone.now() + timedelta(days=1)
    version = dataset_version_publish(
        actor=cast.administrator, version=version, embargo_until=embargo
    )
    assert version.status == "published"
    assert version.published_by == cast.administrator
    assert list(
        AuditEntry.objects.filter(object_id=str(version.pk))
        .order_by("id")
        .values_list("action", "actor_label")
    ) == [
        ("dataset_version.import", "wanjiru"),
        ("dataset_version.submitted", "wanjiru"),
        ("dataset_version.returned", "rita"),
        ("dataset_version.submitted", "wanjiru"),
        ("dataset_version.approved", "rita"),
        ("dataset_version.published", "ada"),
    ]


@pytest.mark.parametrize("who", ["reviewer", "focal_point_kenya", "migrant_org_member"])
def test_only_the_providers_data_providers_submit(cast: Any, who: str) -> None:
    with pytest.raises(PermissionDenied):
        dataset_version_submit(actor=getattr(cast, who), version=imported(cast))


@pytest.mark.parametrize("who", ["data_provider", "focal_point_kenya", "moderator"])
def test_only_reviewers_and_administrators_review(cast: Any, who: str) -> None:
    version = dataset_version_submit(actor=cast.data_provider, version=imported(cast))
    user = getattr(cast, who)
    with pytest.raises(PermissionDenied):
        dataset_version_approve(actor=user, version=version)
    with pytest.raises(PermissionDenied):
        dataset_version_return(actor=user, version=version, reason="No.")
    approved = dataset_version_approve(actor=cast.reviewer, version=version)
    with pytest.raises(PermissionDenied):
        dataset_version_publish(actor=user, version=approved)


def test_steps_out_of_order_are_refused(cast: Any) -> None:
    version = imported(cast)
    with pytest.raises(ValidationError) as refused:
        dataset_version_approve(actor=cast.reviewer, version=version)
    assert refused.value.messages == ["Only a submitted version can be approved."]
    with pytest.raises(ValidationError) as refused:
        dataset_version_publish(actor=cast.reviewer, version=version)
    assert refused.value.messages == ["Only an approved version can be published."]
    version = dataset_version_submit(actor=cast.data_provider, version=version)
    with pytest.raises(ValidationError) as refused:
        dataset_version_return(actor=cast.reviewer, version=version, reason=" ")
    assert refused.value.messages == ["Say why the version is returned."]
    with pytest.raises(ValidationError) as refused:
        dataset_version_submit(actor=cast.data_provider, version=version)
    assert refused.value.messages == ["Only a draft or a returned version can be submitted."]


def test_drafts_are_read_by_the_provider_reviewers_and_the_states_focal_points(cast: Any) -> None:
    version = imported(cast)
    readers = {name for name, user in cast.all_users().items() if can_read_version(user, version)}
    assert readers == {"data_provider", "focal_point_kenya", "reviewer", "administrator"}
    assert not can_read_version(AnonymousUser(), version)
    assert list(dataset_list_for_user(user=cast.focal_point_mexico)) == []
    assert list(dataset_list_for_user(user=cast.focal_point_kenya)) == [version.dataset]


def test_the_public_reads_published_versions_after_the_embargo_never_a_confidential_cell(
    cast: Any,
) -> None:
    version = imported(cast)
    confidential = version.observations.get(time_period="2021")
    assert confidential.conf_status == "C"
    assert confidential.value is None
    version = dataset_version_submit(actor=cast.data_provider, version=version)
    version = dataset_version_approve(actor=cast.reviewer, version=version)
    version = dataset_version_publish(
        actor=cast.reviewer, version=version, embargo_until=timezone.now() + timedelta(hours=1)
    )
    anonymous = AnonymousUser()
    assert not can_read_version(anonymous, version)
    assert list(published_observation_list(version=version)) == []
    version.embargo_until = timezone.now() - timedelta(seconds=1)
    assert can_read_version(anonymous, version)
    public = list(published_observation_list(version=version))
    assert [o.time_period for o in public] == ["2020", "2020", "2020"]
    assert confidential not in observation_list(user=anonymous, version=version)
    assert confidential in observation_list(user=cast.data_provider, version=version)


def test_a_new_version_never_overwrites_and_the_diff_says_what_changed(cast: Any) -> None:
    first = imported(cast)
    second = imported(cast, SECOND, note="2020 revised; 2022 added; 2021 withdrawn.")
    assert (first.number, second.number) == (1, 2)
    assert first.observations.count() == 4
    diff = dataset_version_diff(old=first, new=second)
    assert [(c.series_key, c.time_period, c.new_value) for c in diff.added] == [
        ("AGE=_T|ORIGIN=_T|SEX=_T", "2022", Decimal(12))
    ]
    assert [(c.series_key, c.time_period, c.old_status) for c in diff.removed] == [
        ("AGE=_T|ORIGIN=_T|SEX=F", "2021", "Q/C")
    ]
    assert [(c.series_key, c.old_value, c.new_value) for c in diff.changed] == [
        ("AGE=_T|ORIGIN=_T|SEX=F", Decimal(4), Decimal(5)),
        ("AGE=_T|ORIGIN=_T|SEX=_T", Decimal(10), Decimal(11)),
    ]
