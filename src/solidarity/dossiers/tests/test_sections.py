"""Each section of the dossier that other apps fill, with and without data."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from solidarity.dossiers import sections
from solidarity.dossiers.tests.conftest import TESTIMONY_TEXT, add_testimony
from solidarity.reference.models import Country

pytestmark = pytest.mark.django_db


def test_every_section_says_plainly_what_is_missing(cast: Any) -> None:
    state = Country.objects.get(iso3="KEN")
    assert sections.testimonies_section(state=state).missing == (
        "No testimony about this State has been published with its author's consent yet."
    )
    assert sections.recommendations_section(state=state).missing == (
        "No human-rights recommendation to this State has been imported yet."
    )
    assert sections.ratifications_section(state=state).missing == (
        "No ratification of the catalogue's treaties is recorded for this State."
    )
    assert sections.indicators_section(state=state).missing == (
        "No indicator data about this State has been published yet."
    )
    assert sections.pledges_section(state=state).missing == (
        "This State has made or joined no published pledge yet."
    )


def test_sections_with_data_carry_their_sources_and_dates(kenya_data: Any) -> None:
    state = kenya_data.kenya
    testimonies = sections.testimonies_section(state=state)
    assert not testimonies.is_missing
    assert [item.text for item in testimonies.data["testimonies"]] == [TESTIMONY_TEXT]
    assert testimonies.sources[0].as_of

    recommendations = sections.recommendations_section(state=state)
    assert not recommendations.is_missing
    assert recommendations.data["unmapped"] == 0
    assert [group.objective.number for group in recommendations.data["groups"]] == sorted(
        {1 + n % 23 for n in range(12)} | {1 + (n + 7) % 23 for n in range(12)}
    )
    assert recommendations.data["statuses"] == {
        "no status": 3,
        "Planned": 3,
        "In progress": 3,
        "Completed": 3,
    }
    assert recommendations.sources[0].label == (
        "UN human-rights mechanisms: Universal Periodic Review"
    )
    assert recommendations.sources[0].as_of == "2020-03-30"

    ratifications = sections.ratifications_section(state=state)
    assert ratifications.sources[0].as_of == "2022"
    assert ratifications.summary.startswith("Party to 3 of ")

    indicators = sections.indicators_section(state=state)
    assert not indicators.is_missing
    row = next(row for row in indicators.data["rows"] if row.indicator == "10.7.3")
    assert row.present == ["SEX"]
    assert "AGE" in row.missing
    assert indicators.sources[0].label.startswith("Kenya National Bureau of Statistics, 10.7.3")

    pledges = sections.pledges_section(state=state)
    assert pledges.data["totals"] == {
        "pledged": Decimal("2000000"),
        "committed": Decimal("1000000"),
        "disbursed": Decimal("400000"),
    }
    assert pledges.summary == (
        "2 pledges; US$ 2,000,000 pledged, 1,000,000 committed, 400,000 disbursed."
    )


def test_only_testimonies_whose_consent_covers_publication_appear(cast: Any) -> None:
    add_testimony(cast, publish_consent=False)
    assert sections.testimonies_section(state=cast.kenya).is_missing
    add_testimony(cast)
    assert len(sections.testimonies_section(state=cast.kenya).data["testimonies"]) == 1


def test_the_fair_share_position_is_the_states_share_among_its_neighbours(cast: Any) -> None:
    section = sections.fair_share_section(state=cast.kenya)
    assert section.data["group"].spec == "M49:014"
    assert section.data["year"] == 2020
    row = section.data["row"]
    assert row.actual is not None
    assert row.fair_share is not None
    assert row.ratio == round(row.actual / row.fair_share, 2)
    assert section.sources
    assert all(source.as_of == "2020" for source in section.sources)


def test_a_territory_has_no_fair_share(db: Any) -> None:
    territory = Country.objects.filter(un_member=False).order_by("iso3").first()
    assert territory is not None
    assert sections.fair_share_section(state=territory).missing == (
        "This country or area is not a UN Member State: it has no fair share under a key."
    )
