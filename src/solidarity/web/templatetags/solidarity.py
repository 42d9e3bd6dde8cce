"""Template helpers shared by every page."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from solidarity.accounts.permissions import AnyUser, can_read_audit
from solidarity.reference.models import Translated

register = template.Library()


@register.filter
def localized(row: Translated | None, field: str) -> str:
    """``{{ country|localized:"name" }}``: the field in the active language, English if missing."""
    if row is None:
        return ""
    return row.localized(field)


@register.filter
def lang_attr(row: Translated | None, field: str) -> SafeString:
    """``<td{{ indicator|lang_attr:"name" }}>``: ``lang="en"`` where the field has no translation
    in the active language and shows in English, so screen readers read it as English."""
    language = (get_language() or "en")[:2]
    translated: object = getattr(row, f"{field}_{language}", None)
    if row is None or language == "en" or translated:
        return mark_safe("")
    return mark_safe(' lang="en"')


@register.filter
def may_read_audit(user: AnyUser) -> bool:
    """``{% if user|may_read_audit %}``: whether to offer the audit trail in the account menu."""
    return can_read_audit(user)


@register.simple_tag
def path_in_default_language(request: HttpRequest) -> str:
    """The current address as the default language serves it (``/fr/countries/?q=x`` becomes
    ``/countries/?q=x``), for the ``next`` field of the language switcher.

    Django's ``set_language`` view translates ``next`` into the chosen language, but it resolves it
    in the language of its own unprefixed address, the default one: a prefixed ``/fr/…`` address
    does not resolve there and would come back untranslated.
    """
    return translate_url(request.get_full_path(), settings.LANGUAGE_CODE)
