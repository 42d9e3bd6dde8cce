from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from solidarity.states.actions import EDITABLE_FIELDS
from solidarity.states.models import StateProfile


class StateProfileForm(forms.ModelForm):  # type: ignore[type-arg]  # not subscriptable at run time
    # An address typed without a scheme is taken as https, as Django 6 will do.
    implementation_plan_url = forms.URLField(
        label=_("National implementation plan"),
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text=_("Address of the published plan, if there is one."),
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
    )

    class Meta:
        model = StateProfile
        fields = EDITABLE_FIELDS
        widgets = {
            "coordinating_institution": forms.TextInput(attrs={"autocomplete": "organization"}),
            "summary": forms.Textarea(attrs={"rows": 8}),
        }
