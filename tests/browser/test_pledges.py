"""The pledge registry, a pledge with its money, progress and assessments, and the dashboard: no
axe violations in English and French, charts drawn, and the registry's filters work from the
keyboard alone (a plain GET form)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from solidarity.commitments import actions
from solidarity.commitments.models import Pledge
from solidarity.commitments.tests.conftest import pledge_input

pytestmark = pytest.mark.browser

axe = Axe()


@pytest.fixture
def pledge(cast: Any) -> Pledge:
    made = actions.pledge_create(
        actor=cast.focal_point_kenya,
        data=pledge_input(state=cast.kenya, partner_states=["UGA"], south_south=True),
    )
    made = actions.pledge_publish(actor=cast.focal_point_kenya, pledge=made)
    for kind, day, value in [
        ("12", date(2022, 5, 10), Decimal(1_000_000)),
        ("3", date(2023, 6, 1), Decimal(250_000)),
        ("3", date(2024, 2, 15), Decimal(200_000)),
    ]:
        actions.money_record(
            actor=cast.focal_point_kenya,
            pledge=made,
            data=actions.MoneyInput(
                type=kind, date=day, value=value, currency="EUR", recipient_country="UGA"
            ),
        )
    update = actions.progress_update_save(
        actor=cast.focal_point_kenya,
        pledge=made,
        as_of=date(2024, 6, 30),
        text="120 officials trained at Busia and Malaba.",
        stage="in_progress",
    )
    actions.progress_update_submit(actor=cast.focal_point_kenya, update=update)
    actions.progress_update_approve(actor=cast.reviewer, update=update)
    actions.assessment_save(
        actor=cast.migrant_org_member,
        pledge=made,
        as_of=date(2024, 7, 1),
        rating="partly",
        text="Two of five border posts so far.",
        organisation=cast.migrant_org,
    )
    return made


@pytest.mark.parametrize("language_prefix", ["", "/fr"], ids=["en", "fr"])
def test_the_pledge_pages_have_no_axe_violations(
    page: Page, pledge: Pledge, language_prefix: str
) -> None:
    for path, charts in [
        ("/pledges/", 0),
        (f"/pledges/{pledge.pk}/", 0),
        ("/pledges/dashboard/", 4),  # three bar charts and the flow diagram
        ("/pledges/states/KEN/", 0),
    ]:
        response = page.goto(language_prefix + path)
        assert response is not None
        assert response.status == 200, path
        expect(page.locator("svg.chart")).to_have_count(charts)
        results = axe.run(page)
        assert results.violations_count == 0, (path, results.generate_report())


def test_the_registry_filters_from_the_keyboard(page: Page, pledge: Pledge) -> None:
    page.goto("/pledges/")
    expect(page.get_by_role("status")).to_have_text("1 pledge.")
    page.get_by_label("GCM objective").focus()
    page.keyboard.press("End")  # the last objective, 23: the pledge serves 11 and 13
    page.get_by_role("button", name="Filter").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/pledges/?*objective=23*")
    expect(page.get_by_role("status")).to_have_text("0 pledges.")
