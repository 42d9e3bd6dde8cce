"""The fund's forms: applying, screening, scoring and reporting."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from solidarity.fund.models import Application, Criterion
from solidarity.reference.models import Country


class ApplicationForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Applying as"), choices=Application.Kind.choices, widget=forms.RadioSelect
    )
    name = forms.CharField(label=_("Name of the person or organisation"), max_length=200)
    country = forms.ModelChoiceField(
        label=_("Country"), queryset=Country.objects.all(), to_field_name="iso3"
    )
    gender = forms.ChoiceField(
        label=_("Gender (for a person)"),
        choices=Application.Gender.choices,
        initial=Application.Gender.UNSAID,
    )
    migrant_led = forms.BooleanField(label=_("Migrant-led"), required=False)
    women_led = forms.BooleanField(label=_("Women-led"), required=False)
    youth_led = forms.BooleanField(label=_("Youth or youth-led"), required=False)
    first_time = forms.BooleanField(label=_("First-time applicant"), required=False)
    amount_requested = forms.DecimalField(
        label=_("Amount requested"), min_value=0, max_digits=12, decimal_places=2
    )
    purpose = forms.CharField(
        label=_("What the grant would make possible"), widget=forms.Textarea(attrs={"rows": 5})
    )


class ScreenForm(forms.Form):
    eligible = forms.TypedChoiceField(
        label=_("Eligible?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


class ScoreForm(forms.Form):
    def __init__(self, *args: Any, criteria: list[Criterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for criterion in criteria:
            self.fields[f"criterion_{criterion.pk}"] = forms.IntegerField(
                label=criterion.name, min_value=0, max_value=criterion.max_points
            )


class ReportForm(forms.Form):
    report = forms.CharField(
        label=_("Your report on the event and what the grant made possible"),
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class DisbursementForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount paid"), min_value=0, decimal_places=2)
    paid_on = forms.DateField(label=_("Paid on"))
    reference = forms.CharField(label=_("Reference"), required=False, max_length=100)
