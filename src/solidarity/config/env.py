"""Reading configuration from the environment.

Settings come from the environment only (see docs/configure.md). The embedded default keeps its
state in one data folder, ``SOLIDARITY_HOME``, so that a newcomer needs no server and no set-up.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})


def env_bool(name: str, *, default: bool) -> bool:
    """Read a yes/no setting; anything but a clear yes or no is an error, not a silent default."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of true/false, 1/0, yes/no, on/off; got {raw!r}."
    )


def env_int(name: str, *, default: int) -> int:
    """Read a whole-number setting; garbage is an error that names the setting."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}.") from None


def env_float(name: str, *, default: float) -> float:
    """Read a decimal-number setting; garbage is an error that names the setting."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return float(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number; got {raw!r}.") from None


def env_list(name: str, *, default: list[str]) -> list[str]:
    """Read a comma-separated list setting."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def solidarity_home() -> Path:
    """The data folder: SQLite file, generated secret key, uploaded files."""
    home = Path(os.environ.get("SOLIDARITY_HOME", Path.cwd() / "var")).expanduser().resolve()
    home.mkdir(parents=True, exist_ok=True)
    return home


def secret_key(*, home: Path, production: bool) -> str:
    """The secret key: from ``SECRET_KEY``, else (embedded default only) generated once and kept in
    the data folder, so that sessions survive a restart without anyone having to invent a key."""
    key = os.environ.get("SECRET_KEY", "")
    if key:
        return key
    if production:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set in production (SOLIDARITY_PRODUCTION=true). "
            "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    key_file = home / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


def testimony_keys(*, home: Path, production: bool) -> list[str]:
    """The keys that encrypt testimonies at rest: ``SOLIDARITY_TESTIMONY_KEYS``, comma-separated
    Fernet keys, the first encrypting and all of them decrypting (so a key can be rotated in, see
    docs/testimonies.md). Outside production a key is generated once into the data folder, as the
    secret key is; in production the keys must be given, and a malformed key stops start-up."""
    from cryptography.fernet import Fernet

    raw = os.environ.get("SOLIDARITY_TESTIMONY_KEYS", "")
    keys = [key.strip() for key in raw.split(",") if key.strip()]
    if not keys:
        if production:
            raise ImproperlyConfigured(
                "SOLIDARITY_TESTIMONY_KEYS must be set in production (SOLIDARITY_PRODUCTION=true). "
                "Generate a key with: python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'"
            )
        key_file = home / "testimony_key"
        if not key_file.exists():
            key_file.write_text(Fernet.generate_key().decode("ascii"), encoding="utf-8")
            key_file.chmod(0o600)
        keys = [key_file.read_text(encoding="utf-8").strip()]
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            raise ImproperlyConfigured(
                f"SOLIDARITY_TESTIMONY_KEYS: key {position} is not a Fernet key (32 url-safe "
                "base64-encoded bytes)."
            ) from None
    return keys
