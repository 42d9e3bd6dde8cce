"""Project-wide quality gates: migrations in step with the models, a production configuration
that passes Django's deployment checks, the import contract that keeps ``solidarity.stats`` free of
Django, and the settings read from the environment."""

from __future__ import annotations

import runpy
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from solidarity.config import env as config_env
from solidarity.config import settings as settings_module

REPO = Path(__file__).resolve().parents[1]
SETTINGS_FILE = Path(settings_module.__file__)


def run_solidarity(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "solidarity", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_models_and_migrations_agree(solidarity_env: dict[str, str]) -> None:
    result = run_solidarity("manage", "makemigrations", "--check", "--dry-run", env=solidarity_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout


def test_system_checks_pass_on_the_embedded_default(solidarity_env: dict[str, str]) -> None:
    result = run_solidarity("manage", "check", "--fail-level", "WARNING", env=solidarity_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_configuration_passes_the_deployment_checks(
    solidarity_env: dict[str, str],
) -> None:
    production = {
        **solidarity_env,
        "SOLIDARITY_PRODUCTION": "true",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SOLIDARITY_TESTIMONY_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "example.org",
        "DEBUG": "false",
    }
    result = run_solidarity(
        "manage", "check", "--deploy", "--fail-level", "WARNING", env=production
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)" in result.stdout


def test_stats_library_never_imports_django() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint_imports), "--no-cache"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "The stats library never imports Django KEPT" in result.stdout


# Settings are read once, at import. To see what a given environment produces, the tests run
# settings.py afresh into a plain dictionary, leaving the settings of this test run untouched.


@pytest.fixture
def clean_settings_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in (
        "SOLIDARITY_PRODUCTION",
        "DEBUG",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "DATABASE_CONN_MAX_AGE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "EMAIL_PORT",
        "SOLIDARITY_TESTIMONY_KEYS",
    ):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    monkeypatch.setenv("SOLIDARITY_HOME", str(home))
    return home


def read_settings() -> dict[str, Any]:
    return runpy.run_path(str(SETTINGS_FILE))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("true", True), ("Yes", True), ("1", True), (" on ", True), ("false", False), ("0", False)],
)
def test_env_bool_reads_clear_words(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool
) -> None:
    monkeypatch.setenv("SOLIDARITY_TEST_FLAG", raw)
    assert config_env.env_bool("SOLIDARITY_TEST_FLAG", default=not expected) is expected


def test_env_bool_refuses_garbage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOLIDARITY_TEST_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured) as error:
        config_env.env_bool("SOLIDARITY_TEST_FLAG", default=False)
    assert str(error.value) == (
        "SOLIDARITY_TEST_FLAG must be one of true/false, 1/0, yes/no, on/off; got 'maybe'."
    )


def test_env_bool_uses_the_default_when_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOLIDARITY_TEST_FLAG", raising=False)
    assert config_env.env_bool("SOLIDARITY_TEST_FLAG", default=True) is True


def test_env_int_refuses_garbage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMAIL_PORT", "twenty-five")
    with pytest.raises(ImproperlyConfigured) as error:
        config_env.env_int("EMAIL_PORT", default=25)
    assert str(error.value) == "EMAIL_PORT must be a whole number; got 'twenty-five'."


def test_env_float_refuses_garbage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AXES_COOLOFF_HOURS", "an hour")
    with pytest.raises(ImproperlyConfigured) as error:
        config_env.env_float("AXES_COOLOFF_HOURS", default=1.0)
    assert str(error.value) == "AXES_COOLOFF_HOURS must be a number; got 'an hour'."


def test_env_list_splits_on_commas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLOWED_HOSTS", " example.org, www.example.org ,,")
    assert config_env.env_list("ALLOWED_HOSTS", default=[]) == ["example.org", "www.example.org"]


def test_garbage_in_a_setting_stops_start_up(
    clean_settings_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEBUG", "sometimes")
    with pytest.raises(ImproperlyConfigured, match=r"^DEBUG must be one of"):
        read_settings()


def test_production_requires_a_secret_key(
    clean_settings_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOLIDARITY_PRODUCTION", "true")
    monkeypatch.setenv("ALLOWED_HOSTS", "example.org")
    with pytest.raises(ImproperlyConfigured) as error:
        read_settings()
    assert str(error.value).startswith(
        "SECRET_KEY must be set in production (SOLIDARITY_PRODUCTION=true). Generate one with:"
    )
    assert not (clean_settings_env / "secret_key").exists()


def test_production_requires_allowed_hosts(
    clean_settings_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOLIDARITY_PRODUCTION", "true")
    monkeypatch.setenv("SECRET_KEY", secrets.token_urlsafe(50))
    with pytest.raises(ImproperlyConfigured) as error:
        read_settings()
    assert str(error.value) == (
        "ALLOWED_HOSTS must be set in production (SOLIDARITY_PRODUCTION=true), "
        "e.g. ALLOWED_HOSTS=solidarity.example.org"
    )


def test_production_turns_on_transport_security(
    clean_settings_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOLIDARITY_PRODUCTION", "true")
    monkeypatch.setenv("SECRET_KEY", "a" * 60)
    monkeypatch.setenv("ALLOWED_HOSTS", "example.org,www.example.org")
    monkeypatch.setenv("SOLIDARITY_TESTIMONY_KEYS", Fernet.generate_key().decode())
    settings = read_settings()
    assert settings["DEBUG"] is False
    assert settings["SECRET_KEY"] == "a" * 60
    assert settings["ALLOWED_HOSTS"] == ["example.org", "www.example.org"]
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["CSRF_COOKIE_SECURE"] is True
    assert settings["SECURE_SSL_REDIRECT"] is True
    assert settings["SECURE_HSTS_SECONDS"] == 31536000
    assert settings["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")


def test_generated_secret_key_is_kept_in_the_data_folder_and_reused(
    clean_settings_env: Path,
) -> None:
    first = read_settings()["SECRET_KEY"]
    key_file = clean_settings_env / "secret_key"
    assert key_file.read_text(encoding="utf-8") == first
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert len(first) >= 50
    assert read_settings()["SECRET_KEY"] == first


def test_secret_key_from_the_environment_wins(
    clean_settings_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SECRET_KEY", "from-the-environment-" + "x" * 40)
    assert read_settings()["SECRET_KEY"] == "from-the-environment-" + "x" * 40
    assert not (clean_settings_env / "secret_key").exists()


def test_embedded_default_is_sqlite_in_the_data_folder(clean_settings_env: Path) -> None:
    database = read_settings()["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(database["NAME"]) == clean_settings_env.resolve() / "solidarity.sqlite3"


def test_database_url_selects_postgresql(
    clean_settings_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://solidarity:s3cret@db.example.org:5433/gcm")
    monkeypatch.setenv("DATABASE_CONN_MAX_AGE", "60")
    database = read_settings()["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["NAME"] == "gcm"
    assert database["USER"] == "solidarity"
    assert database["PASSWORD"] == "s3cret"
    assert database["HOST"] == "db.example.org"
    assert database["PORT"] == 5433
    assert database["CONN_MAX_AGE"] == 60
