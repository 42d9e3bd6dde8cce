"""Forms of the human-rights pages: the list filters, the State's implementation status, an
assessment, and a ratification entered by an administrator."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from solidarity.reference.models import Country, Objective, PopulationGroup
from solidarity.rights.models import Assessment, Mechanism, Position, Ratification, Status
from solidarity.rights.selectors import UNMAPPED, RecommendationFilters


class RecommendationFilterForm(forms.Form):
    """Every filter optional; a value that names nothing is refused (a hand-edited address)."""

    q = forms.CharField(label=_("Words in the text"), required=False, max_length=100)
    country = forms.ChoiceField(label=_("State"), required=False)
    objective = forms.TypedChoiceField(
        label=_("GCM objective"), required=False, coerce=int, empty_value=None
    )
    mechanism = forms.ChoiceField(label=_("Mechanism"), required=False)
    position = forms.ChoiceField(
        label=_("Position"),
        required=False,
        choices=[("", _("Any position")), *Position.choices],
    )
    status = forms.ChoiceField(
        label=_("Implementation status"),
        required=False,
        choices=[("", _("Any status")), *Status.choices, ("none", _("No status yet"))],
    )
    group = forms.ChoiceField(label=_("Group named"), required=False)

    def __init__(
        self,
        data: Any,
        *,
        objectives: Iterable[Objective],
        mechanisms: Iterable[Mechanism],
        groups: Iterable[PopulationGroup],
        countries: Iterable[Country] | None = None,
    ) -> None:
        super().__init__(data)
        self.fields["objective"].choices = [  # type: ignore[attr-defined]
            ("", _("Any objective")),
            *((str(o.number), f"{o.number}. {o.localized('short_label')}") for o in objectives),
            (str(UNMAPPED), _("No objective")),
        ]
        self.fields["mechanism"].choices = [  # type: ignore[attr-defined]
            ("", _("Any mechanism")),
            *((m.code, f"{m.code}: {m.name}") for m in mechanisms),
        ]
        self.fields["group"].choices = [  # type: ignore[attr-defined]
            ("", _("Any group")),
            *((g.code, g.localized("name")) for g in groups),
        ]
        if countries is None:
            del self.fields["country"]
        else:
            self.fields["country"].choices = [  # type: ignore[attr-defined]
                ("", _("Any State")),
                *((c.iso3, c.localized("name")) for c in countries),
            ]

    def filters(self, **fixed: Any) -> RecommendationFilters:
        data = self.cleaned_data
        return RecommendationFilters(
            country=fixed.get("country", data.get("country") or None),
            objective=fixed.get("objective", data.get("objective")),
            mechanism=data["mechanism"] or None,
            position=data["position"] or None,
            status=data["status"] or None,
            group=data["group"] or None,
            q=data["q"],
        )


class DateInput(forms.DateInput):
    input_type = "date"


class ImplementationStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices, widget=forms.RadioSelect)
    responsible_institution = forms.CharField(label=_("Responsible institution"), max_length=200)
    evidence = forms.CharField(
        label=_("Evidence"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was done: a law, a programme, a budget line, a report."),
    )
    evidence_url = forms.URLField(
        label=_("Address of the evidence"), required=False, assume_scheme="https"
    )
    evidence_date = forms.DateField(label=_("Date of the evidence"), widget=DateInput)


class AssessmentForm(forms.Form):
    """Members of an organisation assess in its name; reviewers also say who assessed (a treaty
    body's follow-up, a UN entity)."""

    grade = forms.ChoiceField(label=_("Assessment"), choices=Assessment.Grade.choices)
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 4}))
    evidence_url = forms.URLField(
        label=_("Address of the evidence"), required=False, assume_scheme="https"
    )
    assessed_on = forms.DateField(label=_("Date of the assessment"), widget=DateInput)
    assessor_kind = forms.ChoiceField(
        label=_("Assessed by"),
        required=False,
        choices=[
            (Assessment.AssessorKind.TREATY_BODY, Assessment.AssessorKind.TREATY_BODY.label),
            (Assessment.AssessorKind.UN, Assessment.AssessorKind.UN.label),
        ],
    )
    assessor_label = forms.CharField(
        label=_("Name of the assessor"), required=False, max_length=200
    )

    def __init__(self, data: Any = None, *, for_organisation: bool) -> None:
        super().__init__(data)
        if for_organisation:
            del self.fields["assessor_kind"]
            del self.fields["assessor_label"]
            self.fields["grade"].choices = [  # type: ignore[attr-defined]
                (value, label)
                for value, label in Assessment.Grade.choices
                if value in {"fully", "partially", "not_implemented"}
            ]


class RatificationForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=Ratification.Status.choices, widget=forms.RadioSelect
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1919, max_value=2100)
    source = forms.CharField(
        label=_("Source"),
        max_length=300,
        help_text=_("Where this comes from, e.g. ILO NORMLEX, ratifications of C189, read 2026."),
    )
