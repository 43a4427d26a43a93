"""Main text and metadata of a fetched page, with trafilatura.

A snapshot keeps the words a reader sees in the article, not the menus, footers and scripts
around them: quotes are anchored in this text and drift is measured on it. trafilatura is the
extractor that scores best on news pages in published benchmarks and also reads the metadata
(title, author, date, site name) from the usual places (meta tags, JSON-LD, bylines).

The input is untrusted bytes, so ``extract`` never raises: undecodable bytes are replaced,
markup that lxml or trafilatura chokes on falls back to a plainer extraction, and in the worst
case the text is the tag-stripped body. What it could not find is None. It is a pure function:
no network (trafilatura is never given a URL to download), no files, no global state.
"""

from __future__ import annotations

import codecs
import html
import re
from dataclasses import dataclass
from typing import Final

import trafilatura

__all__ = ["Extracted", "decode_body", "extract"]

_SNIFF_BYTES: Final = 4096
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)
_HTML_LANG = re.compile(r"""<html\b[^>]*?\blang\s*=\s*["']?\s*([a-zA-Z]{2,3}(?:-[\w]+)?)""", re.I)
_BOMS: Final = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_TAG = re.compile(r"<[^>]*>")
_INVISIBLE = re.compile(r"<(script|style|noscript|template)\b.*?</\1\s*>", re.I | re.S)
_BLANK_LINES = re.compile(r"\n\s*\n+")
_SPACES = re.compile(r"[ \t\r\f\v]+")
# Control characters are never text a reader sees, and PostgreSQL refuses NUL in a text column.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Extracted:
    """The readable text of a page and what it says about itself."""

    text: str
    title: str | None = None
    author: str | None = None
    date: str | None = None  # ISO 8601 (YYYY-MM-DD) as trafilatura finds it
    site_name: str | None = None
    language: str | None = None  # from <html lang>, when the page declares it
    method: str = "trafilatura"  # which path produced the text: see extract()


def _usable_codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except (LookupError, ValueError):
        return None


def decode_body(body: bytes, *, encoding: str | None = None, html_page: bool = True) -> str:
    """Bytes to text: BOM, then the declared charset, then <meta charset>, then UTF-8."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body.decode(name, errors="replace").lstrip("\ufeff")
    declared = _usable_codec(encoding)
    if declared is None and html_page:
        found = _META_CHARSET.search(body[:_SNIFF_BYTES])
        declared = _usable_codec(found.group(1).decode("ascii")) if found else None
    if declared is not None:
        return body.decode(declared, errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        # Most undeclared non-UTF-8 pages on the web are Windows-1252 (what browsers assume).
        return body.decode("cp1252", errors="replace")


def _visible(text: str) -> str:
    return _CONTROLS.sub("", text).strip()


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(_visible(value).split())
    return value or None


def _stripped_text(markup: str) -> str:
    """The last resort: every text node, tags and scripts removed, entities decoded."""
    text = html.unescape(_TAG.sub(" ", _INVISIBLE.sub(" ", markup)))
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return _BLANK_LINES.sub("\n", "\n".join(line for line in lines if line)).strip()


def _plain_text(text: str) -> str:
    return _visible(text.replace("\r\n", "\n").replace("\r", "\n"))


def extract(
    body: bytes, *, media_type: str = "text/html", encoding: str | None = None
) -> Extracted:
    """Main text and metadata of a page (plain text passes through); never raises.

    ``method`` tells which path gave the text: "trafilatura" (main content), "baseline"
    (trafilatura's whole-page text, when it found no main content) or "stripped" (tags removed
    by hand, when the markup defeated the parser), or "plain" for a text/plain body.
    """
    if media_type.split(";")[0].strip().lower() == "text/plain":
        return Extracted(
            text=_plain_text(decode_body(body, encoding=encoding, html_page=False)), method="plain"
        )
    markup = decode_body(body, encoding=encoding)
    lang = _HTML_LANG.search(markup[: _SNIFF_BYTES * 4])
    language = lang.group(1).lower() if lang else None
    try:
        document = trafilatura.bare_extraction(
            markup, with_metadata=True, include_comments=False, include_tables=True
        )
    except Exception:  # hostile markup must not fail a snapshot
        document = None
    metadata: dict[str, object] = {}
    if document is not None and not isinstance(document, dict):
        metadata = {
            "title": document.title,
            "author": document.author,
            "date": document.date,
            "sitename": document.sitename,
        }
        text = document.text or ""
        if text.strip():
            return Extracted(
                text=_visible(text),
                title=_clean(metadata["title"]),
                author=_clean(metadata["author"]),
                date=_clean(metadata["date"]),
                site_name=_clean(metadata["sitename"]),
                language=language,
            )
    if not metadata:
        try:  # the main-text pass failed; the metadata may still be readable
            found = trafilatura.extract_metadata(markup)
            metadata = {
                "title": found.title,
                "author": found.author,
                "date": found.date,
                "sitename": found.sitename,
            }
        except Exception:  # same: no metadata then
            metadata = {}
    method = "baseline"
    try:
        text = trafilatura.html2txt(markup) or ""
    except Exception:  # same: fall through to the hand-made text
        text = ""
    if not text.strip():
        method, text = "stripped", _stripped_text(markup)
    return Extracted(
        text=_visible(text),
        title=_clean(metadata.get("title")),
        author=_clean(metadata.get("author")),
        date=_clean(metadata.get("date")),
        site_name=_clean(metadata.get("sitename")),
        language=language,
        method=method,
    )
