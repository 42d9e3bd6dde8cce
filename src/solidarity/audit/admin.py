from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from solidarity.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # not subscriptable at run time
    """The trail is written only by actions: the admin may read it, never change it."""

    list_display = ("created_at", "actor_label", "action", "object_type", "object_repr")
    list_filter = ("object_type", "action")
    search_fields = ("actor_label", "object_repr", "object_id")
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request: HttpRequest, obj: AuditEntry | None = None) -> list[str]:
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False
