"""Reads of pledges and their money, with the visibility rules of
:mod:`solidarity.commitments.permissions` applied in the query itself.

Money is summed in US dollars over transactions whose conversion is known; the number of
transactions that could not be converted is given beside each sum, never counted as zero.

- **pledged**: outgoing pledges (IATI transaction type 12);
- **committed**: outgoing commitments (type 2);
- **disbursed**: disbursements and expenditure (types 3 and 4: money that left the pledger).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear

from solidarity.accounts.models import Organisation
from solidarity.accounts.permissions import (
    AnyUser,
    is_administrator,
    organisations_user_belongs_to,
    states_user_speaks_for,
)
from solidarity.commitments.models import (
    Assessment,
    FinancialCommitment,
    Pledge,
    ProgressUpdate,
    Transaction,
)
from solidarity.commitments.permissions import (
    can_edit_pledge,
    can_view_pledge,
    organisations_user_pledges_for,
)
from solidarity.reference.models import Country, Objective, SolidarityType
from solidarity.reference.selectors import UnknownFilter

PLEDGED = ("12",)
COMMITTED = ("2",)
DISBURSED = ("3", "4")
_TX = "financial_commitments__transactions"


def visible_pledges(user: AnyUser | None) -> QuerySet[Pledge]:
    """Published pledges, with the drafts ``user`` may see (their own; all for administrators)."""
    pledges = Pledge.objects.all()
    if is_administrator(user):
        return pledges
    own = Q(state__in=states_user_speaks_for(user)) | Q(
        organisation__in=organisations_user_pledges_for(user)
    )
    return pledges.filter(Q(status=Pledge.Status.PUBLISHED) | own)


def _money(pledges: QuerySet[Pledge]) -> QuerySet[Pledge]:
    def total(types: tuple[str, ...]) -> Sum:
        return Sum(f"{_TX}__value_usd", filter=Q(**{f"{_TX}__type__in": types}))

    return pledges.annotate(
        pledged_usd=total(PLEDGED),
        committed_usd=total(COMMITTED),
        disbursed_usd=total(DISBURSED),
        not_converted=Count(
            f"{_TX}",
            filter=Q(**{f"{_TX}__value_usd__isnull": True})
            & Q(**{f"{_TX}__type__in": PLEDGED + COMMITTED + DISBURSED}),
        ),
    )


def _with_links(pledges: QuerySet[Pledge]) -> QuerySet[Pledge]:
    return pledges.select_related("state", "organisation", "answers").prefetch_related(
        Prefetch("objectives", queryset=Objective.objects.order_by("number")),
        Prefetch("solidarity_types", queryset=SolidarityType.objects.order_by("order")),
        "partner_states",
        "partner_organisations",
    )


@dataclass(frozen=True)
class PledgeFilters:
    q: str = ""
    state: str = ""
    organisation: int | None = None
    objective: int | None = None
    form: str = ""
    solidarity_type: str = ""
    stage: str = ""
    south_south: bool = False
    status: str = ""


def pledge_list(*, user: AnyUser | None, filters: PledgeFilters | None = None) -> QuerySet[Pledge]:
    """The registry: pledges ``user`` may see, filtered, newest first, with their objectives,
    kinds of solidarity and money totals — a fixed number of queries whatever the count.

    A State counts as pledger or partner. An unknown State or objective raises
    :class:`~solidarity.reference.selectors.UnknownFilter`."""
    f = filters or PledgeFilters()
    pledges = visible_pledges(user)
    if f.q.strip():
        q = f.q.strip()
        pledges = pledges.filter(
            Q(title__icontains=q) | Q(what__icontains=q) | Q(measured_how__icontains=q)
        )
    if f.state:
        code = f.state.upper()
        if not Country.objects.filter(iso3=code).exists():
            raise UnknownFilter(f"Unknown State: {f.state!r}; give an ISO 3166-1 alpha-3 code.")
        pledges = pledges.filter(
            Q(state=code)
            | Q(
                pk__in=Pledge.partner_states.through.objects.filter(country_id=code).values(
                    "pledge_id"
                )
            )
        )
    if f.organisation is not None:
        pledges = pledges.filter(organisation=f.organisation)
    if f.objective is not None:
        if not 1 <= f.objective <= 23:
            raise UnknownFilter(
                f"Unknown GCM objective: {f.objective!r}; objectives run from 1 to 23."
            )
        pledges = pledges.filter(
            pk__in=Pledge.objectives.through.objects.filter(objective_id=f.objective).values(
                "pledge_id"
            )
        )
    if f.form:
        pledges = pledges.filter(form=f.form)
    if f.solidarity_type:
        pledges = pledges.filter(
            pk__in=Pledge.solidarity_types.through.objects.filter(
                solidaritytype_id=f.solidarity_type
            ).values("pledge_id")
        )
    if f.stage:
        pledges = pledges.filter(stage=f.stage)
    if f.south_south:
        pledges = pledges.filter(Q(south_south=True) | Q(triangular=True))
    if f.status:
        pledges = pledges.filter(status=f.status)
    return _with_links(_money(pledges)).order_by("-created_at", "-id")


def pledge_get(*, user: AnyUser | None, pk: int) -> Pledge:
    """One pledge with its money totals. Raises ``Pledge.DoesNotExist`` when there is none and
    :class:`~django.core.exceptions.PermissionDenied` when ``user`` may not see it (a draft)."""
    pledge = (
        _with_links(_money(Pledge.objects.filter(pk=pk)))
        .prefetch_related("principles", "target_groups", "matching_pledges")
        .get()
    )
    if not can_view_pledge(user, pledge):
        raise PermissionDenied
    return pledge


def progress_list(*, user: AnyUser | None, pledge: Pledge) -> list[ProgressUpdate]:
    """Approved updates for everyone; all of them for the pledge's editors and reviewers."""
    from solidarity.accounts.permissions import is_reviewer

    updates = pledge.progress_updates.select_related("created_by", "reviewed_by")
    if not (can_edit_pledge(user, pledge) or is_reviewer(user)):
        updates = updates.filter(status=ProgressUpdate.Status.APPROVED)
    return list(updates)


def assessment_list(*, pledge: Pledge) -> list[Assessment]:
    return list(pledge.assessments.select_related("author", "organisation"))


def transaction_list(*, pledge: Pledge) -> list[Transaction]:
    return list(
        Transaction.objects.filter(commitment__pledge=pledge)
        .select_related("commitment")
        .order_by("date", "commitment_id", "position")
    )


def visible_pledges_matching(*, user: AnyUser | None, pledge: Pledge) -> list[Pledge]:
    """The pledges that answer ``pledge`` and that ``user`` may see."""
    return list(visible_pledges(user).filter(answers=pledge).order_by("id"))


def _public_transactions() -> QuerySet[Transaction]:
    """Transactions of published pledges and of imported activities (published IATI data);
    never of a draft pledge."""
    return Transaction.objects.filter(
        Q(commitment__pledge__isnull=True) | Q(commitment__pledge__status=Pledge.Status.PUBLISHED)
    )


def disbursed_usd_by_state(*, year: int) -> dict[str, Decimal]:
    """US dollars disbursed (IATI types 3 and 4) in ``year`` by each providing State, by ISO3.

    The providing State is the pledging State for money entered on a State's pledge, and the
    reporting government (type 10 with a country-prefixed identifier) for imported IATI
    activities. Only published pledges and imported activities count; transactions that could
    not be converted to US dollars are left out (see :func:`not_converted_by_state`). A State
    with nothing disbursed is absent (unknown is not zero)."""
    rows = (
        _public_transactions()
        .filter(type__in=DISBURSED, date__year=year, commitment__provider_state__isnull=False)
        .exclude(value_usd__isnull=True)
        .values("commitment__provider_state")
        .annotate(total=Sum("value_usd"))
    )
    return {row["commitment__provider_state"]: row["total"] for row in rows}


def not_converted_by_state(*, year: int) -> dict[str, int]:
    """How many disbursements of ``year`` each State has without a US-dollar value."""
    rows = (
        _public_transactions()
        .filter(
            type__in=DISBURSED,
            date__year=year,
            commitment__provider_state__isnull=False,
            value_usd__isnull=True,
        )
        .values("commitment__provider_state")
        .annotate(count=Count("id"))
    )
    return {row["commitment__provider_state"]: row["count"] for row in rows}


@dataclass
class Dashboard:
    by_year: list[tuple[int, Decimal, Decimal, Decimal]]
    by_objective: list[tuple[Objective, Decimal]]
    by_solidarity_type: list[tuple[SolidarityType, Decimal]]
    flows: list[tuple[str, str, Decimal, bool]]
    south_south_usd: Decimal
    total_disbursed_usd: Decimal
    not_converted: int


def dashboard(*, user: AnyUser | None, filters: PledgeFilters | None = None) -> Dashboard:
    """The money of the pledges ``user`` sees (the registry's filters apply): pledged,
    committed and disbursed by year; disbursed by objective and kind of solidarity (a pledge
    serving several counts in each); flows from pledger to recipient country; South-South and
    triangular cooperation."""
    pledge_ids = pledge_list(user=user, filters=filters).values("pk")
    transactions = Transaction.objects.filter(commitment__pledge__in=pledge_ids)
    years: dict[int, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 3)
    for row in (
        transactions.exclude(value_usd__isnull=True)
        .exclude(date__isnull=True)
        .annotate(year=ExtractYear("date"))
        .values("year", "type")
        .annotate(total=Sum("value_usd"))
    ):
        index = 0 if row["type"] in PLEDGED else 1 if row["type"] in COMMITTED else 2
        if row["type"] in PLEDGED + COMMITTED + DISBURSED:
            years[row["year"]][index] += row["total"]
    disbursed = transactions.filter(type__in=DISBURSED).exclude(value_usd__isnull=True)
    by_objective = {
        row["commitment__pledge__objectives"]: row["total"]
        for row in disbursed.values("commitment__pledge__objectives").annotate(
            total=Sum("value_usd")
        )
        if row["commitment__pledge__objectives"] is not None
    }
    by_type = {
        row["commitment__pledge__solidarity_types"]: row["total"]
        for row in disbursed.values("commitment__pledge__solidarity_types").annotate(
            total=Sum("value_usd")
        )
        if row["commitment__pledge__solidarity_types"] is not None
    }
    countries = {c.iso2: c for c in Country.objects.all()}
    flows: dict[tuple[str, str, bool], Decimal] = defaultdict(Decimal)
    for row in disbursed.values(
        "commitment__pledge__state__name",
        "commitment__pledge__organisation__name",
        "recipient_country",
        "commitment__pledge__south_south",
        "commitment__pledge__triangular",
    ).annotate(total=Sum("value_usd")):
        giver = (
            row["commitment__pledge__state__name"] or row["commitment__pledge__organisation__name"]
        )
        country = countries.get(row["recipient_country"])
        receiver = country.localized("name") if country else (row["recipient_country"] or "—")
        south = bool(
            row["commitment__pledge__south_south"] or row["commitment__pledge__triangular"]
        )
        flows[giver, receiver, south] += row["total"]
    objectives = Objective.objects.in_bulk(list(by_objective))
    types = SolidarityType.objects.in_bulk(list(by_type))
    south_south = disbursed.filter(
        Q(commitment__pledge__south_south=True) | Q(commitment__pledge__triangular=True)
    ).aggregate(total=Sum("value_usd"))["total"] or Decimal(0)
    return Dashboard(
        by_year=[(year, *values) for year, values in sorted(years.items())],  # type: ignore[misc]
        by_objective=sorted(
            ((objectives[n], total) for n, total in by_objective.items()), key=lambda p: p[0].number
        ),
        by_solidarity_type=sorted(
            ((types[c], total) for c, total in by_type.items()), key=lambda p: p[0].order
        ),
        flows=sorted(
            ((g, r, total, south) for (g, r, south), total in flows.items()),
            key=lambda flow: -flow[2],
        ),
        south_south_usd=south_south,
        total_disbursed_usd=disbursed.aggregate(total=Sum("value_usd"))["total"] or Decimal(0),
        not_converted=transactions.filter(
            value_usd__isnull=True, type__in=PLEDGED + COMMITTED + DISBURSED
        ).count(),
    )


def commitments_for_export(*, state: str | None = None) -> QuerySet[FinancialCommitment]:
    """The financial commitments an IATI export holds: those of published pledges (of the
    State ``state`` as pledger, if given), transactions prefetched. Activities read from IATI
    1.x files are left out: they cannot be written as valid 2.03 (their reporters publish them
    in IATI already)."""
    commitments = FinancialCommitment.objects.filter(
        pledge__status=Pledge.Status.PUBLISHED, from_iati_1x=False
    )
    if state:
        commitments = commitments.filter(pledge__state=state.upper())
    return commitments.prefetch_related(
        Prefetch("transactions", queryset=Transaction.objects.order_by("position"))
    ).order_by("pk")


@dataclass(frozen=True)
class PublishedSummary:
    count: int
    disbursed_usd: Decimal


def published_summary(
    *, state: str | None = None, objective: int | None = None
) -> PublishedSummary:
    """How many published pledges a State makes or joins (or serve an objective), and the US
    dollars they have disbursed: for the country and objective pages."""
    pledges = pledge_list(
        user=None,
        filters=PledgeFilters(state=state or "", objective=objective, status="published"),
    )
    ids = pledges.values("pk")
    disbursed = Transaction.objects.filter(
        commitment__pledge__in=ids, type__in=DISBURSED
    ).aggregate(total=Sum("value_usd"))["total"]
    return PublishedSummary(count=pledges.count(), disbursed_usd=disbursed or Decimal(0))


# Activities listed at most by a search on the linking page.
MOST_LINKABLE = 50


def linked_activities(*, pledge: Pledge) -> list[FinancialCommitment]:
    """The activities imported from IATI and linked to ``pledge``, with their transaction
    counts and the US dollars they disburse (``tx_count``, ``disbursed_usd``)."""
    return list(
        FinancialCommitment.objects.filter(pledge=pledge, source=FinancialCommitment.Source.IATI)
        .annotate(
            tx_count=Count("transactions"),
            disbursed_usd=Sum(
                "transactions__value_usd", filter=Q(transactions__type__in=DISBURSED)
            ),
        )
        .order_by("iati_identifier", "import_key")
    )


def linkable_activities(*, q: str) -> list[FinancialCommitment]:
    """Imported activities no pledge claims yet, found by identifier, title, reporting
    organisation or transaction provider (at most :data:`MOST_LINKABLE`, by identifier)."""
    q = q.strip()
    if not q:
        return []
    providers = Transaction.objects.filter(
        commitment=OuterRef("pk"), provider_name__icontains=q
    ).values("pk")
    return list(
        FinancialCommitment.objects.filter(
            pledge__isnull=True, source=FinancialCommitment.Source.IATI
        )
        .filter(
            Q(iati_identifier__icontains=q)
            | Q(title__icontains=q)
            | Q(reporting_org_name__icontains=q)
            | Q(reporting_org_ref__icontains=q)
            | Exists(providers)
        )
        .annotate(tx_count=Count("transactions"))
        .order_by("iati_identifier", "import_key")[:MOST_LINKABLE]
    )


def pledger_choices(*, user: AnyUser | None) -> tuple[list[Country], list[Organisation]]:
    """The States and organisations ``user`` may pledge for: every UN member State and
    organisation for administrators; otherwise the States they speak for and the organisations
    they pledge for."""
    if is_administrator(user):
        return (
            list(Country.objects.filter(un_member=True).order_by("name")),
            list(Organisation.objects.order_by("name")),
        )
    return (
        list(Country.objects.filter(iso3__in=states_user_speaks_for(user)).order_by("name")),
        list(
            Organisation.objects.filter(pk__in=organisations_user_pledges_for(user)).order_by(
                "name"
            )
        ),
    )


def pledge_find(*, pk: int) -> Pledge | None:
    """The pledge numbered ``pk``, whatever its status, for a new pledge to answer (the action
    refuses to answer one that is not published), or None."""
    return Pledge.objects.filter(pk=pk).first()


def progress_update_get(*, pledge: Pledge, pk: int) -> ProgressUpdate | None:
    """A progress update of ``pledge``; whether the user may see it is the caller's check
    (:func:`~solidarity.commitments.permissions.can_view_progress`)."""
    return ProgressUpdate.objects.filter(pk=pk, pledge=pledge).select_related("pledge").first()


def assessment_get(*, pledge: Pledge, pk: int) -> Assessment | None:
    return Assessment.objects.filter(pk=pk, pledge=pledge).first()


def assessing_organisations(*, user: AnyUser | None) -> QuerySet[Organisation]:
    """The organisations ``user`` may sign an assessment for: those they belong to."""
    return Organisation.objects.filter(pk__in=organisations_user_belongs_to(user)).order_by("name")


def activity_get(*, pk: int) -> FinancialCommitment | None:
    """An imported or recorded activity (financial commitment) by its number, for linking."""
    return FinancialCommitment.objects.filter(pk=pk).first()
