"""DATA_PROVIDER in the SDMX answers: two providers' figures for one indicator and one area keep
apart — the last position of the hub's keys, the provider reference of data queries
(``/sdmx/data/{flow}/{key}/{provider}``), the data provider scheme, SDMX-CSV and SDMX-JSON —
while keys written before the dimension existed keep working."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import make_user
from solidarity.accounts.models import Organisation, Role
from solidarity.cli import main
from solidarity.indicators import sdmx as hub
from solidarity.indicators.tests.test_sdmx_api import CSV, FLOW, JSON, body, get, publish
from solidarity.stats import sdmx

pytestmark = pytest.mark.django_db

KENYA = "404"


@pytest.fixture
def two(cast: Any) -> dict[str, Any]:
    """KNBS and IOM each publish deaths in Kenya (2020, different figures)."""
    iom = Organisation.objects.create(
        name="International Organization for Migration",
        acronym="IOM",
        kind=Organisation.Kind.UN_ENTITY,
    )
    iom_provider = make_user("ines", role=Role.DATA_PROVIDER, organisation=iom)
    publish(cast, b"Year,Sex,Value\n2020,,10\n2020,Female,4\n", area="KEN")
    theirs = type(cast)(**{**vars(cast), "data_provider": iom_provider, "statistics_office": iom})
    publish(theirs, b"Year,Sex,Value\n2020,,12\n", area="KEN")
    return {"KNBS": cast.statistics_office, "IOM": iom}


def rows(path: str) -> list[dict[str, str]]:
    response = get(path, CSV["csv"])
    assert response.status_code == 200, body(response)
    lines = body(response).decode().splitlines()
    header = lines[0].split(",")
    found = [dict(zip(header, line.split(","), strict=True)) for line in lines[1:]]
    for row in found:  # "12.000000000000" as "12"
        row["OBS_VALUE"] = format(Decimal(row["OBS_VALUE"]).normalize(), "f")
    return found


@pytest.mark.usefixtures("two")
def test_two_providers_never_share_a_key() -> None:
    flow = hub.flow_get(id=FLOW)
    assert flow.dimensions[-1] == "DATA_PROVIDER"
    found = rows(f"/sdmx/data/{FLOW}")
    totals = {(r["DATA_PROVIDER"], r["OBS_VALUE"]) for r in found if r["SEX"] == "_T"}
    assert totals == {("KNBS", "10"), ("IOM", "12")}
    keys = [(*(r[d] for d in flow.dimensions), r["TIME_PERIOD"]) for r in found]
    assert len(keys) == len(set(keys)) == 3
    # Read back against the structure: DATA_PROVIDER is coded by its codelist.
    content = body(get(f"/sdmx/data/{FLOW}", CSV["csv"]))
    assert len(tuple(sdmx.read_sdmx_data(content, structure=flow.structure).observations)) == 3


@pytest.mark.usefixtures("two")
def test_the_provider_reference_and_the_key_select_a_provider() -> None:
    by_reference = rows(f"/sdmx/data/{FLOW}/all/IOM")
    assert {(r["DATA_PROVIDER"], r["OBS_VALUE"]) for r in by_reference} == {("IOM", "12")}
    with_agency = rows(f"/sdmx/data/{FLOW}/all/SOLIDARITY,KNBS")
    assert {r["DATA_PROVIDER"] for r in with_agency} == {"KNBS"}
    both = rows(f"/sdmx/data/{FLOW}/all/KNBS+IOM")
    assert len(both) == 3
    # A full key, with DATA_PROVIDER in its last position...
    assert hub.flow_get(id=FLOW).dimensions[2:] == ("SEX", "AGE", "ORIGIN", "DATA_PROVIDER")
    full = rows(f"/sdmx/data/{FLOW}/.{KENYA}.F...KNBS")
    assert [(r["DATA_PROVIDER"], r["OBS_VALUE"]) for r in full] == [("KNBS", "4")]
    # ... and a key one position short, as written before DATA_PROVIDER: every provider.
    short = rows(f"/sdmx/data/{FLOW}/.{KENYA}._T..")
    assert {r["DATA_PROVIDER"] for r in short} == {"KNBS", "IOM"}
    assert get(f"/sdmx/data/{FLOW}/all/UNHCR").status_code == 404
    assert get(f"/sdmx/data/{FLOW}/all/ECB,IOM").status_code == 400
    # The SDG-shaped flow has no DATA_PROVIDER dimension; the provider reference still filters.
    sdg = rows("/sdmx/data/DF_SDG_10_7_3/all/IOM")
    assert "DATA_PROVIDER" not in sdg[0]
    assert {r["OBS_VALUE"] for r in sdg} == {"12"}


def _provider(cast: Any, name: str, acronym: str, kind: str, user: str) -> Any:
    organisation = Organisation.objects.create(name=name, acronym=acronym, kind=kind)
    provider = make_user(user, role=Role.DATA_PROVIDER, organisation=organisation)
    return type(cast)(
        **{**vars(cast), "data_provider": provider, "statistics_office": organisation}
    )


def test_the_sdg_shape_tells_reporters_apart_as_the_sdg_structure_does(
    cast: Any, two: dict[str, Any], shared_data: Path
) -> None:
    """KNBS reports for Kenya nationally (N), IOM, the custodian of 10.7.3, globally (G): the
    SDG key's REPORTING_TYPE keeps them apart and SOURCE_DETAIL names each. A second national
    provider yields to the statistics office unless asked for; a civil-society organisation's
    figures are no official reporting and stay in the hub's shape."""
    ministry = _provider(
        cast, "Ministry of Interior", "MOI", Organisation.Kind.STATE_GOVERNMENT, "moira"
    )
    publish(ministry, b"Year,Sex,Value\n2020,,99\n", area="KEN")
    ngo = _provider(cast, "Border Watch", "BW", Organisation.Kind.CSO, "bruno")
    publish(ngo, b"Year,Sex,Value\n2020,,77\n", area="KEN")
    flow = hub.flow_get(id="DF_SDG_10_7_3")
    assert flow.dimensions[0] == "REPORTING_TYPE"
    found = rows("/sdmx/data/DF_SDG_10_7_3")
    totals = {
        (r["REPORTING_TYPE"], r["SOURCE_DETAIL"], r["OBS_VALUE"]) for r in found if r["SEX"] == "_T"
    }
    assert totals == {
        ("N", "Kenya National Bureau of Statistics", "10"),
        ("G", "International Organization for Migration", "12"),
    }
    keys = [(*(r[d] for d in flow.dimensions), r["TIME_PERIOD"]) for r in found]
    assert len(keys) == len(set(keys))
    # Asked for by the provider reference, the ministry's figures come under N.
    asked = rows("/sdmx/data/DF_SDG_10_7_3/all/MOI")
    assert {(r["REPORTING_TYPE"], r["OBS_VALUE"]) for r in asked} == {("N", "99")}
    assert get("/sdmx/data/DF_SDG_10_7_3/all/BW", CSV["csv"]).status_code == 404
    assert {r["DATA_PROVIDER"] for r in rows(f"/sdmx/data/{FLOW}")} == {"KNBS", "IOM", "MOI", "BW"}
    # G.KEN: only the custodian's; the whole message validates and reads back.
    assert {r["OBS_VALUE"] for r in rows("/sdmx/data/DF_SDG_10_7_3/G..404..")} == {"12"}
    # A key one position short, as written before REPORTING_TYPE: every reporter.
    short = rows("/sdmx/data/DF_SDG_10_7_3/.404.._T")
    assert {(r["REPORTING_TYPE"], r["OBS_VALUE"]) for r in short} >= {("N", "10"), ("G", "12")}
    for accept in (
        "application/vnd.sdmx.structurespecificdata+xml;version=2.1",
        "application/vnd.sdmx.genericdata+xml;version=2.1",
        "application/vnd.sdmx.data+xml;version=3.0.0",
    ):
        content = body(get("/sdmx/data/DF_SDG_10_7_3", accept))
        assert (
            sdmx.validate_sdmx_ml(
                content, schema_dir=shared_data / "sdmx", structure=flow.structure
            )
            == []
        )
        read = sdmx.read_sdmx_data(content, structure=flow.structure).observations
        assert {o.attribute("SOURCE_DETAIL") for o in read} == {
            "Kenya National Bureau of Statistics",
            "International Organization for Migration",
        }
    content = body(get("/sdmx/data/DF_SDG_10_7_3", JSON))
    assert sdmx.validate_sdmx_json(content, schema_dir=shared_data / "sdmx") == []


@pytest.mark.usefixtures("two")
def test_sdmx_json_and_availability_name_the_providers(shared_data: Path) -> None:
    content = body(get(f"/sdmx/data/{FLOW}", JSON))
    assert sdmx.validate_sdmx_json(content, schema_dir=shared_data / "sdmx") == []
    dimensions = json.loads(content)["data"]["structures"][0]["dimensions"]["observation"]
    provider = next(d for d in dimensions if d["id"] == "DATA_PROVIDER")
    assert {v["id"]: v["name"] for v in provider["values"]} == {
        "IOM": "International Organization for Migration",
        "KNBS": "Kenya National Bureau of Statistics",
    }
    available = get(f"/sdmx/availability/{FLOW}/all/IOM").content.decode()
    assert ">IOM<" in available
    assert ">KNBS<" not in available


@pytest.mark.parametrize("version", ["2.1", "3.0"])
def test_the_data_provider_scheme(two: dict[str, Any], shared_data: Path, version: str) -> None:
    path = "/sdmx/structure/dataproviderscheme/SOLIDARITY/DATA_PROVIDERS/latest"
    response = get(path, f"application/vnd.sdmx.structure+xml;version={version}")
    assert response.status_code == 200
    assert sdmx.validate_sdmx_ml(response.content, schema_dir=shared_data / "sdmx") == []
    text = response.content.decode()
    assert 'id="IOM"' in text
    assert 'id="KNBS"' in text
    etag = response["ETag"]
    # A provider renamed: the scheme says so at once.
    two["IOM"].name = "IOM, the UN Migration Agency"
    two["IOM"].save()
    renamed = get(path, f"application/vnd.sdmx.structure+xml;version={version}")
    assert "IOM, the UN Migration Agency" in renamed.content.decode()
    assert renamed["ETag"] != etag


def test_provider_codes_fall_back_to_the_id(cast: Any) -> None:
    twin = Organisation.objects.create(
        name="Kenya National Bureau of Standards", acronym="KNBS", kind=Organisation.Kind.NSO
    )
    codes = hub.provider_codes()
    assert codes[twin.pk] == f"ORG_{twin.pk}"
    assert codes[cast.statistics_office.pk] == f"ORG_{cast.statistics_office.pk}"
    assert codes[cast.migrant_org.pk] == f"ORG_{cast.migrant_org.pk}"  # no acronym


@pytest.mark.parametrize("export_format", ["sdmx-ml", "sdmx-ml-3.0", "sdmx-csv", "sdmx-json"])
def test_the_sdg_shaped_export_carries_the_reporters(
    two: dict[str, Any], tmp_path: Path, shared_data: Path, export_format: str
) -> None:
    out = tmp_path / "sdg"
    result = CliRunner().invoke(
        main,
        [
            "data",
            "export",
            "10.7.3",
            "--shape",
            "sdg",
            "--format",
            export_format,
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    content = out.read_bytes()
    flow = hub.flow_get(id="DF_SDG_10_7_3")
    if export_format.startswith("sdmx-ml"):
        assert (
            sdmx.validate_sdmx_ml(
                content, schema_dir=shared_data / "sdmx", structure=flow.structure
            )
            == []
        )
    if export_format == "sdmx-json":
        assert sdmx.validate_sdmx_json(content, schema_dir=shared_data / "sdmx") == []
    read = sdmx.read_sdmx_data(content, structure=flow.structure).observations
    assert {
        (o.code("REPORTING_TYPE"), o.attribute("SOURCE_DETAIL"), o.value)
        for o in read
        if o.code("SEX") == "_T"
    } == {
        ("N", "Kenya National Bureau of Statistics", Decimal(10)),
        ("G", "International Organization for Migration", Decimal(12)),
    }
