"""Forms of the review pages. The State review editor is read field by field in the view (its
fields follow the template's parts); these are the small ones."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from solidarity.accounts.models import Organisation
from solidarity.reference.models import Country, Objective
from solidarity.reviews.models import (
    CyclePhase,
    FollowUpRecommendation,
    FollowUpStatus,
    ReviewCycle,
)


class DateInput(forms.DateInput):
    input_type = "date"


class CycleForm(forms.Form):
    code = forms.CharField(
        label=_("Code"), max_length=30, help_text=_("Such as IMRF-2030 or RR-2028-ECE.")
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=ReviewCycle.Kind.choices)
    commission = forms.ChoiceField(
        label=_("UN regional commission (regional reviews)"),
        required=False,
        choices=[("", _("None (IMRF)")), *ReviewCycle.Commission.choices],
    )
    year = forms.IntegerField(label=_("Year"), min_value=2018, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)


class PhasesForm(forms.Form):
    """The five phases' dates and notes, one group of fields per phase."""

    def __init__(self, data: Any = None, *, phases: Iterable[CyclePhase]) -> None:
        super().__init__(data)
        self.kinds = []
        by_kind = {phase.kind: phase for phase in phases}
        for kind, label in CyclePhase.Kind.choices:
            phase = by_kind.get(kind)
            self.kinds.append((kind, label))
            self.fields[f"{kind}-starts_on"] = forms.DateField(
                label=_("%(phase)s: starts") % {"phase": label},
                required=False,
                widget=DateInput,
                initial=phase.starts_on if phase else None,
            )
            self.fields[f"{kind}-ends_on"] = forms.DateField(
                label=_("%(phase)s: ends") % {"phase": label},
                required=False,
                widget=DateInput,
                initial=phase.ends_on if phase else None,
            )
            self.fields[f"{kind}-note"] = forms.CharField(
                label=_("%(phase)s: note") % {"phase": label},
                required=False,
                max_length=500,
                initial=phase.note if phase else "",
            )


class StatesForm(forms.Form):
    states = forms.CharField(
        label=_("Participating States"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("ISO 3166-1 alpha-3 codes, separated by spaces or commas (KEN MEX …)."),
    )

    def clean_states(self) -> list[Country]:
        codes = [c.strip().upper() for c in self.cleaned_data["states"].replace(",", " ").split()]
        found = {c.iso3: c for c in Country.objects.filter(iso3__in=codes)}
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise forms.ValidationError(
                _("Unknown country codes: %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        return list(found.values())


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("Why the review is returned"), widget=forms.Textarea)


class CommentForm(forms.Form):
    section_key = forms.CharField(max_length=20, widget=forms.HiddenInput)
    field = forms.CharField(max_length=20, widget=forms.HiddenInput)
    paragraph = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    text = forms.CharField(label=_("Your comment"), widget=forms.Textarea(attrs={"rows": 3}))
    organisation = forms.IntegerField(required=False, widget=forms.HiddenInput)


class StakeholderInputForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("In the name of"), queryset=Organisation.objects.none(), empty_label=None
    )
    country = forms.ModelChoiceField(
        label=_("State assessed"),
        queryset=Country.objects.order_by("name"),
        required=False,
        empty_label=_("No particular State"),
    )
    objective = forms.ModelChoiceField(
        label=_("Objective assessed"),
        queryset=Objective.objects.order_by("number"),
        required=False,
        empty_label=_("No particular objective"),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Your assessment"), widget=forms.Textarea(attrs={"rows": 12}))

    def __init__(
        self, data: Any = None, *, organisations: list[Organisation], initial: Any = None
    ) -> None:
        super().__init__(data, initial=initial)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations])


class ModerationForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("refuse", _("Refuse"))]
    )
    reason = forms.CharField(label=_("Reason for refusing"), required=False, max_length=2000)


class FollowUpForm(forms.Form):
    source = forms.ChoiceField(label=_("From"), choices=FollowUpRecommendation.Source.choices)
    objective = forms.ModelChoiceField(
        label=_("Objective"),
        queryset=Objective.objects.order_by("number"),
        required=False,
        empty_label=_("No particular objective"),
    )
    text = forms.CharField(label=_("Recommendation"), widget=forms.Textarea)


class FollowUpStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=FollowUpStatus.choices)
    note = forms.CharField(label=_("What was done"), widget=forms.Textarea)
    as_of = forms.DateField(label=_("As of"), widget=DateInput)
    evidence_url = forms.URLField(
        label=_("Evidence address"), required=False, max_length=500, assume_scheme="https"
    )
