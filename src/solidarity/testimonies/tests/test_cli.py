"""The ``solidarity testimonies`` commands, run through click against the test database."""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from cryptography.fernet import Fernet

from solidarity.testimonies import cli, crypto, models
from solidarity.testimonies.tests.conftest import release, submit

pytestmark = pytest.mark.django_db


def test_delete_expired(cast: Any) -> None:
    old = submit().testimony
    models.Testimony.objects.filter(pk=old.pk).update(retain_until=datetime.date(2026, 1, 1))
    runner = CliRunner()
    result = runner.invoke(cli.testimonies, ["delete-expired", "--today", "2025-12-31"])
    assert result.exit_code == 0, result.output
    assert result.output == "0 expired testimonies deleted.\n"
    result = runner.invoke(cli.testimonies, ["delete-expired", "--dry-run"])
    assert result.output == "1 expired testimonies would be deleted.\n"
    result = runner.invoke(cli.testimonies, ["delete-expired"])
    assert result.output == "1 expired testimonies deleted.\n"
    assert not models.Testimony.objects.exists()


def test_rotate_keys(settings: Any) -> None:
    old = settings.TESTIMONY_KEYS[0]
    submit()
    settings.TESTIMONY_KEYS = [Fernet.generate_key().decode()]
    result = CliRunner().invoke(cli.testimonies, ["rotate-keys"])
    assert result.exit_code == 1
    assert "none of the keys in SOLIDARITY_TESTIMONY_KEYS opens it" in result.output
    settings.TESTIMONY_KEYS = [settings.TESTIMONY_KEYS[0], old]
    result = CliRunner().invoke(cli.testimonies, ["rotate-keys"])
    assert result.output == "1 testimonies re-encrypted under the first key.\n"
    settings.TESTIMONY_KEYS = settings.TESTIMONY_KEYS[:1]
    assert crypto.unseal(models.Testimony.objects.get().sealed)["text"].startswith("I crossed")


def test_export_goes_through_the_consent_gate(cast: Any, tmp_path: Path) -> None:
    release(submit(granted={"store", "share_state"}).testimony, cast.moderator)
    release(submit(granted={"store", "publish"}, destination="MEX").testimony, cast.moderator)
    out = tmp_path / "kenya.csv"
    runner = CliRunner()
    result = runner.invoke(
        cli.testimonies, ["export", "--use", "share_state", "--state", "KEN", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [row["countries"] for row in rows] == ["KEN"]
    result = runner.invoke(
        cli.testimonies, ["export", "--use", "share_state", "--state", "MEX", "--out", str(out)]
    )
    assert result.exit_code == 1
    assert list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))) == []
    result = runner.invoke(cli.testimonies, ["export", "--use", "share_state", "--out", str(out)])
    assert result.exit_code == 2
    assert "Sharing with a State needs the State" in result.output
