"""Whole pages of published data, kept for anonymous visitors.

A page that shows only published data (an indicator's page, a country's page) is the same for
every anonymous visitor until something is published, an embargo ends or the catalogue changes:
:func:`public_page` keeps it whole in the worker's cache, under a key made of the address (path
and query string, host, scheme), the language, the public state
(:func:`solidarity.indicators.sdmx_cache.public_state`: catalogue revision and public versions,
read without a query most of the time) and whatever else the view says the page depends on. A
repeated request then costs the middleware and a cache look-up: no query, no template.

What must never be shared, and how it is not:

- Signed-in users (their name, their menu, drafts they may see) and visitors with a session or
  pending messages are never served from, nor written into, this cache: only requests with no
  session cookie and no messages cookie are, which proves the visitor anonymous without a query.
- The CSRF token of the page's forms (log out, language) is the visitor's own: it is cut out of
  the stored page and each visitor's own token put back when the page is sent. Pages kept here
  must use the token through ``{% csrf_token %}`` only; one that asked for it without that tag,
  set a cookie or wrote to the session is not stored.
- Drafts, versions under review and embargoed versions: the pages show published data only
  (:mod:`solidarity.indicators.publication`), and the key holds the public state, so a
  publication or the end of an embargo gives new keys at once (see ``public_state`` for the one
  bound, ``SOLIDARITY_PUBLIC_STATE_SECONDS``, on changes made behind the platform's back).

Reference data (countries, objectives) reloaded with ``solidarity reference load`` show on kept
pages after ``SOLIDARITY_PUBLIC_PAGE_SECONDS`` at most, or at once when the workers restart (as
they do on a release).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.middleware.csrf import get_token
from django.utils.translation import get_language

from solidarity.indicators.sdmx_cache import public_state

# What {% csrf_token %} writes: a masked token, 64 letters and digits.
_CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{64}(")')
# Stands for the visitor's token in a stored page; a NUL byte never comes out of a template.
_TOKEN_HOLE = b"\x00csrf\x00"

View = Callable[..., HttpResponseBase]


def _anonymous_visitor(request: HttpRequest) -> bool:
    """A GET by a visitor with nothing of their own: no session (so not signed in, no messages
    kept in the session), no messages cookie."""
    return (
        request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
    )


def public_page(
    depends_on: Callable[..., str] | None = None,
) -> Callable[[View], View]:
    """Keep the view's page whole for anonymous visitors (see the module's text).

    ``depends_on(request, *args, **kwargs)``, if given, names what else the page shows that the
    public state does not cover (e.g. a country's profile: its last change); it is part of the
    key and runs on every request, so it should read through
    :func:`~solidarity.indicators.sdmx_cache.kept_in_worker` (no query most of the time)."""

    def decorate(view: View) -> View:
        name = f"{view.__module__}.{view.__qualname__}"

        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not _anonymous_visitor(request):
                return view(request, *args, **kwargs)
            scope = [
                name,
                request.scheme or "",
                request.get_host(),
                request.get_full_path(),
                get_language() or "",
                public_state().token,
            ]
            if depends_on is not None:
                scope.append(depends_on(request, *args, **kwargs))
            key = "web:public-page:" + hashlib.sha256("\x1f".join(scope).encode()).hexdigest()
            kept = cache.get(key)
            if kept is not None:
                content_type, body = kept
                if _TOKEN_HOLE in body:
                    body = body.replace(_TOKEN_HOLE, get_token(request).encode("ascii"))
                return HttpResponse(body, content_type=content_type)
            response = view(request, *args, **kwargs)
            stored = _storable(request, response)
            if stored is not None:
                cache.set(key, (response["Content-Type"], stored), settings.PUBLIC_PAGE_SECONDS)
            return response

        return wrapper

    return decorate


def _storable(request: HttpRequest, response: HttpResponseBase) -> bytes | None:
    """The page with its CSRF tokens cut out, or None when it must not be shared."""
    if (
        not isinstance(response, HttpResponse)
        or response.status_code != 200
        or response.cookies
        or response.has_header("Vary")
        or getattr(getattr(request, "session", None), "modified", False)
    ):
        return None
    body, holes = _CSRF_INPUT.subn(rb"\1" + _TOKEN_HOLE + rb"\2", response.content)
    # The token was asked for (CsrfViewMiddleware will set its cookie) but not only through
    # {% csrf_token %}: it may be elsewhere in the page, which then is the visitor's own.
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") and not holes:
        return None
    return body
