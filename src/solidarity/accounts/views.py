"""Account pages: log in and out, password reset, two-factor set-up, verification and backup codes.

Logging in, out and resetting passwords are Django's own views with our templates; the two-factor
pages are thin views over :mod:`solidarity.accounts.actions` and django-otp.
"""

from __future__ import annotations

import base64

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from solidarity.accounts import actions
from solidarity.accounts.forms import LoginForm, ResetPasswordForm, SetupTokenForm, TokenForm
from solidarity.accounts.models import User


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm


class LogoutView(auth_views.LogoutView):
    pass


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset_email.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = ResetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


def _account(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # the views below are all behind login_required
    return user


def _is_verified(request: HttpRequest) -> bool:
    return bool(getattr(request.user, "is_verified", lambda: False)())


def _next_url(request: HttpRequest) -> str:
    """Where to go after a two-factor step: the page asked for, if it is on this site."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def _qr_code_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    svg: str = image.to_string(encoding="unicode")
    return svg


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    user = _account(request)
    next_url = _next_url(request)
    if django_otp.user_has_device(user):
        if not _is_verified(request):
            return redirect(_with_next("accounts:two_factor_verify", next_url))
        messages.info(request, _("Two-factor authentication is already set up for your account."))
        return redirect("accounts:backup_codes")
    device = actions.totp_device_start(user=user)
    form = SetupTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            actions.totp_device_confirm(user=user, device=device)
            django_otp.login(request, device)
            messages.success(
                request,
                _(
                    "Two-factor authentication is on. Now make backup codes, in case you lose "
                    "your phone."
                ),
            )
            return redirect(_with_next("accounts:backup_codes", next_url))
        form.add_error(
            "token", _("That code is not right. Check the time on your phone and try again.")
        )
    secret = base64.b32encode(device.bin_key).decode("ascii")
    context = {
        "form": form,
        "next": next_url,
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        # The SVG is made here from our own otpauth address, never from user input.
        "qr_code": mark_safe(_qr_code_svg(device.config_url)),  # noqa: S308
    }
    return render(request, "accounts/two_factor_setup.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    user = _account(request)
    next_url = _next_url(request)
    if not django_otp.user_has_device(user):
        return redirect(_with_next("accounts:two_factor_setup", next_url))
    if _is_verified(request):
        return HttpResponseRedirect(next_url)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = django_otp.match_token(user, form.cleaned_data["token"])
        if device is not None:
            django_otp.login(request, device)
            return HttpResponseRedirect(next_url)
        form.add_error("token", _("That code is not right. Try again, or use a backup code."))
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": next_url})


@login_required
@require_http_methods(["GET", "POST"])
def backup_codes(request: HttpRequest) -> HttpResponse:
    user = _account(request)
    next_url = _next_url(request)
    if not _is_verified(request):
        target = (
            "accounts:two_factor_verify"
            if django_otp.user_has_device(user)
            else "accounts:two_factor_setup"
        )
        return redirect(_with_next(target, request.get_full_path()))
    codes: list[str] = []
    if request.method == "POST":
        codes = actions.backup_codes_generate(user=user)
    return render(request, "accounts/backup_codes.html", {"codes": codes, "next": next_url})
