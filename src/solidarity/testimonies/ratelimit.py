"""Abuse protection for the public testimony form that does not lock out people who share one
connection (a shelter's Wi-Fi, a camp's router, a mobile operator's carrier-grade NAT).

Three layers, none of which needs a script, a puzzle or a third-party service:

* a **time trap** and a **honeypot**: the form carries a signed timestamp and a one-time nonce
  (:func:`form_token`); an answer sent faster than a person can type, one with the hidden
  "website" field filled (only robots see it), or one replaying a nonce already used, is refused
  with a plain message and a fresh form — a person loses nothing but a second click;
* a **generous per-address budget**: ``SOLIDARITY_TESTIMONY_SUBMISSIONS_PER_HOUR`` testimonies per
  client address (default 60, enough for a whole group writing together), counted per IPv6 /64
  network so one device cannot dodge it by hopping addresses;
* **per-receipt limits** on the receipt page: wrong codes per address, and lookups per receipt,
  so codes cannot be guessed and one receipt cannot be hammered.

Counters live in Django's cache: the local-memory default is per process, so in production with
several workers configure a shared cache (docs/testimonies.md).
"""

from __future__ import annotations

import ipaddress
import secrets
import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest

TOKEN_SALT = "solidarity.testimonies.form"  # noqa: S105  # a signing namespace, no secret
TOKEN_MAX_AGE = 2 * 24 * 3600  # a form left open for two days still works
WRONG_RECEIPTS_PER_HOUR = 30
LOOKUPS_PER_RECEIPT_PER_HOUR = 30
HOUR = 3600


def client_address(request: HttpRequest) -> str:
    """The client's address as the counters see it: IPv4 as is, IPv6 by its /64 network.
    ``REMOTE_ADDR`` must be the real client's address (docs/deploy.md: the proxy sets it)."""
    raw = str(request.META.get("REMOTE_ADDR", "") or "unknown")
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def spend(bucket: str, key: str, *, limit: int, window: int = HOUR) -> bool:
    """Count one event for ``key`` in ``bucket``; ``False`` once more than ``limit`` happened in
    the current window (fixed windows, reset ``window`` seconds after the first event)."""
    name = f"solidarity:rate:{bucket}:{key}"
    cache.add(name, 0, timeout=window)
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, timeout=window)
        count = 1
    return count <= limit


def exhausted(bucket: str, key: str, *, limit: int) -> bool:
    """Whether ``key`` has already used up ``bucket`` (without counting anything)."""
    return int(cache.get(f"solidarity:rate:{bucket}:{key}", 0)) >= limit


def form_token() -> str:
    return signing.dumps({"t": time.time(), "n": secrets.token_hex(12)}, salt=TOKEN_SALT)


class FormRefusedError(Exception):
    """The answer looks automated or was sent already; the message says what to do."""


def check_form_token(token: str, *, honeypot: str) -> str:
    """Check the time trap, the honeypot and the one-time nonce of a submitted form; return the
    nonce, to be spent with :func:`spend_nonce` once the testimony is saved."""
    if honeypot:
        raise FormRefusedError("honeypot")
    try:
        payload = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        raise FormRefusedError("expired") from None
    if time.time() - float(payload["t"]) < settings.TESTIMONY_FORM_MIN_SECONDS:
        raise FormRefusedError("too fast")
    nonce = str(payload["n"])
    if cache.get(f"solidarity:nonce:{nonce}"):
        raise FormRefusedError("sent already")
    return nonce


def spend_nonce(nonce: str) -> None:
    cache.set(f"solidarity:nonce:{nonce}", 1, timeout=TOKEN_MAX_AGE)
