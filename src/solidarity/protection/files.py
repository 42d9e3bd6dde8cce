"""Where a protection run's files live, all under ``SOLIDARITY_HOME/protection/``
(``settings.PROTECTION_ROOT``), never under ``MEDIA_ROOT`` and never in the database:

- ``microdata/<run>/``: an uploaded microdata file, deleted when the run ends unless the
  provider keeps it;
- ``runs/<run>/``: the protected tables (SDMX-CSV) and ``report.json`` the engine wrote;
- ``state/<provider>/<dataset>/``: the dataset's record keys and privacy budget ledger, kept
  across every run of the same dataset by the same provider.

Server-side microdata are named by a path inside ``SOLIDARITY_MICRODATA_DIR``
(``settings.MICRODATA_DIR``); `server_microdata` refuses any other, symbolic links included.
"""

from __future__ import annotations

import fcntl
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def root() -> Path:
    return Path(settings.PROTECTION_ROOT)


def upload_dir(run_id: int) -> Path:
    return root() / "microdata" / str(run_id)


def output_dir(run_id: int) -> Path:
    return root() / "runs" / str(run_id)


def state_dir(provider_id: int, dataset: str) -> Path:
    """The dataset's persistent state folder (the dataset name is checked by the engine's
    specification parser: letters, digits, '.', '_' and '-', starting with a letter or digit)."""
    return root() / "state" / str(provider_id) / dataset


def make_private(path: Path) -> Path:
    """Create ``path`` (under the private root) and its parents, readable by the owner only."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    current = path
    while current != root() and root() in current.parents:
        current.chmod(0o700)
        current = current.parent
    root().chmod(0o700)
    return path


@contextmanager
def dataset_lock(state: Path) -> Iterator[None]:
    """Hold the dataset's state for one run at a time: two workers protecting the same dataset
    together would race on its record keys and its budget ledger. The lock file lies beside the
    state folder, on the same file system."""
    with (state.parent / f"{state.name}.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def remove_tree(path: Path) -> None:
    """Delete a folder under the private root (nothing elsewhere)."""
    if root() in path.resolve().parents and path.exists():
        shutil.rmtree(path)


def server_microdata(text: str) -> Path:
    """The real path of a microdata file named inside ``SOLIDARITY_MICRODATA_DIR``.

    Raises
    ------
    ValidationError
        No such folder is configured, or the path (once every ``..`` and symbolic link is
        followed) leads outside it, or is not a file.
    """
    allowed = settings.MICRODATA_DIR
    if not allowed:
        raise ValidationError(
            _("This server accepts no server-side microdata (SOLIDARITY_MICRODATA_DIR is unset).")
        )
    base = Path(allowed).resolve()
    candidate = Path(text.strip())
    if not candidate.is_absolute():
        candidate = base / candidate
    try:
        real = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        raise ValidationError(_("No such file in the server's microdata folder.")) from None
    if base not in real.parents:
        raise ValidationError(_("Only files inside the server's microdata folder may be used."))
    if not real.is_file():
        raise ValidationError(_("No such file in the server's microdata folder."))
    return real
