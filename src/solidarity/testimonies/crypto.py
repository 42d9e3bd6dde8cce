"""Encryption at rest of what a person wrote and who they are.

Everything personal or free-text about a testimony is kept as one sealed JSON document, encrypted
with Fernet (AES-128-CBC with an HMAC-SHA256, from the ``cryptography`` library) under the keys in
``settings.TESTIMONY_KEYS`` (``SOLIDARITY_TESTIMONY_KEYS``). ``MultiFernet`` encrypts with the
first key and decrypts with any of them, which is what makes rotation possible: put a new key
first, run ``solidarity testimonies rotate-keys``, then drop the old one (docs/testimonies.md).

The keys are read from the settings at each call, never at import, so that tests and a rotation
see the keys in force.
"""

from __future__ import annotations

import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class SealBrokenError(Exception):
    """A sealed document could not be opened: no key in ``SOLIDARITY_TESTIMONY_KEYS`` fits it, or
    it was altered."""


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in settings.TESTIMONY_KEYS])


def seal(document: dict[str, Any]) -> str:
    """Encrypt ``document`` (JSON-serialisable) with the current key; a URL-safe ASCII token."""
    plain = json.dumps(document, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return _fernet().encrypt(plain).decode("ascii")


def unseal(token: str) -> dict[str, Any]:
    """Decrypt a token made by :func:`seal`; an empty token is an empty document (erased)."""
    if not token:
        return {}
    try:
        plain = _fernet().decrypt(token.encode("ascii"))
    except InvalidToken:
        raise SealBrokenError(
            "A testimony could not be decrypted: none of the keys in SOLIDARITY_TESTIMONY_KEYS "
            "opens it."
        ) from None
    document: dict[str, Any] = json.loads(plain)
    return document


def reseal(token: str) -> str:
    """The same document encrypted again under the current (first) key."""
    if not token:
        return token
    try:
        return _fernet().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken:
        raise SealBrokenError(
            "A testimony could not be re-encrypted: none of the keys in "
            "SOLIDARITY_TESTIMONY_KEYS opens it."
        ) from None
