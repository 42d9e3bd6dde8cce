"""The dossier as PDF, rendered by WeasyPrint from a print template.

Nothing is fetched from the network: the stylesheet is read from the package, fonts come from the
machine's own fontconfig, and :class:`LocalOnlyFetcher` refuses every URL but files inside this
package and ``data:`` URLs — a link or image a text carries cannot make the server call out
while rendering (nor read files elsewhere on the server).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from solidarity.dossiers.selectors import Dossier

PACKAGE = Path(str(resources.files("solidarity.dossiers")))
STYLESHEET = PACKAGE / "static" / "dossiers" / "print.css"


class LocalOnlyFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no type hints
    """Fetches only ``data:`` URLs and files inside the dossiers package; refuses the rest."""

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme == "data":
            return super().fetch(url, headers)
        if parts.scheme == "file":
            path = Path(unquote(parts.path)).resolve()
            if path.is_relative_to(PACKAGE):
                return super().fetch(url, headers)
        raise ValueError(f"The dossier's PDF fetches nothing outside its package: {url}")


def dossier_html(dossier: Dossier) -> str:
    """The print template of ``dossier``, as the PDF engine reads it."""
    return render_to_string("dossiers/print.html", {"dossier": dossier, "print": True})


def dossier_pdf(dossier: Dossier, *, language: str | None = None) -> bytes:
    """``dossier`` as a PDF document (in ``language``, or the active language)."""
    with translation.override(language or translation.get_language()):
        html = dossier_html(dossier)
    document = HTML(
        string=html,
        base_url=PACKAGE.as_uri() + "/",
        url_fetcher=LocalOnlyFetcher(),
    )
    stylesheet = CSS(filename=str(STYLESHEET), url_fetcher=LocalOnlyFetcher())
    # A tagged PDF: screen readers follow its headings, lists and tables.
    pdf: bytes = document.write_pdf(stylesheets=[stylesheet], pdf_tags=True)
    return pdf
