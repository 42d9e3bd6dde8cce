"""Forms of the data hub's pages: the catalogue's filters, a provider's label mappings, a
submission and the steps of its review."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from solidarity.accounts.models import Organisation
from solidarity.indicators.models import Dimension, Indicator, LabelMapping
from solidarity.reference.models import Country, Objective, SdgGoal


class IndicatorFilterForm(forms.Form):
    """The catalogue's filters; every one optional, a value that names nothing refused."""

    q = forms.CharField(label=_("Search by code or name"), required=False, max_length=100)
    objective = forms.TypedChoiceField(
        label=_("GCM objective"), required=False, coerce=int, empty_value=None
    )
    goal = forms.TypedChoiceField(label=_("SDG goal"), required=False, coerce=int, empty_value=None)
    dimension = forms.ChoiceField(label=_("Broken down by"), required=False)

    def __init__(
        self,
        data: Any,
        *,
        objectives: Iterable[Objective],
        goals: Iterable[SdgGoal],
        dimensions: Iterable[Dimension],
    ) -> None:
        super().__init__(data)
        self.fields["objective"].choices = [("", _("Any objective"))] + [  # type: ignore[attr-defined]
            (str(o.number), f"{o.number}. {o.localized('short_label')}") for o in objectives
        ]
        self.fields["goal"].choices = [("", _("Any goal"))] + [  # type: ignore[attr-defined]
            (str(g.number), f"{g.number}. {g.localized('name')}") for g in goals
        ]
        self.fields["dimension"].choices = [("", _("Any dimension"))] + [  # type: ignore[attr-defined]
            (d.code, d.localized("name")) for d in dimensions
        ]

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "q": data["q"],
            "objective": data["objective"],
            "goal": data["goal"],
            "dimension": data["dimension"] or None,
        }


class LabelMappingForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the label is"),
        choices=LabelMapping.Kind.choices,
        widget=forms.RadioSelect,
        initial=LabelMapping.Kind.VALUE,
    )
    label = forms.CharField(
        label=_("Label in your files"),
        required=False,
        max_length=200,
        strip=False,
        help_text=_(
            "As written in your files; case and spacing do not matter. Blank is a label too."
        ),
    )
    dimension = forms.ChoiceField(label=_("Dimension"))
    code = forms.CharField(
        label=_("Code"),
        required=False,
        max_length=50,
        help_text=_("For a value only: the code in the dimension's codelist, e.g. F or MIGRANT."),
    )

    def __init__(self, data: Any = None, *, dimensions: Iterable[Dimension], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.fields["dimension"].choices = [  # type: ignore[attr-defined]
            (d.code, f"{d.code}: {d.localized('name')}") for d in dimensions
        ]


class SubmissionForm(forms.Form):
    """An Open SDG file for one of the user's organisations, one indicator and one place."""

    indicator = forms.ChoiceField(label=_("Indicator"))
    organisation = forms.ChoiceField(label=_("Organisation"))
    ref_area = forms.CharField(
        label=_("Place"),
        required=False,
        max_length=3,
        help_text=_(
            "ISO 3166 alpha-3 or M49 code, e.g. KEN or 404; by default your organisation's."
        ),
    )
    file = forms.FileField(
        label=_("Open SDG CSV file"),
        help_text=_("Year, disaggregation columns, Value; a blank cell is the total."),
    )
    revision_note = forms.CharField(
        label=_("What changed and why"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required from the dataset's second version on."),
    )
    dry_run = forms.BooleanField(
        label=_("Only check the file (dry run)"), required=False, initial=True
    )

    def __init__(
        self,
        data: Any = None,
        files: Any = None,
        *,
        indicators: Iterable[Indicator],
        organisations: Iterable[Organisation],
    ) -> None:
        super().__init__(data, files)
        self.fields["indicator"].choices = [  # type: ignore[attr-defined]
            (i.code, f"{i.code} {i.localized('name')[:80]}") for i in indicators
        ]
        self.fields["organisation"].choices = [  # type: ignore[attr-defined]
            (str(o.pk), o.name) for o in organisations
        ]


class ReviewForm(forms.Form):
    """One step of the review workflow, posted from a version's page."""

    step = forms.ChoiceField(choices=[(s, s) for s in ("submit", "return", "approve", "publish")])
    reason = forms.CharField(label=_("Why it is returned"), required=False, max_length=2000)
    embargo_until = forms.DateTimeField(
        label=_("Embargoed until (optional)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class CoverageFilterForm(forms.Form):
    """The coverage report's filters: an indicator, a country, both optional."""

    indicator = forms.ChoiceField(label=_("Indicator"), required=False)
    country = forms.ChoiceField(label=_("Country or area covered"), required=False)

    def __init__(
        self, data: Any, *, indicators: Iterable[Indicator], countries: Iterable[Country]
    ) -> None:
        super().__init__(data)
        indicator_choices = [("", _("Every indicator"))] + [
            (i.code, f"{i.code} {i.localized('name')[:80]}") for i in indicators
        ]
        country_choices = [("", _("Every country or area"))] + [
            (c.iso3, c.localized("name")) for c in countries
        ]
        self.fields["indicator"].choices = indicator_choices  # type: ignore[attr-defined]
        self.fields["country"].choices = country_choices  # type: ignore[attr-defined]
