"""Forms of the commitments pages: the registry's filters, a pledge, a progress update, an
independent assessment and a transaction. They parse; the actions decide."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from solidarity.accounts.models import Organisation
from solidarity.commitments.models import Assessment, FinancialCommitment, Pledge, Transaction
from solidarity.commitments.selectors import PledgeFilters
from solidarity.reference.models import (
    Country,
    GuidingPrinciple,
    Objective,
    PopulationGroup,
    SolidarityType,
)


def _objective_choices(objectives: Iterable[Objective]) -> list[tuple[str, str]]:
    return [(str(o.number), f"{o.number}. {o.localized('short_label')}") for o in objectives]


class PledgeFilterForm(forms.Form):
    q = forms.CharField(label=_("Search the pledges"), required=False, max_length=100)
    state = forms.ChoiceField(label=_("State (pledger or partner)"), required=False)
    objective = forms.TypedChoiceField(
        label=_("GCM objective"), required=False, coerce=int, empty_value=None
    )
    form = forms.ChoiceField(
        label=_("Form"), required=False, choices=[("", _("Any form")), *Pledge.Form.choices]
    )
    solidarity_type = forms.ChoiceField(label=_("Kind of solidarity"), required=False)
    stage = forms.ChoiceField(
        label=_("Stage"), required=False, choices=[("", _("Any stage")), *Pledge.Stage.choices]
    )
    south_south = forms.BooleanField(
        label=_("South-South or triangular cooperation only"), required=False
    )

    def __init__(
        self,
        data: Any,
        *,
        countries: Iterable[Country],
        objectives: Iterable[Objective],
        solidarity_types: Iterable[SolidarityType],
    ) -> None:
        super().__init__(data)
        self.fields["state"].choices = [("", _("Any State"))] + [  # type: ignore[attr-defined]
            (c.iso3, c.localized("name")) for c in countries
        ]
        self.fields["objective"].choices = [  # type: ignore[attr-defined]
            ("", _("Any objective")),
            *_objective_choices(objectives),
        ]
        self.fields["solidarity_type"].choices = [("", _("Any kind"))] + [  # type: ignore[attr-defined]
            (t.code, t.localized("name")) for t in solidarity_types
        ]

    def filters(self) -> PledgeFilters:
        data = self.cleaned_data
        return PledgeFilters(
            q=data["q"],
            state=data["state"],
            objective=data["objective"],
            form=data["form"],
            solidarity_type=data["solidarity_type"],
            stage=data["stage"],
            south_south=data["south_south"],
        )


class PledgeForm(forms.Form):
    pledger = forms.ChoiceField(label=_("Who pledges"))
    title = forms.CharField(label=_("Title"), max_length=300)
    what = forms.CharField(label=_("What will be done"), widget=forms.Textarea(attrs={"rows": 4}))
    by_when = forms.DateField(
        label=_("By when"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The date by which the pledge is to be fulfilled."),
    )
    measured_how = forms.CharField(
        label=_("How progress is measured"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    form = forms.ChoiceField(label=_("Form"), choices=Pledge.Form.choices)
    objectives = forms.MultipleChoiceField(
        label=_("GCM objectives it serves"), widget=forms.CheckboxSelectMultiple
    )
    principles = forms.MultipleChoiceField(
        label=_("Guiding principles"), required=False, widget=forms.CheckboxSelectMultiple
    )
    solidarity_types = forms.MultipleChoiceField(
        label=_("Kinds of solidarity"), required=False, widget=forms.CheckboxSelectMultiple
    )
    target_groups = forms.MultipleChoiceField(
        label=_("Groups it targets"), required=False, widget=forms.CheckboxSelectMultiple
    )
    partner_states = forms.CharField(
        label=_("Partner States (joint pledge)"),
        required=False,
        max_length=400,
        help_text=_("ISO 3166-1 alpha-3 codes separated by commas, e.g. UGA, TZA."),
    )
    partner_organisations = forms.MultipleChoiceField(
        label=_("Partner organisations (joint pledge)"), required=False
    )
    answers = forms.IntegerField(
        label=_("Matches pledge number"),
        required=False,
        min_value=1,
        help_text=_("For a matching pledge: the number of the pledge it answers (P-12 is 12)."),
    )
    south_south = forms.BooleanField(label=_("South-South cooperation"), required=False)
    triangular = forms.BooleanField(label=_("Triangular cooperation"), required=False)
    stage = forms.ChoiceField(label=_("Stage"), choices=Pledge.Stage.choices)

    def __init__(
        self,
        data: Any = None,
        *,
        pledgers: list[tuple[str, str]],
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, initial=initial)
        self.fields["pledger"].choices = pledgers  # type: ignore[attr-defined]
        self.fields["objectives"].choices = _objective_choices(  # type: ignore[attr-defined]
            Objective.objects.order_by("number")
        )
        self.fields["principles"].choices = [  # type: ignore[attr-defined]
            (p.code, p.localized("name")) for p in GuidingPrinciple.objects.order_by("code")
        ]
        self.fields["solidarity_types"].choices = [  # type: ignore[attr-defined]
            (t.code, t.localized("name")) for t in SolidarityType.objects.order_by("order")
        ]
        self.fields["target_groups"].choices = [  # type: ignore[attr-defined]
            (g.code, g.localized("name")) for g in PopulationGroup.objects.order_by("order")
        ]
        self.fields["partner_organisations"].choices = [  # type: ignore[attr-defined]
            (str(o.pk), o.name) for o in Organisation.objects.order_by("name")
        ]

    def clean_partner_states(self) -> list[str]:
        codes = [
            code.strip().upper()
            for code in self.cleaned_data["partner_states"].split(",")
            if code.strip()
        ]
        known = set(Country.objects.filter(iso3__in=codes).values_list("iso3", flat=True))
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise forms.ValidationError(
                _("No State has the code %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        return codes


def pledger_value(pledge: Pledge) -> str:
    return f"state:{pledge.state_id}" if pledge.state_id else f"org:{pledge.organisation_id}"


def pledger_from_value(value: str) -> tuple[Country | None, Organisation | None]:
    kind, _sep, key = value.partition(":")
    if kind == "state":
        return Country.objects.filter(iso3=key).first(), None
    if kind == "org" and key.isdigit():
        return None, Organisation.objects.filter(pk=int(key)).first()
    return None, None


class ProgressForm(forms.Form):
    as_of = forms.DateField(
        label=_("Progress as of"), widget=forms.DateInput(attrs={"type": "date"})
    )
    text = forms.CharField(label=_("What has been done"), widget=forms.Textarea(attrs={"rows": 5}))
    evidence_url = forms.URLField(
        label=_("Evidence (address)"), required=False, max_length=500, assume_scheme="https"
    )
    stage = forms.ChoiceField(label=_("Stage now"), choices=Pledge.Stage.choices)


class ProgressReviewForm(forms.Form):
    step = forms.ChoiceField(
        choices=[("submit", "submit"), ("approve", "approve"), ("return", "return")]
    )
    reason = forms.CharField(
        label=_("Why it is returned"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AssessmentForm(forms.Form):
    as_of = forms.DateField(
        label=_("Assessed as of"), widget=forms.DateInput(attrs={"type": "date"})
    )
    rating = forms.ChoiceField(label=_("Your assessment"), choices=Assessment.Rating.choices)
    text = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 5}))
    evidence_url = forms.URLField(
        label=_("Evidence (address)"), required=False, max_length=500, assume_scheme="https"
    )
    organisation = forms.ChoiceField(label=_("On behalf of"), required=False)

    def __init__(
        self, data: Any = None, *, organisations: Iterable[Organisation], **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        self.fields["organisation"].choices = [("", _("Myself"))] + [  # type: ignore[attr-defined]
            (str(o.pk), o.name) for o in organisations
        ]


MARKER_CHOICES = [
    ("", _("Not marked")),
    ("0", _("0 — not targeted")),
    ("1", _("1 — significant objective")),
    ("2", _("2 — principal objective")),
]


class MoneyForm(forms.Form):
    type = forms.ChoiceField(
        label=_("Transaction"),
        choices=[
            (t.value, t.label)
            for t in (
                Transaction.Type.OUTGOING_PLEDGE,
                Transaction.Type.OUTGOING_COMMITMENT,
                Transaction.Type.DISBURSEMENT,
                Transaction.Type.EXPENDITURE,
                Transaction.Type.INCOMING_FUNDS,
            )
        ],
    )
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    value = forms.DecimalField(
        label=_("Amount"), min_value=Decimal("0.01"), max_digits=20, decimal_places=2
    )
    currency = forms.CharField(label=_("Currency (ISO 4217)"), max_length=3, min_length=3)
    channel = forms.ChoiceField(label=_("Channel"), choices=FinancialCommitment.Channel.choices)
    recipient_country = forms.CharField(
        label=_("Recipient country (ISO3)"), required=False, max_length=3
    )
    receiver_name = forms.CharField(
        label=_("Receiving organisation"), required=False, max_length=300
    )
    sector = forms.CharField(
        label=_("DAC purpose code"),
        required=False,
        max_length=5,
        help_text=_("15190 for facilitation of orderly, safe, regular and responsible migration."),
    )
    gender_marker = forms.TypedChoiceField(
        label=_("Gender equality marker"),
        required=False,
        choices=MARKER_CHOICES,
        coerce=int,
        empty_value=None,
    )
    human_rights_marker = forms.TypedChoiceField(
        label=_("Human-rights marker"),
        required=False,
        choices=MARKER_CHOICES,
        coerce=int,
        empty_value=None,
    )
    description = forms.CharField(label=_("Description"), required=False, max_length=500)


class IatiUploadForm(forms.Form):
    file = forms.FileField(
        label=_("IATI activity file (XML)"),
        help_text=_(
            "IATI 2.01 to 2.03, or 1.x. Checked first in a dry run; nothing is stored until "
            "you confirm."
        ),
    )
