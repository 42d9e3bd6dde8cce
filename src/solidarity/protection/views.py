"""The protection pages: a provider's runs, a new run, a run's progress, report and audit, its
protected tables as a zip, and its submission to the data hub."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from solidarity.accounts.models import User
from solidarity.accounts.permissions import can_submit_data
from solidarity.indicators import selectors as hub_selectors
from solidarity.indicators.models import Code
from solidarity.protection import actions, selectors
from solidarity.protection.forms import RunForm, SubmitForm
from solidarity.protection.hub import table_ids
from solidarity.protection.models import ProtectionRun
from solidarity.protection.permissions import can_use_protection


def _run_or_404(request: HttpRequest, pk: int) -> ProtectionRun:
    try:
        return selectors.run_get(user=request.user, pk=pk)
    except ProtectionRun.DoesNotExist:
        raise Http404(_("No such protection run.")) from None


@login_required
@require_GET
def run_list(request: HttpRequest) -> HttpResponse:
    if not can_use_protection(request.user):
        raise PermissionDenied
    runs = selectors.run_list_for_user(user=request.user)[:200]
    return render(request, "protection/run_list.html", {"runs": runs})


@login_required
@require_http_methods(["GET", "POST"])
def run_new(request: HttpRequest) -> HttpResponse:
    organisations = list(selectors.organisations_for_runs(user=request.user))
    if not organisations or not can_use_protection(request.user):
        raise PermissionDenied
    form = RunForm(request.POST or None, request.FILES or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        assert isinstance(request.user, User)
        data = form.cleaned_data
        provider = next(o for o in organisations if str(o.pk) == data["organisation"])
        upload = data.get("microdata")
        try:
            run = actions.run_create(
                actor=request.user,
                provider=provider,
                spec_text=data["spec_text"],
                method=data["method"],
                values=data,
                upload=upload.file if upload is not None else None,
                upload_name=upload.name if upload is not None else "",
                server_path=data.get("server_path", ""),
                keep_microdata=data["keep_microdata"],
                engine=data["engine"] or "duckdb",
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            return redirect("protection:run", pk=run.pk)
    return render(
        request, "protection/run_new.html", {"form": form}, status=400 if form.errors else 200
    )


def _submit_form(run: ProtectionRun, data: object = None) -> SubmitForm | None:
    if run.status != ProtectionRun.Status.DONE or not run.audit_passed:
        return None
    return SubmitForm(
        data,
        indicators=hub_selectors.indicator_choices(),
        tables=list(run.report.get("tables", {})),
    )


@login_required
@require_GET
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run_or_404(request, pk)
    form = _submit_form(run) if can_submit_data(request.user, run.provider) else None
    return render(request, "protection/run_detail.html", _context(run, form))


def _context(run: ProtectionRun, form: SubmitForm | None, **extra: object) -> dict[str, object]:
    report = run.report or {}
    return {
        "run": run,
        "report": report,
        "tables": report.get("tables", {}),
        "audit": run.audit or {},
        "form": form,
        "poll": not run.finished,
        **extra,
    }


@login_required
@require_GET
def run_status(request: HttpRequest, pk: int) -> JsonResponse:
    """What the run page polls: status, progress and step."""
    run = _run_or_404(request, pk)
    return JsonResponse(
        {
            "status": run.status,
            "status_label": run.get_status_display(),
            "progress": run.progress,
            "step": run.progress_step,
            "finished": run.finished,
        }
    )


@login_required
@require_GET
def run_download(request: HttpRequest, pk: int) -> FileResponse:
    """The protected tables and report.json as one zip file."""
    run = _run_or_404(request, pk)
    if run.status != ProtectionRun.Status.DONE or not run.output_dir:
        raise Http404(_("This run has no protected tables."))
    folder = Path(run.output_dir)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            if path.is_file() and not path.name.startswith("."):
                archive.write(path, arcname=path.name)
    buffer.seek(0)
    return FileResponse(
        buffer,
        as_attachment=True,
        filename=f"{run.dataset}-run-{run.pk}.zip",
        content_type="application/zip",
    )


@login_required
@require_POST
def run_submit(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run_or_404(request, pk)
    if not can_submit_data(request.user, run.provider):
        raise PermissionDenied
    form = _submit_form(run, request.POST)
    if form is None:
        raise PermissionDenied
    context: dict[str, object] = {}
    if form.is_valid():
        assert isinstance(request.user, User)
        data = form.cleaned_data
        area = data["ref_area"] or run.provider.country_id or ""
        try:
            ref_area = hub_selectors.ref_area_get(iso3_or_m49=area)
        except Code.DoesNotExist:
            form.add_error("ref_area", _("No country or area has this code."))
        else:
            indicator = next(
                i for i in hub_selectors.indicator_choices() if i.code == data["indicator"]
            )
            try:
                publication = actions.run_submit(
                    actor=request.user,
                    run=run,
                    indicator=indicator,
                    ref_area=ref_area,
                    period=data["period"],
                    tables=data["tables"] or table_ids(Path(run.output_dir)),
                    revision_note=data["revision_note"],
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                context["summary"] = publication.submission.summary.as_json()
                context["version"] = publication.submission.version
    status = 400 if form.errors or ("version" in context and not context["version"]) else 200
    return render(
        request, "protection/run_detail.html", _context(run, form, **context), status=status
    )
