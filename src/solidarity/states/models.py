"""A State's own record on the platform, kept by its focal points."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StateProfile(models.Model):
    """What a State says about its own GCM follow-up: who coordinates it, its national
    implementation plan. Edited only by the State's focal points (and administrators), with history
    in the audit trail."""

    country = models.OneToOneField(
        "reference.Country", on_delete=models.PROTECT, primary_key=True, related_name="profile"
    )
    coordinating_institution = models.CharField(
        _("coordinating institution"), max_length=200, blank=True
    )
    implementation_plan_url = models.URLField(_("national implementation plan"), blank=True)
    gcm_champion = models.BooleanField(_("GCM Champion country"), default=False)
    summary = models.TextField(_("summary"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("State profile")
        verbose_name_plural = _("State profiles")

    def __str__(self) -> str:
        return str(self.country)
