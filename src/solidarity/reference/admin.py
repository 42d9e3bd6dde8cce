"""The reference catalogue in the admin: readable by staff, never edited there.

Every row comes from the data files in ``reference/data/`` through
:func:`solidarity.reference.loaders.load_reference_data`; an edit in the admin would be silently
undone at the next load and would leave no provenance, so the admin only shows.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from solidarity.reference.models import (
    Country,
    CrossCuttingApproach,
    GuidingPrinciple,
    Objective,
    PopulationGroup,
    Region,
    SdgGoal,
    SdgIndicator,
    SdgSeries,
    SdgTarget,
    SolidarityType,
    Treaty,
)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Objective)
class ObjectiveAdmin(ReadOnlyAdmin):
    list_display = ("number", "short_label", "title", "paragraph")


@admin.register(GuidingPrinciple)
class GuidingPrincipleAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "paragraph")


@admin.register(CrossCuttingApproach, PopulationGroup, SolidarityType)
class CodedConceptAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "name_fr", "name_es", "order")


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = ("m49", "name", "level", "parent")
    list_filter = ("level",)


@admin.register(Country)
class CountryAdmin(ReadOnlyAdmin):
    list_display = (
        "iso3",
        "name",
        "m49",
        "region",
        "subregion",
        "un_member",
        "ldc",
        "lldc",
        "sids",
    )
    list_filter = ("un_member", "ldc", "lldc", "sids", "developing", "region")
    search_fields = ("iso3", "iso2", "m49", "name", "name_fr", "name_es")


@admin.register(SdgGoal)
class SdgGoalAdmin(ReadOnlyAdmin):
    list_display = ("number", "name")


@admin.register(SdgTarget)
class SdgTargetAdmin(ReadOnlyAdmin):
    list_display = ("code", "goal")


@admin.register(SdgIndicator)
class SdgIndicatorAdmin(ReadOnlyAdmin):
    list_display = ("code", "target", "tier", "migration_relevant")
    list_filter = ("migration_relevant", "tier")
    search_fields = ("code", "description")


@admin.register(SdgSeries)
class SdgSeriesAdmin(ReadOnlyAdmin):
    list_display = ("code", "description")
    search_fields = ("code", "description")


@admin.register(Treaty)
class TreatyAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "kind", "monitoring_body", "adopted", "entry_into_force")
    list_filter = ("kind",)
