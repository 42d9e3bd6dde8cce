"""The Django admin for accounts. Every change made here goes through the same actions as the
site and the command line, so the admin writes the audit trail too."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm, UsernameField
from django.db import models
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from solidarity.accounts import actions
from solidarity.accounts.models import Organisation, RoleAssignment, User


def _actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # not subscriptable at run time
    list_display = ("name", "acronym", "kind", "country")
    list_filter = ("kind",)
    search_fields = ("name", "acronym")
    fields = actions.ORGANISATION_FIELDS
    # An address typed without a scheme is taken as https, as Django 6 will do.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(
        self, request: HttpRequest, obj: Organisation, form: ModelForm[Organisation], change: bool
    ) -> None:
        values = {name: form.cleaned_data[name] for name in actions.ORGANISATION_FIELDS}
        if change:
            actions.organisation_update(actor=_actor(request), organisation=obj, **values)
        else:
            created = actions.organisation_create(actor=_actor(request), **values)
            obj.pk = created.pk

    def has_delete_permission(self, request: HttpRequest, obj: Organisation | None = None) -> bool:
        # Contributions hang on organisations; they are never hard-deleted (DESIGN.md).
        return False


class SolidarityUserCreationForm(UserCreationForm):  # type: ignore[type-arg]
    class Meta:
        model = User
        fields = ("username", "email")
        field_classes = {"username": UsernameField}


class SolidarityUserChangeForm(UserChangeForm):  # type: ignore[type-arg]
    class Meta:
        model = User
        fields = "__all__"
        field_classes = {"username": UsernameField}


@admin.register(User)
class UserAdmin(DjangoUserAdmin):  # type: ignore[type-arg]
    """Roles are given in "Role assignments", never through Django's groups or permissions; staff
    and superuser status follow the administrator role."""

    form = SolidarityUserChangeForm
    add_form = SolidarityUserCreationForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Status"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "email", "password1", "password2")}),
    )
    readonly_fields = ("is_staff", "is_superuser", "last_login", "date_joined")
    list_display = ("username", "email", "first_name", "last_name", "is_active", "is_staff")
    list_filter = ("is_active", "is_staff", "role_assignments__role")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            values = {
                name: form.cleaned_data[name]
                for name in actions.USER_FIELDS
                if name in form.cleaned_data
            }
            actions.user_update(actor=_actor(request), user=obj, **values)
        else:
            created = actions.user_create(
                actor=_actor(request),
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data.get("password1"),
            )
            obj.pk = created.pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deactivate instead: the trail and contributions keep pointing at the account.
        return False


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # not subscriptable at run time
    """Add a role or delete it; to change a scope, delete the role and add it again."""

    list_display = ("user", "role", "country", "organisation", "granted_at", "granted_by")
    list_filter = ("role",)
    search_fields = ("user__username", "user__email", "organisation__name", "country__name")
    autocomplete_fields = ("user", "organisation")
    fields = ("user", "role", "country", "organisation")

    def has_change_permission(
        self, request: HttpRequest, obj: RoleAssignment | None = None
    ) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(
        self,
        request: HttpRequest,
        obj: RoleAssignment,
        form: ModelForm[RoleAssignment],
        change: bool,
    ) -> None:
        created = actions.role_assign(
            actor=_actor(request),
            user=form.cleaned_data["user"],
            role=form.cleaned_data["role"],
            country=form.cleaned_data["country"],
            organisation=form.cleaned_data["organisation"],
        )
        obj.pk = created.pk

    def delete_model(self, request: HttpRequest, obj: RoleAssignment) -> None:
        actions.role_revoke(
            actor=_actor(request),
            user=obj.user,
            role=obj.role,
            country=obj.country,
            organisation=obj.organisation,
        )

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[RoleAssignment]) -> None:
        for assignment in queryset.select_related("user", "country", "organisation"):
            self.delete_model(request, assignment)
