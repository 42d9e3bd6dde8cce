"""Two-factor authentication for privileged roles (DESIGN.md, "Security and privacy model").

A person holding a privileged role who has logged in with a password only is sent to set up an
authenticator app (no device yet) or to enter a code (has one) before any other page. Plain
members are never forced. Pages needed to get through — logging in and out, the two-factor pages,
static files, the language switch — stay open; the JSON API answers 403 instead of redirecting,
since a program cannot follow a page meant for a person.
"""

from __future__ import annotations

from collections.abc import Callable

import django_otp
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from solidarity.accounts import permissions

EXEMPT_VIEW_NAMES = frozenset(
    {
        "accounts:login",
        "accounts:logout",
        "accounts:two_factor_setup",
        "accounts:two_factor_verify",
        "set_language",
    }
)
API_PREFIX = "/api/"
I18N_PREFIX = "/i18n/"


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not getattr(user, "is_verified", lambda: False)()
            and not self._is_exempt(request)
            and permissions.is_privileged(user)
        ):
            if request.path_info.startswith(API_PREFIX):
                return JsonResponse(
                    {"detail": _("This account must verify a two-factor code first.")},
                    status=403,
                )
            target = (
                "accounts:two_factor_verify"
                if django_otp.user_has_device(user)
                else "accounts:two_factor_setup"
            )
            return HttpResponseRedirect(
                f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}"
            )
        return self.get_response(request)

    @staticmethod
    def _is_exempt(request: HttpRequest) -> bool:
        path = request.path_info
        if path.startswith((settings.STATIC_URL or "/static/", I18N_PREFIX)):
            return True
        try:
            match = resolve(path)
        except Resolver404:
            return False
        return match.view_name in EXEMPT_VIEW_NAMES
