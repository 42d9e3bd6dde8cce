"""Forms of the fair-share pages: the calculator (a GET form that works without JavaScript), a
group of States, a consultation and a vote."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from solidarity.stats.fairshare import PRESETS, Key, parse_key, preset_key

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

#: The terms a key declared in the calculator may have, by form field.
CUSTOM_TERMS: dict[str, dict[str, object]] = {
    "weight_population": {"indicator": "population"},
    "weight_gdp": {"indicator": "gdp"},
    "weight_gdp_per_capita": {"indicator": "gdp", "per_capita": True},
    "weight_refugees_inverse": {
        "indicator": "refugees",
        "per_capita": True,
        "transform": "inverse",
    },
}

ACTUAL_CHOICES = [
    ("", _("None")),
    ("refugees", _("Refugees and asylum seekers hosted")),
    ("migrant-stock", _("International migrants living in the State")),
    ("disbursed-usd", _("Money disbursed (US$)")),
]

DEFAULTS = {"key": "eu2024", "group": "EU27", "year": "2020", "actual": "refugees", "spread": "0.2"}


def _weight(label: _StrPromise) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=False, min_value=0, max_value=100, decimal_places=4
    )


class CalculatorForm(forms.Form):
    key = forms.ChoiceField(
        label=_("Key"),
        choices=[
            ("eu2024", _("EU 2024: 50% population, 50% GDP")),
            ("eu2015", _("EU 2015: 40% population, 40% GDP, 10% unemployment, 10% past effort")),
            ("custom", _("My own weights (below)")),
        ],
    )
    group = forms.ChoiceField(label=_("Group of States"))
    year = forms.IntegerField(label=_("Year of the figures"), min_value=1990, max_value=2100)
    burden = forms.DecimalField(
        label=_("Burden (people to receive or money to provide)"),
        required=False,
        min_value=0,
        max_digits=20,
        decimal_places=2,
        help_text=_("Leave empty to share the group's total of the actual measure."),
    )
    actual = forms.ChoiceField(
        label=_("Compare with what each State actually does"),
        choices=ACTUAL_CHOICES,
        required=False,
    )
    spread = forms.ChoiceField(
        label=_("Sensitivity: how far each weight may move"),
        choices=[("0.1", "± 0.1"), ("0.2", "± 0.2"), ("0.3", "± 0.3")],
    )
    weight_population = _weight(_("Weight of population"))
    weight_gdp = _weight(_("Weight of GDP"))
    weight_gdp_per_capita = _weight(_("Weight of GDP per capita"))
    weight_refugees_inverse = _weight(
        _("Weight of the correction for refugees already hosted per capita (inverse)")
    )
    cap = forms.DecimalField(
        label=_("Cap on the correction, as a share of the other terms' effect"),
        required=False,
        min_value=0,
        max_value=10,
        decimal_places=3,
    )

    def __init__(self, *args: Any, groups: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = groups  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("key") == "custom":
            terms: list[dict[str, object]] = []
            for name, term in CUSTOM_TERMS.items():
                weight = data.get(name)
                if weight:
                    declared = dict(term, weight=str(weight))
                    if term.get("transform") == "inverse" and data.get("cap") is not None:
                        declared["cap"] = str(data["cap"])
                    terms.append(declared)
            if not terms:
                raise ValidationError(_("Give at least one positive weight for your own key."))
            if all("cap" in term for term in terms):
                raise ValidationError(
                    _("A capped correction needs at least one other term to be capped against.")
                )
            data["declared_key"] = parse_key(
                {
                    "name": "custom",
                    "title": str(_("Weights chosen in the calculator")),
                    "terms": terms,
                }
            )
        return data

    def chosen_key(self) -> Key:
        name = self.cleaned_data["key"]
        if name in PRESETS:
            return preset_key(name)
        key: Key = self.cleaned_data["declared_key"]
        return key

    @property
    def spread_fraction(self) -> Fraction:
        return Fraction(self.cleaned_data["spread"])


class CountryGroupForm(forms.Form):
    slug = forms.SlugField(label=_("Short name (letters, digits, hyphens)"), max_length=50)
    name = forms.CharField(label=_("Name"), max_length=150)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    members = forms.CharField(
        label=_("Members (ISO3 codes separated by spaces or commas)"), widget=forms.Textarea
    )

    def clean_members(self) -> list[str]:
        return [code for code in re.split(r"[\s,;]+", self.cleaned_data["members"]) if code]


_OPTION_LINE = re.compile(r"^(?P<label>[^|]+)\|(?P<key>[^|]+)\|(?P<burden>[^|]+)$")
_WEIGHT = re.compile(r"^(?P<indicator>[a-z_]+)[:=](?P<weight>[0-9.]+)$")


def parse_option_line(line: str, number: int) -> tuple[str, dict[str, object], Decimal]:
    """``label | key | burden``: the key a preset (``eu2024``) or weights
    (``population:0.6 gdp:0.4``)."""
    match = _OPTION_LINE.match(line.strip())
    if match is None:
        raise ValidationError(
            _("Line %(number)s: write label | key | burden."), params={"number": number}
        )
    label, key_text, burden_text = (part.strip() for part in match.groups())
    try:
        burden = Decimal(burden_text)
    except ArithmeticError:
        raise ValidationError(
            _("Line %(number)s: the burden is not a number."), params={"number": number}
        ) from None
    if key_text in PRESETS:
        return label, preset_key(key_text).as_dict(), burden
    terms = []
    for part in key_text.split():
        weight = _WEIGHT.match(part)
        if weight is None:
            raise ValidationError(
                _("Line %(number)s: a key is eu2024, eu2015 or weights like population:0.5."),
                params={"number": number},
            )
        terms.append({"indicator": weight["indicator"], "weight": weight["weight"]})
    declaration: dict[str, object] = {"name": f"option-{number}", "title": label, "terms": terms}
    try:
        parse_key(declaration, source=f"line {number}")
    except ValueError as error:
        raise ValidationError(str(error)) from None
    return label, declaration, burden


class ConsultationForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    question = forms.CharField(label=_("Question"), widget=forms.Textarea)
    group = forms.ChoiceField(label=_("Group of States that vote"))
    year = forms.IntegerField(label=_("Year of the figures"), min_value=1990, max_value=2100)
    quorum = forms.DecimalField(
        label=_("Quorum (share of eligible States that must vote, 0 to 1)"),
        min_value=0,
        max_value=1,
        decimal_places=3,
        initial=Decimal("0.5"),
    )
    majority = forms.ChoiceField(label=_("Majority rule"))
    options = forms.CharField(
        label=_("Options, one a line: label | key | burden"),
        help_text=_(
            "The key is eu2024, eu2015 or weights such as population:0.6 gdp:0.4. "
            "Example: EU 2024 key | eu2024 | 30000"
        ),
        widget=forms.Textarea,
    )

    def __init__(self, *args: Any, groups: list[tuple[str, str]], **kwargs: Any) -> None:
        from solidarity.fairshare.models import Consultation

        super().__init__(*args, **kwargs)
        self.fields["group"].choices = groups  # type: ignore[attr-defined]
        self.fields["majority"].choices = Consultation.Majority.choices  # type: ignore[attr-defined]

    def clean_options(self) -> list[tuple[str, dict[str, object], Decimal]]:
        lines = [line for line in self.cleaned_data["options"].splitlines() if line.strip()]
        options = [parse_option_line(line, number) for number, line in enumerate(lines, start=1)]
        if len(options) < 2:
            raise ValidationError(_("Give at least two options."))
        return options
