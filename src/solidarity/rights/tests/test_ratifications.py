"""The ratification tracker: shipped on a fresh install, refreshed by import, ILO conventions
entered by administrators, shown on the country page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from solidarity.audit.models import AuditEntry
from solidarity.reference.models import Country
from solidarity.rights.actions import ratifications_import, rights_reference_load
from solidarity.rights.formats import RightsFileError
from solidarity.rights.models import Ratification

pytestmark = pytest.mark.django_db


def test_the_shipped_table_matches_its_source(shared_data: Path) -> None:
    counts = rights_reference_load(actor="system:tests")
    assert counts["ratifications changed"] == 3474
    assert Ratification.objects.filter(treaty="ICMW", status="party").count() == 57
    source = shared_data / "reference" / "un_core_hr_treaties_ratification_status_2022.csv"
    again = ratifications_import(actor="system:tests", path=source, as_of="2022")
    # The original extract says the same as the compact table derived from it.
    assert (again.rows_read, again.created, again.updated, again.unchanged) == (3474, 0, 0, 3474)
    assert rights_reference_load(actor="system:tests") == {
        "mechanisms changed": 0,
        "ratifications changed": 0,
    }


def test_a_refresh_changes_what_changed_and_a_broken_one_nothing(tmp_path: Path, db: Any) -> None:
    rights_reference_load(actor="system:tests")
    newer = tmp_path / "newer.csv"
    newer.write_text("iso3,treaty,status,year\nKEN,ICMW,party,2025\n", encoding="utf-8")
    result = ratifications_import(actor="system:tests", path=newer, source="UNTC", as_of="2025")
    assert (result.created, result.updated) == (0, 1)
    kenya = Ratification.objects.get(country="KEN", treaty="ICMW")
    assert (kenya.status, kenya.year, kenya.source, kenya.as_of) == ("party", 2025, "UNTC", "2025")
    broken = tmp_path / "broken.csv"
    broken.write_text(
        "iso3,treaty,status,year\nMEX,ICMW,none,\nMEX,CAT,ratified,1986\n", encoding="utf-8"
    )
    with pytest.raises(RightsFileError) as error:
        ratifications_import(actor="system:tests", path=broken)
    assert str(error.value) == "broken.csv, row 3, field 'status': unknown status 'ratified'"
    assert Ratification.objects.get(country="MEX", treaty="ICMW").status == "party"


def test_administrators_enter_ilo_conventions_and_the_shipped_table_keeps_them(
    cast: Any, log_in: Any
) -> None:
    rights_reference_load(actor="system:tests")
    address = "/rights/ratifications/KEN/C189/"
    assert log_in(cast.focal_point_kenya).get(address).status_code == 403
    client = log_in(cast.administrator)
    response = client.post(address, {"status": "none", "year": "2011", "source": "NORMLEX"})
    assert "A State that took no action has no year." in response.content.decode()
    response = client.post(
        address, {"status": "party", "year": "2014", "source": "ILO NORMLEX, read 2026"}
    )
    assert response.status_code == 302
    row = Ratification.objects.get(country="KEN", treaty="C189")
    assert (row.status, row.year, row.updated_by) == ("party", 2014, cast.administrator)
    assert AuditEntry.objects.filter(action="ratification.create").count() == 1
    # An administrator's correction of a UN treaty survives the start-up load of the table.
    client.post(
        "/rights/ratifications/KEN/ICMW/", {"status": "signatory", "year": "", "source": "UNTC"}
    )
    rights_reference_load(actor="system:tests")
    assert Ratification.objects.get(country="KEN", treaty="ICMW").status == "signatory"


def test_country_page_and_table_show_ratifications(client: Any, db: Any) -> None:
    rights_reference_load(actor="system:tests")
    page = client.get("/countries/MEX/").content.decode()
    assert "Treaties and conventions: where Mexico stands" in page
    assert "ICMW" in page
    assert "1999" in page
    table = client.get("/rights/ratifications/").content.decode()
    assert table.index(">ICMW<") < table.index(">ICERD<")  # the Migrant Workers Convention first
    assert Country.objects.filter(un_member=True).count() == table.count('href="/rights/states/')
