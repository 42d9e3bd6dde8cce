"""The testimony form (public, and for staff recording on someone's behalf), the receipt form and
the moderator's forms. Parsing only: the rules live in :mod:`solidarity.testimonies.actions`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from solidarity.reference.models import Country, Objective
from solidarity.testimonies.models import Group, IdentityLevel, ModerationDecision, Use

CONSENT_FIELDS = {use: f"consent_{use}" for use in Use.values}


def country_from_text(value: str) -> Country | None:
    """A country typed or picked from the list: its name in English, French or Spanish, or its
    ISO 3166 code, in any case."""
    value = value.strip()
    if not value:
        return None
    return Country.objects.filter(
        Q(iso3__iexact=value)
        | Q(name__iexact=value)
        | Q(name_fr__iexact=value)
        | Q(name_es__iexact=value)
    ).first()


class TestimonyForm(forms.Form):
    text = forms.CharField(
        label=_("Your testimony"),
        help_text=_("In your own words, in any language. You can leave out anything you prefer."),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20_000,
    )
    identity_level = forms.ChoiceField(
        label=_("How should we refer to you?"),
        choices=IdentityLevel.choices,
        initial=IdentityLevel.ANONYMOUS,
        widget=forms.RadioSelect,
    )
    name = forms.CharField(label=_("Your name (only if you chose your own name)"), required=False)
    pseudonym = forms.CharField(
        label=_("The name you want to use (only if you chose a pseudonym)"), required=False
    )
    email = forms.EmailField(label=_("E-mail (optional)"), required=False)
    phone = forms.CharField(label=_("Phone (optional)"), required=False, max_length=40)
    other_contact = forms.CharField(
        label=_("Another way to reach you (optional)"), required=False, max_length=200
    )
    groups = forms.MultipleChoiceField(
        label=_("Do any of these describe you? (optional)"),
        choices=Group.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    guardian_name = forms.CharField(
        label=_("Name of your parent or guardian (if you are under 18)"), required=False
    )
    guardian_agrees = forms.BooleanField(
        label=_("My parent or guardian agrees that I share this testimony"), required=False
    )
    objectives = forms.MultipleChoiceField(
        label=_("What is your testimony about? (optional)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    country_of_origin = forms.CharField(
        label=_("Country of origin (optional)"), required=False, max_length=100
    )
    country_of_transit = forms.CharField(
        label=_("Country you passed through (optional)"), required=False, max_length=100
    )
    country_of_destination = forms.CharField(
        label=_("Country where you are now or want to go (optional)"),
        required=False,
        max_length=100,
    )
    # Only robots fill this: it is hidden from people by the style sheet and from screen readers.
    website = forms.CharField(label=_("Leave this empty"), required=False)
    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, objectives: list[Objective], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.objective_rows = {str(o.number): o for o in objectives}
        objectives_field = self.fields["objectives"]
        assert isinstance(objectives_field, forms.MultipleChoiceField)
        objectives_field.choices = [
            (str(o.number), f"{o.number}. {o.localized('short_label')}") for o in objectives
        ]
        for use, name in CONSENT_FIELDS.items():
            self.fields[name] = forms.BooleanField(label=Use(use).label, required=False)
        for name in ("country_of_origin", "country_of_transit", "country_of_destination"):
            self.fields[name].widget.attrs["list"] = "country-names"
            self.fields[name].widget.attrs["autocomplete"] = "off"
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    def consent_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in CONSENT_FIELDS.values()]

    def _clean_country(self, name: str) -> Country | None:
        value = self.cleaned_data.get(name, "")
        country = country_from_text(value)
        if value.strip() and country is None:
            raise forms.ValidationError(
                _("We do not know this country: please pick one from the list.")
            )
        return country

    def clean_country_of_origin(self) -> Country | None:
        return self._clean_country("country_of_origin")

    def clean_country_of_transit(self) -> Country | None:
        return self._clean_country("country_of_transit")

    def clean_country_of_destination(self) -> Country | None:
        return self._clean_country("country_of_destination")

    def consents(self) -> dict[str, bool]:
        return {use: bool(self.cleaned_data.get(name)) for use, name in CONSENT_FIELDS.items()}

    def chosen_objectives(self) -> list[Objective]:
        return [self.objective_rows[n] for n in self.cleaned_data.get("objectives", [])]


class StaffTestimonyForm(TestimonyForm):
    """The same form, filled in by staff with the person; the staff member confirms they read
    the choices out and wrote down the person's own answers. Staff are signed in, so the time
    trap's token is not needed."""

    token = forms.CharField(widget=forms.HiddenInput, required=False)

    read_aloud = forms.BooleanField(
        label=_(
            "I read each consent choice out to the person, in a language they understand, and "
            "ticked only what they agreed to."
        ),
        required=True,
    )


class ReceiptForm(forms.Form):
    code = forms.CharField(
        label=_("Your receipt code"),
        help_text=_("The code you were given, for example ABCD-EFGH-IJKL-MNOP-QRST."),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need to read this testimony?"),
        help_text=_("Recorded in the audit trail with your name."),
        max_length=300,
    )


class ModerationForm(forms.Form):
    could_endanger = forms.ChoiceField(
        label=_("Could publishing this endanger the person?"),
        choices=ModerationDecision.Danger.choices,
        widget=forms.RadioSelect,
    )
    decision = forms.ChoiceField(
        label=_("Decision"), choices=ModerationDecision.Decision.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    flags = forms.MultipleChoiceField(
        label=_("Remove these stretches before publication"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    extra_phrases = forms.CharField(
        label=_("Other words to remove, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, flag_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        flags_field = self.fields["flags"]
        assert isinstance(flags_field, forms.MultipleChoiceField)
        flags_field.choices = flag_choices
        flags_field.initial = [value for value, _label in flag_choices]


class ExportForm(forms.Form):
    use = forms.ChoiceField(choices=[(u, u) for u in Use.values if u != Use.STORE], required=False)
    state = forms.CharField(required=False, max_length=3)
    objective = forms.IntegerField(required=False, min_value=1, max_value=23)
