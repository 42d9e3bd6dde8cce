"""The calculator page, its downloads, the API and the command line compute the same table."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from django.test import Client

from solidarity.cli import main
from solidarity.fairshare.actions import country_group_create

pytestmark = pytest.mark.django_db

EU_2020 = "key=eu2024&group=EU27&year=2020&actual=refugees&spread=0.2"


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_calculator_opens_on_the_eu27_refugees_of_2020(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(8):
        response = client.get("/fairshare/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "A burden of 3,423,209 shared among 27 States of 27." in html
    assert "Germany: 704,808" in html  # the chart's largest bar
    assert "k_i = 0.5·s_i(population) + 0.5·s_i(gdp)" in html
    assert "SP.POP.TOTL" in html  # the source of the figures
    assert 'src="/static/fairshare/calculator.js"' in html
    assert "<script>" not in html  # nothing inline for the CSP to refuse


def test_the_eu2015_key_lists_each_state_missing_its_figures(client: Client) -> None:
    response = client.get("/fairshare/?key=eu2015&group=EU27&year=2020&spread=0.2")
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "No State of the group has every figure this key needs (population, gdp, asylum_effort, "
        "unemployment_rate) for this year." in html
    )
    assert "MLT: asylum_effort, unemployment_rate" in html


def test_a_key_of_ones_own_weights(client: Client) -> None:
    response = client.get(
        "/fairshare/?key=custom&group=EU27&year=2020&spread=0.1&burden=1000"
        "&weight_population=1&weight_gdp_per_capita=1"
    )
    assert response.status_code == 200
    assert "s_i(gdp/population)" in response.content.decode()
    refused = client.get("/fairshare/?key=custom&group=EU27&year=2020&spread=0.1")
    assert refused.status_code == 400
    assert "Give at least one positive weight for your own key." in refused.content.decode()


def test_money_disbursed_comes_from_the_commitments_registry(cast: Any, client: Client) -> None:
    from solidarity.commitments.models import FinancialCommitment, Transaction

    # Two imported IATI activities (published data) that disbursed money in 2020.
    for state, usd in (("DEU", "3000000"), ("FRA", "1000000")):
        commitment = FinancialCommitment.objects.create(
            import_key=f"test-{state}", title=f"Support to host communities ({state})",
            provider_state_id=state,
        )  # fmt: skip
        Transaction.objects.create(
            commitment=commitment, position=1, type="3", date=datetime.date(2020, 6, 1),
            value=Decimal(usd), currency="USD", value_usd=Decimal(usd),
        )  # fmt: skip
    country_group_create(
        actor=cast.reviewer, slug="donors", name="Donors", members=["DEU", "FRA", "ITA"]
    )
    response = client.get(
        "/fairshare/fair-shares.csv?key=eu2024&group=GROUP:donors&year=2020&spread=0.2"
        "&actual=disbursed-usd&burden=6000000"
    )
    assert response.status_code == 200
    rows = {row["iso3"]: row for row in _csv_rows(response.content.decode())}
    assert rows["DEU"]["actual"] == "3000000.000"
    assert rows["ITA"]["actual"] == ""  # nothing recorded: unknown, not zero
    assert rows["ITA"]["missing"] == "disbursed_usd"
    assert Decimal(rows["ITA"]["fair_share"]) > 0
    page = client.get(
        "/fairshare/?key=eu2024&group=GROUP:donors&year=2020&spread=0.2&actual=disbursed-usd"
        "&burden=6000000"
    ).content.decode()
    assert "Solidarity commitments registry: US$ disbursed" in page
    assert "ITA: disbursed_usd" in page


def test_the_csv_download_has_shares_summing_to_one(client: Client) -> None:
    response = client.get(f"/fairshare/fair-shares.csv?{EU_2020}")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="fair-shares-eu2024-eu27-2020.csv"'
    )
    rows = _csv_rows(response.content.decode())
    assert list(rows[0]) == [
        "iso3", "name", "key_share", "fair_share", "actual", "gap", "ratio",
        "share_low", "share_high", "missing",
    ]  # fmt: skip
    assert len(rows) == 27
    assert abs(sum(Decimal(row["key_share"]) for row in rows) - Decimal(1)) < Decimal("1e-10")
    germany = next(row for row in rows if row["iso3"] == "DEU")
    assert (germany["actual"], germany["gap"], germany["ratio"]) == (
        "1455947.000",
        "704808.123",
        "1.938319",
    )
    assert (
        Decimal(germany["share_low"])
        < Decimal(germany["key_share"])
        < Decimal(germany["share_high"])
    )


def test_the_xlsx_download_carries_the_sources(client: Client) -> None:
    response = client.get(f"/fairshare/fair-shares.xlsx?{EU_2020}")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    shares = list(workbook["fair shares"].iter_rows(values_only=True))
    assert shares[0][:3] == ("iso3", "name", "key_share")
    assert len(shares) == 28
    sources = [row[0] for row in workbook["sources"].iter_rows(values_only=True)]
    assert any(str(line).startswith("refugees 2020: UN DESA") for line in sources)


def test_the_api_computes_the_same_table(client: Client) -> None:
    response = client.get(f"/api/v1/fairshare/shares?{EU_2020}")
    assert response.status_code == 200
    body = response.json()
    assert body["burden"] == "3423209"
    assert body["burden_from_actual"] is True
    assert body["family_size"] == 9
    germany = next(row for row in body["rows"] if row["iso3"] == "DEU")
    assert germany["gap"] == "704808.123"
    assert {source["indicator"] for source in body["sources"]} == {"population", "gdp", "refugees"}
    unknown = client.get("/api/v1/fairshare/shares?group=M49:999")
    assert unknown.status_code == 400
    assert unknown.json() == {"detail": "No M49 region with code '999'."}
    keys = client.get("/api/v1/fairshare/keys").json()
    assert [key["name"] for key in keys] == ["eu2024", "eu2015"]


def test_the_command_line_writes_the_table_and_reports_missing_figures(tmp_path: Path) -> None:
    out = tmp_path / "eu27.csv"
    runner = CliRunner()
    result = runner.invoke(
        main,
        ["fairshare", "--key", "eu2024", "--group", "EU27", "--year", "2020",
         "--actual", "refugees", "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = _csv_rows(out.read_text(encoding="utf-8"))
    assert {"iso3", "key_share", "fair_share", "actual", "gap", "ratio"} <= set(rows[0])
    assert abs(sum(Decimal(row["key_share"]) for row in rows) - Decimal(1)) < Decimal("1e-10")
    assert "27 of 27 States shared a burden of 3423209" in result.output

    missing = runner.invoke(
        main,
        ["fairshare", "--key", "eu2024", "--group", "M49:014", "--year", "2020",
         "--actual", "refugees", "--burden", "1000", "--out", str(out)],
    )  # fmt: skip
    assert missing.exit_code == 1
    assert "missing ERI: gdp (no figure)" in missing.output
    by_state = {row["iso3"]: row for row in _csv_rows(out.read_text(encoding="utf-8"))}
    assert by_state["ERI"]["key_share"] == ""  # missing, not zero
    assert by_state["ERI"]["missing"] == "gdp"


def test_the_command_line_takes_a_key_file_and_extra_figures(tmp_path: Path) -> None:
    key = tmp_path / "key.yaml"
    key.write_text(
        "name: mine\ntitle: Mine\nterms:\n  - {indicator: population, weight: 1}\n"
        "  - {indicator: unemployment_rate, weight: 1, transform: inverse, cap: 0.3}\n",
        encoding="utf-8",
    )
    figures = tmp_path / "figures.csv"
    figures.write_text(
        "indicator,iso3,year,value,source\n"
        "unemployment_rate,KEN,2020,5.6,ILO modelled estimate\n"
        "unemployment_rate,MEX,2020,4.4,ILO modelled estimate\n",
        encoding="utf-8",
    )
    group_members = "KEN MEX"
    from solidarity.accounts.models import User
    from solidarity.fairshare.actions import country_group_create

    user = User.objects.create_user(username="someone", password="x" * 20)
    country_group_create(actor=user, slug="two", name="Two", members=group_members.split())
    result = CliRunner().invoke(
        main,
        ["fairshare", "--key", str(key), "--group", "GROUP:two", "--year", "2020",
         "--burden", "100", "--figures", str(figures), "--out", "-"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = {row["iso3"]: row for row in _csv_rows(result.output.split("key: ")[0])}
    assert set(rows) == {"KEN", "MEX"}
    assert Decimal(rows["KEN"]["fair_share"]) + Decimal(rows["MEX"]["fair_share"]) == 100


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--key", "eu2030"], "eu2030"),
        (["--group", "Mars"], "Unknown group 'Mars'"),
        (["--burden", "lots"], "not a number: 'lots'"),
    ],
)
def test_the_command_line_names_a_bad_option(arguments: list[str], message: str) -> None:
    base = {"--key": "eu2024", "--group": "EU27", "--year": "2020", "--burden": "10"}
    base.update(dict(zip(arguments[::2], arguments[1::2], strict=True)))
    argv = ["fairshare", *[part for pair in base.items() for part in pair], "--out", "-"]
    result = CliRunner().invoke(main, argv)
    assert result.exit_code == 2
    assert message in result.output
