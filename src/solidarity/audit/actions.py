"""Writing the audit trail. Every action of every app calls :func:`audit_record` inside its own
transaction, so a change and its audit row land together or not at all."""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models

from solidarity.audit.models import AuditEntry

JsonValue = Any


def _json_safe(value: object) -> JsonValue:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, Iterable):
        return [_json_safe(v) for v in value]
    return str(value)


def audit_snapshot(obj: models.Model, *, fields: Iterable[str]) -> dict[str, JsonValue]:
    """The named fields of ``obj`` as JSON-safe values (foreign keys as their primary key)."""
    snapshot: dict[str, JsonValue] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = getattr(field, "attname", name)
        snapshot[name] = _json_safe(getattr(obj, attname))
    return snapshot


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    before: Mapping[str, object] | None = None,
    after: Mapping[str, object] | None = None,
) -> AuditEntry:
    """Record one change. ``actor`` is a user, or ``None`` with a label such as ``"system:loader"``
    given as a string for changes made by commands."""
    if isinstance(actor, str):
        user, label = None, actor
    elif actor is None or not getattr(actor, "is_authenticated", False):
        user, label = None, "anonymous"
    else:
        user, label = actor, actor.get_username()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:300]
    return AuditEntry.objects.create(
        actor=user,
        actor_label=label,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        before=_json_safe(before) if before is not None else None,
        after=_json_safe(after) if after is not None else None,
    )
