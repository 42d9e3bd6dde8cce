"""Every write of the protection app: starting a run, carrying it out (the background task's
body), submitting its tables to the data hub, and publishing a ``solidarity tabulate`` folder
from the command line. Each writes a `solidarity.audit` entry.

The engine (`solidarity.stats.privacy`) does the work; this module only decides where the
files go (`files`), what the parameters are (the command line's documented defaults when the
form and the specification give none) and records what happened.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from solidarity.accounts.models import Organisation, User
from solidarity.audit.actions import audit_record
from solidarity.indicators.actions import SubmissionResult, submission_import
from solidarity.indicators.models import Code, Indicator
from solidarity.protection import files
from solidarity.protection.hub import hub_file, table_ids
from solidarity.protection.models import ProtectionRun
from solidarity.protection.permissions import can_run_protection
from solidarity.stats.privacy.cli import DEFAULT_MAX_DEVIATION, DEFAULT_THRESHOLD, ENGINES
from solidarity.stats.privacy.errors import PrivacyError, SpecError
from solidarity.stats.privacy.spec import Spec, parse_spec

logger = logging.getLogger(__name__)

SPEC_FILE = "specification"
SYSTEM = "system:protection"


def spec_parse(text: str) -> Spec:
    """Validate a table specification given as YAML text.

    The specification's own ``microdata`` and ``state_dir`` are ignored on the web (the run
    names its microdata; its state folder is the provider's), and a hierarchy read from a file
    is refused: the server reads no file a specification names.

    Raises
    ------
    ValidationError
        With the engine's message, which names the key (``specification, key tables[0]: …``)
        or the YAML line.
    """
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or "syntax error"
        raise ValidationError(
            _("%(file)s: is not valid YAML%(where)s: %(problem)s")
            % {"file": SPEC_FILE, "where": where, "problem": problem}
        ) from None
    if isinstance(document, dict):
        dimensions = document.get("dimensions")
        if isinstance(dimensions, dict):
            for name, dimension in dimensions.items():
                hierarchy = dimension.get("hierarchy") if isinstance(dimension, dict) else None
                if isinstance(hierarchy, dict) and "path" in hierarchy:
                    raise ValidationError(
                        _(
                            "%(file)s, key dimensions.%(name)s.hierarchy.path: a hierarchy file "
                            "cannot be read on the server; use a built-in hierarchy and parents"
                        )
                        % {"file": SPEC_FILE, "name": name}
                    )
        document = {k: v for k, v in document.items() if k not in ("microdata", "state_dir")}
    try:
        return parse_spec(document, file=SPEC_FILE, base=files.root())
    except SpecError as error:
        raise ValidationError(str(error)) from None


def run_parameters(
    *, spec: Spec, method: str, values: Mapping[str, Any]
) -> dict[str, float | int | str]:
    """The method's parameters: those given, else the specification's defaults, else the
    command line's (threshold 10, maximum deviation 2). Differential privacy needs rho, or
    epsilon and delta."""
    params: dict[str, float | int | str] = {}
    if method in ("cellkey", "suppress"):
        params["threshold"] = int(values.get("threshold") or spec.threshold or DEFAULT_THRESHOLD)
    if method == "cellkey":
        params["max_deviation"] = int(
            values.get("max_deviation") or spec.max_deviation or DEFAULT_MAX_DEVIATION
        )
    if method == "suppress" and values.get("protection_level"):
        params["protection_level"] = float(values["protection_level"])
    if method == "suppress" and values.get("secondary_method"):
        params["secondary_method"] = str(values["secondary_method"])
    if method == "dp":
        rho, epsilon, delta = (values.get(name) for name in ("rho", "epsilon", "delta"))
        if rho and (epsilon or delta):
            raise ValidationError(_("Give rho, or epsilon and delta, not both."))
        if not rho and not (epsilon and delta):
            raise ValidationError(_("Differential privacy needs rho, or epsilon and delta."))
        if rho:
            params["rho"] = float(rho)
        else:
            params["epsilon"] = float(values["epsilon"])
            params["delta"] = float(values["delta"])
        if values.get("raise_budget"):
            params["raise_budget"] = float(values["raise_budget"])
    return params


def _check_csv_header(head: bytes, name: str, spec: Spec) -> None:
    """Refuse at once an empty, non-UTF-8 or incomplete CSV file (the engine checks every
    row when the run starts)."""
    if not head.strip():
        raise ValidationError(_("%(file)s: the file is empty") % {"file": name})
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A character cut by the end of the chunk read is not an error.
        if error.start < len(head) - 3:
            raise ValidationError(_("%(file)s: is not UTF-8 text") % {"file": name}) from None
    first = head.split(b"\n", 1)[0]
    line = first.decode("utf-8", "replace").lstrip("\ufeff").rstrip("\r")
    header = [column.strip().strip('"') for column in line.split(",")]
    needed = [d.column for d in spec.dimensions.values()]
    if spec.weight:
        needed.append(spec.weight)
    missing = [column for column in needed if column not in header]
    if missing:
        raise ValidationError(
            _("%(file)s, row 1: no column %(columns)s (the file has: %(header)s)")
            % {
                "file": name,
                "columns": ", ".join(repr(c) for c in missing),
                "header": ", ".join(header),
            }
        )


def run_create(
    *,
    actor: User,
    provider: Organisation,
    spec_text: str,
    method: str,
    values: Mapping[str, Any],
    upload: IO[bytes] | None = None,
    upload_name: str = "",
    server_path: str = "",
    keep_microdata: bool = False,
    engine: str = "duckdb",
) -> ProtectionRun:
    """Record a run and queue it (`tasks.protection_run_task`).

    The microdata are an upload (kept in the run's private folder until the run ends) or a
    file inside ``SOLIDARITY_MICRODATA_DIR``. A bad specification, bad parameters, a path
    outside the allowed folder or a CSV file without the specification's columns raise
    `ValidationError` and nothing is written.
    """
    if not can_run_protection(actor, provider):
        raise PermissionDenied
    if method not in ProtectionRun.Method.values:
        raise ValidationError(_("Choose a protection method."))
    if engine not in ENGINES:
        raise ValidationError(_("Choose a tabulation engine."))
    spec = spec_parse(spec_text)
    params = run_parameters(spec=spec, method=method, values=values)
    if (upload is None) == (not server_path.strip()):
        raise ValidationError(_("Upload a microdata file or name one on the server, not both."))
    if upload is not None:
        name = Path(upload_name).name or "microdata.csv"
        if not name.lower().endswith((".csv", ".parquet")):
            raise ValidationError(_("%(file)s: microdata must be CSV or Parquet") % {"file": name})
        upload.seek(0)
        if name.lower().endswith(".csv"):
            _check_csv_header(upload.read(1 << 16), name, spec)
            upload.seek(0)
        source = ProtectionRun.Source.UPLOAD
    else:
        real = files.server_microdata(server_path)
        name = real.name
        if real.suffix.lower() == ".csv":
            with real.open("rb") as handle:
                _check_csv_header(handle.read(1 << 16), name, spec)
        source = ProtectionRun.Source.SERVER
    folder: Path | None = None
    try:
        with transaction.atomic():
            run = ProtectionRun.objects.create(
                provider=provider,
                created_by=actor,
                dataset=spec.dataset,
                spec=spec_text,
                source=source,
                microdata_name=name[:255],
                microdata_path="" if upload is not None else str(real),
                keep_microdata=keep_microdata,
                method=method,
                parameters=params,
                engine=engine,
            )
            if upload is not None:
                folder = files.make_private(files.upload_dir(run.pk))
                target = folder / name
                with target.open("wb") as out:
                    for chunk in iter(lambda: upload.read(1 << 20), b""):
                        out.write(chunk)
                run.microdata_path = str(target)
                run.save(update_fields=["microdata_path"])
            audit_record(
                actor=actor,
                action="protection_run.create",
                obj=run,
                after={
                    "provider": provider.pk,
                    "dataset": run.dataset,
                    "method": method,
                    "parameters": params,
                    "source": source,
                    "microdata": run.microdata_name,
                    "keep_microdata": keep_microdata,
                    "engine": engine,
                },
            )
    except BaseException:
        if folder is not None:
            files.remove_tree(folder)
        raise
    from solidarity.protection.tasks import protection_run_task

    protection_run_task.enqueue(run.pk)
    run.refresh_from_db()
    return run


def _progress(run_id: int, fraction: float, step: str) -> None:
    ProtectionRun.objects.filter(pk=run_id).update(
        progress=min(max(fraction, 0.0), 1.0), progress_step=step[:200]
    )


def run_execute(*, run_id: int) -> ProtectionRun:
    """Carry out a queued run: tabulate, protect and write the tables, audit them, and record
    the report, the audit and the outcome. The uploaded microdata are deleted afterwards,
    whatever the outcome, unless the provider kept them; a server-side file is never deleted."""
    from solidarity.stats.privacy.audit import audit_dir
    from solidarity.stats.privacy.run import MethodUnavailableError, protect

    run = ProtectionRun.objects.select_related("provider").get(pk=run_id)
    if run.status != ProtectionRun.Status.QUEUED:
        return run
    run.status = ProtectionRun.Status.RUNNING
    run.started_at = timezone.now()
    run.progress, run.progress_step = 0.0, "tabulate"
    run.save(update_fields=["status", "started_at", "progress", "progress_step"])
    out = files.output_dir(run.pk)
    state = files.make_private(files.state_dir(run.provider_id, run.dataset))
    error = ""
    try:
        spec = spec_parse(run.spec)

        def progress(done: int, total: int, label: str) -> None:
            # The audit comes after the engine's steps: keep the last share for it.
            _progress(run.pk, 0.9 * done / max(total, 1), label)

        files.make_private(out.parent)
        with files.dataset_lock(state):
            run.report = protect(
                spec,
                run.method,
                dict(run.parameters),
                out,
                microdata_path=Path(run.microdata_path),
                engine=run.engine,
                state_dir=state,
                progress=progress,
            )
            _progress(run.pk, 0.95, "audit")
            result = audit_dir(out, ledger_dir=state)
        run.audit = result.to_dict()
        run.audit_passed = result.passed
        run.output_dir = str(out)
        run.status = ProtectionRun.Status.DONE
    except ValidationError as problem:
        error = "; ".join(problem.messages)
    except (PrivacyError, MethodUnavailableError, ValueError, RuntimeError, OSError) as problem:
        # The engine's refusals name the file, key, row and column; a refused privacy budget
        # and a parameter out of range are ValueError or RuntimeError written for the user.
        error = str(problem)
    except Exception:
        logger.exception("protection run %s failed", run.pk)
        error = _("The run stopped on an unexpected error; the administrators can read the log.")
    if error:
        run.status = ProtectionRun.Status.FAILED
        run.error = error
        files.remove_tree(out)
    deleted = False
    if run.source == ProtectionRun.Source.UPLOAD and not run.keep_microdata:
        files.remove_tree(files.upload_dir(run.pk))
        run.microdata_deleted_at = timezone.now()
        deleted = True
    run.finished_at = timezone.now()
    run.progress = 1.0 if run.status == ProtectionRun.Status.DONE else run.progress
    run.progress_step = run.status
    with transaction.atomic():
        run.save()
        audit_record(
            actor=SYSTEM,
            action="protection_run.finish",
            obj=run,
            after={
                "status": run.status,
                "audit_passed": run.audit_passed,
                "cells": run.report.get("cells"),
                "cells_withheld": run.report.get("cells_withheld"),
                "microdata_deleted": deleted,
                "error": run.error,
            },
        )
    return run


def runs_fail_stale(*, hours: float, actor: str = "system:cli") -> list[ProtectionRun]:
    """Mark as failed the runs queued or running for longer than ``hours`` (a worker that
    died, or none running), and delete their uploaded microdata unless kept: a run that never
    ends must not keep microdata on the server."""
    limit = timezone.now() - timedelta(hours=hours)
    stale = list(
        ProtectionRun.objects.filter(
            status__in=(ProtectionRun.Status.QUEUED, ProtectionRun.Status.RUNNING),
            created_at__lt=limit,
        )
    )
    for run in stale:
        deleted = False
        if run.source == ProtectionRun.Source.UPLOAD and not run.keep_microdata:
            files.remove_tree(files.upload_dir(run.pk))
            run.microdata_deleted_at = timezone.now()
            deleted = True
        files.remove_tree(files.output_dir(run.pk))
        before = run.status
        run.status = ProtectionRun.Status.FAILED
        run.error = _("The run did not finish within %(hours)s hours; it was stopped.") % {
            "hours": hours
        }
        run.finished_at = timezone.now()
        with transaction.atomic():
            run.save()
            audit_record(
                actor=actor,
                action="protection_run.fail_stale",
                obj=run,
                before={"status": before},
                after={"status": run.status, "microdata_deleted": deleted},
            )
    return stale


@dataclass(frozen=True)
class PublicationResult:
    """What a publication did: the hub's result and the tables sent."""

    submission: SubmissionResult
    tables: list[str]


def _publish(
    *,
    actor: User | str,
    directory: Path,
    provider: Organisation,
    indicator: Indicator,
    ref_area: Code,
    period: str,
    tables: Sequence[str],
    dry_run: bool,
    revision_note: str,
) -> PublicationResult:
    known = table_ids(directory)
    chosen = list(tables) or known
    unknown = [t for t in chosen if t not in known]
    if unknown:
        raise ValidationError(
            _("No table %(tables)s in this output (it has: %(known)s).")
            % {"tables": ", ".join(unknown), "known": ", ".join(known)}
        )
    content = hub_file(
        directory, tables=chosen, indicator=indicator, ref_area=ref_area.code, period=period
    )
    name = f"{directory.name}-{'-'.join(chosen)}.csv"
    result = submission_import(
        actor=actor,
        indicator=indicator,
        provider=provider,
        ref_area=ref_area,
        file=io.BytesIO(content),
        file_name=name,
        dry_run=dry_run,
        revision_note=revision_note,
        format="sdmx-csv",
    )
    return PublicationResult(submission=result, tables=chosen)


def run_submit(
    *,
    actor: User,
    run: ProtectionRun,
    indicator: Indicator,
    ref_area: Code,
    period: str,
    tables: Sequence[str] = (),
    revision_note: str = "",
) -> PublicationResult:
    """Submit a finished run's tables (all of them when ``tables`` is empty) to the data hub
    as a draft version of the provider's dataset of ``indicator`` in ``ref_area``.

    Only a run that finished with a passing audit may be submitted, by a data provider of its
    organisation (the hub's rule). The hub refuses a file with errors: nothing is written then,
    and the result's summary says why.
    """
    if run.status != ProtectionRun.Status.DONE or not run.audit_passed:
        raise ValidationError(_("Only a finished run whose audit passed can be submitted."))
    publication = _publish(
        actor=actor,
        directory=Path(run.output_dir),
        provider=run.provider,
        indicator=indicator,
        ref_area=ref_area,
        period=period,
        tables=tables,
        dry_run=False,
        revision_note=revision_note,
    )
    version = publication.submission.version
    if version is not None:
        audit_record(
            actor=actor,
            action="protection_run.submit",
            obj=run,
            after={
                "indicator": indicator.code,
                "ref_area": ref_area.code,
                "period": period,
                "tables": publication.tables,
                "dataset_version": version.pk,
                "number": version.number,
            },
        )
    return publication


def directory_publish(
    *,
    directory: Path,
    provider: Organisation,
    indicator: Indicator,
    ref_area: Code,
    period: str,
    tables: Sequence[str] = (),
    dry_run: bool = False,
    revision_note: str = "",
    actor: str = "system:cli",
) -> PublicationResult:
    """Publish a folder written by ``solidarity tabulate`` into the data hub (the command
    line's ``solidarity protection publish``). The folder's audit must pass first."""
    from solidarity.stats.privacy.audit import audit_dir

    try:
        result = audit_dir(directory)
    except PrivacyError as error:
        raise ValidationError(str(error)) from None
    if not result.passed:
        raise ValidationError(
            _("The audit of %(dir)s failed; nothing was published.\n%(audit)s")
            % {"dir": directory, "audit": str(result)}
        )
    publication = _publish(
        actor=actor,
        directory=directory,
        provider=provider,
        indicator=indicator,
        ref_area=ref_area,
        period=period,
        tables=tables,
        dry_run=dry_run,
        revision_note=revision_note,
    )
    version = publication.submission.version
    if version is not None:
        audit_record(
            actor=actor,
            action="protection.publish",
            obj=version,
            after={
                "directory": str(directory),
                "dataset": result.dataset,
                "method": result.method,
                "indicator": indicator.code,
                "provider": provider.pk,
                "ref_area": ref_area.code,
                "period": period,
                "tables": publication.tables,
            },
        )
    return publication
