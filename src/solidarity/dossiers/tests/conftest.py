"""A State with full data for the dossier's tests, made through each app's own actions where
they exist (pledges, testimonies, indicator data), and as rows where the data would come from an
import (human-rights recommendations, their labels and assessments, ratifications)."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import translation

from solidarity.commitments import actions as commitments
from solidarity.commitments.models import Pledge
from solidarity.indicators.actions import (
    dataset_version_approve,
    dataset_version_publish,
    dataset_version_submit,
    submission_import,
)
from solidarity.indicators.models import Indicator
from solidarity.indicators.selectors import ref_area_get
from solidarity.reference.models import Country, Objective, Treaty
from solidarity.rights.models import Assessment, Mechanism, ObjectiveLabel, Ratification
from solidarity.rights.models import Recommendation as HumanRightsRecommendation
from solidarity.testimonies import actions as testimonies
from solidarity.testimonies import models as testimony_models

KENYA_FILE = b"Year,Sex,Value\n2020,,10\n2020,Female,4\n2020,Male,6\n"
TESTIMONY_TEXT = "We waited three days at the border post for water and a doctor."


@pytest.fixture(autouse=True)
def _in_english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache(settings: Any) -> Iterator[None]:
    settings.TESTIMONY_FORM_MIN_SECONDS = 0
    cache.clear()
    yield
    cache.clear()


def add_recommendations(state: Country, *, count: int) -> list[HumanRightsRecommendation]:
    """``count`` recommendations to ``state``, each on two objectives, with statuses and, for
    one in three, an assessment."""
    mechanism, _created = Mechanism.objects.get_or_create(
        code="UPR", defaults={"name": "Universal Periodic Review", "kind": "upr", "order": 1}
    )
    statuses = ["", "planned", "in_progress", "completed"]
    made = []
    start = HumanRightsRecommendation.objects.filter(country=state).count()
    for number in range(start, start + count):
        recommendation = HumanRightsRecommendation.objects.create(
            source="uhri",
            source_key=f"dossier-{state.iso3}-{number}",
            mechanism=mechanism,
            country=state,
            recommending_label="Philippines",
            text=f"Recommendation {number}: end the detention of migrant children.",
            published_on=datetime.date(2020, 3, 30),
            status=statuses[number % 4],
        )
        for objective in (1 + number % 23, 1 + (number + 7) % 23):
            ObjectiveLabel.objects.create(
                recommendation=recommendation, objective_id=objective, provenance="person"
            )
        if number % 3 == 0:
            Assessment.objects.create(
                recommendation=recommendation,
                assessor_kind="civil_society",
                assessor_label="Migrant Workers' Voice",
                grade="partially",
                comment="Some progress; children are still detained at the border.",
                assessed_on=datetime.date(2024, 5, 1),
            )
        made.append(recommendation)
    return made


def add_ratifications(state: Country) -> None:
    for treaty in Treaty.objects.order_by("order")[:3]:
        Ratification.objects.create(
            country=state,
            treaty=treaty,
            status="party",
            year=1990,
            source="OHCHR, status of ratification (test)",
            as_of="2022",
        )


def add_pledges(cast: Any, *, count: int) -> list[Pledge]:
    from solidarity.commitments.tests.conftest import pledge_input

    made = []
    for number in range(count):
        pledge = commitments.pledge_create(
            actor=cast.focal_point_kenya,
            data=pledge_input(title=f"Kenya pledge {number}", state=cast.kenya),
        )
        pledge = commitments.pledge_publish(actor=cast.focal_point_kenya, pledge=pledge)
        for kind, value in (("12", "1000000"), ("2", "500000"), ("3", "200000")):
            commitments.money_record(
                actor=cast.focal_point_kenya,
                pledge=pledge,
                data=commitments.MoneyInput(
                    type=kind,
                    date=datetime.date(2023, 3, 1),
                    value=Decimal(value),
                    currency="USD",
                    channel="mptf",
                    recipient_country="UGA",
                    receiver_name="Uganda Ministry of Internal Affairs",
                    sector="15190",
                    gender_marker=1,
                    human_rights_marker=2,
                ),
            )
        made.append(pledge)
    return made


def add_testimony(cast: Any, *, state: str = "KEN", publish_consent: bool = True) -> Any:
    uses = list(testimony_models.Use.values)
    granted = {use for use in uses if publish_consent or use != testimony_models.Use.PUBLISH}
    receipt = testimonies.testimony_submit(
        text=TESTIMONY_TEXT,
        language="en",
        identity_level=testimony_models.IdentityLevel.ANONYMOUS,
        consents={use: use in granted for use in uses},
        wording={use: str(testimony_models.Use(use).label) for use in uses},
        objectives=list(Objective.objects.filter(number__in=[7, 8])),
        country_of_destination=Country.objects.get(iso3=state),
    )
    testimony = receipt.testimony
    testimonies.testimony_moderate(
        actor=cast.moderator,
        testimony=testimony,
        decision="publish",
        could_endanger="no",
        reason="No identifying detail left.",
        confirmed_flags=[flag.pk for flag in testimony.flags.all()],
    )
    return testimony


def add_indicator_data(cast: Any) -> None:
    result = submission_import(
        actor=cast.data_provider,
        indicator=Indicator.objects.get(code="10.7.3"),
        provider=cast.statistics_office,
        ref_area=ref_area_get(iso3_or_m49="KEN"),
        file=io.BytesIO(KENYA_FILE),
        file_name="knbs_10-7-3.csv",
        dry_run=False,
        revision_note="",
    )
    assert result.version is not None, result.summary.as_json()
    version = dataset_version_submit(actor=cast.data_provider, version=result.version)
    version = dataset_version_approve(actor=cast.reviewer, version=version)
    dataset_version_publish(actor=cast.administrator, version=version)


@pytest.fixture
def kenya_data(cast: Any) -> Any:
    """Kenya with data in every section that does not depend on the review itself."""
    add_recommendations(cast.kenya, count=12)
    add_ratifications(cast.kenya)
    add_pledges(cast, count=2)
    add_testimony(cast)
    add_indicator_data(cast)
    return cast


def imrf_2026() -> Any:
    from solidarity.reviews.loaders import cycles_load
    from solidarity.reviews.selectors import cycle_get

    cycles_load(actor="system:tests")
    return cycle_get(code="IMRF-2026")


def write_review(
    state: Country, cycle: Any, *, author: Any, published: bool, objectives: int = 23
) -> Any:
    """A State's review with a summary, ``objectives`` objective parts (each citing an
    indicator) and the three approaches; published (by a reviewer) or left a draft. Rows, as
    the reviews' actions leave them."""
    from django.utils import timezone

    from solidarity.reviews.models import (
        ReviewCitation,
        ReviewSection,
        StateReview,
        StateReviewVersion,
    )

    review = StateReview.objects.create(cycle=cycle, country=state, created_by=author)
    version = StateReviewVersion.objects.create(review=review, number=1, created_by=author)
    ReviewSection.objects.create(
        version=version, part="summary", body=f"{state.name} reports on the Global Compact."
    )
    for number in range(1, objectives + 1):
        section = ReviewSection.objects.create(
            version=version,
            part="objective",
            objective_id=number,
            what_was_done=f"Objective {number}: a national action plan was adopted.",
            challenges="Data on migrants in irregular situations are scarce.",
        )
        ReviewCitation.objects.create(section=section, kind="indicator", reference="10.7.3")
    for part in ("gender", "child", "age"):
        ReviewSection.objects.create(version=version, part=part, body=f"The {part} approach.")
    review.latest_version = version
    review.status = StateReview.Status.SUBMITTED
    if published:
        review.status = StateReview.Status.PUBLISHED
        review.published_version = version
        review.published_at = timezone.now()
    review.save()
    return review


def add_review_voices(state: Country, cycle: Any, cast: Any, *, count: int) -> None:
    """Approved stakeholder inputs, one refused, and follow-up recommendations."""
    from solidarity.reviews.models import FollowUpRecommendation, StakeholderInput

    start = StakeholderInput.objects.filter(country=state).count()
    for number in range(start, start + count):
        StakeholderInput.objects.create(
            cycle=cycle,
            organisation=cast.migrant_org,
            country=state,
            objective_id=1 + number % 23,
            title=f"Shadow assessment {number}",
            body="Detention of children continues at the northern border.",
            moderation="approved",
        )
        FollowUpRecommendation.objects.create(
            cycle=cycle,
            country=state,
            objective_id=1 + number % 23,
            source="forum",
            text=f"Follow-up {number}: end child detention.",
            status="planned",
        )
    StakeholderInput.objects.create(
        cycle=cycle,
        organisation=cast.migrant_org,
        country=state,
        title="Refused input",
        body="Off topic.",
        moderation="refused",
        refusal_reason="Not about the review.",
    )
