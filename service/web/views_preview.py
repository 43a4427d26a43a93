"""The picture a shared claim link shows: ``/claims/<id>/preview.png`` (``og:image``).

The card is drawn by ``service.preview_image`` from what the status endpoint says (the same
``views.statuses_public``), in the language the link was shared in (``?lang=fr``). Its ETag is
computed from what it shows before anything is drawn, so a crawler that asks again gets a 304
without a render; unknown, retracted and unreviewed claims are 404, as for the cards.
"""

from __future__ import annotations

import hashlib

from flask import Response, request
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_babel import gettext as _

from claims.services import views
from service import preview_image
from service.api.caching import matches
from service.db import get_session
from service.embed.card import visible_claim
from service.web import bp
from service.web.i18n import LANGUAGES, RATINGS, STATUS_BADGES, current_language
from service.web.meta import site_name

# Bump when the drawing changes, so cached pictures are fetched again.
RENDER_VERSION = "1"
CACHE_CONTROL = "public, max-age=300, stale-while-revalidate=86400"
RATING_TONES = {
    "true": "ok",
    "mostly_true": "ok",
    "mixed": "warn",
    "mostly_false": "bad",
    "false": "bad",
}
STATUS_TONES = {"supported": "ok", "contested": "warn", "refuted": "bad"}


def preview_card(claim_id: int) -> preview_image.Card:
    """What the picture of a claim says, in the current language; NotFound if hidden."""
    session = get_session()
    claim = visible_claim(session=session, claim_id=claim_id)
    status = views.statuses_public(session=session, claims=[claim])[0]
    if status.verdict is not None:
        rating = status.verdict.rating.value
        label = _("Editor's verdict: %(rating)s", rating=RATINGS[rating])
        tone = RATING_TONES.get(rating, "neutral")
    else:
        state = status.status.value
        label = _("State of the evidence on record: %(state)s", state=STATUS_BADGES[state].label)
        tone = STATUS_TONES.get(state, "neutral")
    return preview_image.Card(
        text=status.text,
        claimant=status.claimant,
        label=label,
        tone=tone,
        site=site_name(),
        footer=_("Claim #%(id)s", id=claim_id),
    )


def card_etag(card: preview_image.Card) -> str:
    digest = hashlib.sha256(repr((RENDER_VERSION, card)).encode()).hexdigest()[:32]
    return f'"{digest}"'


@bp.get("/claims/<int:claim_id>/preview.png")
def claim_preview(claim_id: int) -> ResponseReturnValue:
    """A 1200x630 PNG of the claim for link previews."""
    lang = request.args.get("lang", "")
    with force_locale(lang if lang in LANGUAGES else current_language()):
        card = preview_card(claim_id)
    etag = card_etag(card)
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if matches(request.headers.get("If-None-Match", ""), etag):
        return Response(status=304, headers=headers)
    return Response(preview_image.render(card), mimetype="image/png", headers=headers)
