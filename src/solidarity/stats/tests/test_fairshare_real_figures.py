"""The EU 2024 key over the EU27 from the World Bank's own files, against a hand calculation, and
the checks on the files a user may bring."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from solidarity.stats.fairshare import (
    FiguresError,
    KeyDeclarationError,
    figures_for_year,
    key_shares,
    load_key,
    preset_key,
    read_figures_csv,
    read_worldbank_csv,
)

EU27 = [
    "AUT",
    "BEL",
    "BGR",
    "HRV",
    "CYP",
    "CZE",
    "DNK",
    "EST",
    "FIN",
    "FRA",
    "DEU",
    "GRC",
    "HUN",
    "IRL",
    "ITA",
    "LVA",
    "LTU",
    "LUX",
    "MLT",
    "NLD",
    "POL",
    "PRT",
    "ROU",
    "SVK",
    "SVN",
    "ESP",
    "SWE",
]


def _hand_read(path: Path, year: int) -> dict[str, float]:
    with path.open(encoding="utf-8") as file:
        return {
            row["Country Code"]: float(row["Value"])
            for row in csv.DictReader(file)
            if row["Country Code"] in EU27 and row["Year"] == str(year)
        }


def test_eu2024_key_for_the_eu27_matches_a_hand_calculation(shared_data: Path) -> None:
    folder = shared_data / "reference"
    population = _hand_read(folder / "worldbank_population.csv", 2023)
    gdp = _hand_read(folder / "worldbank_gdp_current_usd.csv", 2023)
    assert len(population) == len(gdp) == 27
    total_population, total_gdp = sum(population.values()), sum(gdp.values())
    by_hand = {
        state: 0.5 * population[state] / total_population + 0.5 * gdp[state] / total_gdp
        for state in EU27
    }

    rows = [
        *read_worldbank_csv(
            folder / "worldbank_population.csv", indicator="population", source_note="WB"
        ),
        *read_worldbank_csv(
            folder / "worldbank_gdp_current_usd.csv", indicator="gdp", source_note="WB"
        ),
    ]
    figures, sources = figures_for_year(rows, year=2023)
    result = key_shares(preset_key("eu2024"), figures=figures, states=EU27)

    assert result.missing == ()
    assert sum(result.shares.values()) == 1
    for state in EU27:
        assert float(result.shares[state]) == pytest.approx(by_hand[state], abs=1e-9), state
    # Germany has the largest population and GDP, Malta the smallest population.
    ranked = sorted(EU27, key=lambda s: result.shares[s], reverse=True)
    assert ranked[0] == "DEU"
    assert ranked[-1] == "MLT"
    assert sources == {"population": {"WB"}, "gdp": {"WB"}}


def test_the_eu2015_key_reports_every_state_missing_the_figures_not_shipped(
    shared_data: Path,
) -> None:
    folder = shared_data / "reference"
    rows = [
        *read_worldbank_csv(
            folder / "worldbank_population.csv", indicator="population", source_note="WB"
        ),
        *read_worldbank_csv(
            folder / "worldbank_gdp_current_usd.csv", indicator="gdp", source_note="WB"
        ),
    ]
    figures, _ = figures_for_year(rows, year=2014)
    supplied = io.StringIO(
        "indicator,iso3,year,value,source\n"
        "unemployment_rate,DEU,2014,5.0,test\nasylum_effort,DEU,2014,1000,test\n"
        "unemployment_rate,FRA,2014,10.3,test\nasylum_effort,FRA,2014,900,test\n"
    )
    extra, _ = figures_for_year(read_figures_csv(supplied), year=2014)
    from solidarity.stats.fairshare import merge_figures

    result = key_shares(preset_key("eu2015"), figures=merge_figures(figures, extra), states=EU27)
    assert set(result.shares) == {"DEU", "FRA"}
    assert len(result.excluded) == 25
    assert {m.indicator for m in result.missing_for("MLT")} == {
        "asylum_effort",
        "unemployment_rate",
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "iso3,value\n",
            "figures.csv, row 1: the header lacks indicator, year, source "
            "(expected indicator, iso3, year, value, source)",
        ),
        (
            "indicator,iso3,year,value,source\npopulation,DEUX,2014,1,x\n",
            "figures.csv, row 2, field iso3: expected an ISO3 code, got 'DEUX'",
        ),
        (
            "indicator,iso3,year,value,source\npopulation,DEU,20x4,1,x\n",
            "figures.csv, row 2, field year: expected a year, got '20x4'",
        ),
        (
            "indicator,iso3,year,value,source\npopulation,DEU,2014,many,x\n",
            "figures.csv, row 2, field value: expected a number, got 'many'",
        ),
        (
            "indicator,iso3,year,value,source\npopulation,DEU,2014,1,\n",
            "figures.csv, row 2, field source: every figure needs its source",
        ),
        (
            "indicator,iso3,year,value,source\npopulation,DEU,2014,1,x\npopulation,DEU,2014,2,y\n",
            "figures.csv, row 3: DEU population 2014 is already given in row 2",
        ),
    ],
)
def test_a_bad_figures_file_names_row_and_field(text: str, message: str) -> None:
    with pytest.raises(FiguresError) as error:
        read_figures_csv(io.StringIO(text))
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: k\ntitle: K\nterms: []\n", "k.yaml, field terms: a key needs at least one term"),
        (
            "name: k\ntitle: K\nterms:\n  - {indicator: gdp, weight: -1}\n",
            "k.yaml, field terms[1].weight: a weight cannot be negative",
        ),
        (
            "name: k\ntitle: K\nterms:\n  - {indicator: gdp, weight: 1, colour: red}\n",
            "k.yaml, field terms[1]: unknown field(s) colour",
        ),
        (
            "name: k\ntitle: K\nterms:\n  - {indicator: gdp, weight: 1, cap: 0.3}\n",
            "k.yaml, field terms: every term is capped: a cap is relative to the uncapped terms, "
            "so at least one term must be uncapped",
        ),
        ("name: k\nterms: [\n", "k.yaml: is not valid YAML or JSON"),
    ],
)
def test_a_bad_key_file_names_the_field(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "k.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KeyDeclarationError) as error:
        load_key(path)
    assert str(error.value).replace(str(tmp_path) + "/", "").startswith(message)
