"""Widgets other sites embed: the claim card (iframe), the SVG badge, the loader script,
oEmbed and the ClaimReview JSON-LD export.

They run on other people's pages, so they are self-contained (inline CSS, no third-party
requests, no cookies), cacheable by anyone for a minute, and may be framed by any site, while
every other claimdesk page refuses to be framed.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, request

bp = Blueprint("embed", __name__)

EMBED_PREFIXES = ("/embed/", "/embed.js", "/oembed")
DENY_FRAMING = "frame-ancestors 'none'"


def install(app: Flask) -> None:
    """Register the widget routes and the framing policy of every other page."""
    from service.embed import views  # noqa: F401  (registers routes on bp)
    from service.embed.head import claim_head

    app.register_blueprint(bp)
    app.jinja_env.globals["claim_head"] = claim_head

    @app.after_request
    def _refuse_framing(response: Response) -> Response:
        if request.path.startswith(EMBED_PREFIXES):
            return response
        return refuse_framing(response)


def refuse_framing(response: Response) -> Response:
    """Forbid framing a non-widget answer (the read model's status answer carries the same
    headers: ``service/readmodel.py``)."""
    csp = response.headers.get("Content-Security-Policy")
    if csp is None:
        response.headers["Content-Security-Policy"] = DENY_FRAMING
    elif "frame-ancestors" not in csp:
        response.headers["Content-Security-Policy"] = f"{csp}; {DENY_FRAMING}"
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response
