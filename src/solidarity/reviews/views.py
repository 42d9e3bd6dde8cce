"""The review pages: cycles and their phases, a State's review (read, edit, submit, publish,
comment paragraph by paragraph, versions and their differences), a State's reviews across
cycles and two cycles side by side, stakeholder inputs, the moderation queue and follow-up.

Each view parses the request, checks access through :mod:`solidarity.reviews.permissions`,
asks a selector or calls one action, and renders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from solidarity.accounts.models import User
from solidarity.reference import selectors as reference
from solidarity.reference.models import Country, Objective
from solidarity.reviews import actions, selectors
from solidarity.reviews.forms import (
    CommentForm,
    CycleForm,
    FollowUpForm,
    FollowUpStatusForm,
    ModerationForm,
    PhasesForm,
    ReturnForm,
    StakeholderInputForm,
    StatesForm,
)
from solidarity.reviews.models import (
    CyclePhase,
    FollowUpRecommendation,
    ReviewComment,
    ReviewCycle,
    ReviewSection,
    StakeholderInput,
    StateReview,
    StateReviewVersion,
    paragraphs,
)
from solidarity.reviews.permissions import (
    can_comment_on_draft,
    can_manage_cycles,
    can_moderate_reviews,
    can_publish_review,
    can_read_review_drafts,
    can_record_follow_up,
    can_update_follow_up,
    can_write_review,
    stakeholder_organisations,
)

FIELD_LABELS = {
    "what_was_done": gettext_lazy("What was done"),
    "measures": gettext_lazy("Measures"),
    "challenges": gettext_lazy("Challenges"),
    "support_needed": gettext_lazy("Support needed"),
    "partnerships": gettext_lazy("Partnerships"),
    "body": gettext_lazy("Text"),
}


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _cycle_or_404(code: str) -> ReviewCycle:
    try:
        return selectors.cycle_get(code=code)
    except ReviewCycle.DoesNotExist:
        raise Http404(_("There is no review cycle with this code.")) from None


def _country_or_404(iso3: str) -> Country:
    try:
        return reference.country_get(iso3=iso3)
    except Country.DoesNotExist:
        raise Http404(_("There is no country or area with this code.")) from None


def _form_page(
    request: HttpRequest,
    *,
    form: Any,
    title: str,
    intro: str,
    submit: str,
    back: tuple[str, list[str]],
) -> HttpResponse:
    return render(
        request,
        "reviews/form_page.html",
        {
            "form": form,
            "title": title,
            "intro": intro,
            "submit": submit,
            "back_url": reverse(back[0], args=back[1]),
        },
    )


def _errors(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# ---------------------------------------------------------------------------------------------
# Cycles


def cycle_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    cycles = list(selectors.cycle_list())
    return render(
        request,
        "reviews/cycle_list.html",
        {
            "rows": [(cycle, cycle.open_phases(today=today)) for cycle in cycles],
            "can_manage": can_manage_cycles(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def cycle_new(request: HttpRequest) -> HttpResponse:
    if not can_manage_cycles(request.user):
        raise PermissionDenied
    form = CycleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cycle = actions.cycle_create(actor=_user(request), **form.cleaned_data)
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, _("The cycle is created. Set its phases' dates."))
            return redirect("reviews:phases_edit", code=cycle.code)
    return _form_page(
        request,
        form=form,
        title=_("New review cycle"),
        intro=_("Its five phases start without dates; set them next, then open the cycle."),
        submit=_("Create the cycle"),
        back=("reviews:cycles", []),
    )


def cycle_detail(request: HttpRequest, code: str) -> HttpResponse:
    cycle = _cycle_or_404(code)
    today = timezone.localdate()
    states, organisations = selectors.cycle_participants(cycle=cycle)
    reviews = {r.country_id: r for r in selectors.cycle_reviews(cycle=cycle)}
    shown_reviews = [
        r
        for r in sorted(reviews.values(), key=lambda r: r.country.name)
        if r.is_published or can_read_review_drafts(request.user, r.country_id)
    ]
    user_states = [s for s in states if can_write_review(request.user, s)]
    return render(
        request,
        "reviews/cycle_detail.html",
        {
            "cycle": cycle,
            "phases": selectors.cycle_phases(cycle=cycle),
            "open_phases": {p.kind for p in cycle.open_phases(today=today)},
            "today": today,
            "states": states,
            "organisations": organisations,
            "reviews": shown_reviews,
            "user_states": user_states,
            "inputs": list(selectors.stakeholder_input_list(user=request.user, cycle=cycle)),
            "follow_up": list(selectors.follow_up_list(cycle=cycle)),
            "can_manage": can_manage_cycles(request.user),
            "can_submit_input": bool(stakeholder_organisations(request.user)),
        },
    )


@login_required
@require_POST
def cycle_open(request: HttpRequest, code: str) -> HttpResponse:
    if not can_manage_cycles(request.user):
        raise PermissionDenied
    cycle = _cycle_or_404(code)
    try:
        actions.cycle_open(actor=_user(request), cycle=cycle)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("The cycle is open."))
    return redirect("reviews:cycle", code=cycle.code)


@login_required
@require_http_methods(["GET", "POST"])
def phases_edit(request: HttpRequest, code: str) -> HttpResponse:
    if not can_manage_cycles(request.user):
        raise PermissionDenied
    cycle = _cycle_or_404(code)
    form = PhasesForm(request.POST or None, phases=cycle.phases.all())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            for kind, _label in form.kinds:
                current = cycle.phase(kind)
                values = (data[f"{kind}-starts_on"], data[f"{kind}-ends_on"], data[f"{kind}-note"])
                if current is not None and values == (
                    current.starts_on,
                    current.ends_on,
                    current.note,
                ):
                    continue
                actions.phase_set(
                    actor=_user(request),
                    cycle=cycle,
                    kind=kind,
                    starts_on=values[0],
                    ends_on=values[1],
                    note=values[2],
                )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("The phases are saved."))
            return redirect("reviews:cycle", code=cycle.code)
    return _form_page(
        request,
        form=form,
        title=_("Phases of %(cycle)s") % {"cycle": cycle.code},
        intro=_(
            "Dates are inclusive. A phase without both dates is never open: submissions in it "
            "are refused. Every change is recorded in the audit trail."
        ),
        submit=_("Save the phases"),
        back=("reviews:cycle", [cycle.code]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def states_edit(request: HttpRequest, code: str) -> HttpResponse:
    if not can_manage_cycles(request.user):
        raise PermissionDenied
    cycle = _cycle_or_404(code)
    current = " ".join(cycle.states.order_by("iso3").values_list("iso3", flat=True))
    form = StatesForm(request.POST or None, initial={"states": current})
    if request.method == "POST" and form.is_valid():
        actions.cycle_states_set(
            actor=_user(request), cycle=cycle, states=form.cleaned_data["states"]
        )
        messages.success(request, _("The participating States are saved."))
        return redirect("reviews:cycle", code=cycle.code)
    return _form_page(
        request,
        form=form,
        title=_("Participating States of %(cycle)s") % {"cycle": cycle.code},
        intro=_("Only the focal points of these States can write a review in this cycle."),
        submit=_("Save the participants"),
        back=("reviews:cycle", [cycle.code]),
    )


# ---------------------------------------------------------------------------------------------
# A State's review


@dataclass
class ParagraphView:
    number: int
    text: str
    anchor: str
    comments: list[ReviewComment] = field(default_factory=list)


@dataclass
class FieldView:
    name: str
    label: str
    paragraphs: list[ParagraphView]


@dataclass
class SectionView:
    key: str
    label: str
    fields: list[FieldView]
    citations: list[Any]


def _section_views(
    *, user: Any, version: StateReviewVersion, comments: list[ReviewComment]
) -> list[SectionView]:
    sections = {section.key: section for section in version.sections.all()}
    all_citations = [c for s in sections.values() for c in s.citations.all()]
    resolved = selectors.citations_resolve(user=user, citations=all_citations)
    grouped = selectors.comments_by_paragraph(comments)
    views = []
    for key, label in selectors.template_parts():
        section = sections.get(key)
        if section is None:
            continue
        fields = []
        for name, text in section.texts().items():
            if not text:
                continue
            fields.append(
                FieldView(
                    name=name,
                    label=str(FIELD_LABELS[name]),
                    paragraphs=[
                        ParagraphView(
                            number=n,
                            text=paragraph,
                            anchor=f"p-{key}-{name}-{n}",
                            comments=grouped.get((key, name, n), []),
                        )
                        for n, paragraph in enumerate(paragraphs(text), start=1)
                    ],
                )
            )
        views.append(
            SectionView(
                key=key,
                label=label,
                fields=fields,
                citations=[resolved[c.pk] for c in section.citations.all()],
            )
        )
    return views


def review_detail(request: HttpRequest, code: str, iso3: str) -> HttpResponse:
    """The State's review as the visitor may see it: the published version for all, the
    latest draft for its authors and the secretariat; ``?version=N`` for an earlier one."""
    cycle = _cycle_or_404(code)
    country = _country_or_404(iso3)
    review = selectors.review_for_dossier(user=request.user, state=country, cycle=cycle)
    version = review.shown_version if review is not None else None
    if review is not None and request.GET.get("version"):
        try:
            version = selectors.version_get(
                user=request.user, review=review, number=int(request.GET["version"])
            )
        except (ValueError, StateReviewVersion.DoesNotExist):
            raise Http404(_("There is no such version.")) from None
    sections: list[SectionView] = []
    comment_as: list[Any] = []
    may_comment = False
    if review is not None and version is not None:
        comments = selectors.comments_for_version(user=request.user, version=version)
        sections = _section_views(user=request.user, version=version, comments=comments)
        if version.pk == review.published_version_id:
            comment_as = stakeholder_organisations(request.user)
            may_comment = bool(comment_as) and CyclePhase.Kind.STAKEHOLDER_INPUTS in {
                p.kind for p in cycle.open_phases(today=timezone.localdate())
            }
        else:
            may_comment = can_comment_on_draft(request.user, country)
    return render(
        request,
        "reviews/review_detail.html",
        {
            "cycle": cycle,
            "country": country,
            "review": review,
            "version": version,
            "sections": sections,
            "versions": selectors.review_versions(user=request.user, review=review)
            if review is not None
            else [],
            "can_write": can_write_review(request.user, country),
            "can_publish": can_publish_review(request.user),
            "may_comment": may_comment,
            "comment_as": comment_as,
            "return_form": ReturnForm(),
            "follow_up": selectors.follow_up_for_dossier(state=country, cycle=cycle),
            "can_record_follow_up": can_record_follow_up(request.user),
            "can_update_follow_up": can_update_follow_up(request.user, country),
            "inputs": list(
                selectors.stakeholder_input_list(user=request.user, cycle=cycle, state=country)
            ),
        },
    )


@dataclass
class EditorPart:
    key: str
    label: str
    objective: Objective | None
    fields: list[tuple[str, str, str]]  # (input name, label, value)
    citations: list[tuple[str, str, str]]  # (input name, label, value)
    filled: bool


CITATION_INPUTS = (
    ("indicator", gettext_lazy("Indicators cited (codes from the data hub, separated by spaces)")),
    ("pledge", gettext_lazy("Pledges cited (numbers, separated by spaces)")),
    (
        "recommendation",
        gettext_lazy("Human-rights recommendations cited (numbers, separated by spaces)"),
    ),
)


def _editor_parts(*, version: StateReviewVersion | None, data: Any | None) -> list[EditorPart]:
    sections = {s.key: s for s in version.sections.all()} if version is not None else {}
    objectives = {o.number: o for o in reference.objective_list()}
    parts = []
    for key, label in selectors.template_parts():
        section = sections.get(key)
        is_objective = key.startswith("objective-")
        names = ReviewSection.OBJECTIVE_FIELDS if is_objective else ("body",)
        fields = []
        for name in names:
            value = (
                data.get(f"{key}-{name}", "")
                if data is not None
                else (getattr(section, name) if section is not None else "")
            )
            fields.append((f"{key}-{name}", str(FIELD_LABELS[name]), value))
        citations = []
        for kind, kind_label in CITATION_INPUTS:
            if data is not None:
                value = data.get(f"{key}-cite-{kind}", "")
            else:
                value = " ".join(
                    c.reference
                    for c in (section.citations.all() if section else [])
                    if c.kind == kind
                )
            citations.append((f"{key}-cite-{kind}", str(kind_label), value))
        parts.append(
            EditorPart(
                key=key,
                label=label,
                objective=objectives.get(int(key.split("-")[1])) if is_objective else None,
                fields=fields,
                citations=citations,
                filled=any(v for _n, _l, v in fields) or any(v for _n, _l, v in citations),
            )
        )
    return parts


def _sections_from_post(data: Any) -> list[actions.SectionText]:
    texts = []
    for key, _label in selectors.template_parts():
        is_objective = key.startswith("objective-")
        citations = [
            (kind, reference)
            for kind, _l in CITATION_INPUTS
            for reference in data.get(f"{key}-cite-{kind}", "").replace(",", " ").split()
        ]
        if is_objective:
            text = actions.SectionText(
                part="objective",
                objective=int(key.split("-")[1]),
                citations=citations,
                **{name: data.get(f"{key}-{name}", "") for name in ReviewSection.OBJECTIVE_FIELDS},
            )
        else:
            text = actions.SectionText(
                part=key, body=data.get(f"{key}-body", ""), citations=citations
            )
        texts.append(text)
    return texts


@login_required
@require_http_methods(["GET", "POST"])
def review_edit(request: HttpRequest, code: str, iso3: str) -> HttpResponse:
    """The State review editor, for the State's focal points: every save is a new version."""
    cycle = _cycle_or_404(code)
    country = _country_or_404(iso3)
    if not can_write_review(request.user, country):
        raise PermissionDenied
    review = selectors.review_for_dossier(user=request.user, state=country, cycle=cycle)
    data = request.POST if request.method == "POST" else None
    if data is not None:
        try:
            saved = actions.review_save(
                actor=_user(request),
                cycle=cycle,
                country=country,
                sections=_sections_from_post(data),
                note=data.get("note", ""),
            )
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("Version %(number)s is saved.") % {"number": saved.number})
            return redirect("reviews:review", code=cycle.code, iso3=country.iso3)
    shown = review.shown_version if review is not None else None
    return render(
        request,
        "reviews/review_edit.html",
        {
            "cycle": cycle,
            "country": country,
            "review": review,
            "parts": _editor_parts(version=shown, data=data),
            "note": data.get("note", "") if data is not None else "",
        },
    )


def _review_or_404(cycle: ReviewCycle, country: Country) -> StateReview:
    review = selectors.review_get(cycle=cycle, state=country)
    if review is None:
        raise Http404(_("This State has no review in this cycle."))
    return review


@login_required
@require_POST
def review_submit(request: HttpRequest, code: str, iso3: str) -> HttpResponse:
    cycle, country = _cycle_or_404(code), _country_or_404(iso3)
    if not can_write_review(request.user, country):
        raise PermissionDenied
    try:
        actions.review_submit(actor=_user(request), review=_review_or_404(cycle, country))
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("The review is submitted to the secretariat."))
    return redirect("reviews:review", code=cycle.code, iso3=country.iso3)


@login_required
@require_POST
def review_publish(request: HttpRequest, code: str, iso3: str) -> HttpResponse:
    cycle, country = _cycle_or_404(code), _country_or_404(iso3)
    if not can_publish_review(request.user):
        raise PermissionDenied
    try:
        actions.review_publish(actor=_user(request), review=_review_or_404(cycle, country))
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("The review is published."))
    return redirect("reviews:review", code=cycle.code, iso3=country.iso3)


@login_required
@require_POST
def review_return(request: HttpRequest, code: str, iso3: str) -> HttpResponse:
    cycle, country = _cycle_or_404(code), _country_or_404(iso3)
    if not can_publish_review(request.user):
        raise PermissionDenied
    form = ReturnForm(request.POST)
    try:
        actions.review_return(
            actor=_user(request),
            review=_review_or_404(cycle, country),
            reason=form.data.get("reason", ""),
        )
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("The review is returned to its authors."))
    return redirect("reviews:review", code=cycle.code, iso3=country.iso3)


@login_required
@require_POST
def comment_new(request: HttpRequest, code: str, iso3: str, number: int) -> HttpResponse:
    cycle, country = _cycle_or_404(code), _country_or_404(iso3)
    review = _review_or_404(cycle, country)
    try:
        version = selectors.version_get(user=request.user, review=review, number=number)
    except StateReviewVersion.DoesNotExist:
        raise Http404(_("There is no such version.")) from None
    form = CommentForm(request.POST)
    target = redirect("reviews:review", code=cycle.code, iso3=country.iso3)
    if not form.is_valid():
        messages.error(request, _("Write the comment."))
        return target
    data = form.cleaned_data
    organisation = None
    if data["organisation"]:
        organisation = next(
            (o for o in stakeholder_organisations(request.user) if o.pk == data["organisation"]),
            None,
        )
        if organisation is None:
            raise PermissionDenied
    try:
        actions.review_comment_add(
            actor=_user(request),
            version=version,
            section_key=data["section_key"],
            field_name=data["field"],
            paragraph=data["paragraph"],
            text=data["text"],
            organisation=organisation,
        )
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(
            request,
            _("Your comment is sent; a moderator will review it before it is shown.")
            if organisation is not None
            else _("Your comment is added."),
        )
    return target


@login_required
def review_diff(request: HttpRequest, code: str, iso3: str) -> HttpResponse:
    """What changed between two versions (``?from=1&to=2``), for those who may read drafts."""
    cycle, country = _cycle_or_404(code), _country_or_404(iso3)
    if not can_read_review_drafts(request.user, country):
        raise PermissionDenied
    review = _review_or_404(cycle, country)
    try:
        new_number = int(request.GET.get("to") or review.versions.count())
        old_number = int(request.GET.get("from") or new_number - 1)
        old = selectors.version_get(user=request.user, review=review, number=old_number)
        new = selectors.version_get(user=request.user, review=review, number=new_number)
    except (ValueError, StateReviewVersion.DoesNotExist):
        raise Http404(_("There is no such version.")) from None
    labels = dict(selectors.template_parts())
    diffs = [
        (labels.get(d.section, d.section), FIELD_LABELS.get(d.field, _("Citations")), d.lines)
        for d in selectors.version_diff(old=old, new=new)
    ]
    return render(
        request,
        "reviews/review_diff.html",
        {"cycle": cycle, "country": country, "old": old, "new": new, "diffs": diffs},
    )


def state_history(request: HttpRequest, iso3: str) -> HttpResponse:
    country = _country_or_404(iso3)
    history = selectors.reviews_of_state(user=request.user, state=country)
    return render(
        request,
        "reviews/state_history.html",
        {"country": country, "history": history, "cycles": list(selectors.cycle_list())},
    )


def compare(request: HttpRequest, iso3: str) -> HttpResponse:
    """A State's reviews in two cycles side by side (``?left=CODE&right=CODE``)."""
    country = _country_or_404(iso3)
    cycles = list(selectors.cycle_list())
    left_code, right_code = request.GET.get("left", ""), request.GET.get("right", "")
    context: dict[str, Any] = {"country": country, "cycles": cycles, "rows": None}
    if left_code and right_code:
        left, right = _cycle_or_404(left_code), _cycle_or_404(right_code)
        left_review, right_review, rows = selectors.review_comparison(
            user=request.user, state=country, left=left, right=right
        )
        context |= {
            "left": left,
            "right": right,
            "left_review": left_review,
            "right_review": right_review,
            "rows": [
                (
                    row,
                    [(FIELD_LABELS[n], v) for n, v in row.left.texts().items() if v]
                    if row.left
                    else [],
                    [(FIELD_LABELS[n], v) for n, v in row.right.texts().items() if v]
                    if row.right
                    else [],
                )
                for row in rows
            ],
        }
    return render(request, "reviews/compare.html", context)


# ---------------------------------------------------------------------------------------------
# Stakeholder inputs and moderation


@login_required
@require_http_methods(["GET", "POST"])
def input_new(request: HttpRequest, code: str) -> HttpResponse:
    cycle = _cycle_or_404(code)
    organisations = stakeholder_organisations(request.user)
    if not organisations:
        raise PermissionDenied
    initial = {"country": request.GET.get("state") or None, "organisation": organisations[0].pk}
    form = StakeholderInputForm(request.POST or None, organisations=organisations, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            item = actions.stakeholder_input_submit(
                actor=_user(request), cycle=cycle, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request, _("Your input is sent; a moderator will review it before it is shown.")
            )
            return redirect("reviews:input", pk=item.pk)
    return _form_page(
        request,
        form=form,
        title=_("Submit a stakeholder input to %(cycle)s") % {"cycle": cycle.code},
        intro=_(
            "Your organisation's own assessment of a State or of an objective. A moderator "
            "reviews it before it is published; if it is refused, you will see the reason here."
        ),
        submit=_("Submit the input"),
        back=("reviews:cycle", [cycle.code]),
    )


def input_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        item = selectors.stakeholder_input_get(user=request.user, pk=pk)
    except StakeholderInput.DoesNotExist:
        raise Http404(_("There is no such input, or it is not public.")) from None
    return render(request, "reviews/input_detail.html", {"item": item})


@login_required
def moderation(request: HttpRequest) -> HttpResponse:
    if not can_moderate_reviews(request.user):
        raise PermissionDenied
    return render(
        request,
        "reviews/moderation.html",
        {"queue": selectors.moderation_queue(), "form": ModerationForm()},
    )


def _moderate(request: HttpRequest, item: StakeholderInput | ReviewComment) -> HttpResponse:
    form = ModerationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Approve or refuse."))
        return redirect("reviews:moderation")
    approve = form.cleaned_data["decision"] == "approve"
    try:
        if isinstance(item, StakeholderInput):
            actions.stakeholder_input_moderate(
                actor=_user(request), item=item, approve=approve, reason=form.cleaned_data["reason"]
            )
        else:
            actions.review_comment_moderate(
                actor=_user(request),
                comment=item,
                approve=approve,
                reason=form.cleaned_data["reason"],
            )
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("Approved.") if approve else _("Refused, with the reason."))
    return redirect("reviews:moderation")


@login_required
@require_POST
def moderate_input(request: HttpRequest, pk: int) -> HttpResponse:
    if not can_moderate_reviews(request.user):
        raise PermissionDenied
    item = selectors.input_to_moderate(pk=pk)
    if item is None:
        raise Http404(_("There is no such input."))
    return _moderate(request, item)


@login_required
@require_POST
def moderate_comment(request: HttpRequest, pk: int) -> HttpResponse:
    if not can_moderate_reviews(request.user):
        raise PermissionDenied
    comment = selectors.comment_to_moderate(pk=pk, stakeholder_only=True)
    if comment is None:
        raise Http404(_("There is no such comment."))
    return _moderate(request, comment)


# ---------------------------------------------------------------------------------------------
# Follow-up


@login_required
@require_http_methods(["GET", "POST"])
def follow_up_new(request: HttpRequest, code: str, iso3: str) -> HttpResponse:
    if not can_record_follow_up(request.user):
        raise PermissionDenied
    cycle, country = _cycle_or_404(code), _country_or_404(iso3)
    form = FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.follow_up_add(
                actor=_user(request), cycle=cycle, country=country, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("The recommendation is recorded."))
            return redirect("reviews:review", code=cycle.code, iso3=country.iso3)
    return _form_page(
        request,
        form=form,
        title=_("Follow-up recommendation to %(state)s (%(cycle)s)")
        % {"state": country.localized("name"), "cycle": cycle.code},
        intro=_("The State's focal points then record what is done about it, dated."),
        submit=_("Record the recommendation"),
        back=("reviews:review", [cycle.code, country.iso3]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def follow_up_status(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        recommendation = selectors.follow_up_get(pk=pk)
    except FollowUpRecommendation.DoesNotExist:
        raise Http404(_("There is no such recommendation.")) from None
    if not can_update_follow_up(request.user, recommendation.country_id):
        raise PermissionDenied
    form = FollowUpStatusForm(request.POST or None, initial={"as_of": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            actions.follow_up_status_add(
                actor=_user(request), recommendation=recommendation, **form.cleaned_data
            )
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, _("The status is recorded."))
            return redirect(
                "reviews:review", code=recommendation.cycle.code, iso3=recommendation.country_id
            )
    return _form_page(
        request,
        form=form,
        title=_("Record the follow-up status"),
        intro=recommendation.text,
        submit=_("Record the status"),
        back=("reviews:review", [recommendation.cycle.code, recommendation.country_id]),
    )
