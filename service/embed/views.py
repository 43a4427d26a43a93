"""Widget routes. Thin: validate the options, gather the card, render, cache."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

from flask import Flask, Response, current_app, g, request
from flask.typing import ResponseReturnValue
from jinja2 import Environment
from markupsafe import Markup
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from werkzeug.wrappers import Request  # Flask's or the hot read path's plain one

from claims.claimreview import export as exports
from claims.claimreview import markup as claimreview
from claims.errors import NotFound
from service.api.caching import etag_of, matches
from service.db import get_session
from service.embed import bp
from service.embed.badge import BADGE_HEIGHT, badge_svg, badge_width
from service.embed.card import CardRow, Query, card_data, notices, visible_claim
from service.embed.script import CARD_SCRIPT, card_csp, loader_script
from service.embed.texts import TEXTS, count_word
from service.runtime import current_runtime, runtime
from service.settings import Settings

EMBED_CACHE = "public, max-age=60, stale-while-revalidate=300"
SIZES = {"compact": (320, 150), "full": (400, 260)}
_PLAIN_URL = re.compile(r"[A-Za-z0-9._~:/?#\[\]@!$&'()*+,;=-]*")  # nothing to quote
CLAIM_PATH = re.compile(r"^/claims/(\d{1,10})/?$")


class CardOptions(BaseModel):
    """Options of the card; unknown parameters (a CMS's tracking tags) are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)  # shared between requests
    theme: Literal["light", "dark", "auto"] = "auto"
    size: Literal["compact", "full"] = "full"
    lang: Literal["en", "fr"] = "en"


class OEmbedQuery(BaseModel):
    """The oEmbed consumer's request."""

    model_config = ConfigDict(extra="ignore")
    url: str = Field(min_length=1, max_length=2048)
    format: str = "json"
    maxwidth: int | None = Field(default=None, ge=1, le=10_000)
    maxheight: int | None = Field(default=None, ge=1, le=10_000)


def base_url() -> str:
    """Where readers reach this claimdesk (configured, or the request's own root)."""
    return base_url_of(current_runtime().settings, request)


def base_url_of(settings: Settings, request: Request) -> str:
    """``base_url`` for explicit settings and request (the read model has no context)."""
    configured: str | None = settings.public_url
    if configured:
        return configured.rstrip("/")
    # ``request.url_root`` without werkzeug's IRI-to-URI pass (a tenth of a card) when the
    # scheme, host and root path need no quoting, which is nearly always.
    site = f"{request.scheme}://{request.host}{request.root_path}"
    return (site if _PLAIN_URL.fullmatch(site) else request.url_root).rstrip("/")


def site_vary(settings: Settings) -> str | None:
    """The request headers a widget's links are built from, when no public URL is set.

    Without ``CLAIMDESK_PUBLIC_URL`` (development and tests; production refuses to start so)
    links follow the request's host, so a shared cache must keep one copy per host.
    """
    if settings.public_url:
        return None
    return "Host, X-Forwarded-Host, X-Forwarded-Proto" if settings.proxy_hops else "Host"


def claim_page_url(claim_id: int) -> str:
    """The public page of a claim."""
    return f"{base_url()}/claims/{claim_id}"


def _cached(body: str | bytes, *, mimetype: str, status: int = 200, **headers: str) -> Response:
    """A public, revalidatable answer with a strong ETag; 304 when the client's copy is current."""
    payload = body.encode("utf-8") if isinstance(body, str) else body
    etag = etag_of(payload)
    common = {
        "ETag": etag,
        "Cache-Control": EMBED_CACHE,
        "Access-Control-Allow-Origin": "*",
        "X-Content-Type-Options": "nosniff",
        **headers,
    }
    vary = site_vary(current_runtime().settings)
    if vary:
        common["Vary"] = vary
    if status == 200 and matches(request.headers.get("If-None-Match", ""), etag):
        return Response(status=304, headers=common)
    return Response(payload, status=status, mimetype=mimetype, headers=common)


def _card_response(html: str, status: int = 200) -> Response:
    return _cached(
        html,
        mimetype="text/html",
        status=status,
        **{"Content-Security-Policy": card_csp(), "Referrer-Policy": "no-referrer"},
    )


def _options() -> CardOptions | None:
    return parsed_options(request.query_string)


@functools.lru_cache(maxsize=1024)
def parsed_options(query: bytes) -> CardOptions | None:
    """The options of a query string, or None when one is invalid.

    Cached: a widget is loaded with the same few query strings by every reader, and validating
    them was a tenth of a 304. The first of repeated parameters wins, as with ``request.args``.
    """
    pairs = parse_qsl(query.decode("utf-8", "replace"), keep_blank_values=True)
    try:
        return CardOptions.model_validate(dict(reversed(pairs)))
    except ValidationError:
        return None


@bp.get("/embed/claims/<int:claim_id>")
def card(claim_id: int) -> ResponseReturnValue:
    """The claim card for an iframe: tiny, self-contained, always current.

    The answer is the read model's (``service/readmodel.py``), which readers' browsers usually
    get from the fast path below Flask (``service/hot.py``); Flask answers what that leaves
    (a cookie, a bad option, an unknown or hidden claim) and every error.
    """
    options = _options()
    if options is None:
        return _card_response(_message_card("bad_option", CardOptions(), claim_id), status=400)
    try:
        answer = current_runtime().reads.card_answer(
            request, claim_id, options=options, session=g.get("db_session")
        )
    except NotFound:
        return _card_response(_message_card("not_found", options, claim_id), status=404)
    return answer.response()


class Widgets:
    """What renders widgets besides their data, built once per app: the widget templates'
    own Jinja environment, each theme's rendered <style>, and the digest of both."""

    def __init__(self, app: Flask, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.vary = site_vary(settings)
        self._templates: Environment | None = None
        self._styles: dict[str, Markup] = {}
        self._version: str | None = None

    def templates(self) -> Environment:
        """The Jinja environment of the widget templates (``embed/*.html``).

        Not the app's own: that one carries the pages' globals (url_for, the i18n extension,
        the request, session and config) into every render, copying them into each template
        context; a widget uses none of them, and they were half the time of rendering a card.
        Same loader, autoescaping on (every widget template is HTML).
        """
        env = self._templates
        if env is None:
            env = self._templates = Environment(
                loader=self.app.jinja_env.loader, autoescape=True, auto_reload=self.app.debug
            )
            env.globals["count_word"] = count_word
        return env

    def style(self, theme: str) -> Markup:
        """The card's <style> for a theme, rendered once: it depends on nothing else, and an
        include would build a template context for it on every card."""
        found = self._styles.get(theme)
        if found is None:
            template = self.templates().get_template("embed/_style.html")
            found = self._styles[theme] = Markup(template.render(options={"theme": theme}))
        return found

    def version(self) -> str:
        """A digest of what renders a card besides its data.

        Templates, texts and the script only change with a deploy, which restarts the workers.
        """
        found = self._version
        if found is None:
            env = self.templates()
            assert env.loader is not None
            sources = "".join(
                env.loader.get_source(env, name)[0]
                for name in ("embed/card.html", "embed/_style.html")
            )
            version = f"{sources}|{CARD_SCRIPT}|{sorted(TEXTS.items())!r}|{card_csp()}"
            found = self._version = hashlib.sha256(version.encode()).hexdigest()
        return found

    def card_headers(self, etag: str) -> tuple[tuple[str, str], ...]:
        """The headers of every card answer (200 and 304), as ``_cached`` sets them."""
        vary = (("Vary", self.vary),) if self.vary else ()
        return (
            *vary,
            ("ETag", etag),
            ("Cache-Control", EMBED_CACHE),
            ("Access-Control-Allow-Origin", "*"),
            ("X-Content-Type-Options", "nosniff"),
            ("Content-Security-Policy", card_csp()),
            ("Referrer-Policy", "no-referrer"),
        )

    def card_html(
        self, request: Request, *, row: CardRow, options: CardOptions, query: Query
    ) -> str:
        """The card page's HTML; ``query`` runs the read model's statements."""
        return (
            self.templates()
            .get_template("embed/card.html")
            .render(
                card=card_data(card=row, lang=options.lang, query=query),
                options=options,
                words=TEXTS[options.lang],
                page_url=f"{base_url_of(self.settings, request)}/claims/{row.claim.id}",
                script=CARD_SCRIPT,
                style=self.style(options.theme),
            )
        )


def widget_templates(app: Flask) -> Environment:
    """The Jinja environment of the widget templates (``Widgets.templates``) of ``app``."""
    return runtime(app).reads.widgets.templates()


def site_root(settings: Settings, request: Request) -> str:
    """What ``base_url()`` is made of, without building the URL (werkzeug's IRI decoding is a
    measurable share of a 304). Explicit settings and request: the read model has no context."""
    configured: str | None = settings.public_url
    return configured or f"{request.scheme}://{request.host}{request.root_path}"


def card_etag(row: CardRow, options: CardOptions, *, site: str, version: str) -> str:
    """A strong ETag for the card page, without building or rendering it.

    The row holds every stored value the card shows (the "verdict was" line's earlier verdict
    cannot change without the current one changing), and ``notices`` the only part that
    changes with time alone; ``version`` is ``Widgets.version``.
    """
    key = f"{version}|{options!r}|{site}|{row!r}|{notices(row.claim)!r}"
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


def _message_card(key: str, options: CardOptions, claim_id: int = 0) -> str:
    template = widget_templates(current_app).get_template("embed/message.html")
    return template.render(
        message=TEXTS[options.lang][key], options=options, claim_id=claim_id, script=CARD_SCRIPT
    )


@bp.get("/embed/claims/<int:claim_id>.svg")
def badge(claim_id: int) -> ResponseReturnValue:
    """A badge such as 'claim | contested 72% · verdict: mixed', with an accessible title."""
    parts = badge_parts(claim_id, _options() or CardOptions())
    svg = badge_svg(
        label=parts.label, message=parts.message, status=parts.status, title=parts.title
    )
    return _cached(svg, mimetype="image/svg+xml", status=404 if parts.missing else 200)


@dataclasses.dataclass(frozen=True)
class BadgeParts:
    """What a claim's badge says."""

    label: str
    message: str
    status: str
    title: str
    missing: bool = False

    @property
    def width(self) -> int:
        """The badge's width in pixels (oEmbed gives its thumbnail's size)."""
        return badge_width(self.label, self.message)


def badge_parts(claim_id: int, options: CardOptions) -> BadgeParts:
    """The badge's words: the status (with contestedness when contested) and the verdict."""
    words = TEXTS[options.lang]
    reads = current_runtime().reads
    try:
        row = reads.card_row(claim_id)
    except NotFound:
        return BadgeParts(words["claim"], "?", "missing", words["not_found"], missing=True)
    data = card_data(card=row, lang=options.lang, query=reads.query)
    message = data.status_label.lower()
    if data.status == "contested":
        message = f"{message} {round(data.contestedness * 100)}%"
    title = f"claimdesk: {data.text} — {data.status_label}"
    if data.verdict:  # the editor's ruling leads; the evidence state stays in the title
        message = f"{words['verdict']}{words['colon']} {data.verdict}".lower()
        title += f"; {words['verdict']}{words['colon']} {data.verdict}"
    return BadgeParts(words["claim"], message, data.status, title)


@bp.get("/embed.js")
def embed_js() -> ResponseReturnValue:
    """The loader that swaps each blockquote.claimdesk-claim for a self-sizing iframe."""
    return _cached(loader_script(), mimetype="text/javascript")


@bp.get("/oembed")
def oembed() -> ResponseReturnValue:
    """oEmbed 1.0 (type rich) for claim page URLs; JSON only (XML answers 501)."""
    try:
        query = OEmbedQuery.model_validate(request.args.to_dict())
    except ValidationError as exc:
        return _oembed_error(400, f"invalid oEmbed request: {exc.errors()[0]['msg']}")
    if query.format != "json":
        return _oembed_error(501, "only format=json is supported")
    parts = urlsplit(query.url)
    match = CLAIM_PATH.match(parts.path)
    if parts.scheme not in ("http", "https") or match is None:
        return _oembed_error(404, "not a claim page of this claimdesk")
    if parts.netloc != urlsplit(base_url()).netloc:
        return _oembed_error(404, "not a claim page of this claimdesk")
    claim_id = int(match.group(1))
    try:
        claim = visible_claim(session=get_session(), claim_id=claim_id)
    except NotFound:
        return _oembed_error(404, "no such claim")
    width, height = SIZES["full"]
    if query.maxwidth:
        width = min(width, query.maxwidth)
    if query.maxheight:
        height = min(height, query.maxheight)
    src = f"{base_url()}/embed/claims/{claim_id}"
    thumbnail = badge_parts(claim_id, CardOptions())
    html = (
        widget_templates(current_app)
        .get_template("embed/iframe.html")
        .render(
            src=src,
            width=width,
            height=height,
            claim_id=claim_id,
            script_url=f"{base_url()}/embed.js",
        )
    )
    body: dict[str, Any] = {
        "version": "1.0",
        "type": "rich",
        "title": claim.text,
        "provider_name": "claimdesk",
        "provider_url": base_url() + "/",
        # The card speaks for the newsroom that publishes the verdicts; its thumbnail is the
        # claim's badge (status, contestedness, verdict), an image every consumer can show.
        "author_name": organisation().name,
        "author_url": organisation().url,
        "thumbnail_url": f"{base_url()}/embed/claims/{claim_id}.svg",
        "thumbnail_width": thumbnail.width,
        "thumbnail_height": BADGE_HEIGHT,
        "cache_age": 60,
        "html": html,
        "width": width,
        "height": height,
    }
    return _cached(json.dumps(body, ensure_ascii=False), mimetype="application/json")


def _oembed_error(status: int, detail: str) -> Response:
    body = json.dumps({"status": status, "detail": detail})
    return Response(
        body,
        status=status,
        mimetype="application/json",
        headers={"Access-Control-Allow-Origin": "*"},
    )


@bp.get("/claims/<int:claim_id>.jsonld")
def claim_jsonld(claim_id: int) -> ResponseReturnValue:
    """ClaimReview (when an editor ruled) and our evidence block, as one JSON-LD document."""
    session = get_session()
    try:
        visible_claim(session=session, claim_id=claim_id)
    except NotFound:
        return Response(
            json.dumps({"detail": "no such claim"}), status=404, mimetype="application/json"
        )
    return _cached(
        json.dumps(jsonld_graph(claim_id), ensure_ascii=False),
        mimetype="application/ld+json",
    )


def jsonld_graph(
    claim_id: int, *, rating_names: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """The structured data of a claim: [ClaimReview?, evidence block].

    ``rating_names`` names the rating in a page's language (its ``alternateName``); the
    ``.jsonld`` export, which has no language, keeps the English names.
    """
    facts, verdict = exports.reviewed_claim(
        session=get_session(), claim_id=claim_id, claim_url=claim_page_url
    )
    if verdict is not None and rating_names and verdict.rating in rating_names:
        verdict = dataclasses.replace(verdict, alternate_name=rating_names[verdict.rating])
    nodes = []
    if verdict is not None:
        nodes.append(claimreview.claim_review(facts, verdict, organisation=organisation()))
    nodes.append(claimreview.evidence_block(facts, vocabulary=vocabulary_url()))
    return nodes


def organisation() -> claimreview.Organisation:
    """The newsroom verdicts are published under (settings), for ClaimReview's author."""
    settings = current_runtime().settings
    return claimreview.Organisation(
        name=settings.publisher_name,
        url=settings.publisher_url or base_url() + "/",
        logo=settings.publisher_logo,
    )


def vocabulary_url() -> str:
    """Where this deployment serves and documents the ``cd:`` terms of the evidence block."""
    return f"{base_url()}/ns#"
