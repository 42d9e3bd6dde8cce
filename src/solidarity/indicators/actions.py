"""Changes to a provider's label mappings, made by its data providers (or administrators)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from solidarity.accounts.models import Organisation, User
from solidarity.accounts.permissions import can_manage_mappings
from solidarity.audit.actions import audit_record, audit_snapshot
from solidarity.indicators.models import Code, Dimension, LabelMapping, normalise_label

MAPPING_FIELDS = ("provider", "kind", "dimension", "label", "code")


def _snapshot(mapping: LabelMapping) -> dict[str, object]:
    snapshot = audit_snapshot(mapping, fields=MAPPING_FIELDS)
    # The code's own identifier rather than its row number, so the trail reads on its own.
    snapshot["code"] = mapping.code.code if mapping.code is not None else None
    return snapshot


@transaction.atomic
def label_mapping_set(
    *,
    actor: User,
    provider: Organisation,
    kind: str,
    label: str,
    dimension: Dimension,
    code: str = "",
) -> LabelMapping:
    """Map ``label`` in ``provider``'s files to ``dimension`` (a column header) or to ``code`` of
    ``dimension`` (a value), replacing the provider's earlier mapping of the same label, which is
    matched whatever its case and spacing. Records the mapping before and after.

    Raises :class:`~django.core.exceptions.PermissionDenied` unless ``actor`` is a data provider
    of ``provider`` or an administrator, and :class:`~django.core.exceptions.ValidationError` for a
    code that is not in the dimension's codelist (common or the provider's own) or a blank column
    header; nothing is written then.
    """
    if not can_manage_mappings(actor, provider):
        raise PermissionDenied
    label = label.strip()
    normalised = normalise_label(label)
    target: Code | None = None
    if kind == LabelMapping.Kind.COLUMN:
        if not normalised:
            raise ValidationError({"label": _("A column header cannot be blank.")})
        # One header names one dimension: replace whatever this header mapped before.
        existing = LabelMapping.objects.select_for_update().filter(
            provider=provider, kind=kind, normalised_label=normalised
        )
    elif kind == LabelMapping.Kind.VALUE:
        target = (
            Code.objects.filter(dimension=dimension, code=code.strip())
            .filter(Q(provider__isnull=True) | Q(provider=provider))
            .order_by("provider")  # the provider's own code before a common one of that name
            .first()
        )
        if target is None:
            raise ValidationError(
                {
                    "code": _("%(code)s is not a code of %(dimension)s.")
                    % {"code": code.strip() or '""', "dimension": dimension.code}
                }
            )
        existing = LabelMapping.objects.select_for_update().filter(
            provider=provider, kind=kind, dimension=dimension, normalised_label=normalised
        )
    else:
        raise ValidationError({"kind": _("Choose a column header or a value.")})
    mapping = existing.first()
    before = _snapshot(mapping) if mapping is not None else None
    if mapping is None:
        mapping = LabelMapping(provider=provider, kind=kind)
    mapping.dimension = dimension
    mapping.label = label
    mapping.normalised_label = normalised
    mapping.code = target
    after = _snapshot(mapping)
    if before == after:
        return mapping
    mapping.save()
    audit_record(
        actor=actor,
        action="label_mapping.create" if before is None else "label_mapping.update",
        obj=mapping,
        before=before,
        after=after,
    )
    return mapping


@transaction.atomic
def label_mapping_delete(*, actor: User, mapping: LabelMapping) -> None:
    """Remove one of a provider's mappings and record what it was. The common default mappings
    (no provider) come from the data files and are not removed here.

    Raises :class:`~django.core.exceptions.PermissionDenied` unless ``actor`` may manage the
    provider's mappings."""
    if mapping.provider is None or not can_manage_mappings(actor, mapping.provider):
        raise PermissionDenied
    before = _snapshot(mapping)
    audit_record(actor=actor, action="label_mapping.delete", obj=mapping, before=before)
    mapping.delete()
