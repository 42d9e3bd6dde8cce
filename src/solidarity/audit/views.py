from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from solidarity.audit.forms import AuditFilterForm
from solidarity.audit.selectors import audit_entry_list, audit_object_type_list

ENTRIES_PER_PAGE = 50


@login_required
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET, object_types=audit_object_type_list(user=request.user))
    filters = form.cleaned_data if form.is_valid() else {}
    entries = audit_entry_list(
        user=request.user,
        object_type=filters.get("object_type") or None,
        actor=filters.get("actor") or None,
    )
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "audit/entry_list.html", {"form": form, "page": page})
