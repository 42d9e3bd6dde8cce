"""The SDMX REST API over the real ONS 10.7.3 file, imported, reviewed and published through the
real actions: every format validates against the official schemas, reads back with sdmx1 and
pysdmx to the very observations stored, filters select what the database says they should, and
what the public may not see never leaves."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone
from lxml import etree  # type: ignore[import-untyped]  # no lxml-stubs pinned here

from solidarity.indicators import sdmx as hub
from solidarity.indicators.actions import (
    dataset_version_approve,
    dataset_version_publish,
    dataset_version_submit,
    submission_import,
)
from solidarity.indicators.models import DatasetVersion, Indicator, Observation
from solidarity.indicators.selectors import ref_area_get
from solidarity.indicators.tests.conftest import load_provider_mappings
from solidarity.stats import sdmx

pytestmark = pytest.mark.django_db

FLOW = "DF_10_7_3"
UK = "826"
ML = {
    "genericdata": "application/vnd.sdmx.genericdata+xml;version=2.1",
    "structurespecificdata": "application/vnd.sdmx.structurespecificdata+xml;version=2.1",
    "structurespecificdata-3.0": "application/vnd.sdmx.data+xml;version=3.0.0",
}
CSV = {
    "csv-1.0": "application/vnd.sdmx.data+csv;version=1.0.0",
    "csv": "application/vnd.sdmx.data+csv;version=2.0.0",
}
JSON = "application/vnd.sdmx.data+json;version=2.1.0"


def publish(
    cast: Any, content: bytes, *, area: str, embargo: Any = None, indicator: str = "10.7.3"
) -> DatasetVersion:
    result = submission_import(
        actor=cast.data_provider,
        indicator=Indicator.objects.get(code=indicator),
        provider=cast.statistics_office,
        ref_area=ref_area_get(iso3_or_m49=area),
        file=io.BytesIO(content),
        file_name="deaths.csv",
        dry_run=False,
        revision_note="",
    )
    assert result.version is not None, result.summary.as_json()
    version = dataset_version_submit(actor=cast.data_provider, version=result.version)
    version = dataset_version_approve(actor=cast.reviewer, version=version)
    return dataset_version_publish(actor=cast.reviewer, version=version, embargo_until=embargo)


@pytest.fixture
def ons(cast: Any, shared_data: Path) -> DatasetVersion:
    load_provider_mappings(
        "ons_10_7_3_mappings.json", provider=cast.statistics_office, actor=cast.data_provider
    )
    content = (shared_data / "indicators" / "uk_ons_sdg_indicator_10-7-3.csv").read_bytes()
    return publish(cast, content, area="GBR")


@pytest.fixture
def schemas(shared_data: Path) -> Path:
    return shared_data / "sdmx"


def coded(row: Any, **codes: str | list[str]) -> bool:
    """Whether an observation has, for each dimension named, the code (or one of the codes)."""
    return all(
        row.dimensions.get(dimension) in ([code] if isinstance(code, str) else code)
        for dimension, code in codes.items()
    )


def stored(version: DatasetVersion, **codes: str | list[str]) -> set[tuple[Any, ...]]:
    """The public observations of a version with the given ``codes`` (see :func:`coded`), as
    the tests expect to read them back."""
    public = version.observations.filter(conf_status__in=("", "F"))
    rows = [row for row in public if coded(row, **codes)]
    provider = hub.provider_codes()[version.dataset.provider_id]
    fixed = {"REF_AREA": UK, "SERIES": "_Z", "DATA_PROVIDER": provider}
    return {
        (
            tuple(sorted({**row.dimensions, **fixed}.items())),
            row.time_period,
            row.value,
            row.obs_status or None,
        )
        for row in rows
    }


def read(observations: Any) -> set[tuple[Any, ...]]:
    return {(tuple(sorted(o.key)), o.time_period, o.value, o.obs_status) for o in observations}


def get(path: str, accept: str = "", **headers: str) -> Any:
    extra: dict[str, Any] = {"HTTP_ACCEPT": accept} if accept else {}
    extra.update({f"HTTP_{k.upper()}": v for k, v in headers.items()})
    return Client().get(path, **extra)


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("name", sorted(ML))
def test_sdmx_ml_validates_and_reads_back_with_both_libraries(
    ons: DatasetVersion, schemas: Path, name: str
) -> None:
    response = get(f"/sdmx/data/{FLOW}", ML[name])
    assert response.status_code == 200
    assert response["Content-Type"] == ML[name]
    content = body(response)
    structure = hub.flow_get(id=FLOW).structure
    assert sdmx.validate_sdmx_ml(content, schema_dir=schemas, structure=structure) == []
    expected = stored(ons)
    assert len(expected) == 297
    engines: tuple[sdmx.Engine, ...] = ("pysdmx", "sdmx1")
    for engine in engines:
        dataset = sdmx.read_sdmx_data(content, structure=structure, engine=engine)
        assert read(dataset.observations) == expected, engine


@pytest.mark.parametrize("name", sorted(CSV))
def test_sdmx_csv_reads_back(ons: DatasetVersion, name: str) -> None:
    response = get(f"/sdmx/data/{FLOW}/all", CSV[name])
    assert response.status_code == 200
    assert response.streaming
    dataset = sdmx.read_sdmx_data(body(response), structure=hub.flow_get(id=FLOW).structure)
    assert read(dataset.observations) == stored(ons)


def test_sdmx_json_validates_and_reads_back(ons: DatasetVersion, schemas: Path) -> None:
    response = get(f"/sdmx/data/{FLOW}", JSON)
    assert response.status_code == 200
    content = body(response)
    assert sdmx.validate_sdmx_json(content, schema_dir=schemas) == []
    dataset = sdmx.read_sdmx_json(content, structure=hub.flow_get(id=FLOW).structure)
    assert read(dataset.observations) == stored(ons)


def test_the_format_parameter_overrides_the_accept_header(ons: DatasetVersion) -> None:
    response = get(f"/sdmx/data/{FLOW}?format=csv", ML["genericdata"])
    assert response["Content-Type"] == CSV["csv"]
    assert body(response).startswith(b"STRUCTURE,STRUCTURE_ID,ACTION,SERIES,REF_AREA,")
    assert get(f"/sdmx/data/{FLOW}")["Content-Type"] == ML["genericdata"]


def test_an_unsupported_format_is_406(ons: DatasetVersion) -> None:
    response = get(f"/sdmx/data/{FLOW}", "application/pdf")
    assert response.status_code == 406
    assert b'<mes:ErrorMessage code="406">' in response.content
    assert get(f"/sdmx/data/{FLOW}?format=xlsx").status_code == 406
    assert get("/sdmx/structure/codelist", "text/csv").status_code == 406


def test_an_unknown_flow_or_structure_is_404_with_an_sdmx_error(ons: DatasetVersion) -> None:
    response = get("/sdmx/data/DF_NOTHING")
    assert response.status_code == 404
    text = response.content.decode()
    assert 'code="100"' in text
    assert "No dataflow &apos;DF_NOTHING&apos;" in text or "No dataflow 'DF_NOTHING'" in text
    assert get("/sdmx/structure/codelist/SOLIDARITY/CL_NOTHING").status_code == 404
    assert get("/sdmx/availability/DF_NOTHING").status_code == 404


def test_key_filters_select_exactly_the_matching_observations(ons: DatasetVersion) -> None:
    flow = hub.flow_get(id=FLOW)
    assert flow.dimensions == (
        "SERIES",
        "REF_AREA",
        "SEX",
        "AGE",
        "ORIGIN",
        "CAUSE_OF_DEATH",
        "DATA_PROVIDER",
    )
    structure = flow.structure

    def fetched(path: str) -> set[tuple[Any, ...]]:
        response = get(path, CSV["csv"])
        assert response.status_code == 200, body(response)
        return read(sdmx.read_sdmx_data(body(response), structure=structure).observations)

    drowning = fetched(f"/sdmx/data/{FLOW}/.{UK}....DROWNING")
    assert drowning == stored(ons, CAUSE_OF_DEATH="DROWNING")
    assert drowning
    both = fetched(f"/sdmx/data/{FLOW}/..F+M...")
    assert both == stored(ons, SEX=["F", "M"])
    assert both
    filtered = fetched(f"/sdmx/data/{FLOW}?c[SEX]=F&c[AGE]=_T&c[TIME_PERIOD]=ge:2018")
    expected = {o for o in stored(ons, SEX="F", AGE="_T") if o[1] >= "2018"}
    assert filtered == expected
    assert filtered
    last = fetched(f"/sdmx/data/{FLOW}/.....DROWNING?lastNObservations=1")
    periods: dict[Any, str] = {}
    for key, period, *_ in drowning:
        periods[key] = max(periods.get(key, ""), period)
    assert {(o[0], o[1]) for o in last} == set(periods.items())
    assert get(f"/sdmx/data/{FLOW}/..Z").status_code == 400
    assert get(f"/sdmx/data/{FLOW}/..Q...").status_code == 404
    response = get(f"/sdmx/data/{FLOW}?c[GENDER]=F")
    assert response.status_code == 400
    assert "has no dimension &apos;GENDER&apos;" in response.content.decode() or (
        "has no dimension 'GENDER'" in response.content.decode()
    )


@pytest.mark.parametrize("at_observation", ["TIME_PERIOD", "SEX", "CAUSE_OF_DEATH"])
@pytest.mark.parametrize("name", sorted(ML))
def test_sdmx_ml_by_series_validates_and_reads_back(
    ons: DatasetVersion, schemas: Path, name: str, at_observation: str
) -> None:
    response = get(f"/sdmx/data/{FLOW}?dimensionAtObservation={at_observation}", ML[name])
    assert response.status_code == 200
    content = body(response)
    root = etree.fromstring(content)
    assert root.find("{*}Header/{*}Structure").get("dimensionAtObservation") == at_observation
    assert root.findall("{*}DataSet/{*}Series") or root.findall("{*}DataSet/Series")
    structure = hub.flow_get(id=FLOW).structure
    assert sdmx.validate_sdmx_ml(content, schema_dir=schemas, structure=structure) == []
    expected = stored(ons)
    engines: tuple[sdmx.Engine, ...] = ("pysdmx", "sdmx1")
    for engine in engines:
        dataset = sdmx.read_sdmx_data(content, structure=structure, engine=engine)
        assert read(dataset.observations) == expected, engine


@pytest.mark.parametrize("at_observation", ["TIME_PERIOD", "SEX"])
def test_sdmx_json_by_series_validates_and_reads_back(
    ons: DatasetVersion, schemas: Path, at_observation: str
) -> None:
    response = get(f"/sdmx/data/{FLOW}?dimensionAtObservation={at_observation}", JSON)
    assert response.status_code == 200
    content = body(response)
    assert sdmx.validate_sdmx_json(content, schema_dir=schemas) == []
    data_set = json.loads(content)["data"]["dataSets"][0]
    assert "series" in data_set
    assert "observations" not in data_set
    dataset = sdmx.read_sdmx_json(content, structure=hub.flow_get(id=FLOW).structure)
    assert read(dataset.observations) == stored(ons)


def test_dimension_at_observation_in_csv_and_unknown(ons: DatasetVersion) -> None:
    flat = body(get(f"/sdmx/data/{FLOW}?dimensionAtObservation=AllDimensions&format=csv"))
    # SDMX-CSV is flat whatever the observation dimension.
    for at_observation in ("TIME_PERIOD", "SEX"):
        path = f"/sdmx/data/{FLOW}?dimensionAtObservation={at_observation}&format=csv"
        assert body(get(path)) == flat
    unknown = get(f"/sdmx/data/{FLOW}?dimensionAtObservation=GENDER")
    assert unknown.status_code == 400
    text = unknown.content.decode()
    assert 'code="140"' in text
    assert "dimensionAtObservation 'GENDER' is not a dimension of DSD_10_7_3" in text


def test_the_sdg_shaped_flow_by_series_validates(ons: DatasetVersion, schemas: Path) -> None:
    flow = hub.flow_get(id="DF_SDG_10_7_3")
    for at_observation in ("TIME_PERIOD", "SEX"):
        path = f"/sdmx/data/DF_SDG_10_7_3?dimensionAtObservation={at_observation}"
        content = body(get(path, ML["structurespecificdata"]))
        assert sdmx.validate_sdmx_ml(content, schema_dir=schemas, structure=flow.structure) == []


def test_etag_last_modified_and_304(ons: DatasetVersion) -> None:
    first = get(f"/sdmx/data/{FLOW}?format=csv")
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag
    assert modified
    assert get(f"/sdmx/data/{FLOW}?format=csv", if_none_match=etag).status_code == 304
    assert get(f"/sdmx/data/{FLOW}?format=csv", if_modified_since=modified).status_code == 304
    assert get(f"/sdmx/data/{FLOW}?format=jsondata", if_none_match=etag).status_code == 200
    head = Client().head(f"/sdmx/data/{FLOW}?format=csv")
    assert head.status_code == 200
    assert head["ETag"] == etag
    assert Client().post(f"/sdmx/data/{FLOW}").status_code == 405


def test_updated_after(ons: DatasetVersion) -> None:
    assert ons.published_at is not None
    before = (ons.published_at - timedelta(minutes=1)).isoformat()
    after = (ons.published_at + timedelta(minutes=1)).isoformat()
    assert Client().get(f"/sdmx/data/{FLOW}", {"updatedAfter": before}).status_code == 200
    assert Client().get(f"/sdmx/data/{FLOW}", {"updatedAfter": after}).status_code == 404


def test_drafts_embargoed_and_confidential_cells_never_appear(
    cast: Any, ons: DatasetVersion
) -> None:
    # Kenya: published now with one confidential cell; Mexico: embargoed; Senegal: a draft.
    publish(cast, b"Year,Sex,Value\n2020,,10\n2020,Female,4\n2021,Female,x\n", area="KEN")
    publish(
        cast,
        b"Year,Sex,Value\n2020,,99\n",
        area="MEX",
        embargo=timezone.now() + timedelta(days=1),
    )
    submission_import(
        actor=cast.data_provider,
        indicator=Indicator.objects.get(code="10.7.3"),
        provider=cast.statistics_office,
        ref_area=ref_area_get(iso3_or_m49="SEN"),
        file=io.BytesIO(b"Year,Sex,Value\n2020,,77\n"),
        file_name="draft.csv",
        dry_run=False,
        revision_note="",
    )
    assert Observation.objects.filter(conf_status="C").exists()
    structure = hub.flow_get(id=FLOW).structure
    content = body(get(f"/sdmx/data/{FLOW}?format=csv"))
    observations = sdmx.read_sdmx_data(content, structure=structure).observations
    areas = {o.code("REF_AREA") for o in observations}
    assert areas == {UK, "404"}
    kenya = [o for o in observations if o.code("REF_AREA") == "404"]
    assert sorted((o.time_period, o.value) for o in kenya) == [
        ("2020", Decimal("4")),
        ("2020", Decimal("10")),
    ]
    assert all(o.conf_status in (None, "F") for o in observations)
    for path in (f"/sdmx/data/{FLOW}/.484....", f"/sdmx/data/{FLOW}/.686...."):
        assert get(path).status_code == 404
    codes = body(get(f"/sdmx/availability/{FLOW}")).decode()
    assert "484" not in codes.split("REF_AREA", 1)[1].split("</", 3)[0]


def test_availability_lists_the_codes_with_data(ons: DatasetVersion, schemas: Path) -> None:
    response = get(f"/sdmx/availability/{FLOW}/.....DROWNING")
    assert response.status_code == 200
    content = response.content
    assert sdmx.validate_sdmx_ml(content, schema_dir=schemas) == []
    tree = etree.fromstring(content)
    found = {
        key.get("id"): {value.text for value in key if etree.QName(value).localname == "Value"}
        for key in tree.iter("{*}KeyValue")
    }
    rows = [row for row in ons.observations.all() if coded(row, CAUSE_OF_DEATH="DROWNING")]
    assert found["SEX"] == {row.dimensions["SEX"] for row in rows}
    assert found["ORIGIN"] == {row.dimensions["ORIGIN"] for row in rows}
    assert found["REF_AREA"] == {UK}
    assert found["CAUSE_OF_DEATH"] == {"DROWNING"}
    again = get(f"/sdmx/availability/{FLOW}/.....DROWNING", if_none_match=response["ETag"])
    assert again.status_code == 304
    three = get(f"/sdmx/availability/{FLOW}", "application/vnd.sdmx.structure+xml;version=3.0.0")
    assert sdmx.validate_sdmx_ml(three.content, schema_dir=schemas) == []


@pytest.mark.parametrize("kind", ["datastructure", "dataflow", "codelist", "conceptscheme"])
@pytest.mark.parametrize("version", ["2.1", "3.0.0"])
def test_structures_validate(ons: DatasetVersion, schemas: Path, kind: str, version: str) -> None:
    accept = f"application/vnd.sdmx.structure+xml;version={version}"
    response = get(f"/sdmx/structure/{kind}/SOLIDARITY/all/latest", accept)
    assert response.status_code == 200
    assert response["Content-Type"] == accept
    assert sdmx.validate_sdmx_ml(response.content, schema_dir=schemas) == []


def test_a_data_structure_reads_back(ons: DatasetVersion) -> None:
    response = get("/sdmx/structure/datastructure/SOLIDARITY/DSD_10_7_3/1.0")
    structure = sdmx.read_sdmx_structure(response.content)
    assert sdmx.dimension_ids(structure) == hub.flow_get(id=FLOW).dimensions
    assert get("/sdmx/structure/codelist/SOLIDARITY/CL_SEX").status_code == 200
    assert get("/sdmx/structure/codelist/SOLIDARITY/CL_SEX/2.0").status_code == 404
    assert get("/sdmx/structure/metadataflow").status_code == 501


def test_what_the_data_service_does_not_do_is_refused_not_ignored(ons: DatasetVersion) -> None:
    assert get(f"/sdmx/data/{FLOW}?detail=full").status_code == 200
    assert get(f"/sdmx/data/{FLOW}?includeHistory=false").status_code == 200
    for query in ("detail=serieskeysonly", "detail=dataonly", "includeHistory=true"):
        response = get(f"/sdmx/data/{FLOW}?{query}")
        assert response.status_code == 501, query
        assert query.split("=")[0] in response.content.decode()
    assert get(f"/sdmx/availability/{FLOW}?mode=available").status_code == 501


def test_the_sdg_shaped_flow_keeps_what_has_an_sdg_code(ons: DatasetVersion, schemas: Path) -> None:
    flow = hub.flow_get(id="DF_SDG_10_7_3")
    assert flow.dimensions[:3] == ("REPORTING_TYPE", "SERIES", "REF_AREA")
    response = get("/sdmx/data/DF_SDG_10_7_3", ML["structurespecificdata"])
    assert response.status_code == 200
    content = body(response)
    assert sdmx.validate_sdmx_ml(content, schema_dir=schemas, structure=flow.structure) == []
    observations = tuple(sdmx.read_sdmx_data(content, structure=flow.structure).observations)
    # ORIGIN and CAUSE_OF_DEATH have no SDG concept: only their totals travel.
    public = ons.observations.filter(conf_status__in=("", "F"))
    expected = [row for row in public if coded(row, ORIGIN="_T", CAUSE_OF_DEATH="_T")]
    kept = [
        row
        for row in expected
        if ("AGE", row.dimensions["AGE"]) in flow.sdg_codes
        and ("SEX", row.dimensions["SEX"]) in flow.sdg_codes
    ]
    assert kept
    [series] = flow.sdg_series
    assert {(tuple(sorted(o.key)), o.time_period, o.value) for o in observations} == {
        (
            tuple(
                sorted(
                    {
                        "REPORTING_TYPE": "N",  # a national statistical office's
                        "SERIES": series,
                        "REF_AREA": UK,
                        "SEX": flow.sdg_codes[("SEX", row.dimensions["SEX"])],
                        "AGE": flow.sdg_codes[("AGE", row.dimensions["AGE"])],
                    }.items()
                )
            ),
            row.time_period,
            row.value,
        )
        for row in kept
    }
    provider = ons.dataset.provider.name
    assert {o.attribute("SOURCE_DETAIL") for o in observations} == {provider}


def test_query_counts_are_bounded(ons: DatasetVersion, django_assert_max_num_queries: Any) -> None:
    # The catalogue revision is one of them, the data providers three.
    with django_assert_max_num_queries(16):
        response = get(f"/sdmx/data/{FLOW}?format=csv")
        body(response)
    with django_assert_max_num_queries(16):
        get(f"/sdmx/availability/{FLOW}")


def test_the_download_links_of_a_published_dataset_answer(ons: DatasetVersion) -> None:
    html = render_to_string(
        "indicators/_sdmx_downloads.html",
        {"indicator": ons.dataset.indicator, "version": ons},
    )
    links = [link.replace("&amp;", "&") for link in re.findall(r'href="([^"]+)"', html)]
    assert len(links) == 5
    expected = stored(ons)
    for link in links:
        response = get(link)
        assert response.status_code == 200, link
        if "format=sdmx-csv" in link:
            structure = hub.flow_get(id=FLOW).structure
            dataset = sdmx.read_sdmx_data(body(response), structure=structure)
            assert read(dataset.observations) == expected


def test_a_repeated_query_is_sent_from_the_cache(
    ons: DatasetVersion, django_assert_max_num_queries: Any
) -> None:
    first = get(f"/sdmx/data/{FLOW}?format=csv")
    content = body(first)
    # The indicator, the catalogue revision, then the published versions: no observation read.
    with django_assert_max_num_queries(3):
        again = get(f"/sdmx/data/{FLOW}?format=csv")
        assert body(again) == content
    assert again["ETag"] == first["ETag"]
    assert again["Last-Modified"] == first["Last-Modified"]
    assert again["Content-Type"] == CSV["csv"]
    assert get(f"/sdmx/data/{FLOW}?format=csv", if_none_match=first["ETag"]).status_code == 304
    assert Client().head(f"/sdmx/data/{FLOW}?format=csv")["ETag"] == first["ETag"]
    # Another query, another answer.
    assert body(get(f"/sdmx/data/{FLOW}?format=csv&lastNObservations=1")) != content


def test_a_new_publication_is_never_answered_from_an_older_copy(
    cast: Any, ons: DatasetVersion, django_capture_on_commit_callbacks: Any
) -> None:
    from solidarity.indicators import sdmx_cache

    before = body(get(f"/sdmx/data/{FLOW}?format=csv"))
    assert list(sdmx_cache.cache_root().glob("10.7.3/*.body"))
    with django_capture_on_commit_callbacks(execute=True):
        publish(cast, b"Year,Sex,Value\n2020,,10\n", area="KEN")
    assert not list(sdmx_cache.cache_root().glob("10.7.3/*.body"))  # cleared on publication
    after = body(get(f"/sdmx/data/{FLOW}?format=csv"))
    assert b",404," not in before
    assert b",404," in after


def test_an_answer_abandoned_half_way_is_not_kept() -> None:
    from solidarity.indicators import sdmx_cache

    def answer() -> Any:
        return sdmx_cache.answer_store(
            iter([b"STRUCTURE,", b"SEX\r\n", b"...\r\n"]),
            indicator="10.7.3",
            key="k",
            media_type=CSV["csv"],
            etag='"e"',
            last_modified=None,
        )

    # The client goes away after the first chunk: the server closes the stream.
    abandoned = answer()
    assert next(abandoned) == b"STRUCTURE,"
    abandoned.close()
    assert sdmx_cache.answer_get(indicator="10.7.3", key="k") is None
    assert not list(sdmx_cache.cache_root().glob("*/*"))
    assert b"".join(answer()) == b"STRUCTURE,SEX\r\n...\r\n"
    kept = sdmx_cache.answer_get(indicator="10.7.3", key="k")
    assert kept is not None
    assert kept.body.read_bytes() == b"STRUCTURE,SEX\r\n...\r\n"
    assert (kept.media_type, kept.etag) == (CSV["csv"], '"e"')
