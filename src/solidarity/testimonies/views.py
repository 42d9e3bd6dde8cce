"""Testimony pages: the public form and its receipt, the receipt page where a person checks or
withdraws, the public pages of released testimonies, what is shared with States and the UN, the
CSV export, the moderators' queue and decision page, and the staff form.

Every read of testimonies goes through the consent gate in :mod:`selectors`; every change goes
through one action in :mod:`actions`.
"""

from __future__ import annotations

import csv
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from solidarity.accounts.models import User
from solidarity.accounts.permissions import states_user_speaks_for
from solidarity.reference import selectors as reference
from solidarity.reference.models import Country
from solidarity.testimonies import actions, ratelimit, selectors
from solidarity.testimonies.forms import (
    ExportForm,
    ModerationForm,
    ReceiptForm,
    RevealForm,
    StaffTestimonyForm,
    TestimonyForm,
    country_from_text,
)
from solidarity.testimonies.models import ModerationDecision, RedactionFlag, Testimony, Use
from solidarity.testimonies.permissions import (
    can_moderate_testimonies,
    can_receive,
    can_record_on_behalf,
)


def _place_names() -> list[str]:
    return [
        name
        for row in Country.objects.values_list("name", "name_fr", "name_es")
        for name in row
        if name
    ]


def _form_context(form: TestimonyForm, **extra: Any) -> dict[str, Any]:
    countries = sorted(c.localized("name") for c in reference.country_list())
    return {"form": form, "country_names": countries, **extra}


def _submit(request: HttpRequest, form: TestimonyForm, *, recorded_by: User | None) -> Any:
    data = form.cleaned_data
    language = (get_language() or "en")[:2]
    prefix = _("Read out by staff: ") if recorded_by is not None else ""
    return actions.testimony_submit(
        text=data["text"],
        language=language,
        identity_level=data["identity_level"],
        consents=form.consents(),
        wording={use: prefix + str(Use(use).label) for use in Use.values},
        name=data["name"],
        pseudonym=data["pseudonym"],
        email=data["email"],
        phone=data["phone"],
        other_contact=data["other_contact"],
        groups=data["groups"],
        objectives=form.chosen_objectives(),
        country_of_origin=data["country_of_origin"],
        country_of_transit=data["country_of_transit"],
        country_of_destination=data["country_of_destination"],
        guardian_name=data["guardian_name"],
        guardian_agrees=data["guardian_agrees"],
        recorded_by=recorded_by,
        place_names=_place_names(),
    )


def _add_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            for message in messages:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


@never_cache
@require_http_methods(["GET", "POST"])
def testimony_new(request: HttpRequest) -> HttpResponse:
    """The public form: no account, no script; a receipt code on success."""
    objectives = list(reference.objective_list())
    address = ratelimit.client_address(request)
    limit = settings.TESTIMONY_SUBMISSIONS_PER_HOUR
    if request.method != "POST":
        form = TestimonyForm(initial={"token": ratelimit.form_token()}, objectives=objectives)
        return render(request, "testimonies/new.html", _form_context(form))
    form = TestimonyForm(request.POST, objectives=objectives)
    if ratelimit.exhausted("testimony", address, limit=limit):
        return render(
            request,
            "testimonies/new.html",
            _form_context(
                form,
                refused=_(
                    "Many testimonies were sent from your connection in the last hour. Your "
                    "text is still here: please try again later, or ask an organisation you "
                    "trust to send it."
                ),
            ),
            status=429,
        )
    refusal = ""
    nonce = ""
    try:
        nonce = ratelimit.check_form_token(
            request.POST.get("token", ""), honeypot=request.POST.get("website", "")
        )
    except ratelimit.FormRefusedError as reason:
        refusal = (
            _("This testimony was already received. Your receipt was shown when you sent it.")
            if str(reason) == "sent already"
            else _("Please check your answers and press “Send my testimony” again.")
        )
    if not refusal and form.is_valid():
        try:
            receipt = _submit(request, form, recorded_by=None)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            ratelimit.spend_nonce(nonce)
            ratelimit.spend("testimony", address, limit=limit)
            return render(request, "testimonies/receipt.html", {"receipt": receipt})
    data = request.POST.copy()
    data["token"] = ratelimit.form_token()
    form.data = data
    return render(request, "testimonies/new.html", _form_context(form, refused=refusal), status=400)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def testimony_record(request: HttpRequest) -> HttpResponse:
    """Staff record a testimony with someone who has no phone or e-mail; the record names them."""
    if not can_record_on_behalf(request.user):
        raise PermissionDenied
    assert isinstance(request.user, User)
    objectives = list(reference.objective_list())
    form = StaffTestimonyForm(
        request.POST or None, initial={"token": "staff"}, objectives=objectives
    )
    if request.method == "POST" and form.is_valid():
        try:
            receipt = _submit(request, form, recorded_by=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return render(
                request, "testimonies/receipt.html", {"receipt": receipt, "on_behalf": True}
            )
    return render(
        request,
        "testimonies/new.html",
        _form_context(form, on_behalf=True),
        status=400 if form.errors else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def receipt(request: HttpRequest) -> HttpResponse:
    """With the receipt code: where the testimony stands, whether the record is intact, and
    withdrawal of some uses or of everything. The code travels in the form, never the address."""
    form = ReceiptForm(request.POST or None)
    context: dict[str, Any] = {"form": form}
    if request.method != "POST" or not form.is_valid():
        return render(request, "testimonies/receipt_lookup.html", context)
    address = ratelimit.client_address(request)
    code = form.cleaned_data["code"]
    lookup = actions.receipt_lookup(code)
    if ratelimit.exhausted(
        "wrong-receipt", address, limit=ratelimit.WRONG_RECEIPTS_PER_HOUR
    ) or not ratelimit.spend("receipt", lookup, limit=ratelimit.LOOKUPS_PER_RECEIPT_PER_HOUR):
        form.add_error(None, _("Too many attempts. Please try again in an hour."))
        return render(request, "testimonies/receipt_lookup.html", context, status=429)
    try:
        testimony = actions.testimony_by_receipt(code=code)
    except Testimony.DoesNotExist:
        ratelimit.spend("wrong-receipt", address, limit=ratelimit.WRONG_RECEIPTS_PER_HOUR)
        form.add_error("code", _("No testimony has this receipt code. Please check it."))
        return render(request, "testimonies/receipt_lookup.html", context, status=404)
    action = request.POST.get("action", "")
    if action == "withdraw_all":
        actions.testimony_withdraw(testimony=testimony)
        context["done"] = _("Your testimony is withdrawn and its text erased.")
    elif action == "withdraw":
        withdrawn = actions.consent_withdraw(
            testimony=testimony, uses=[u for u in request.POST.getlist("use") if u in Use.values]
        )
        if withdrawn:
            context["done"] = _("Your choices are updated.")
    testimony.refresh_from_db()
    digest = actions.receipt_digest(testimony)
    context.update(
        {
            "testimony": testimony,
            "code": code,
            "consents": list(testimony.consents.all()),
            "digest": testimony.receipt_digest,
            "intact": digest == testimony.receipt_digest if digest is not None else None,
        }
    )
    return render(request, "testimonies/receipt_status.html", context)


def _filters(request: HttpRequest) -> tuple[Country | None, int | None]:
    country = country_from_text(request.GET.get("country", ""))
    objective_text = request.GET.get("objective", "")
    objective = int(objective_text) if objective_text.isdigit() else None
    return country, objective


TESTIMONIES_PER_PAGE = 20


def testimony_list(request: HttpRequest) -> HttpResponse:
    """Released testimonies whose authors agreed to publication, by objective and country."""
    country, objective = _filters(request)
    page = Paginator(
        selectors.testimonies_for_use(Use.PUBLISH, state=country, objective=objective).order_by(
            "-published_at", "-id"
        ),
        TESTIMONIES_PER_PAGE,
    ).get_page(request.GET.get("page"))
    query = urlencode(
        {
            k: v
            for k, v in (
                ("country", country.iso3 if country else ""),
                ("objective", objective or ""),
            )
            if v
        }
    )
    return render(
        request,
        "testimonies/list.html",
        {
            "testimonies": [selectors.redacted(testimony) for testimony in page],
            "page": page,
            "query": query,
            "objectives": reference.objective_list(),
            "countries": reference.country_list(),
            "country": country,
            "objective": objective,
        },
    )


def testimony_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    try:
        shared = selectors.shared_testimony(Use.PUBLISH, public_id=public_id)
    except Testimony.DoesNotExist:
        raise Http404(_("No published testimony has this address.")) from None
    return render(request, "testimonies/detail.html", {"shared": shared})


@login_required
def testimony_shared(request: HttpRequest) -> HttpResponse:
    """What is shared with the signed-in person: their State's testimonies for a focal point;
    those shared with UN bodies and for research for the secretariat."""
    sections: list[tuple[str, str, str, list[selectors.SharedTestimony]]] = []
    for state in sorted(states_user_speaks_for(request.user)):
        sections.append(
            (
                _("Shared with your State (%(state)s)") % {"state": state},
                Use.SHARE_STATE,
                state,
                selectors.shared_testimonies(Use.SHARE_STATE, state=state),
            )
        )
    if can_receive(request.user, Use.SHARE_UN):
        sections.append(
            (
                _("Shared with UN bodies"),
                Use.SHARE_UN,
                "",
                selectors.shared_testimonies(Use.SHARE_UN),
            )
        )
    if can_receive(request.user, Use.RESEARCH):
        sections.append(
            (_("For research"), Use.RESEARCH, "", selectors.shared_testimonies(Use.RESEARCH))
        )
    if not sections:
        raise PermissionDenied
    return render(request, "testimonies/shared.html", {"sections": sections})


def testimony_export_csv(request: HttpRequest) -> HttpResponse:
    """Testimonies for one use as CSV (``?use=publish`` by default; ``share_state`` needs
    ``state``), only to those the use shares with, through the consent gate."""
    form = ExportForm(request.GET)
    if not form.is_valid():
        return HttpResponse(_("Unknown use, State or objective."), status=400)
    use = form.cleaned_data["use"] or Use.PUBLISH
    state = (form.cleaned_data["state"] or "").upper() or None
    if use == Use.SHARE_STATE and state is None:
        return HttpResponse(_("Sharing with a State needs the State: add ?state=ISO3."), status=400)
    if not can_receive(request.user, use, state=state):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="solidarity-testimonies-{use}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "id",
            "released",
            "language",
            "objectives",
            "country_of_origin",
            "country_of_transit",
            "country_of_destination",
            "groups",
            "attribution",
            "text",
        ]
    )
    for shared in selectors.shared_testimonies(
        use, state=state, objective=form.cleaned_data["objective"]
    ):
        testimony = shared.testimony
        writer.writerow(
            [
                testimony.public_id,
                testimony.published_at.date().isoformat() if testimony.published_at else "",
                testimony.language,
                ";".join(str(o.number) for o in testimony.objectives.all()),
                testimony.country_of_origin_id or "",
                testimony.country_of_transit_id or "",
                testimony.country_of_destination_id or "",
                ";".join(testimony.groups),
                shared.attribution,
                shared.text,
            ]
        )
    return response


@login_required
def moderation_queue(request: HttpRequest) -> HttpResponse:
    if not can_moderate_testimonies(request.user):
        raise PermissionDenied
    return render(
        request,
        "testimonies/moderation_queue.html",
        {
            "waiting": list(selectors.moderation_queue()),
            "decided": list(selectors.moderated_list()[:50]),
        },
    )


def _flag_choices(flags: list[RedactionFlag], text: str) -> list[tuple[str, str]]:
    return [
        (
            str(flag.pk),
            f"{flag.get_kind_display()}: «{text[flag.start : flag.end]}»"
            if text
            else f"{flag.get_kind_display()} ({flag.start}-{flag.end})",
        )
        for flag in flags
        if flag.automatic
    ]


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def moderate(request: HttpRequest, public_id: str) -> HttpResponse:
    """One testimony for a moderator: its metadata and consents; the text only after the audited
    reveal; then the redactions, the danger question and the decision with its reason."""
    if not can_moderate_testimonies(request.user):
        raise PermissionDenied
    assert isinstance(request.user, User)
    try:
        testimony = selectors.testimonies_for_use(Use.STORE).get(public_id=public_id)
    except (Testimony.DoesNotExist, ValidationError, ValueError):
        raise Http404(_("No testimony waits here.")) from None
    flags = list(testimony.flags.all())
    text = ""
    reveal_form = RevealForm(request.POST if request.POST.get("action") == "reveal" else None)
    moderation_form = ModerationForm(
        request.POST if request.POST.get("action") == "decide" else None,
        flag_choices=_flag_choices(flags, ""),
    )
    document: dict[str, Any] = {}
    status = 200
    if request.method == "POST" and request.POST.get("action") == "reveal":
        if reveal_form.is_valid():
            document = actions.testimony_reveal(
                actor=request.user, testimony=testimony, reason=reveal_form.cleaned_data["reason"]
            )
            text = str(document.get("text", ""))
            moderation_form = ModerationForm(flag_choices=_flag_choices(flags, text))
        else:
            status = 400
    elif request.method == "POST" and request.POST.get("action") == "decide":
        if moderation_form.is_valid():
            data = moderation_form.cleaned_data
            try:
                actions.testimony_moderate(
                    actor=request.user,
                    testimony=testimony,
                    decision=data["decision"],
                    could_endanger=data["could_endanger"],
                    reason=data["reason"],
                    confirmed_flags=[int(pk) for pk in data["flags"]],
                    extra_phrases=data["extra_phrases"].splitlines(),
                )
            except ValidationError as error:
                _add_errors(moderation_form, error)
                status = 400
            else:
                testimony.refresh_from_db()
                return render(
                    request,
                    "testimonies/moderated.html",
                    {"testimony": testimony, "published": testimony.status == "published"},
                )
        else:
            status = 400
    return render(
        request,
        "testimonies/moderate.html",
        {
            "testimony": testimony,
            "consents": list(testimony.consents.all()),
            "decisions": list(testimony.decisions.select_related("moderator")),
            "document": document,
            "text": text,
            "reveal_form": reveal_form,
            "moderation_form": moderation_form,
            "danger": ModerationDecision.Danger,
        },
        status=status,
    )
