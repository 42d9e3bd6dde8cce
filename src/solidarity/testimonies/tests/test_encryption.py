"""Encryption at rest: the raw tables hold no plaintext of what a person wrote or who they are;
keys rotate; production needs its keys."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from solidarity.config import env as config_env
from solidarity.testimonies import actions, crypto, models
from solidarity.testimonies.tests.conftest import release, submit

pytestmark = pytest.mark.django_db

SECRETS = [
    "the officer at Moyale took my passport",
    "Halima Abdi",
    "halima.abdi@example.org",
    "+254 700 111 222",
    "ask at the church on Ngong Road",
    "Uncle Yusuf",
    "Mama Ngozi",
]


def raw_dump() -> str:
    """Every row of every table of the app, as the database returns them (no ORM decoding)."""
    lines = []
    with connection.cursor() as cursor:
        for table in (
            "testimonies_testimony",
            "testimonies_consent",
            "testimonies_redactionflag",
            "testimonies_moderationdecision",
            "audit_auditentry",
        ):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608  # fixed table names
            lines += [repr(row) for row in cursor.fetchall()]
    return "\n".join(lines)


def test_the_database_holds_no_plaintext(cast: Any) -> None:
    receipt = submit(
        text=f"My name is Halima Abdi: {SECRETS[0]}. Mama Ngozi helped.",
        identity_level="pseudonym",
        pseudonym="Mama Ngozi",
        email=SECRETS[2],
        phone=SECRETS[3],
        other_contact=SECRETS[4],
        groups=["child"],
        guardian_name=SECRETS[5],
        guardian_agrees=True,
    )
    release(receipt.testimony, cast.moderator)
    dump = raw_dump()
    assert receipt.digest in dump  # the rows were read
    for secret in [*SECRETS, receipt.code, receipt.code.replace("-", "")]:
        assert secret not in dump, secret
    # …and yet it is all there for whoever holds the key.
    document = crypto.unseal(models.Testimony.objects.get().sealed)
    assert document["email"] == SECRETS[2]
    assert document["guardian_name"] == SECRETS[5]
    published = crypto.unseal(models.Testimony.objects.get().sealed_redacted)
    assert published["attribution"] == "Mama Ngozi"


def test_keys_rotate(settings: Any) -> None:
    old_key = settings.TESTIMONY_KEYS[0]
    testimony = submit(text="Rotated text").testimony
    new_key = Fernet.generate_key().decode()
    settings.TESTIMONY_KEYS = [new_key, old_key]
    assert actions.testimony_keys_rotate() == 1
    settings.TESTIMONY_KEYS = [new_key]
    testimony.refresh_from_db()
    assert crypto.unseal(testimony.sealed)["text"] == "Rotated text"
    settings.TESTIMONY_KEYS = [old_key]
    with pytest.raises(crypto.SealBrokenError):
        crypto.unseal(testimony.sealed)


def test_production_refuses_to_start_without_keys(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.delenv("SOLIDARITY_TESTIMONY_KEYS", raising=False)
    with pytest.raises(ImproperlyConfigured) as error:
        config_env.testimony_keys(home=tmp_path, production=True)
    assert str(error.value).startswith(
        "SOLIDARITY_TESTIMONY_KEYS must be set in production (SOLIDARITY_PRODUCTION=true)."
    )
    monkeypatch.setenv("SOLIDARITY_TESTIMONY_KEYS", "not-a-key")
    with pytest.raises(ImproperlyConfigured) as error:
        config_env.testimony_keys(home=tmp_path, production=True)
    assert "key 1 is not a Fernet key" in str(error.value)


def test_outside_production_a_key_is_generated_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.delenv("SOLIDARITY_TESTIMONY_KEYS", raising=False)
    first = config_env.testimony_keys(home=tmp_path, production=False)
    assert first == config_env.testimony_keys(home=tmp_path, production=False)
    assert (tmp_path / "testimony_key").stat().st_mode & 0o777 == 0o600
    Fernet(first[0])
