"""Importing IATI files into the database, with the real corpus of ``shared/data/iati``: every
should-pass file imports, every should-fail file is refused with the database unchanged, the
same file twice changes nothing, and export → schema → re-import gives back the same rows."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from lxml import etree  # type: ignore[import-untyped]

from solidarity.audit.models import AuditEntry
from solidarity.commitments import actions, selectors
from solidarity.commitments.export import IatiExportError, iati_export
from solidarity.commitments.models import FinancialCommitment, Pledge, Transaction
from solidarity.stats.iati import Activity, Coded, Organisation, iati_schema, write_iati
from solidarity.stats.iati import Transaction as IatiTransaction

pytestmark = pytest.mark.django_db

# Every field a stored commitment and its transactions carry, but its keys and stamps.
COMMITMENT_FIELDS = [
    f.name
    for f in FinancialCommitment._meta.concrete_fields
    if f.name
    not in (
        "id",
        "created_at",
        "updated_at",
        "source",
        "source_file",
        "source_sha256",
        "content_digest",
    )
]
TRANSACTION_FIELDS = [
    f.name for f in Transaction._meta.concrete_fields if f.name not in ("id", "commitment")
]


def snapshot() -> list[dict[str, Any]]:
    rows = []
    for commitment in FinancialCommitment.objects.order_by("import_key"):
        row = {name: getattr(commitment, name) for name in COMMITMENT_FIELDS}
        row["pledge"] = commitment.pledge_id
        row["provider_state"] = commitment.provider_state_id
        row["objectives"] = sorted(o.number for o in commitment.objectives.all())
        row["transactions"] = [
            {name: getattr(t, name) for name in TRANSACTION_FIELDS}
            for t in commitment.transactions.order_by("position")
        ]
        rows.append(row)
    return rows


def _files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file())


def test_every_should_pass_file_imports_and_again_changes_nothing(iati_dir: Path) -> None:
    total = 0
    for path in _files(iati_dir / "should-pass"):
        result = actions.iati_import(
            actor="system:tests", path=path, schema_dir=iati_dir / "schema"
        )
        assert result.imported, [str(p) for p in result.problems]
        assert result.schema_checked
        assert result.activities >= 1
        # 18-conditions.xml and 33-conditions.xml are the same bytes: the second is the first
        # again, so nothing new.
        expected = 0 if path.name == "33-conditions.xml" else result.activities
        assert (result.created, result.unchanged) == (expected, result.activities - expected)
        total += expected
    before = snapshot()
    assert len(before) == total == FinancialCommitment.objects.count() == 57
    audit_rows = AuditEntry.objects.count()
    for path in _files(iati_dir / "should-pass"):
        result = actions.iati_import(
            actor="system:tests", path=path, schema_dir=iati_dir / "schema"
        )
        assert (result.created, result.updated, result.unchanged) == (0, 0, result.activities)
    assert snapshot() == before
    # Only the import of each file is recorded the second time; no commitment changed.
    assert AuditEntry.objects.count() - audit_rows == len(_files(iati_dir / "should-pass"))


def test_a_transaction_file_is_stored_as_given(iati_dir: Path) -> None:
    path = iati_dir / "should-pass" / "21-transaction.xml"
    actions.iati_import(actor="system:tests", path=path, schema_dir=iati_dir / "schema")
    commitment = FinancialCommitment.objects.get()
    assert commitment.iati_identifier == ""  # blank in the standard's test file
    assert commitment.import_key.startswith("sha256:")
    rows = list(commitment.transactions.order_by("position"))
    assert len(rows) == 6
    first = rows[0]
    assert (first.type, first.value, first.currency, first.value_date) == (
        "X",
        Decimal("100"),
        "EUR",
        date(2010, 7, 7),
    )
    assert first.value_usd == Decimal("127.70")  # July 2010 at the table's 1.2770 US$ per euro
    assert rows[4].currency == ""
    assert rows[4].value_usd is None


@pytest.mark.parametrize("with_schema", [True, False])
def test_every_should_fail_file_is_refused_and_writes_nothing(
    iati_dir: Path, with_schema: bool
) -> None:
    before = snapshot()
    audit_rows = AuditEntry.objects.count()
    refused = 0
    for path in _files(iati_dir / "should-fail"):
        result = actions.iati_import(
            actor="system:tests", path=path, schema_dir=iati_dir / "schema" if with_schema else None
        )
        if with_schema:
            assert not result.imported, path
        if not result.imported:
            refused += 1
            for problem in result.problems:
                assert problem.file == path.name
                assert problem.element
                assert problem.rule
    assert refused == (226 if with_schema else 47)
    if with_schema:
        assert snapshot() == before
        assert AuditEntry.objects.count() == audit_rows


def test_a_refusal_names_file_line_element_and_rule(iati_dir: Path) -> None:
    path = iati_dir / "should-fail" / "transaction" / "40-non-decimal-value.xml"
    result = actions.iati_import(actor="system:tests", path=path, schema_dir=iati_dir / "schema")
    assert [str(p) for p in result.problems] == [
        "40-non-decimal-value.xml, line 26, iati-activity/transaction/value [schema]: "
        "Element 'value': 'xxx' is not a valid value of the atomic type 'xs:decimal'."
    ]
    assert not FinancialCommitment.objects.exists()


# (activities, transactions) stored from each IATI 1.x sample file, counted by hand in the file.
SAMPLES = {
    "IATI_xml_WB_sample.xml": (1, 2),
    "IATI_xml_dfid_sample.xml": (1, 1),
    "undp_sample.xml": (1, 1),
    "worked-example.xml": (1, 1),
    "worldbank.xml": (16, 14),
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_each_sample_imports_with_the_1x_mapping(iati_dir: Path, name: str) -> None:
    path = iati_dir / "samples" / name
    result = actions.iati_import(actor="system:tests", path=path, schema_dir=iati_dir / "schema")
    assert result.imported, result.problems
    assert result.legacy
    assert not result.schema_checked
    assert result.warnings[0] == (
        "IATI 1.0x file: read with the 1.x mapping; 2.03 schema validation does not apply."
    )
    # What could not be mapped is reported (and in the warnings), never silently dropped.
    assert result.notices
    assert [str(n) for n in result.notices] == result.warnings[1 : len(result.notices) + 1]
    activities, transactions = SAMPLES[name]
    assert (result.activities, result.created, result.transactions) == (
        activities,
        activities,
        transactions,
    )
    assert FinancialCommitment.objects.count() == activities
    assert Transaction.objects.count() == transactions
    entry = AuditEntry.objects.get(action="iati.import")
    assert entry.after is not None
    assert entry.after["iati_1x_mapping"] is True
    # Idempotent: the same file again changes nothing.
    before = snapshot()
    again = actions.iati_import(actor="system:tests", path=path, schema_dir=iati_dir / "schema")
    assert (again.created, again.updated, again.unchanged) == (0, 0, activities)
    assert snapshot() == before


def test_the_samples_spot_values(iati_dir: Path) -> None:
    samples = iati_dir / "samples"
    for name in SAMPLES:
        result = actions.iati_import(actor="system:tests", path=samples / name, schema_dir=None)
        assert result.imported
    by_file = {
        name: list(FinancialCommitment.objects.filter(source_file=name).order_by("import_key"))
        for name in SAMPLES
    }
    (wb,) = by_file["IATI_xml_WB_sample.xml"]
    assert wb.title == "Health Sector Support Project - Additional Financing"
    assert wb.reporting_org_name == "World Bank"
    assert wb.default_currency == "USD"
    assert wb.recipient_countries[0]["code"] == "MW"
    assert wb.collaboration_type == "2"
    commitment, disbursement = wb.transactions.order_by("position")
    assert (commitment.type, commitment.value, commitment.value_date) == (
        "2",
        Decimal("5000000"),
        date(2006, 7, 27),
    )
    assert commitment.value_usd == Decimal("5000000")
    assert (disbursement.type, disbursement.value, disbursement.value_usd) == (
        "3",
        Decimal("5000000"),
        None,  # no value date in the file: no month, no rate, never counted as zero
    )
    (dfid,) = by_file["IATI_xml_dfid_sample.xml"]
    assert [(s["code"], s["vocabulary"], s["percentage"]) for s in dfid.sectors] == [
        ("15130", "1", "70"),
        ("15120", "1", "30"),
    ]
    (paid,) = dfid.transactions.all()
    assert (paid.type, paid.value, paid.value_date, paid.currency) == (
        "3",
        Decimal("390246"),
        date(2010, 3, 31),
        "",
    )
    assert paid.value_usd is not None  # GBP of March 2010 through the ECB table
    (undp,) = by_file["undp_sample.xml"]
    assert [(o["role"], o["name"]) for o in undp.participating_orgs] == [
        ("1", "UNITED NATIONS DEVELOPMENT PRO"),
        ("4", "MLW-National Execution"),
        ("1", "Funding Global Environment Fund Truste"),
    ]
    assert undp.transactions.get().value == Decimal("6709.11")
    (worked,) = by_file["worked-example.xml"]
    assert worked.iati_identifier == "http://www.example.org/activities/12345.xml"
    assert worked.titles == {
        "en": "Worked example of an activity report",
        "fr": "Exemple artificiel d'un rapport d'activité",
    }
    out = worked.transactions.get()
    assert (out.type, out.value, out.currency, out.receiver_name) == (
        "3",
        Decimal("500000"),
        "GBP",
        "UNICEF",
    )
    world = by_file["worldbank.xml"]
    assert len(world) == 16
    first = min(world, key=lambda c: int(c.import_key.rsplit("#", 1)[1]))
    assert first.title.startswith("Southern African Power Market Program:")
    assert [t.value for t in first.transactions.order_by("position")] == [
        Decimal("48000000"),
        Decimal("45000000"),
    ]


def test_a_1x_file_with_a_wrong_amount_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "old.xml"
    path.write_text(
        '<iati-activities version="1.02"><iati-activity><iati-identifier>XM-1</iati-identifier>'
        '<title>One</title><transaction><transaction-type code="C"/><value>7</value>'
        "</transaction></iati-activity><iati-activity><iati-identifier>XM-2</iati-identifier>"
        '<title>Two</title><transaction><transaction-type code="D"/><value>n/a</value>'
        "</transaction></iati-activity></iati-activities>"
    )
    audit_rows = AuditEntry.objects.count()
    result = actions.iati_import(actor="system:tests", path=path, schema_dir=None)
    assert not result.imported
    assert [p.rule for p in result.problems] == ["decimal"]
    assert not FinancialCommitment.objects.exists()
    assert AuditEntry.objects.count() == audit_rows


def test_without_the_schema_the_import_says_so(iati_dir: Path) -> None:
    path = iati_dir / "should-pass" / "02-minimal-doc.xml"
    result = actions.iati_import(actor="system:tests", path=path, schema_dir=None)
    assert result.imported
    assert not result.schema_checked
    assert result.warnings[0].startswith("Schema validation skipped")


def _sweden(identifier: str = "SE-0-SE-6-5401", value: str = "2500000") -> Activity:
    sweden = Organisation("SE-0", "10", "Sweden")
    return Activity(
        identifier=identifier,
        reporting_org=sweden,
        titles={"en": "Labour migration governance in East Africa"},
        descriptions={"en": "Support to the IGAD regional migration framework."},
        default_currency="SEK",
        status="2",
        dates=(("1", date(2022, 1, 1)),),
        participating_orgs=(Organisation("SE-0", "10", "Sweden", role="1"),),
        recipient_countries=(Coded("KE", percentage=Decimal(100)),),
        sectors=(Coded("15190", vocabulary="1", percentage=Decimal(100)),),
        tags=(
            Coded(
                "GCM-6",
                vocabulary="99",
                vocabulary_uri="https://solidarity.global-compact-migration.org/iati/gcm-tags",
            ),
        ),
        policy_markers=(Coded("1", vocabulary="1", significance="1"),),
        collaboration_type="1",
        transactions=(
            IatiTransaction(
                type="3",
                date=date(2024, 3, 15),
                value=Decimal(value),
                value_date=date(2024, 3, 15),
                receiver=Organisation("", "", "IGAD Secretariat"),
                recipient_country="KE",
            ),
        ),
    )


def _write(tmp_path: Path, activities: list[Activity], name: str = "sweden.xml") -> Path:
    path = tmp_path / name
    with path.open("wb") as file:
        write_iati(activities, file, generated=datetime(2024, 6, 1, tzinfo=UTC))
    return path


def test_a_government_reporter_counts_for_its_state(iati_dir: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, [_sweden()])
    result = actions.iati_import(actor="system:tests", path=path, schema_dir=iati_dir / "schema")
    assert (result.created, result.transactions) == (1, 1)
    commitment = FinancialCommitment.objects.get()
    assert commitment.provider_state_id == "SWE"
    assert commitment.channel == "bilateral"
    assert commitment.gender_marker == 1
    assert [o.number for o in commitment.objectives.all()] == [6]
    # SEK in March 2024 at the table's monthly mean.
    disbursed = selectors.disbursed_usd_by_state(year=2024)
    assert set(disbursed) == {"SWE"}
    assert Decimal(240000) < disbursed["SWE"] < Decimal(245000)
    # A changed activity replaces its transactions; the change is audited.
    changed = _write(tmp_path, [_sweden(value="3000000")], name="sweden-2.xml")
    result = actions.iati_import(actor="system:tests", path=changed, schema_dir=iati_dir / "schema")
    assert (result.created, result.updated) == (0, 1)
    assert Transaction.objects.get().value == Decimal("3000000")
    assert AuditEntry.objects.filter(action="financial_commitment.reimport").count() == 1


def test_a_file_with_one_bad_activity_writes_nothing(iati_dir: Path, tmp_path: Path) -> None:
    good = [_sweden(identifier=f"SE-0-{n}") for n in range(450)]  # three batches
    path = _write(tmp_path, good)
    text = path.read_text(encoding="utf-8")
    cut = text.rindex(">2500000<")
    text = text[:cut] + ">lots<" + text[cut + len(">2500000<") :]
    path.write_text(text, encoding="utf-8")
    result = actions.iati_import(actor="system:tests", path=path, schema_dir=None)
    assert not result.imported
    assert result.activities == 450
    assert not FinancialCommitment.objects.exists()
    assert not Transaction.objects.exists()


def test_export_validates_and_reimports_losslessly(
    cast: Any, kenya_pledge: Pledge, iati_dir: Path, tmp_path: Path
) -> None:
    sweden = _write(tmp_path, [_sweden()])
    actions.iati_import(actor="system:tests", path=sweden, schema_dir=iati_dir / "schema")
    # Sweden's imported activity is linked to Kenya's pledge by its tag, then exported with it.
    FinancialCommitment.objects.filter(iati_identifier="SE-0-SE-6-5401").update(pledge=kenya_pledge)
    out = tmp_path / "export.xml"
    assert iati_export(out=out, schema_dir=iati_dir / "schema") == 2
    schema = iati_schema(iati_dir / "schema")
    assert schema.validate(etree.parse(str(out))), schema.error_log
    before = snapshot()
    Transaction.objects.all().delete()
    FinancialCommitment.objects.all().delete()
    result = actions.iati_import(actor="system:tests", path=out, schema_dir=iati_dir / "schema")
    assert result.created == 2
    after = snapshot()
    # The link of the imported activity is not in its tags, so it comes back unlinked; the
    # pledge's own money carries its PLEDGE tag and comes back linked.
    assert before[0]["pledge"] == kenya_pledge.pk
    assert after[0]["pledge"] is None
    before[0]["pledge"] = None
    for row in before + after:
        row.pop("source", None)
    for old, new in zip(before, after, strict=True):
        for key in old:
            assert old[key] == new[key], key
    # And once more: nothing changes.
    again = actions.iati_import(actor="system:tests", path=out, schema_dir=iati_dir / "schema")
    assert again.unchanged == 2
    assert snapshot() == after


def test_an_export_by_state_holds_that_states_pledges(
    cast: Any, kenya_pledge: Pledge, tmp_path: Path, iati_dir: Path
) -> None:
    with pytest.raises(IatiExportError, match="nothing to export"):
        iati_export(out=tmp_path / "mex.xml", state="MEX", schema_dir=iati_dir / "schema")
    assert not (tmp_path / "mex.xml").exists()
    assert iati_export(out=tmp_path / "ken.xml", state="KEN", schema_dir=iati_dir / "schema") == 1
    text = (tmp_path / "ken.xml").read_text(encoding="utf-8")
    assert f"SOLIDARITY-KEN-PLEDGE-{kenya_pledge.pk}" in text
    assert 'code="HUMAN-RIGHTS"' in text


def test_a_draft_pledges_money_is_never_exported(cast: Any, tmp_path: Path) -> None:
    from solidarity.commitments.tests.conftest import pledge_input

    draft = actions.pledge_create(actor=cast.focal_point_kenya, data=pledge_input(state=cast.kenya))
    actions.money_record(
        actor=cast.focal_point_kenya,
        pledge=draft,
        data=actions.MoneyInput(type="3", date=date(2024, 1, 5), value=Decimal(9), currency="USD"),
    )
    with pytest.raises(IatiExportError):
        iati_export(out=tmp_path / "all.xml")


def test_an_activity_naming_an_unknown_pledge_is_imported_unlinked(
    iati_dir: Path, tmp_path: Path
) -> None:
    activity = _sweden()
    tagged = Activity(
        **{
            **{name: getattr(activity, name) for name in activity.__slots__},
            "tags": (
                Coded(
                    "PLEDGE-999",
                    vocabulary="99",
                    vocabulary_uri="https://solidarity.global-compact-migration.org/iati/gcm-tags",
                ),
            ),
        }
    )
    buffer = io.BytesIO()
    write_iati([tagged], buffer)
    path = tmp_path / "tagged.xml"
    path.write_bytes(buffer.getvalue())
    result = actions.iati_import(actor="system:tests", path=path, schema_dir=iati_dir / "schema")
    assert result.imported
    assert "names pledge P-999, which this platform does not have" in result.warnings[0]
    assert FinancialCommitment.objects.get().pledge is None


def test_a_truncated_file_is_refused_whole(iati_dir: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, [_sweden(identifier=f"SE-0-{n}") for n in range(300)])
    content = path.read_bytes()
    path.write_bytes(content[: len(content) * 3 // 4])  # cut in the middle of an activity
    result = actions.iati_import(actor="system:tests", path=path, schema_dir=iati_dir / "schema")
    assert not result.imported
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert (problem.file, problem.element, problem.rule) == ("sweden.xml", "file", "xml")
    assert "not well-formed XML" in problem.message
    # The first 200 activities had been written before the cut was reached: rolled back.
    assert not FinancialCommitment.objects.exists()
    assert not AuditEntry.objects.filter(action="iati.import").exists()


def test_linked_1x_activities_count_but_are_not_exported(
    cast: Any, kenya_pledge: Pledge, iati_dir: Path, tmp_path: Path
) -> None:
    for name in SAMPLES:
        actions.iati_import(actor="system:tests", path=iati_dir / "samples" / name, schema_dir=None)
    assert FinancialCommitment.objects.filter(from_iati_1x=True).count() == 20
    dfid = FinancialCommitment.objects.get(source_file="IATI_xml_dfid_sample.xml")
    actions.activity_link(actor=cast.focal_point_kenya, pledge=kenya_pledge, commitment=dfid)
    pledge = selectors.pledge_get(user=None, pk=kenya_pledge.pk)
    assert pledge.not_converted == 1  # type: ignore[attr-defined]  # the KES amount only
    # The export stays valid 2.03: the 1.x activity cannot be written as such and is left out.
    out = tmp_path / "out.xml"
    assert iati_export(out=out, schema_dir=iati_dir / "schema") == 1
    assert b"FA TO MINISTRY OF JUSTICE" not in out.read_bytes()
