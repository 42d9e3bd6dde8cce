"""Forms that parse what visitors send to the public pages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from solidarity.reference.models import Region

GROUPING_CHOICES = [
    ("", _("Any grouping")),
    ("ldc", _("Least developed countries (LDC)")),
    ("lldc", _("Landlocked developing countries (LLDC)")),
    ("sids", _("Small island developing States (SIDS)")),
    ("developing", _("Developing economies")),
    ("developed", _("Developed economies")),
]

UN_MEMBER_CHOICES = [
    ("", _("Members and non-members")),
    ("yes", _("UN member States only")),
    ("no", _("Not UN member States")),
]


def region_choices(regions: Iterable[Region]) -> list[tuple[str, Any]]:
    """M49 regions as option groups: each region, then its sub-regions and intermediate regions.

    The world (001) is left out: filtering by it would be no filter at all.
    """
    regions = list(regions)
    children: dict[str | None, list[Region]] = {}
    for region in regions:
        children.setdefault(region.parent_id, []).append(region)
    choices: list[tuple[str, Any]] = [("", _("All regions"))]
    for region in regions:
        if region.level != Region.Level.REGION:
            continue
        name = region.localized("name")
        options = [(region.m49, _("All of %(region)s") % {"region": name})]
        for subregion in children.get(region.m49, []):
            options.append((subregion.m49, subregion.localized("name")))
            for intermediate in children.get(subregion.m49, []):
                # An en dash marks the third level; option groups cannot nest.
                options.append((intermediate.m49, "\N{EN DASH} " + intermediate.localized("name")))
        choices.append((name, options))
    return choices


class CountryFilterForm(forms.Form):
    """The filters of the countries list. Every field is optional; a value that names nothing is
    refused with a message rather than silently ignored."""

    q = forms.CharField(label=_("Search by name or code"), required=False, max_length=100)
    region = forms.ChoiceField(
        label=_("Region"),
        required=False,
        error_messages={"invalid_choice": _("There is no M49 region with the code “%(value)s”.")},
    )
    grouping = forms.ChoiceField(
        label=_("Grouping"),
        required=False,
        choices=GROUPING_CHOICES,
        error_messages={"invalid_choice": _("“%(value)s” is not a grouping we know.")},
    )
    un_member = forms.ChoiceField(
        label=_("UN membership"),
        required=False,
        choices=UN_MEMBER_CHOICES,
        error_messages={"invalid_choice": _("“%(value)s” is not a UN membership filter.")},
    )

    def __init__(self, *args: Any, regions: Iterable[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region_field = self.fields["region"]
        assert isinstance(region_field, forms.ChoiceField)
        region_field.choices = region_choices(regions)

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for :func:`solidarity.reference.selectors.country_list`."""
        data = self.cleaned_data
        un_member = {"yes": True, "no": False}.get(data["un_member"])
        return {
            "region": data["region"] or None,
            "grouping": data["grouping"] or None,
            "un_member": un_member,
            "search": data["q"].strip() or None,
        }

    def is_filtered(self) -> bool:
        return any(value is not None for value in self.filters().values())
