"""Reading the audit trail. It names people and keeps the earlier state of every record, so only
those :func:`solidarity.accounts.permissions.can_read_audit` allows may read it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from solidarity.accounts.permissions import AnyUser, can_read_audit
from solidarity.audit.models import AuditEntry


def _check_may_read(user: AnyUser) -> None:
    if not can_read_audit(user):
        raise PermissionDenied


def audit_entry_list(
    *, user: AnyUser, object_type: str | None = None, actor: str | None = None
) -> QuerySet[AuditEntry]:
    """Entries newest first, optionally only of one object type (``"states.stateprofile"``) or by
    one actor (a username, or a system label such as ``"system:cli"``)."""
    _check_may_read(user)
    entries = AuditEntry.objects.order_by("-created_at", "-id")
    if object_type:
        entries = entries.filter(object_type=object_type)
    if actor:
        entries = entries.filter(actor_label=actor)
    return entries


def audit_object_type_list(*, user: AnyUser) -> list[str]:
    """The object types that appear in the trail, for the filter."""
    _check_may_read(user)
    return list(
        AuditEntry.objects.order_by("object_type").values_list("object_type", flat=True).distinct()
    )


def last_change_number() -> int:
    """The number of the newest audit entry (0 before any): every change made through the
    platform writes one, so pages that show what many apps publish can be kept until it moves.
    Tells nothing of the change itself, so it needs no permission. One query."""
    return AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
