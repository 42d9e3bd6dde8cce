"""Keep the SDMX answers fresh when the catalogue is edited one row at a time (the shell, a
future admin page, an action): a save or delete of any row that shapes the SDMX structures and
data answers raises the catalogue revision. Bulk writes, which send no signal, call
:func:`~solidarity.indicators.sdmx_cache.catalogue_changed` themselves (the loaders do)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save

from solidarity.accounts.models import Organisation
from solidarity.indicators.models import (
    Code,
    Dataset,
    DatasetVersion,
    Dimension,
    Indicator,
    IndicatorDimension,
)
from solidarity.indicators.sdmx_cache import catalogue_changed, public_state_changed
from solidarity.reference.models import SdgSeries

# What the SDMX structures are built from: the indicators, their dimensions and the dimensions'
# codes (places included: the catalogue loader copies countries and regions into codes), and the
# SDG series of the SDG-shaped flows, and the organisations (the DATA_PROVIDER codes and names).
CATALOGUE_MODELS: tuple[type[Any], ...] = (
    Indicator,
    Dimension,
    Code,
    IndicatorDimension,
    SdgSeries,
    Organisation,
)


def _changed(sender: type[Any], **kwargs: Any) -> None:
    if kwargs.get("raw"):  # loading fixtures
        return
    catalogue_changed()


def _versions_changed(sender: type[Any], **kwargs: Any) -> None:
    # A version saved (published, say) or a dataset removed: every worker reads again what is
    # public (bulk updates, which send no signal, wait for SOLIDARITY_PUBLIC_STATE_SECONDS).
    public_state_changed()


def _links_changed(sender: type[Any], *, action: str, **kwargs: Any) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        catalogue_changed()


def connect() -> None:
    for model in (Dataset, DatasetVersion):
        uid = f"indicators.public.{model._meta.label}"
        post_save.connect(_versions_changed, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_versions_changed, sender=model, dispatch_uid=f"{uid}.delete")
    for model in CATALOGUE_MODELS:
        uid = f"indicators.catalogue.{model._meta.label}"
        post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}.delete")
    # Links between catalogue rows (an indicator's GCM objectives, SDG series and dimensions,
    # an SDG series' indicators) change through the related managers (``add``, ``remove``,
    # ``set``, ``clear``, from either side) without saving any row: Django sends m2m_changed
    # only, by the relation's through model, and a through model's rows are bulk-created.
    for model in CATALOGUE_MODELS:
        for relation in model._meta.local_many_to_many:
            m2m_changed.connect(
                _links_changed,
                sender=relation.remote_field.through,
                dispatch_uid=f"indicators.catalogue.{model._meta.label}.{relation.name}",
            )
