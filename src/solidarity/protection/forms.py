"""The forms of the protection pages: a new run, and a run's submission to the data hub."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from solidarity.accounts.models import Organisation
from solidarity.indicators.models import Indicator
from solidarity.protection.models import ProtectionRun


class RunForm(forms.Form):
    """A specification (uploaded or pasted), microdata (uploaded or on the server), a method
    and its parameters. Blank parameters take the specification's defaults, else the
    documented ones (threshold 10, maximum deviation 2)."""

    organisation = forms.ChoiceField(label=_("Organisation"))
    spec_file = forms.FileField(
        label=_("Table specification (YAML file)"),
        required=False,
        help_text=_("Or paste it below. See the documentation for its keys."),
    )
    spec_text = forms.CharField(
        label=_("Table specification (YAML text)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
    )
    microdata = forms.FileField(
        label=_("Microdata (CSV or Parquet)"),
        required=False,
        allow_empty_file=True,
        help_text=_(
            "Kept in a private folder for the run only, and deleted when it ends unless you "
            "keep it. Never stored in the database."
        ),
    )
    server_path = forms.CharField(
        label=_("Or a file on the server"),
        required=False,
        max_length=1000,
        help_text=_("A path inside the server's microdata folder (SOLIDARITY_MICRODATA_DIR)."),
    )
    method = forms.ChoiceField(label=_("Protection method"), choices=ProtectionRun.Method.choices)
    threshold = forms.IntegerField(
        label=_("Threshold"),
        required=False,
        min_value=1,
        help_text=_("Cell key and suppression: smallest count published. Default 10."),
    )
    max_deviation = forms.IntegerField(
        label=_("Maximum deviation"),
        required=False,
        min_value=2,
        help_text=_("Cell key: largest perturbation. Default 2."),
    )
    protection_level = forms.FloatField(
        label=_("Protection level"),
        required=False,
        min_value=0.000001,
        help_text=_("Suppression: narrowest interval of a withheld cell. Default: the threshold."),
    )
    secondary_method = forms.ChoiceField(
        label=_("Secondary suppression"),
        required=False,
        initial="auto",
        choices=[
            ("auto", _("Optimal where the table is small enough, else heuristic")),
            ("milp", _("Optimal search (MILP), heuristic if it finds nothing better")),
            ("heuristic", _("Heuristic only")),
        ],
        help_text=_(
            "Suppression: how the cells withheld to protect the small ones are chosen. Every "
            "pattern is checked by the interval attack whatever the choice."
        ),
    )
    rho = forms.FloatField(
        label=_("Rho"),
        required=False,
        min_value=0.000001,
        help_text=_("Differential privacy: zero-concentrated budget of this release."),
    )
    epsilon = forms.FloatField(
        label=_("Epsilon"),
        required=False,
        min_value=0.000001,
        help_text=_("Differential privacy, instead of rho (with delta)."),
    )
    delta = forms.FloatField(label=_("Delta"), required=False, min_value=0.0, max_value=1.0)
    raise_budget = forms.FloatField(
        label=_("Raise the dataset's total budget to (rho)"),
        required=False,
        min_value=0.000001,
        help_text=_("Differential privacy: needed for a release beyond the first budget; logged."),
    )
    engine = forms.ChoiceField(
        label=_("Tabulation engine"),
        choices=[("duckdb", "DuckDB"), ("spark", "Apache Spark")],
        initial="duckdb",
        required=False,
        help_text=_("DuckDB by default; Spark for microdata beyond one machine. Same results."),
    )
    keep_microdata = forms.BooleanField(
        label=_("Keep the microdata on the server after the run"), required=False
    )

    def __init__(
        self, data: Any = None, files: Any = None, *, organisations: Iterable[Organisation]
    ) -> None:
        super().__init__(data, files)
        self.fields["organisation"].choices = [  # type: ignore[attr-defined]
            (str(o.pk), o.name) for o in organisations
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("spec_file")
        if upload is not None:
            try:
                data["spec_text"] = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                self.add_error("spec_file", _("The specification is not UTF-8 text."))
        if not data.get("spec_text", "").strip() and not self.has_error("spec_file"):
            self.add_error("spec_text", _("Upload or paste a table specification."))
        if data.get("microdata") is None and not data.get("server_path", "").strip():
            self.add_error("microdata", _("Upload the microdata or name a file on the server."))
        elif data.get("microdata") is not None and data.get("server_path", "").strip():
            self.add_error("server_path", _("Upload a file or name one on the server, not both."))
        return data


class SubmitForm(forms.Form):
    """Where a run's protected tables go in the data hub."""

    indicator = forms.ChoiceField(label=_("Indicator"))
    ref_area = forms.CharField(
        label=_("Place"),
        required=False,
        max_length=3,
        help_text=_(
            "ISO 3166 alpha-3 or M49 code, e.g. KEN or 404; by default your organisation's."
        ),
    )
    period = forms.RegexField(
        label=_("Period"),
        regex=r"^\d{4}(-\d{2}){0,2}$",
        max_length=10,
        help_text=_("The period the microdata describe, e.g. 2024."),
    )
    tables = forms.MultipleChoiceField(
        label=_("Tables"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: all of them, in one version."),
    )
    revision_note = forms.CharField(
        label=_("What changed and why"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required from the dataset's second version on."),
    )

    def __init__(
        self,
        data: Any = None,
        *,
        indicators: Iterable[Indicator],
        tables: Iterable[str],
    ) -> None:
        super().__init__(data)
        self.fields["indicator"].choices = [  # type: ignore[attr-defined]
            (i.code, f"{i.code} {i.localized('name')[:80]}") for i in indicators
        ]
        self.fields["tables"].choices = [(t, t) for t in tables]  # type: ignore[attr-defined]
