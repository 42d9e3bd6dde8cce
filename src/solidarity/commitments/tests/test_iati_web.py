"""IATI files through the site: upload, dry run, confirm; and linking imported activities to a
pledge, with who may do it and the audit trail."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from solidarity.audit.models import AuditEntry
from solidarity.commitments import actions, selectors, views
from solidarity.commitments.models import FinancialCommitment, Pledge, Transaction
from solidarity.commitments.tests.conftest import pledge_input

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("upload_dir")]

UPLOAD = "/pledges/iati/upload/"
CONFIRM = "/pledges/iati/upload/confirm/"


def _file(path: Path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/xml")


def _activity_xml(identifier: str, *, pledge: int | None = None, value: str = "1000") -> bytes:
    tag = (
        f'<tag vocabulary="99" vocabulary-uri="https://solidarity.global-compact-migration.org/'
        f'iati/gcm-tags" code="PLEDGE-{pledge}"/>'
        if pledge
        else ""
    )
    return (
        '<iati-activities version="2.03"><iati-activity default-currency="USD">'
        f"<iati-identifier>{identifier}</iati-identifier>"
        '<reporting-org ref="SE-0" type="10"><narrative>Sweden</narrative></reporting-org>'
        "<title><narrative>Labour migration in East Africa</narrative></title>"
        '<participating-org role="1" ref="SE-0"/><activity-status code="2"/>'
        '<activity-date type="1" iso-date="2023-01-01"/>'
        f"{tag}"
        '<transaction><transaction-type code="3"/><transaction-date iso-date="2024-03-15"/>'
        f'<value value-date="2024-03-15">{value}</value>'
        '<provider-org ref="SE-0"><narrative>Sida</narrative></provider-org></transaction>'
        "</iati-activity></iati-activities>"
    ).encode()


def test_upload_dry_run_then_confirm(
    cast: Any, as_user: Any, iati_dir: Path, upload_dir: Path
) -> None:
    client = as_user(cast.focal_point_kenya)
    assert client.get(UPLOAD).status_code == 200
    page = client.post(UPLOAD, {"file": _file(iati_dir / "samples" / "worldbank.xml")})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Dry run" in text
    assert "IATI 1.0x file: read with the 1.x mapping; 2.03 schema validation does not apply" in (
        text
    )
    assert "&#x27;disbursment&#x27; is no IATI 1.x transaction type" in text
    # Nothing stored by the dry run; the file waits on disk, not in memory or the session.
    assert not FinancialCommitment.objects.exists()
    token = page.context["token"]
    assert (upload_dir / f"{token}.xml").is_file()
    assert page.context["result"].created == 16
    done = client.post(CONFIRM, {"token": token})
    assert done.status_code == 200
    assert FinancialCommitment.objects.count() == 16
    assert Transaction.objects.count() == 14
    assert not (upload_dir / f"{token}.xml").exists()
    entry = AuditEntry.objects.get(action="iati.import")
    assert entry.actor == cast.focal_point_kenya
    # The token is spent.
    assert client.post(CONFIRM, {"token": token}).status_code == 404


def test_an_invalid_upload_names_element_and_rule(
    cast: Any, as_user: Any, iati_dir: Path, upload_dir: Path, settings: Any
) -> None:
    settings.IATI_SCHEMA_DIR = str(iati_dir / "schema")
    client = as_user(cast.administrator)
    path = iati_dir / "should-fail" / "transaction" / "40-non-decimal-value.xml"
    page = client.post(UPLOAD, {"file": _file(path)})
    assert page.status_code == 400
    assert page.context["problems"] == [
        "40-non-decimal-value.xml, line 26, iati-activity/transaction/value [schema]: "
        "Element 'value': 'xxx' is not a valid value of the atomic type 'xs:decimal'."
    ]
    assert "token" not in page.context
    assert list(upload_dir.iterdir()) == []
    assert not FinancialCommitment.objects.exists()


def test_a_file_over_the_limit_is_refused_unstored(
    cast: Any, as_user: Any, iati_dir: Path, upload_dir: Path, monkeypatch: Any
) -> None:
    monkeypatch.setattr(views, "_upload_limit", lambda: 1000)
    client = as_user(cast.administrator)
    page = client.post(UPLOAD, {"file": _file(iati_dir / "samples" / "worldbank.xml")})
    assert page.status_code == 400
    assert "The file is larger than 100 MB" in page.content.decode()
    assert not upload_dir.exists() or list(upload_dir.iterdir()) == []


def test_only_the_uploader_confirms(cast: Any, as_user: Any, iati_dir: Path) -> None:
    client = as_user(cast.focal_point_kenya)
    page = client.post(UPLOAD, {"file": _file(iati_dir / "samples" / "undp_sample.xml")})
    token = page.context["token"]
    other = as_user(cast.administrator)
    assert other.post(CONFIRM, {"token": token}).status_code == 404
    assert not FinancialCommitment.objects.exists()


def test_who_may_upload(cast: Any, as_user: Any) -> None:
    for user in (cast.reviewer, cast.migrant_org_member, cast.data_provider):
        assert as_user(user).get(UPLOAD).status_code == 403
        assert as_user(user).post(CONFIRM, {"token": "x"}).status_code == 403


def test_a_focal_point_links_only_its_own_pledges(
    cast: Any, tmp_path: Path, kenya_pledge: Pledge
) -> None:
    mexico = actions.pledge_publish(
        actor=cast.focal_point_mexico,
        pledge=actions.pledge_create(
            actor=cast.focal_point_mexico, data=pledge_input(state=cast.mexico)
        ),
    )
    path = tmp_path / "a.xml"
    path.write_bytes(_activity_xml("SE-0-1", pledge=mexico.pk))
    result = actions.iati_import(actor=cast.focal_point_kenya, path=path, schema_dir=None)
    assert result.imported
    assert any(f"names pledge P-{mexico.pk}, which you do not keep" in w for w in result.warnings)
    assert FinancialCommitment.objects.get(iati_identifier="SE-0-1").pledge is None
    # Mexico's focal point links it; Kenya's may no longer replace it.
    result = actions.iati_import(actor=cast.focal_point_mexico, path=path, schema_dir=None)
    assert FinancialCommitment.objects.get(iati_identifier="SE-0-1").pledge == mexico
    path.write_bytes(_activity_xml("SE-0-1", pledge=mexico.pk, value="2000"))
    refused = actions.iati_import(actor=cast.focal_point_kenya, path=path, schema_dir=None)
    assert not refused.imported
    assert [p.rule for p in refused.problems] == ["pledge"]
    assert Transaction.objects.get(commitment__iati_identifier="SE-0-1").value == 1000


def _imported(tmp_path: Path, identifier: str = "SE-0-7", value: str = "1000") -> Any:
    path = tmp_path / f"{identifier}.xml"
    path.write_bytes(_activity_xml(identifier, value=value))
    assert actions.iati_import(actor="system:tests", path=path, schema_dir=None).imported
    return FinancialCommitment.objects.get(iati_identifier=identifier), path


def test_link_and_unlink_through_the_page(
    cast: Any, as_user: Any, tmp_path: Path, kenya_pledge: Pledge
) -> None:
    activity, path = _imported(tmp_path)
    page_url = f"/pledges/{kenya_pledge.pk}/activities/"
    before = selectors.pledge_get(user=None, pk=kenya_pledge.pk).disbursed_usd  # type: ignore[attr-defined]
    client = as_user(cast.focal_point_kenya)
    found = client.get(page_url, {"q": "Sida"})  # by the transaction's provider
    assert [a.pk for a in found.context["found"]] == [activity.pk]
    assert [a.pk for a in client.get(page_url, {"q": "se-0-7"}).context["found"]] == [activity.pk]
    assert client.get(page_url, {"q": "nothing like it"}).context["found"] == []
    response = client.post(page_url, {"activity": activity.pk, "do": "link"})
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.pledge == kenya_pledge
    after = selectors.pledge_get(user=None, pk=kenya_pledge.pk).disbursed_usd  # type: ignore[attr-defined]
    assert after - before == Decimal("1000")
    entry = AuditEntry.objects.get(action="financial_commitment.link")
    assert entry.after is not None
    assert (entry.actor, entry.before, entry.after["pledge"]) == (
        cast.focal_point_kenya,
        {"pledge": None},
        kenya_pledge.pk,
    )
    listed = client.get(page_url)
    assert [a.pk for a in listed.context["linked"]] == [activity.pk]
    assert listed.context["linked"][0].disbursed_usd == Decimal("1000")
    # The link stays when a changed activity is imported again.
    path.write_bytes(_activity_xml("SE-0-7", value="1500"))
    assert actions.iati_import(actor="system:tests", path=path, schema_dir=None).updated == 1
    activity.refresh_from_db()
    assert activity.pledge == kenya_pledge
    response = client.post(page_url, {"activity": activity.pk, "do": "unlink"})
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.pledge is None
    assert AuditEntry.objects.filter(action="financial_commitment.unlink").count() == 1


def test_who_may_link(cast: Any, as_user: Any, tmp_path: Path, kenya_pledge: Pledge) -> None:
    activity, _path = _imported(tmp_path)
    page_url = f"/pledges/{kenya_pledge.pk}/activities/"
    for user in (cast.focal_point_mexico, cast.migrant_org_member, cast.reviewer):
        client = as_user(user)
        assert client.get(page_url).status_code == 403
        assert client.post(page_url, {"activity": activity.pk}).status_code == 403
    assert as_user(None).get(page_url).status_code == 302
    assert as_user(cast.administrator).get(page_url).status_code == 200
    activity.refresh_from_db()
    assert activity.pledge is None
    with pytest.raises(PermissionDenied):
        actions.activity_link(
            actor=cast.focal_point_mexico, pledge=kenya_pledge, commitment=activity
        )


def test_what_cannot_be_linked(
    cast: Any, as_user: Any, tmp_path: Path, kenya_pledge: Pledge
) -> None:
    activity, _path = _imported(tmp_path)
    other = actions.pledge_create(actor=cast.focal_point_kenya, data=pledge_input(state=cast.kenya))
    actions.activity_link(actor=cast.administrator, pledge=other, commitment=activity)
    client = as_user(cast.focal_point_kenya)
    page_url = f"/pledges/{kenya_pledge.pk}/activities/"
    response = client.post(page_url, {"activity": activity.pk, "do": "link"}, follow=True)
    assert f"already linked to pledge P-{other.pk}" in response.content.decode()
    activity.refresh_from_db()
    assert activity.pledge == other
    # Money entered on the site belongs to its pledge.
    site = FinancialCommitment.objects.get(pledge=kenya_pledge, source="site")
    with pytest.raises(ValidationError):
        actions.activity_unlink(actor=cast.focal_point_kenya, commitment=site)
    # Unlinking from another pledge's page is not possible.
    assert client.post(page_url, {"activity": activity.pk, "do": "unlink"}).status_code == 404
