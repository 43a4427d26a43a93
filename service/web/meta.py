"""What every page tells link previews and search engines: canonical address, site, language.

Shared links show the page's title and description (Open Graph and Twitter card tags); the
canonical link names one address per page, on the deployment's public base URL.
"""

from __future__ import annotations

from flask import Flask, request, url_for

from service.embed.views import base_url, vocabulary_url
from service.runtime import current_runtime
from service.web.i18n import current_language

# Open Graph wants a territory with the language.
OG_LOCALES = {"en": "en_US", "fr": "fr_FR"}


def canonical_url() -> str:
    """This page's one public address: the base URL and path, without query or fragment."""
    return base_url() + request.path


def site_name() -> str:
    """The name pages are published under (the newsroom's, from settings)."""
    return str(current_runtime().settings.publisher_name)


def og_locale() -> str:
    """The page's language as Open Graph writes it (``fr_FR``)."""
    return OG_LOCALES.get(current_language(), "en_US")


def preview_image_url(claim_id: int) -> str:
    """The public address of a claim's preview picture, in this page's language."""
    return base_url() + url_for("web.claim_preview", claim_id=claim_id, lang=current_language())


def init_app(app: Flask) -> None:
    """Offer the helpers to every template."""
    app.jinja_env.globals.update(
        canonical_url=canonical_url,
        site_name=site_name,
        og_locale=og_locale,
        preview_image_url=preview_image_url,
        vocabulary_url=vocabulary_url,
    )
