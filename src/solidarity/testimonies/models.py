"""Testimonies of migrants and host-community members, the consent given for each use, the
redactions proposed and confirmed before publication, and the moderators' decisions.

What a person wrote and who they are (name, pseudonym, contact details, a guardian's name) never
sit in a column in clear: they are sealed into ``sealed`` (and the redacted version into
``sealed_redacted``) by :mod:`solidarity.testimonies.crypto`. The columns left in clear are what
the consent gate and the public filters need: the state of moderation, the GCM objectives, the
countries, the self-described groups, the language and the dates.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Use(models.TextChoices):
    """The uses a person consents to, one by one (issue 9, "Consent per use")."""

    STORE = "store", _("Keep my testimony so that moderators can read it")
    PUBLISH = "publish", _("Publish it on this site, without my name and with details removed")
    SHARE_STATE = (
        "share_state",
        _("Share it, anonymised, with the government of the State concerned"),
    )
    SHARE_UN = "share_un", _("Share it, anonymised, with United Nations bodies")
    RESEARCH = "research", _("Let researchers use it, anonymised")


class IdentityLevel(models.TextChoices):
    ANONYMOUS = "anonymous", _("Anonymous: no name at all")
    PSEUDONYM = "pseudonym", _("Under a name I choose (a pseudonym)")
    NAMED = "named", _("Under my own name")


class Group(models.TextChoices):
    WOMAN = "woman", _("Woman or girl")
    CHILD = "child", _("Child or adolescent (under 18)")
    OLDER = "older", _("Older person")
    DISABILITY = "disability", _("Person with a disability")


class Testimony(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("Waiting for a moderator")
        PUBLISHED = "published", _("Released by a moderator")
        REFUSED = "refused", _("Not released")
        WITHDRAWN = "withdrawn", _("Withdrawn by the person")

    # The address and the API show this, never the row number (which would tell how many exist).
    public_id = models.UUIDField(_("public identifier"), default=uuid.uuid4, unique=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    language = models.CharField(_("language"), max_length=8)
    identity_level = models.CharField(_("identity"), max_length=20, choices=IdentityLevel.choices)
    groups = models.JSONField(_("self-described groups"), default=list, blank=True)
    objectives = models.ManyToManyField(
        "reference.Objective", verbose_name=_("GCM objectives"), blank=True, related_name="+"
    )
    country_of_origin = models.ForeignKey(
        "reference.Country",
        verbose_name=_("country of origin"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    country_of_transit = models.ForeignKey(
        "reference.Country",
        verbose_name=_("country of transit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    country_of_destination = models.ForeignKey(
        "reference.Country",
        verbose_name=_("country of destination"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    guardian_agrees = models.BooleanField(_("a parent or guardian agrees"), default=False)
    # Encrypted JSON documents (crypto.seal): what the person wrote and who they are; the text a
    # moderator made ready for publication.
    sealed = models.TextField(_("sealed testimony"), blank=True)
    sealed_redacted = models.TextField(_("sealed redacted testimony"), blank=True)
    # SHA-256 of the receipt code: the code itself is never kept, so a copy of the database does
    # not let anyone withdraw or look up someone else's testimony.
    receipt_lookup = models.CharField(_("receipt lookup"), max_length=64, unique=True)
    # SHA-256 of the canonical record as received (content, consents and their wording): the
    # person keeps it, and anyone holding the code can check the record was not altered since.
    receipt_digest = models.CharField(_("receipt digest"), max_length=64)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded on the person's behalf by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("received"), default=timezone.now)
    retain_until = models.DateField(_("delete after"), db_index=True)
    moderated_at = models.DateTimeField(_("moderated"), null=True, blank=True)
    published_at = models.DateTimeField(_("released"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("testimony")
        verbose_name_plural = _("testimonies")

    def __str__(self) -> str:
        # No content here: this is what the audit trail and the admin show.
        return f"testimony {self.public_id}"

    def countries(self) -> list[str]:
        return [
            code
            for code in (
                self.country_of_origin_id,
                self.country_of_transit_id,
                self.country_of_destination_id,
            )
            if code
        ]


class Consent(models.Model):
    """One choice about one use, with the words the person saw, in their language, and when."""

    testimony = models.ForeignKey(Testimony, on_delete=models.CASCADE, related_name="consents")
    use = models.CharField(_("use"), max_length=20, choices=Use.choices)
    granted = models.BooleanField(_("granted"))
    wording = models.TextField(_("wording shown"))
    language = models.CharField(_("language"), max_length=8)
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        ordering = ["testimony", "id"]
        constraints = [
            models.UniqueConstraint(fields=["testimony", "use"], name="one_consent_per_use")
        ]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"{self.use}: {'yes' if self.granted else 'no'}"

    @property
    def in_force(self) -> bool:
        return self.granted and self.withdrawn_at is None


class RedactionFlag(models.Model):
    """A stretch of the text that may identify someone: proposed automatically or by a moderator,
    and removed from the published text once a moderator confirms it. Only positions are kept;
    the words themselves stay in the sealed text."""

    class Kind(models.TextChoices):
        NAME = "name", _("Name")
        PLACE = "place", _("Place")
        PHONE = "phone", _("Phone number")
        EMAIL = "email", _("E-mail address")
        OTHER = "other", _("Other identifying detail")

    testimony = models.ForeignKey(Testimony, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    start = models.PositiveIntegerField(_("start"))
    end = models.PositiveIntegerField(_("end"))
    automatic = models.BooleanField(_("found automatically"), default=True)
    confirmed = models.BooleanField(_("confirmed by a moderator"), null=True, blank=True)

    class Meta:
        ordering = ["testimony", "start", "end"]
        verbose_name = _("redaction flag")
        verbose_name_plural = _("redaction flags")

    def __str__(self) -> str:
        return f"{self.kind} {self.start}-{self.end}"


class ModerationDecision(models.Model):
    class Decision(models.TextChoices):
        PUBLISH = "publish", _("Release it for the uses consented to")
        REFUSE = "refuse", _("Do not release it")

    class Danger(models.TextChoices):
        NO = "no", _("No")
        YES = "yes", _("Yes")
        UNSURE = "unsure", _("Not sure")

    testimony = models.ForeignKey(Testimony, on_delete=models.CASCADE, related_name="decisions")
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    could_endanger = models.CharField(
        _("could publishing this endanger the person?"), max_length=10, choices=Danger.choices
    )
    reason = models.TextField(_("reason"))
    decided_at = models.DateTimeField(_("decided"), auto_now_add=True)

    class Meta:
        ordering = ["testimony", "decided_at", "id"]
        verbose_name = _("moderation decision")
        verbose_name_plural = _("moderation decisions")

    def __str__(self) -> str:
        return f"{self.decision} ({self.decided_at:%Y-%m-%d})"
