"""People, the organisations they belong to, and the roles they hold."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    class Kind(models.TextChoices):
        STATE_GOVERNMENT = "state_government", _("State government")
        NSO = "nso", _("National statistical office")
        UN_ENTITY = "un_entity", _("UN entity")
        CSO = "cso", _("Civil-society organisation")
        MIGRANT_LED = "migrant_led", _("Migrant-led organisation")
        NHRI = "nhri", _("National human-rights institution")
        TRADE_UNION = "trade_union", _("Trade union")
        LOCAL_AUTHORITY = "local_authority", _("Local authority")
        ACADEMIA = "academia", _("Academia")
        PRIVATE_SECTOR = "private_sector", _("Private sector")

    name = models.CharField(_("name"), max_length=200, unique=True)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    country = models.ForeignKey(
        "reference.Country",
        verbose_name=_("based in"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person with an account. Roles are held through :class:`RoleAssignment`."""

    email = models.EmailField(_("email address"), unique=True)

    # django-stubs do not declare AbstractUser.Meta, which Django documents subclassing.
    class Meta(AbstractUser.Meta):  # type: ignore[name-defined,misc]
        swappable = "AUTH_USER_MODEL"


class Role(models.TextChoices):
    MEMBER = "member", _("Member of an organisation")
    FOCAL_POINT = "focal_point", _("State focal point")
    DATA_PROVIDER = "data_provider", _("Data provider")
    MODERATOR = "moderator", _("Moderator")
    REVIEWER = "reviewer", _("Reviewer / secretariat")
    ADMINISTRATOR = "administrator", _("Administrator")


# Roles that speak for a State or an organisation, or act on other people's contributions:
# their accounts must use two-factor authentication.
PRIVILEGED_ROLES = frozenset(
    {Role.FOCAL_POINT, Role.DATA_PROVIDER, Role.MODERATOR, Role.REVIEWER, Role.ADMINISTRATOR}
)


class RoleAssignment(models.Model):
    """One role held by one person, with its scope: a State for focal points, an organisation for
    members and data providers, nothing for platform-wide roles."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    country = models.ForeignKey(
        "reference.Country",
        verbose_name=_("State"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    granted_at = models.DateTimeField(_("granted"), auto_now_add=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.CheckConstraint(
                name="focal_point_scoped_to_a_state",
                condition=~Q(role="focal_point")
                | (Q(country__isnull=False) & Q(organisation__isnull=True)),
            ),
            models.CheckConstraint(
                name="member_and_provider_scoped_to_an_organisation",
                condition=~Q(role__in=["member", "data_provider"])
                | (Q(organisation__isnull=False) & Q(country__isnull=True)),
            ),
            models.CheckConstraint(
                name="platform_roles_unscoped",
                condition=~Q(role__in=["moderator", "reviewer", "administrator"])
                | (Q(organisation__isnull=True) & Q(country__isnull=True)),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "country", "organisation"],
                name="unique_role_assignment",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        scope = self.country or self.organisation
        return f"{self.user} — {self.get_role_display()}" + (f" ({scope})" if scope else "")
