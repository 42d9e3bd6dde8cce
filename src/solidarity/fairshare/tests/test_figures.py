"""The reference figures: shipped with the package, loaded by a migration, refreshed atomically
and idempotently from the real World Bank and UN DESA files, audited."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from solidarity.audit.models import AuditEntry
from solidarity.fairshare.actions import (
    figures_load_shipped,
    undesa_figures_import,
    worldbank_import,
)
from solidarity.fairshare.models import ReferenceFigure
from solidarity.fairshare.selectors import calculate, eu27_states, figures_for, group_get
from solidarity.stats.fairshare import FiguresError, preset_key

pytestmark = pytest.mark.django_db


def test_a_fresh_install_has_the_figures_with_their_source() -> None:
    counts = {
        indicator: ReferenceFigure.objects.filter(indicator=indicator).count()
        for indicator in ("population", "gdp", "refugees", "migrant_stock")
    }
    assert all(count > 1000 for count in counts.values()), counts
    germany = ReferenceFigure.objects.get(indicator="refugees", iso3="DEU", year=2020)
    assert germany.value == Decimal("1455947")
    assert germany.source.startswith(
        "UN DESA Population Division, International Migrant Stock 2020"
    )
    # Regional aggregates of the World Bank are not States and are not shipped.
    assert not ReferenceFigure.objects.filter(iso3__in=["WLD", "EUU", "HIC"]).exists()


def test_eu27_is_the_27_member_states() -> None:
    group = group_get(spec="eu27")
    assert len(group.states) == 27
    assert set(group.states) == set(eu27_states())
    assert "GBR" not in group.states


def test_the_un_and_m49_groups_hold_un_member_states_only() -> None:
    assert len(group_get(spec="UN").states) == 193
    eastern_africa = group_get(spec="M49:014")
    assert "KEN" in eastern_africa.states
    assert "REU" not in eastern_africa.states  # Réunion: in the sub-region, not a State


def _hand_read(path: Path, year: int, states: set[str]) -> dict[str, float]:
    with path.open(encoding="utf-8") as file:
        return {
            row["Country Code"]: float(row["Value"])
            for row in csv.DictReader(file)
            if row["Country Code"] in states and row["Year"] == str(year)
        }


def test_the_eu2024_key_from_the_shipped_figures_matches_a_hand_calculation(
    shared_data: Path,
) -> None:
    states = set(eu27_states())
    folder = shared_data / "reference"
    population = _hand_read(folder / "worldbank_population.csv", 2022, states)
    gdp = _hand_read(folder / "worldbank_gdp_current_usd.csv", 2022, states)
    by_hand = {
        state: 0.5 * population[state] / sum(population.values())
        + 0.5 * gdp[state] / sum(gdp.values())
        for state in states
    }
    calculation = calculate(
        key=preset_key("eu2024"), group=group_get(spec="EU27"), year=2022, burden=Decimal(30000)
    )
    assert calculation.shares is not None
    assert calculation.missing == ()
    assert sum(calculation.shares.shares.values()) == 1
    for state in states:
        assert float(calculation.shares.shares[state]) == pytest.approx(by_hand[state], abs=1e-9)
    assert calculation.figures.sources["population"] == [
        "World Bank, World Development Indicators, SP.POP.TOTL (total population), via GitHub "
        "datasets/population commit 425fc44 (2026-03-06), ODC-PDDL-1.0"
    ]


def test_importing_the_world_bank_files_again_changes_nothing(shared_data: Path) -> None:
    folder = shared_data / "reference"
    first = worldbank_import(actor="system:tests", path=folder)
    # The shipped tables start in 1990; the files go back to 1960, and name their own file.
    assert [r.indicator for r in first] == ["population", "gdp"]
    assert first[0].created > 5000
    assert first[0].updated > 5000
    audits = AuditEntry.objects.filter(action="fairshare.figures_import").count()
    assert audits == 2
    again = worldbank_import(actor="system:tests", path=folder)
    assert [(r.created, r.updated) for r in again] == [(0, 0), (0, 0)]
    assert AuditEntry.objects.filter(action="fairshare.figures_import").count() == audits
    figure = ReferenceFigure.objects.get(indicator="population", iso3="MLT", year=1960)
    assert figure.source.endswith("read from worldbank_population.csv")


def test_a_bad_world_bank_file_stores_nothing_and_names_row_and_field(tmp_path: Path) -> None:
    path = tmp_path / "worldbank_population.csv"
    path.write_text(
        "Country Name,Country Code,Year,Value\nMalta,MLT,2023,1\nMalta,MLT,2024,many\n",
        encoding="utf-8",
    )
    before = ReferenceFigure.objects.get(indicator="population", iso3="MLT", year=2023).value
    with pytest.raises(FiguresError) as error:
        worldbank_import(actor="system:tests", path=path)
    assert str(error.value) == (f"{path}, row 3, field Value: expected a number, got 'many'")
    assert (
        ReferenceFigure.objects.get(indicator="population", iso3="MLT", year=2023).value == before
    )


def test_a_file_of_unknown_kind_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "figures.csv"
    path.write_text("Country Name,Country Code,Year,Value\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="Cannot tell population from GDP"):
        worldbank_import(actor="system:tests", path=path)


def test_the_undesa_workbook_refreshes_nothing_when_it_is_the_shipped_one(
    shared_data: Path,
) -> None:
    results = undesa_figures_import(
        actor="system:tests",
        path=shared_data / "reference" / "undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx",
    )
    assert [(r.indicator, r.created, r.updated) for r in results] == [
        ("migrant_stock", 0, 0),
        ("refugees", 0, 0),
    ]
    assert results[1].unchanged == ReferenceFigure.objects.filter(indicator="refugees").count()
    assert not AuditEntry.objects.filter(action="fairshare.figures_import").exists()


def test_figures_of_another_year_are_never_carried_over() -> None:
    figures = figures_for(indicators=["refugees"], year=2019, states=["DEU"])
    assert figures.values == {"refugees": {}}


def test_the_shipped_tables_load_again_unchanged_and_restore_what_is_gone() -> None:
    results = figures_load_shipped(actor="system:tests")
    assert [(r.created, r.updated) for r in results] == [(0, 0)] * 4
    ReferenceFigure.objects.filter(indicator="refugees", iso3="MLT").delete()
    results = figures_load_shipped(actor="system:tests")
    assert {r.indicator: r.created for r in results}["refugees"] == 7


def test_the_data_hub_holds_the_same_refugee_figures(shared_data: Path) -> None:
    """Fair sharing keeps its own table, but from the same workbook through the same reader as
    the data hub's GCM_REFUGEES_HOSTED series: the figures must agree."""
    from solidarity.indicators.actions import undesa_import
    from solidarity.indicators.models import Observation
    from solidarity.reference.models import Country

    undesa_import(
        actor="system:tests",
        path=str(
            shared_data / "reference" / "undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx"
        ),
    )
    m49 = dict(Country.objects.filter(iso3__in=eu27_states()).values_list("m49", "iso3"))
    hub = {
        m49[area]: value
        for area, value in Observation.objects.filter(
            version__dataset__indicator__code="GCM_REFUGEES_HOSTED",
            version__dataset__ref_area__code__in=list(m49),
            time_period="2020",
        ).values_list("version__dataset__ref_area__code", "value")
    }
    ours = dict(
        ReferenceFigure.objects.filter(
            indicator="refugees", year=2020, iso3__in=eu27_states()
        ).values_list("iso3", "value")
    )
    assert len(ours) == 27
    assert hub == ours
