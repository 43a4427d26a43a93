"""What a claim page's <head> carries for machines: ClaimReview JSON-LD and oEmbed discovery."""

from __future__ import annotations

from urllib.parse import urlencode

from markupsafe import Markup

from claims.claimreview import markup as claimreview
from claims.errors import NotFound
from service.db import get_session
from service.embed.card import visible_claim
from service.embed.views import base_url, claim_page_url, jsonld_graph

OEMBED_LINK = Markup('<link rel="alternate" type="application/json+oembed" href="{}" title="{}">')


def rating_names() -> dict[str, str]:
    """The verdict names in the page's language (the ClaimReview's ``alternateName``)."""
    from service.web.i18n import RATINGS

    return {code: str(label) for code, label in RATINGS.items()}


def claim_head(claim_id: int) -> Markup:
    """JSON-LD (ClaimReview when an editor ruled, and our evidence block) plus oEmbed links.

    Nothing for a claim widgets may not show (retracted, unknown or awaiting review): search
    engines must not index a verdict on a withdrawn claim.
    """
    try:
        claim = visible_claim(session=get_session(), claim_id=claim_id)
    except NotFound:
        return Markup("")
    page = claim_page_url(claim_id)
    parts = [
        Markup('<script type="application/ld+json">{}</script>').format(
            Markup(claimreview.script_json(node))
        )
        for node in jsonld_graph(claim_id, rating_names=rating_names())
    ]
    href = f"{base_url()}/oembed?{urlencode({'url': page, 'format': 'json'})}"
    parts.append(OEMBED_LINK.format(href, claim.text[:200]))
    return Markup("\n").join(parts)
