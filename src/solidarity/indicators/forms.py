"""Forms of the data hub's pages: the catalogue's filters and a provider's label mappings."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from solidarity.indicators.models import Dimension, LabelMapping
from solidarity.reference.models import Objective, SdgGoal


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
