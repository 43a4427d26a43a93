"""Where ClaimReview imports come from: a fact-checker's page, a file, or a posted document.

The edge of ``claims.claimreview.service``: a page is fetched here with the one SSRF-safe
client (``sources.fetch``), accepting JSON as well as HTML because many publishers' feeds are
JSON files; what comes back is parsed by the pure ``claims.claimreview.reading``. A FetchError
is left to the caller (the CLI prints it; ``service/problems.py`` maps it to 422 or 502).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from claims.claimreview.reading import (
    Review,
    parse_json,
    read_review,
    reviews_in_html,
    reviews_in_json,
)
from service.settings import Settings
from sources.extract import decode_body
from sources.fetch import HTML_AND_TEXT, Fetcher

JSON_TYPES: Final = frozenset({"application/ld+json", "application/json"})


class DocumentError(ValueError):
    """The document is neither HTML nor JSON we can read."""


def from_document(data: Any, *, default_url: str | None = None) -> list[Review | str]:
    """Reviews (or why each cannot be used) from a parsed JSON document."""
    return [read_review(node, default_url=default_url) for node in reviews_in_json(data)]


def from_bytes(body: bytes, *, media_type: str, url: str | None) -> list[Review | str]:
    """Reviews from a page or a file: JSON by its type or its first character, else HTML."""
    text = decode_body(body, html_page=media_type not in JSON_TYPES)
    if media_type in JSON_TYPES or text.lstrip().startswith(("{", "[")):
        try:
            data = parse_json(text)
        except ValueError as exc:
            raise DocumentError(f"not valid JSON: {exc}") from exc
        return from_document(data)  # a feed's address is not any one review's
    nodes = reviews_in_html(text, base_url=url or "about:blank")
    return [read_review(node, default_url=url) for node in nodes]


def from_url(url: str, *, settings: Settings) -> list[Review | str]:
    """Fetch a fact-checker's page or feed (SSRF-safe) and read its reviews; FetchError."""
    policy = settings.fetch_policy(accepted_types=HTML_AND_TEXT | JSON_TYPES)
    fetched = Fetcher(policy).fetch(url)
    return from_bytes(fetched.body, media_type=fetched.media_type, url=fetched.final_url)


def from_file(path: Path) -> list[Review | str]:
    """Reviews from a file of ClaimReview JSON (or a saved HTML page)."""
    body = path.read_bytes()
    kind = "application/json" if path.suffix.lower() in (".json", ".jsonld") else "text/html"
    return from_bytes(body, media_type=kind, url=None)
