"""Where uploaded IATI files wait: a folder of the server (``SOLIDARITY_IATI_UPLOAD_DIR``), one
file per upload named by an unguessable token, deleted once imported and swept after a day. The
page's dry run keeps the file until it is confirmed; the API's import deletes it at once."""

from __future__ import annotations

import contextlib
import secrets
import time
from pathlib import Path
from typing import Any

from django.conf import settings

# A dry run the uploader never confirmed is deleted after a day.
UPLOAD_TTL_SECONDS = 24 * 3600


def upload_limit() -> int:
    """The largest upload accepted, in bytes (``SOLIDARITY_IATI_UPLOAD_MAX_MB``)."""
    return int(settings.IATI_UPLOAD_MAX_MB) * 1024 * 1024


def upload_dir() -> Path:
    """The upload folder, created when missing and swept of uploads older than a day."""
    folder = Path(settings.IATI_UPLOAD_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - UPLOAD_TTL_SECONDS
    for stale in folder.glob("*.xml"):
        with contextlib.suppress(OSError):
            if stale.stat().st_mtime < cutoff:
                stale.unlink()
    return folder


def store_upload(uploaded: Any) -> tuple[str, Path]:
    """Copy an uploaded file, chunk by chunk, to a new file of the upload folder; returns its
    token and path."""
    token = secrets.token_urlsafe(18)
    path = upload_dir() / f"{token}.xml"
    with path.open("wb") as out:
        for chunk in uploaded.chunks():
            out.write(chunk)
    return token, path
