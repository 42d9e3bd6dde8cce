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
answer abandoned half-way (the client went away) is not kept. Beside the body, a gzip copy
(``<key>.body.gz``, about a tenth of an SDMX-CSV answer) is sent as it is to clients that accept
gzip.

What is public — the catalogue revision and each dataset's latest public version — is read
once and kept in the worker by :func:`public_state` for at most ``PUBLIC_STATE_SECONDS``
(``SOLIDARITY_PUBLIC_STATE_SECONDS``), so that a page, an API answer or an SDMX answer sent from
a cache makes no database round trip at all. It is never kept past the end of the next embargo,
and it is read again at once after a publication or a catalogue change: the worker that made it
forgets its copy, and the others see the change stamp ``<SOLIDARITY_HOME>/cache/public-state``,
rewritten when the change commits, and checked (one ``stat``) on every request. Only a change
made behind the platform's back (SQL by hand, another machine sharing the database but not the
data folder) waits for the bound.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar, cast

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from solidarity.indicators.models import CatalogueRevision, DatasetVersion

T = TypeVar("T")

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
    # This worker reads the new revision at once, even inside the transaction; the others when
    # the change commits (answers_clear rewrites the change stamp).
    public_state_forget()
    transaction.on_commit(answers_clear)


def catalogue_revision() -> tuple[int, datetime | None]:
    """The catalogue revision (0 before any change) and when it was raised: one query."""
    row = CatalogueRevision.objects.filter(pk=1).values_list("number", "changed_at").first()
    return row if row is not None else (0, None)


@dataclass(frozen=True)
class PublicState:
    """What is public, as one worker last read it: the catalogue revision, and for each indicator
    the stamps of its datasets' latest public versions (id, created, published, embargo end;
    the same list means the same published data, as :func:`solidarity.indicators.sdmx.
    published_stamps` has them)."""

    revision: tuple[int, datetime | None]
    stamps: dict[str, tuple[str, ...]]
    #: The end of the next embargo, when the state changes by itself.
    next_release: datetime | None
    #: The catalogue's indicator codes (to find a dataflow's indicator without a query).
    indicators: tuple[str, ...]
    #: A digest of all of the above: the same token, the same public data and catalogue.
    token: str = field(init=False)

    def __post_init__(self) -> None:
        parts = [f"r{self.revision[0]}", str(self.revision[1]), *self.indicators]
        for code in sorted(self.stamps):
            parts += [code, *self.stamps[code]]
        object.__setattr__(self, "token", answer_key(*parts))

    def indicator_stamps(self, indicator: str) -> tuple[str, ...]:
        return self.stamps.get(indicator, ())


# The state this worker last read: (when, the change stamp then, the settings' data folder, it).
_memo: tuple[float, tuple[int, int] | None, str, PublicState] | None = None


def _stamp_path() -> Path:
    return Path(settings.HOME) / "cache" / "public-state"


def _stamp() -> tuple[int, int] | None:
    try:
        status = os.stat(_stamp_path())
    except FileNotFoundError:
        return None
    return status.st_ino, status.st_mtime_ns


def public_state() -> PublicState:
    """What is public now, as this worker read it at most ``settings.PUBLIC_STATE_SECONDS``
    ago (read again after a publication, a catalogue change, or the end of an embargo; see the
    module's text). Three queries when read, none otherwise."""
    global _memo
    home = str(settings.HOME)
    stamp = _stamp()
    now = time.monotonic()
    if _memo is not None:
        read_at, seen, memo_home, state = _memo
        if (
            seen == stamp
            and memo_home == home
            and now - read_at < settings.PUBLIC_STATE_SECONDS
            and (state.next_release is None or timezone.now() < state.next_release)
        ):
            return state
    state = _public_state_read()
    _memo = (now, stamp, home, state)
    return state


def _public_state_read() -> PublicState:
    from solidarity.indicators.models import Indicator

    moment = timezone.now()
    revision = catalogue_revision()
    published = DatasetVersion.objects.filter(status=DatasetVersion.Status.PUBLISHED)
    latest: dict[int, tuple[int, str, int, str]] = {}
    next_release = None
    rows = published.values_list(
        "dataset_id", "dataset__indicator_id", "number", "pk", "created_at", "published_at",
        "embargo_until",
    )  # fmt: skip
    for dataset, indicator, number, pk, created, published_at, embargo in rows:
        if embargo is not None and embargo > moment:
            next_release = embargo if next_release is None else min(next_release, embargo)
            continue
        if dataset not in latest or latest[dataset][0] < number:
            stamp = "@".join(str(cell) for cell in (pk, created, published_at, embargo))
            latest[dataset] = (number, indicator, pk, stamp)
    stamps: dict[str, list[tuple[int, str]]] = {}
    for _number, indicator, pk, stamp in latest.values():
        stamps.setdefault(indicator, []).append((pk, stamp))
    return PublicState(
        revision=revision,
        stamps={code: tuple(s for _pk, s in sorted(found)) for code, found in stamps.items()},
        next_release=next_release,
        # In the catalogue's own order, as solidarity.indicators.sdmx.flow_indicator reads them.
        indicators=tuple(Indicator.objects.values_list("code", flat=True)),
    )


def public_state_forget() -> None:
    """Make this worker read the public state again at its next request."""
    global _memo
    _memo = None
    _kept.clear()


# Other reads kept as the public state is: (when, the change stamp then, data folder, value).
_kept: dict[str, tuple[float, tuple[int, int] | None, str, Any]] = {}


def kept_in_worker(name: str, read: Callable[[], T]) -> T:
    """``read()``, kept in this worker under ``name`` as long as the public state would be (at
    most ``PUBLIC_STATE_SECONDS``, until the change stamp is rewritten or
    :func:`public_state_forget`): for what published pages show beside published data (a
    country's profile), whose writes call :func:`public_state_changed`."""
    home = str(settings.HOME)
    stamp = _stamp()
    now = time.monotonic()
    found = _kept.get(name)
    if found is not None:
        read_at, seen, kept_home, value = found
        if seen == stamp and kept_home == home and now - read_at < settings.PUBLIC_STATE_SECONDS:
            return cast(T, value)
    value = read()
    _kept[name] = (now, stamp, home, value)
    return value


def public_state_changed() -> None:
    """Tell every worker that what is public changed: this one forgets its copy at once, the
    others when the change commits (the change stamp is rewritten then)."""
    public_state_forget()
    transaction.on_commit(_stamp_rewrite)


def _stamp_rewrite() -> None:
    public_state_forget()
    path = _stamp_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    # A new file each time (a new inode), so the change is seen even within the clock's tick.
    _write_atomically(path, os.urandom(8))


def answer_key(*parts: str) -> str:
    """The cache key of an answer: a digest of what determines it."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class CachedAnswer:
    """An answer found in the cache: its body's path and the headers it was sent with."""

    body: Path
    #: The same body gzip-compressed, when stored.
    gzip: Path | None
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
    compressed = body.with_name(f"{key}.body.gz")
    return CachedAnswer(
        body,
        compressed if meta.get("gzip") else None,
        meta["media_type"],
        meta["etag"],
        meta.get("last_modified"),
    )


def answer_store(
    chunks: Iterable[bytes],
    *,
    indicator: str,
    key: str,
    media_type: str,
    etag: str,
    last_modified: str | None,
) -> Iterator[bytes]:
    """Hand out ``chunks`` as they come and keep a copy, and a gzip-compressed copy: the answer
    is stored once its last chunk has gone out, never if the stream stops before (an error, a
    client gone)."""
    folder = _folder(indicator)
    folder.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
    descriptor_gz, temporary_gz = tempfile.mkstemp(dir=folder, suffix=".part")
    # wbits 31: a gzip stream (header and trailer), as Content-Encoding: gzip wants it. Level 6
    # takes SDMX-CSV to about a tenth of its size at a few percent of the time to write it.
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    complete = False
    try:
        with os.fdopen(descriptor, "wb") as copy, os.fdopen(descriptor_gz, "wb") as copy_gz:
            for chunk in chunks:
                copy.write(chunk)
                copy_gz.write(compressor.compress(chunk))
                yield chunk
            copy_gz.write(compressor.flush())
        meta = {"media_type": media_type, "etag": etag, "last_modified": last_modified}
        os.replace(temporary_gz, folder / f"{key}.body.gz")
        os.replace(temporary, folder / f"{key}.body")
        # The description last: an answer is found only once both bodies are in place.
        _write_atomically(folder / f"{key}.json", json.dumps({**meta, "gzip": True}).encode())
        complete = True
    finally:
        if not complete:
            for part in (temporary, temporary_gz):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(part)
    _prune()


def _write_atomically(path: Path, content: bytes) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)
    os.replace(temporary, path)


def answers_clear(*, indicator: str | None = None) -> None:
    """Remove the stored answers of one indicator, or all of them; every worker reads the public
    state again (called once a publication or a catalogue change commits)."""
    shutil.rmtree(_folder(indicator) if indicator is not None else cache_root(), ignore_errors=True)
    _stamp_rewrite()


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
        for stale in (path.with_suffix(".json"), path, path.with_name(f"{path.name}.gz")):
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()
        total -= size
