"""The IATI reader against the standard's own corpus and the real sample files in
``shared/data/iati``: every should-pass file is read without a problem, every should-fail file is
refused with its element and rule named, and what the writer writes validates and reads back."""

from __future__ import annotations

import dataclasses
import io
import os
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree  # type: ignore[import-untyped]

from solidarity.stats.iati import (
    Activity,
    Coded,
    IatiSyntaxError,
    Organisation,
    Transaction,
    check_iati,
    iati_schema,
    read_iati,
    write_iati,
)

# As the ``shared_data`` fixture finds it; needed at collection time to list the files.
SHARED = (
    Path(
        os.environ.get(
            "SOLIDARITY_SHARED_DATA", Path(__file__).resolve().parents[4].parent / "shared" / "data"
        )
    )
    / "iati"
)


def _files(folder: str) -> list[Path]:
    return sorted(path for path in (SHARED / folder).rglob("*") if path.is_file())


def test_the_corpus_is_there() -> None:
    assert len(_files("should-pass")) == 58
    assert len(_files("should-fail")) == 226
    assert len(_files("samples")) == 5


@pytest.mark.parametrize("path", _files("should-pass"), ids=lambda p: p.name)
def test_each_should_pass_file_has_no_problem_with_the_schema(path: Path) -> None:
    reading = read_iati(path, schema_dir=SHARED / "schema")
    activities = list(reading.activities())
    assert reading.problems == []
    assert activities
    assert len(activities) == reading.activity_count


@pytest.mark.parametrize("path", _files("should-pass"), ids=lambda p: p.name)
def test_each_should_pass_file_passes_the_own_rules_too(path: Path) -> None:
    assert check_iati(path) == []


@pytest.mark.parametrize("path", _files("should-fail"), ids=lambda p: p.name)
def test_each_should_fail_file_is_refused_naming_element_and_rule(path: Path) -> None:
    if path.name == "01-activity-id-cardinality":
        # The one file that is not even XML (an attribute given twice): refused as such.
        with pytest.raises(IatiSyntaxError, match="line 8: not well-formed XML"):
            check_iati(path, schema_dir=SHARED / "schema")
        return
    problems = check_iati(path, schema_dir=SHARED / "schema")
    assert problems, path
    for problem in problems:
        assert problem.file == path.name
        assert problem.element
        assert problem.rule
        assert problem.line
        assert str(problem).startswith(f"{path.name}, line {problem.line}, ")


def test_a_should_fail_problem_reads_in_full() -> None:
    path = SHARED / "should-fail" / "transaction" / "40-non-decimal-value.xml"
    problems = check_iati(path, schema_dir=SHARED / "schema")
    assert [str(p) for p in problems] == [
        "40-non-decimal-value.xml, line 26, iati-activity/transaction/value [schema]: "
        "Element 'value': 'xxx' is not a valid value of the atomic type 'xs:decimal'."
    ]
    # Solidarity's own rules name the same element without the schema.
    assert [str(p) for p in check_iati(path)] == [
        "40-non-decimal-value.xml, line 26, iati-activity/transaction/value [decimal]: "
        "'xxx' is not a decimal amount"
    ]


def test_the_root_rules_hold_without_activities() -> None:
    path = SHARED / "should-fail" / "18-missing-iati-activities-version.xml"
    assert [str(p) for p in check_iati(path, schema_dir=SHARED / "schema")] == [
        "18-missing-iati-activities-version.xml, line 3, iati-activities/@version [required]: "
        "is missing",
        "18-missing-iati-activities-version.xml, line 3, iati-activities/iati-activity "
        "[required]: no activity",
    ]


def test_own_rules_catch_part_of_the_should_fail_corpus() -> None:
    # Without the schema only the elements Solidarity reads are checked: the figure is in
    # docs/commitments.md.
    caught = 0
    for path in _files("should-fail"):
        try:
            caught += bool(check_iati(path))
        except IatiSyntaxError:
            caught += 1
    assert caught == 47


# (activities, transactions read, notices) for each IATI 1.x sample file, counted by hand.
SAMPLES = {
    "IATI_xml_WB_sample.xml": (1, 2, 8),
    "IATI_xml_dfid_sample.xml": (1, 1, 7),
    "undp_sample.xml": (1, 1, 6),
    "worked-example.xml": (1, 1, 4),
    "worldbank.xml": (16, 14, 8),
}


@pytest.mark.parametrize("path", _files("samples"), ids=lambda p: p.name)
def test_the_sample_files_are_read_as_iati_1(path: Path) -> None:
    # The schema folder is given, but a 1.x file cannot validate against 2.03: it is read with
    # the 1.x mapping and what could not be mapped is listed, never silently dropped.
    reading = read_iati(path, schema_dir=SHARED / "schema")
    activities = list(reading.activities())
    assert reading.problems == []
    assert reading.legacy
    assert not reading.schema_checked
    assert reading.summary == (
        "IATI 1.0x file: read with the 1.x mapping; 2.03 schema validation does not apply"
    )
    counts = (len(activities), sum(len(a.transactions) for a in activities), len(reading.notices))
    assert counts == SAMPLES[path.name]


def test_a_1x_file_maps_its_codes() -> None:
    xml = """<iati-activities version="1.03"><iati-activity default-currency="EUR" xml:lang="en">
      <iati-identifier>XM-1</iati-identifier>
      <reporting-org ref="SE-0" type="10">Sweden</reporting-org>
      <title>Safe migration</title><title xml:lang="fr">Migration sûre</title>
      <participating-org role="Funding" ref="SE-0" type="10">Sweden</participating-org>
      <activity-status code="2">Implementation</activity-status>
      <activity-date type="start-actual" iso-date="2012-01-01"/>
      <sector vocabulary="DAC" code="15190" percentage="100"/>
      <sector vocabulary="WB" code="BC"/>
      <policy-marker vocabulary="DAC" code="1" significance="2"/>
      <transaction><transaction-type code="D"/><transaction-date iso-date="2012-03-01"/>
        <value value-date="2012-03-01">100.50</value>
        <receiver-org ref="KE-GOV">Kenya</receiver-org></transaction>
      <transaction><transaction-type code="XX"/><value value-date="2012-03-01">5</value>
      </transaction>
    </iati-activity></iati-activities>""".encode()
    reading = read_iati(xml, file_name="old.xml")
    (activity,) = reading.activities()
    assert activity.titles == {"": "Safe migration", "fr": "Migration sûre"}
    assert activity.reporting_org == Organisation("SE-0", "10", "Sweden")
    assert activity.participating_orgs == (Organisation("SE-0", "10", "Sweden", "1"),)
    assert activity.dates == (("2", date(2012, 1, 1)),)
    assert activity.sectors == (Coded("15190", vocabulary="1", percentage=Decimal(100)),)
    assert activity.policy_markers == (Coded("1", vocabulary="1", significance="2"),)
    (transaction,) = activity.transactions
    assert (transaction.type, transaction.value) == ("3", Decimal("100.5"))
    assert [str(n) for n in reading.notices] == [
        "old.xml, line 9, iati-activity/sector/@vocabulary [1.x mapping]: 'WB' is no IATI 1.x "
        "sector vocabulary code or name: sector not imported",
        "old.xml, line 14, iati-activity/transaction/transaction-type/@code [1.x mapping]: 'XX' "
        "is no IATI 1.x transaction type code or name: transaction not imported",
    ]


def test_a_1x_file_with_a_wrong_amount_is_refused() -> None:
    xml = b"""<iati-activities version="1.05"><iati-activity>
      <transaction><transaction-type code="C"/><value>1,000</value></transaction>
      </iati-activity></iati-activities>"""
    problems = check_iati(xml, file_name="old.xml")
    assert [str(p) for p in problems] == [
        "old.xml, line 2, iati-activity/transaction/value [decimal]: '1,000' is not a decimal "
        "amount"
    ]


def test_a_broken_file_says_where() -> None:
    with pytest.raises(IatiSyntaxError, match=r"^cut\.xml, line 2: not well-formed XML"):
        check_iati(b'<iati-activities version="2.03">\n<iati-activity>', file_name="cut.xml")


def _activity(**changes: object) -> Activity:
    funder = Organisation("SE-0", "10", "Sweden", role="1")
    base = Activity(
        identifier="SE-0-SE-6-1234",
        reporting_org=Organisation("SE-0", "10", "Sweden"),
        titles={"en": "Safe labour migration", "fr": "Migration de travail sûre"},
        descriptions={"en": "Training of border officials in human rights."},
        default_currency="SEK",
        language="en",
        status="2",
        dates=(("1", date(2021, 1, 1)), ("3", date(2023, 12, 31))),
        participating_orgs=(funder, Organisation("", "40", "IOM", role="4")),
        recipient_countries=(
            Coded("KE", percentage=Decimal("60")),
            Coded("UG", percentage=Decimal(40)),
        ),
        sectors=(Coded("15190", vocabulary="1", percentage=Decimal(100)),),
        tags=(Coded("GCM-7", vocabulary="99", vocabulary_uri="https://example.org/gcm"),),
        policy_markers=(Coded("1", vocabulary="1", significance="2"),),
        collaboration_type="1",
        transactions=(
            Transaction(
                type="12",
                date=date(2021, 3, 1),
                value=Decimal("1000000"),
                value_date=date(2021, 3, 1),
                provider=Organisation("SE-0", "10", "Sweden"),
            ),
            Transaction(
                type="3",
                date=date(2022, 5, 17),
                value=Decimal("250000.5"),
                value_date=date(2022, 5, 17),
                currency="EUR",
                ref="D-1",
                description="First tranche",
                receiver=Organisation("XM-DAC-47066", "40", "IOM"),
                recipient_country="KE",
                sectors=(Coded("15190", vocabulary="1"),),
                flow_type="10",
                finance_type="110",
                aid_type="C01",
                tied_status="5",
                disbursement_channel="2",
            ),
        ),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_what_is_written_validates_and_reads_back_equal() -> None:
    activities = [_activity(), _activity(identifier="SE-0-SE-6-5678", titles={"": "Untagged"})]
    out = io.BytesIO()
    assert write_iati(activities, out, generated=datetime(2024, 5, 1, tzinfo=UTC)) == 2
    schema = iati_schema(SHARED / "schema")
    assert schema.validate(etree.fromstring(out.getvalue())), schema.error_log
    reading = read_iati(out.getvalue(), schema_dir=SHARED / "schema")
    assert list(reading.activities()) == activities
    assert reading.problems == []
    assert reading.version == "2.03"


def test_reading_keeps_memory_flat_by_dropping_each_activity() -> None:
    # 2,000 activities read; the tree never holds more than the one being read.
    out = io.BytesIO()
    write_iati(
        (_activity(identifier=f"SE-0-{n}") for n in range(2000)),
        out,
        generated=datetime(2024, 5, 1, tzinfo=UTC),
    )
    reading = read_iati(out.getvalue())
    seen = 0
    for activity in reading.activities():
        seen += 1
        assert activity.identifier == f"SE-0-{seen - 1}"
    assert seen == reading.activity_count == 2000


def test_a_file_that_is_not_an_activity_file_is_named_as_such() -> None:
    assert [str(p) for p in check_iati(b"<iati-organisations/>", file_name="o.xml")] == [
        "o.xml, line 1, iati-organisations [root]: an IATI activity file starts with "
        "iati-activities"
    ]


def test_a_stray_element_between_activities_is_named() -> None:
    out = io.BytesIO()
    write_iati([_activity()], out, generated=datetime(2024, 5, 1, tzinfo=UTC))
    text = out.getvalue().replace(b"</iati-activities>", b"<note>x</note></iati-activities>")
    problems = check_iati(text, file_name="s.xml")
    assert [(p.element, p.rule) for p in problems] == [("iati-activities/note", "unexpected")]
