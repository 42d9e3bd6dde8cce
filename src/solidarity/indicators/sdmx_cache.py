"""Rendered SDMX data answers kept on disk, so that a repeated query is a file sent, not a
database read and an SDMX message written again.

Published versions never change, so an answer is fully determined by the query (the flow, the
format, the path with its parameters) and by which versions are published (each with the moment
it became public). The cache key is a digest of exactly these: publishing a version, or the end
of an embargo, changes the set of versions and so the key — a stale answer cannot be found. The
catalogue (indicators, dimensions, codes, the organisations providing data) shapes the answers
too: every change to it raises the :class:`~solidarity.indicators.models.CatalogueRevision`
(:func:`catalogue_changed`, called by the loaders and, through signals, by any save or delete of
a catalogue row), which is part of the key and of the ETag. Old answers are removed when a
version of their indicator is published, when the catalogue changes, and, oldest first, when
the cache passes :data:`MAX_BYTES`.

Each answer is two files under ``<SOLIDARITY_HOME>/cache/sdmx/<indicator>/``: ``<key>.json``
(status, media type, ETag, Last-Modified) and ``<key>.body``. Both are written under a temporary
name and renamed when complete, so a reader in another worker sees a whole answer or none; an
answer abandoned half-way (the client went away) is not kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from solidarity.indicators.models import CatalogueRevision

# Beyond this, the least recently written answers go. A 100,000-observation answer is about
# 10 MiB in SDMX-CSV and 40 MiB in SDMX-ML.
MAX_BYTES = 1 << 30


def cache_root() -> Path:
    return Path(settings.HOME) / "cache" / "sdmx"


def _folder(indicator: str) -> Path:
    # Indicator codes hold dots ("10.7.3"), never a path separator; keep them readable.
    return cache_root() / "".join(c if c.isalnum() or c in "._-" else "_" for c in indicator)


def catalogue_changed() -> None:
    """Raise the catalogue revision: every SDMX answer written before is stale.

    Call it from any write that changes what the SDMX answers say and that Django's signals do
    not see (``bulk_create``, ``bulk_update``, ``QuerySet.update``); saves and deletes of
    catalogue rows call it themselves (:mod:`solidarity.indicators.signals`). Inside a
    transaction the raise commits or rolls back with the change."""
    now = timezone.now()
    if not CatalogueRevision.objects.filter(pk=1).update(number=F("number") + 1, changed_at=now):
        CatalogueRevision.objects.update_or_create(pk=1, defaults={"number": 1, "changed_at": now})
    transaction.on_commit(answers_clear)


def catalogue_revision() -> tuple[int, datetime | None]:
    """The catalogue revision (0 before any change) and when it was raised: one query."""
    row = CatalogueRevision.objects.filter(pk=1).values_list("number", "changed_at").first()
    return row if row is not None else (0, None)


def answer_key(*parts: str) -> str:
    """The cache key of an answer: a digest of what determines it."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class CachedAnswer:
    """An answer found in the cache: its body's path and the headers it was sent with."""

    body: Path
    media_type: str
    etag: str
    last_modified: str | None


def answer_get(*, indicator: str, key: str) -> CachedAnswer | None:
    """The answer stored under ``key``, or None."""
    folder = _folder(indicator)
    body = folder / f"{key}.body"
    try:
        meta = json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    if not body.exists():
        return None
    return CachedAnswer(body, meta["media_type"], meta["etag"], meta.get("last_modified"))


def answer_store(
    chunks: Iterable[bytes],
    *,
    indicator: str,
    key: str,
    media_type: str,
    etag: str,
    last_modified: str | None,
) -> Iterator[bytes]:
    """Hand out ``chunks`` as they come and keep a copy: the answer is stored once its last
    chunk has gone out, never if the stream stops before (an error, a client gone)."""
    folder = _folder(indicator)
    folder.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
    complete = False
    try:
        with os.fdopen(descriptor, "wb") as copy:
            for chunk in chunks:
                copy.write(chunk)
                yield chunk
        meta = {"media_type": media_type, "etag": etag, "last_modified": last_modified}
        _write_atomically(folder / f"{key}.json", json.dumps(meta).encode())
        os.replace(temporary, folder / f"{key}.body")
        complete = True
    finally:
        if not complete:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
    _prune()


def _write_atomically(path: Path, content: bytes) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)
    os.replace(temporary, path)


def answers_clear(*, indicator: str | None = None) -> None:
    """Remove the stored answers of one indicator, or all of them."""
    shutil.rmtree(_folder(indicator) if indicator is not None else cache_root(), ignore_errors=True)


def _prune() -> None:
    bodies = []
    total = 0
    for path in cache_root().glob("*/*.body"):
        with contextlib.suppress(FileNotFoundError):
            status = path.stat()
            bodies.append((status.st_mtime, status.st_size, path))
            total += status.st_size
    for _mtime, size, path in sorted(bodies):
        if total <= MAX_BYTES:
            break
        for stale in (path, path.with_suffix(".json")):
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()
        total -= size
