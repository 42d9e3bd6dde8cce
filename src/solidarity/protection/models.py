"""A disclosure-control run: one provider's microdata protected by the privacy engine.

The microdata never enter the database: an upload is kept in a private folder under
``SOLIDARITY_HOME`` until the run ends (then deleted unless the provider keeps it), and a
server-side file is only named by its path inside ``SOLIDARITY_MICRODATA_DIR``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from solidarity.accounts.models import Organisation


class ProtectionRun(models.Model):
    class Method(models.TextChoices):
        CELLKEY = "cellkey", _("Cell key (perturbation)")
        SUPPRESS = "suppress", _("Threshold and secondary suppression")
        DP = "dp", _("Differential privacy")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Source(models.TextChoices):
        UPLOAD = "upload", _("Uploaded file")
        SERVER = "server", _("File on the server")

    provider = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="protection_runs",
        verbose_name=_("provider"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="protection_runs",
        verbose_name=_("started by"),
    )
    dataset = models.CharField(_("dataset"), max_length=100)
    spec = models.TextField(_("table specification (YAML)"))
    source = models.CharField(_("microdata source"), max_length=10, choices=Source.choices)
    microdata_name = models.CharField(_("microdata file"), max_length=255)
    # An upload: its path under the private folder; a server file: its path as given.
    microdata_path = models.CharField(max_length=1000, editable=False)
    microdata_deleted_at = models.DateTimeField(_("microdata deleted"), null=True, blank=True)
    keep_microdata = models.BooleanField(_("keep the microdata after the run"), default=False)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    parameters = models.JSONField(_("parameters"), default=dict)
    engine = models.CharField(_("engine"), max_length=10, default="duckdb")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.FloatField(_("progress"), default=0.0)
    progress_step = models.CharField(_("step"), max_length=200, blank=True)
    report = models.JSONField(_("report"), default=dict, blank=True)
    audit_passed = models.BooleanField(_("audit passed"), null=True)
    audit = models.JSONField(_("audit"), default=dict, blank=True)
    output_dir = models.CharField(_("output folder"), max_length=1000, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("protection run")
        verbose_name_plural = _("protection runs")
        indexes = [models.Index(fields=["provider", "dataset"])]

    def __str__(self) -> str:
        return f"{self.dataset} #{self.pk} ({self.method})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
