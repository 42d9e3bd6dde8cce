"""Fixtures for the project-wide quality gates in tests/: they run the ``solidarity`` command and
Django's own tools in subprocesses, each against a throw-away data folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Every variable that changes how Solidarity configures itself (docs/configure.md), and Django's
# own (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for Playwright, which `check --deploy`
# rightly refuses). A subprocess starts without them so that it sees the embedded default, whatever
# the outer shell, CI or an earlier test set.
SETTING_PREFIXES = ("SOLIDARITY_", "DATABASE_", "EMAIL_", "AXES_", "SECURE_")
SETTING_NAMES = frozenset(
    {
        "DEBUG",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "CSRF_TRUSTED_ORIGINS",
        "DEFAULT_FROM_EMAIL",
        "STATIC_ROOT",
        "MEDIA_ROOT",
        "LOG_LEVEL",
        "DJANGO_SETTINGS_MODULE",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    }
)


@pytest.fixture
def solidarity_env(tmp_path: Path) -> dict[str, str]:
    """The environment for a ``solidarity`` subprocess: no settings from outside, a fresh
    ``SOLIDARITY_HOME`` (so a fresh SQLite database) in the test's temporary folder."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in SETTING_NAMES and not name.startswith(SETTING_PREFIXES)
    }
    home = tmp_path / "home"
    home.mkdir()
    env["SOLIDARITY_HOME"] = str(home)
    return env
