"""Changes to accounts, organisations, roles and second factors.

Every function here is atomic and writes its audit row in the same transaction. ``actor`` is the
user making the change, or a label such as ``"system:cli"`` for commands run by an operator who
already holds the server (a shell on it is more power than any role gives, so commands are not
checked against the roles).
"""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from solidarity.accounts import permissions
from solidarity.accounts.models import Organisation, Role, RoleAssignment, User
from solidarity.audit.actions import audit_record, audit_snapshot
from solidarity.reference.models import Country

Actor: TypeAlias = User | str

ORGANISATION_FIELDS = ("name", "acronym", "kind", "country", "website")
USER_FIELDS = ("username", "email", "first_name", "last_name", "is_active")
BACKUP_CODE_COUNT = 10
# One authenticator app per person; its name is what the person sees in the device list.
TOTP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"


def _check_may_manage_accounts(actor: Actor) -> None:
    if isinstance(actor, str):
        return
    if not permissions.can_manage_accounts(actor):
        raise PermissionDenied


def _roles_snapshot(user: User) -> dict[str, object]:
    """A user's roles and admin flags, as recorded before and after a role change."""
    roles = sorted(
        ":".join(
            part for part in (a.role, a.country_id or "", str(a.organisation_id or "")) if part
        )
        for a in RoleAssignment.objects.filter(user=user)
    )
    return {"roles": roles, "is_staff": user.is_staff, "is_superuser": user.is_superuser}


@transaction.atomic
def organisation_create(
    *,
    actor: Actor,
    name: str,
    kind: Organisation.Kind | str,
    acronym: str = "",
    country: Country | None = None,
    website: str = "",
) -> Organisation:
    _check_may_manage_accounts(actor)
    organisation = Organisation(
        name=name, kind=kind, acronym=acronym, country=country, website=website
    )
    organisation.full_clean()
    organisation.save()
    audit_record(
        actor=actor,
        action="organisation.create",
        obj=organisation,
        after=audit_snapshot(organisation, fields=ORGANISATION_FIELDS),
    )
    return organisation


@transaction.atomic
def organisation_update(
    *, actor: Actor, organisation: Organisation, **fields: object
) -> Organisation:
    """Change an organisation's ``name``, ``acronym``, ``kind``, ``country`` or ``website``."""
    _check_may_manage_accounts(actor)
    unknown = set(fields) - set(ORGANISATION_FIELDS)
    if unknown:
        raise TypeError(f"organisation_update() got unexpected fields: {sorted(unknown)}")
    current = Organisation.objects.select_for_update().get(pk=organisation.pk)
    before = audit_snapshot(current, fields=ORGANISATION_FIELDS)
    for name, value in fields.items():
        setattr(organisation, name, value)
    organisation.full_clean()
    organisation.save()
    audit_record(
        actor=actor,
        action="organisation.update",
        obj=organisation,
        before=before,
        after=audit_snapshot(organisation, fields=ORGANISATION_FIELDS),
    )
    return organisation


@transaction.atomic
def user_create(
    *,
    actor: Actor,
    username: str,
    email: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Create an account. ``password=None`` makes an account that can only be entered after a
    password reset (useful when inviting someone by e-mail). The password must pass the
    configured validators (:class:`django.core.exceptions.ValidationError` otherwise)."""
    _check_may_manage_accounts(actor)
    user = User(
        username=username,
        email=User.objects.normalize_email(email),
        first_name=first_name,
        last_name=last_name,
    )
    user.full_clean(exclude=["password"])
    if password is None:
        user.set_unusable_password()
    else:
        password_validation.validate_password(password, user)
        user.set_password(password)
    user.save()
    audit_record(
        actor=actor,
        action="user.create",
        obj=user,
        after=audit_snapshot(user, fields=USER_FIELDS),
    )
    return user


@transaction.atomic
def user_update(*, actor: Actor, user: User, **fields: object) -> User:
    """Change a user's ``username``, ``email``, names or ``is_active``. Roles change only through
    :func:`role_assign` and :func:`role_revoke`, passwords through :func:`user_password_set`."""
    _check_may_manage_accounts(actor)
    unknown = set(fields) - set(USER_FIELDS)
    if unknown:
        raise TypeError(f"user_update() got unexpected fields: {sorted(unknown)}")
    current = User.objects.select_for_update().get(pk=user.pk)
    before = audit_snapshot(current, fields=USER_FIELDS)
    for name, value in fields.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(
        actor=actor,
        action="user.update",
        obj=user,
        before=before,
        after=audit_snapshot(user, fields=USER_FIELDS),
    )
    return user


@transaction.atomic
def user_password_set(*, actor: Actor | None, user: User, password: str) -> User:
    """Set a new password (already validated by the form that asked for it). ``actor=None`` is a
    person resetting their own password through an e-mailed link. The trail records that the
    password changed, never the password or its hash."""
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(
        actor=actor if actor is not None else user,
        action="user.password_set",
        obj=user,
        before={"password": "(previous)"},
        after={"password": "(changed)"},
    )
    return user


@transaction.atomic
def role_assign(
    *,
    actor: Actor,
    user: User,
    role: Role | str,
    country: Country | None = None,
    organisation: Organisation | None = None,
) -> RoleAssignment:
    """Give ``user`` a role in its scope: a State for focal points, an organisation for members
    and data providers, nothing for moderators, reviewers and administrators. The database
    refuses a wrong scope (:class:`django.db.IntegrityError`); a role already held raises
    :class:`django.core.exceptions.ValidationError`.

    Administrators are also made Django staff and superusers, so the Django admin works for them.
    """
    _check_may_manage_accounts(actor)
    # The database's unique constraint treats missing scopes as equal only on PostgreSQL 15+;
    # asking first gives every database (SQLite too) the same answer.
    if RoleAssignment.objects.filter(
        user=user, role=role, country=country, organisation=organisation
    ).exists():
        raise ValidationError(
            _("%(user)s already holds this role."), code="duplicate", params={"user": user}
        )
    before = _roles_snapshot(user)
    assignment = RoleAssignment.objects.create(
        user=user,
        role=role,
        country=country,
        organisation=organisation,
        granted_by=None if isinstance(actor, str) else actor,
    )
    if role == Role.ADMINISTRATOR:
        user.is_staff = True
        user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    permissions.forget_roles(user)
    audit_record(
        actor=actor,
        action="role.assign",
        obj=user,
        before=before,
        after=_roles_snapshot(user),
    )
    return assignment


@transaction.atomic
def role_revoke(
    *,
    actor: Actor,
    user: User,
    role: Role | str,
    country: Country | None = None,
    organisation: Organisation | None = None,
) -> None:
    """Take a role away. Raises ``RoleAssignment.DoesNotExist`` when ``user`` does not hold it.
    Revoking the administrator role also removes Django staff and superuser status."""
    _check_may_manage_accounts(actor)
    before = _roles_snapshot(user)
    assignment = RoleAssignment.objects.get(
        user=user, role=role, country=country, organisation=organisation
    )
    assignment.delete()
    if role == Role.ADMINISTRATOR:
        user.is_staff = False
        user.is_superuser = False
        user.save(update_fields=["is_staff", "is_superuser"])
    permissions.forget_roles(user)
    audit_record(
        actor=actor,
        action="role.revoke",
        obj=user,
        before=before,
        after=_roles_snapshot(user),
    )


@transaction.atomic
def totp_device_start(*, user: User) -> TOTPDevice:
    """The authenticator-app device ``user`` is setting up: unconfirmed until a first code from
    the app proves it works. Asking again reuses the same unconfirmed device (same secret), so
    reloading the page does not break an app already scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
        audit_record(
            actor=user,
            action="two_factor.start",
            obj=device,
            object_repr=str(user),
            after={"confirmed": False},
        )
    return device


@transaction.atomic
def totp_device_confirm(*, user: User, device: TOTPDevice) -> TOTPDevice:
    """Mark ``device`` as working (its first code was right). The secret is never recorded."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(
        actor=user,
        action="two_factor.confirm",
        obj=device,
        object_repr=str(user),
        before={"confirmed": False},
        after={"confirmed": True},
    )
    return device


@transaction.atomic
def backup_codes_generate(*, user: User) -> list[str]:
    """Replace ``user``'s backup codes with ten new single-use codes and return them — the only
    time they can be read: afterwards only their use is checked. The codes are never recorded."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    replaced = device.token_set.count()
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    audit_record(
        actor=user,
        action="two_factor.backup_codes",
        obj=device,
        object_repr=str(user),
        before={"unused_codes": replaced},
        after={"unused_codes": BACKUP_CODE_COUNT},
    )
    return codes
