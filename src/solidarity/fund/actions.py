"""Every change in the participation fund, each atomic and audited: calls with their criteria,
applications (refused while an earlier grant's report is missing), eligibility screening, the
panel's scores, the allocation run with the reasons for each application, its publication,
disbursements and the grantee's post-event report."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from solidarity.accounts.models import User
from solidarity.audit.actions import audit_record, audit_snapshot
from solidarity.fund import allocation
from solidarity.fund.models import (
    AllocationRun,
    Application,
    Criterion,
    Decision,
    Disbursement,
    FundCall,
    Score,
)
from solidarity.fund.permissions import can_apply, can_manage_fund, can_score
from solidarity.reference.models import Country

CALL_FIELDS = (
    "code",
    "title",
    "cycle_code",
    "budget",
    "currency",
    "opens_on",
    "closes_on",
    "min_awards_per_region",
    "min_women_share",
    "max_region_share",
    "status",
)


def _manager(actor: User) -> None:
    if not can_manage_fund(actor):
        raise PermissionDenied(_("Only the secretariat runs the participation fund."))


@dataclass(frozen=True)
class CriterionSpec:
    name: str
    weight: Decimal
    max_points: int = 10
    description: str = ""


@transaction.atomic
def call_create(
    *,
    actor: User | str,
    code: str,
    title: str,
    cycle_code: str,
    budget: Decimal,
    opens_on: datetime.date,
    closes_on: datetime.date,
    eligibility_rules: str,
    criteria: Iterable[CriterionSpec],
    currency: str = "USD",
    description: str = "",
    min_awards_per_region: int = 0,
    min_women_share: Decimal = Decimal("0"),
    max_region_share: Decimal = Decimal("1"),
) -> FundCall:
    """Open a call with its published rules and scoring criteria. ``actor`` is a user of the
    secretariat, or a label such as ``"system:cli"`` for the command line."""
    if isinstance(actor, User):
        _manager(actor)
    criteria = list(criteria)
    errors: dict[str, list[str]] = {}
    if closes_on < opens_on:
        errors["closes_on"] = [_("A call cannot close before it opens.")]
    if budget <= 0:
        errors["budget"] = [_("The budget must be more than zero.")]
    if not criteria:
        errors["criteria"] = [_("A call needs at least one scoring criterion.")]
    if any(c.weight <= 0 or c.max_points <= 0 for c in criteria):
        errors["criteria"] = [_("Each criterion needs a positive weight and maximum.")]
    if FundCall.objects.filter(code=code).exists():
        errors["code"] = [_("A call with this code exists already.")]
    # Calls name their review cycle by code. Once review cycles are loaded (serve and
    # `reference load` ship them), the code must name one of them.
    from solidarity.reviews.models import ReviewCycle

    if ReviewCycle.objects.exists() and not ReviewCycle.objects.filter(code=cycle_code).exists():
        errors["cycle_code"] = [_("There is no review cycle %(code)s.") % {"code": cycle_code}]
    if errors:
        raise ValidationError(errors)
    call = FundCall(
        code=code,
        title=title,
        cycle_code=cycle_code,
        budget=budget,
        currency=currency,
        opens_on=opens_on,
        closes_on=closes_on,
        eligibility_rules=eligibility_rules,
        description=description,
        min_awards_per_region=min_awards_per_region,
        min_women_share=min_women_share,
        max_region_share=max_region_share,
    )
    call.full_clean()
    call.save()
    Criterion.objects.bulk_create(
        Criterion(
            call=call,
            name=c.name,
            weight=c.weight,
            max_points=c.max_points,
            description=c.description,
        )
        for c in criteria
    )
    audit_record(
        actor=actor,
        action="fund.call_create",
        obj=call,
        after=audit_snapshot(call, fields=CALL_FIELDS)
        | {"criteria": [[c.name, c.weight, c.max_points] for c in criteria]},
    )
    return call


def missing_reports(user: User) -> list[Decision]:
    """Grants ``user`` received whose post-event report has not come in."""
    return list(
        Decision.objects.filter(
            application__applicant=user,
            awarded=True,
            run__published=True,
            report_submitted_at__isnull=True,
        ).select_related("application__call")
    )


@transaction.atomic
def application_submit(
    *,
    actor: User,
    call: FundCall,
    kind: str,
    name: str,
    country: Country,
    amount_requested: Decimal,
    purpose: str,
    gender: str = Application.Gender.UNSAID,
    migrant_led: bool = False,
    women_led: bool = False,
    youth_led: bool = False,
    first_time: bool = False,
    today: datetime.date | None = None,
) -> Application:
    """Apply to an open call. As the UN Voluntary Fund for Indigenous Peoples does, whoever
    received a grant must report on it before a new one."""
    if not can_apply(actor):
        raise PermissionDenied
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if call.status != FundCall.Status.OPEN or not call.opens_on <= today <= call.closes_on:
        raise ValidationError(
            _("This call is not open for applications (open %(start)s to %(end)s).")
            % {"start": call.opens_on.isoformat(), "end": call.closes_on.isoformat()}
        )
    missing = missing_reports(actor)
    if missing:
        raise ValidationError(
            _("Please send the report on your grant from the call %(call)s before applying again.")
            % {"call": missing[0].application.call.code}
        )
    if Application.objects.filter(call=call, applicant=actor).exists():
        raise ValidationError(_("You have applied to this call already."))
    if amount_requested <= 0 or amount_requested > call.budget:
        errors["amount_requested"] = [
            _("Ask for more than zero and at most the call's budget (%(budget)s %(currency)s).")
            % {"budget": Decimal(call.budget).quantize(Decimal("0.01")), "currency": call.currency}
        ]
    if errors:
        raise ValidationError(errors)
    application = Application.objects.create(
        call=call,
        applicant=actor,
        kind=Application.Kind(kind),
        name=name.strip(),
        country=country,
        gender=Application.Gender(gender),
        migrant_led=migrant_led,
        women_led=women_led,
        youth_led=youth_led,
        first_time=first_time,
        amount_requested=amount_requested,
        purpose=purpose.strip(),
    )
    audit_record(
        actor=actor,
        action="fund.application_submit",
        obj=application,
        after=audit_snapshot(application, fields=("call", "kind", "country", "amount_requested")),
    )
    return application


@transaction.atomic
def application_screen(
    *, actor: User, application: Application, eligible: bool, reason: str
) -> Application:
    """Record whether an application meets the call's published eligibility rules."""
    _manager(actor)
    if not reason.strip() and not eligible:
        raise ValidationError({"reason": [_("Say which eligibility rule is not met.")]})
    before = {"status": application.status}
    application.status = Application.Status.ELIGIBLE if eligible else Application.Status.INELIGIBLE
    application.status_reason = reason.strip()
    application.save(update_fields=["status", "status_reason"])
    audit_record(
        actor=actor,
        action="fund.application_screen",
        obj=application,
        before=before,
        after={"status": application.status, "reason": application.status_reason},
    )
    return application


@transaction.atomic
def score_record(
    *, actor: User, application: Application, criterion: Criterion, points: int, comment: str = ""
) -> Score:
    """A panelist's points for one criterion (recorded again, they replace the earlier ones)."""
    if not can_score(actor, applicant_id=application.applicant_id):
        raise PermissionDenied(_("Only panel members score, and never their own application."))
    if criterion.call_id != application.call_id:
        raise ValidationError(_("This criterion belongs to another call."))
    if not 0 <= points <= criterion.max_points:
        raise ValidationError(
            {"points": [_("Give 0 to %(max)s points.") % {"max": criterion.max_points}]}
        )
    score, _created = Score.objects.update_or_create(
        application=application,
        criterion=criterion,
        panelist=actor,
        defaults={"points": points, "comment": comment.strip()},
    )
    audit_record(
        actor=actor,
        action="fund.score",
        obj=application,
        after={"criterion": criterion.name, "points": points},
    )
    return score


def application_score(application: Application, criteria: list[Criterion]) -> Decimal:
    """0 to 100: each criterion's mean points across panelists as a share of its maximum,
    weighted. An application nobody scored scores 0."""
    total_weight = sum((c.weight for c in criteria), Decimal(0))
    if not total_weight:
        return Decimal(0)
    value = Decimal(0)
    scores = list(application.scores.all())
    for criterion in criteria:
        points = [s.points for s in scores if s.criterion_id == criterion.pk]
        if points:
            mean = Decimal(sum(points)) / len(points)
            value += criterion.weight * mean / criterion.max_points
    return (value * 100 / total_weight).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@transaction.atomic
def allocation_run(*, actor: User, call: FundCall) -> AllocationRun:
    """Choose the grants with HiGHS: the highest total score within the budget and the call's
    regional and gender balance rules, every eligible application with its reason."""
    _manager(actor)
    criteria = list(call.criteria.all())
    applications = list(
        call.applications.filter(status=Application.Status.ELIGIBLE)
        .select_related("country__region")
        .prefetch_related("scores")
    )
    scores = {a.pk: application_score(a, criteria) for a in applications}
    candidates = [
        allocation.Candidate(
            key=str(a.pk),
            cost=float(a.amount_requested),
            score=float(scores[a.pk]),
            region=a.country.region.name if a.country.region else "—",
            woman=a.counts_as_woman,
        )
        for a in applications
    ]
    rules = allocation.Rules(
        budget=float(call.budget),
        min_per_region=call.min_awards_per_region,
        min_women_share=float(call.min_women_share),
        max_region_share=float(call.max_region_share),
    )
    result = allocation.allocate(candidates, rules)
    chosen = set(result.chosen)
    call.allocations.filter(published=False).delete()
    run = AllocationRun.objects.create(
        call=call,
        run_by=actor,
        status=result.status,
        total_score=Decimal(str(result.total_score)).quantize(Decimal("0.01")),
        total_amount=Decimal(str(result.total_cost)).quantize(Decimal("0.01")),
    )
    ranked = sorted(applications, key=lambda a: (-scores[a.pk], a.pk))
    rank = {a.pk: position for position, a in enumerate(ranked, start=1)}
    rows = []
    for a in applications:
        if result.status != "optimal":
            reason = _(
                "No set of applications meets the call's balance rules within the budget; the "
                "secretariat must review the rules."
            )
        elif str(a.pk) in chosen:
            reason = _("Chosen: score %(score)s, ranked %(rank)s of %(count)s.") % {
                "score": scores[a.pk],
                "rank": rank[a.pk],
                "count": len(applications),
            }
        else:
            broken = allocation.why_not(str(a.pk), result.chosen, candidates, rules)
            reason = _("Not chosen: score %(score)s, ranked %(rank)s of %(count)s; %(why)s.") % {
                "score": scores[a.pk],
                "rank": rank[a.pk],
                "count": len(applications),
                "why": "; ".join(broken) if broken else _("its score is zero"),
            }
        rows.append(
            Decision(
                run=run,
                application=a,
                score=scores[a.pk],
                awarded=str(a.pk) in chosen,
                amount=a.amount_requested if str(a.pk) in chosen else Decimal(0),
                reason=reason,
            )
        )
    Decision.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        action="fund.allocation_run",
        obj=run,
        after={
            "status": result.status,
            "chosen": sorted(int(k) for k in chosen),
            "total_score": result.total_score,
            "total_amount": result.total_cost,
        },
    )
    return run


@transaction.atomic
def allocation_publish(*, actor: User, run: AllocationRun) -> AllocationRun:
    """Publish a run: the awards and every reason become public, applicants see their result."""
    _manager(actor)
    if run.status != "optimal":
        raise ValidationError(_("An allocation that meets no rule cannot be published."))
    if run.call.allocations.filter(published=True).exists():
        raise ValidationError(_("This call's results are published already."))
    run.published = True
    run.save(update_fields=["published"])
    for decision in run.decisions.select_related("application"):
        application = decision.application
        application.status = (
            Application.Status.AWARDED if decision.awarded else Application.Status.NOT_AWARDED
        )
        application.status_reason = decision.reason
        application.save(update_fields=["status", "status_reason"])
    run.call.status = FundCall.Status.PUBLISHED
    run.call.save(update_fields=["status"])
    audit_record(actor=actor, action="fund.allocation_publish", obj=run, after={"published": True})
    return run


@transaction.atomic
def disbursement_record(
    *, actor: User, decision: Decision, amount: Decimal, paid_on: datetime.date, reference: str = ""
) -> Disbursement:
    """A payment on an award; the payments never add up to more than the award."""
    _manager(actor)
    if not decision.awarded or not decision.run.published:
        raise ValidationError(_("Only a published award is paid."))
    paid = decision.disbursements.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    if amount <= 0 or paid + amount > decision.amount:
        raise ValidationError(
            {
                "amount": [
                    _("%(left)s is left to pay on this award.") % {"left": decision.amount - paid}
                ]
            }
        )
    disbursement = Disbursement.objects.create(
        decision=decision, amount=amount, paid_on=paid_on, reference=reference
    )
    audit_record(
        actor=actor,
        action="fund.disbursement",
        obj=disbursement,
        after={"award": decision.pk, "amount": amount, "paid_on": paid_on},
    )
    return disbursement


@transaction.atomic
def report_submit(*, actor: User, decision: Decision, report: str) -> Decision:
    """The grantee's post-event report, which opens the way to a new grant."""
    if decision.application.applicant_id != actor.pk:
        raise PermissionDenied(_("Only the grantee reports on a grant."))
    if not decision.awarded or not decision.run.published:
        raise ValidationError(_("Only a published award is reported on."))
    if not report.strip():
        raise ValidationError({"report": [_("Please write the report.")]})
    decision.report = report.strip()
    decision.report_submitted_at = timezone.now()
    decision.save(update_fields=["report", "report_submitted_at"])
    audit_record(actor=actor, action="fund.report_submit", obj=decision, after={"report": True})
    return decision
