"""Forms of the account pages. Autocomplete hints let browsers and password managers fill them
in; errors are tied to their field by Django's ``aria-describedby``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm, UsernameField
from django.utils.translation import gettext_lazy as _

from solidarity.accounts.actions import user_password_set
from solidarity.accounts.models import User


class LoginForm(AuthenticationForm):
    """Django's login form, accepting an e-mail address in place of the username."""

    username = UsernameField(
        label=_("Username or e-mail address"),
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}
        ),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "That username or e-mail address and password do not match an account. "
            "Passwords are case-sensitive."
        ),
    }

    def clean(self) -> dict[str, Any]:
        identifier = self.cleaned_data.get("username") or ""
        if "@" in identifier:
            username = (
                User.objects.filter(email__iexact=identifier)
                .values_list("username", flat=True)
                .first()
            )
            if username is not None:
                self.cleaned_data["username"] = username
        return super().clean()


class ResetPasswordForm(SetPasswordForm):  # type: ignore[type-arg]  # generic only in the stubs
    """The new-password form of the reset link; the change goes through the audited action."""

    def save(self, commit: bool = True) -> User:
        user = self.user
        assert isinstance(user, User)
        return user_password_set(actor=None, user=user, password=self.cleaned_data["new_password1"])


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=16,
        help_text=_(
            "The 6-digit code your authenticator app shows now, or one of your backup codes."
        ),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )

    def clean_token(self) -> str:
        return "".join(str(self.cleaned_data["token"]).split())


class SetupTokenForm(TokenForm):
    token = forms.CharField(
        label=_("Code from the app"),
        max_length=8,
        help_text=_("Enter the 6-digit code the app shows, to check it is set up correctly."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
            }
        ),
    )
