"""ClaimReview (schema.org) for an editor's verdict, and our own block for what it rests on.

Search engines read ClaimReview for the verdict, but it has no place for the evidence and the
rebuttals. We publish those in a second JSON-LD node of our own type (documented in
docs/embeds.md), so an exported record carries what the verdict rests on without polluting the
ClaimReview that parsers look for. Pure functions over plain values: the service gathers them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

SCHEMA = "https://schema.org"
# Our terms' namespace when no deployment is known; a deployment serves and documents its own
# (``/ns``) and passes it to ``evidence_block``.
OUR_VOCABULARY = "https://claimdesk.example/ns#"
BEST_RATING = 5
WORST_RATING = 1


@dataclass(frozen=True)
class Appearance:
    """A work the claim appeared in."""

    url: str
    title: str | None = None
    publisher: str | None = None
    date_published: str | None = None


@dataclass(frozen=True)
class EvidenceItem:
    """One source's stance toward the claim, with its quote."""

    url: str
    publisher: str
    kind: str
    stance: str
    quote: str
    title: str | None = None


@dataclass(frozen=True)
class RelatedClaim:
    """Another claim and how it bears on this one ("rebuts", "is rebutted by"...)."""

    url: str
    text: str
    relation: str
    claimant: str | None = None


@dataclass(frozen=True)
class ReviewedClaim:
    """Everything a ClaimReview and our evidence block say about one claim."""

    claim_url: str
    text: str
    language: str
    claimant: str | None
    claimant_kind: str | None
    said_on: str | None
    first_appearance: Appearance | None
    appearances: Sequence[Appearance] = ()
    evidence: Sequence[EvidenceItem] = ()
    related: Sequence[RelatedClaim] = ()
    status: str = "unsourced"
    contestedness: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Organisation:
    """Who publishes the verdicts: the newsroom's name, site and logo (``author``)."""

    name: str
    url: str
    logo: str | None = None


def claim_id(claim_url: str) -> str:
    """The ``@id`` of the claim node, shared by the ClaimReview and our evidence block."""
    return f"{claim_url}#claim"


def review_id(claim_url: str) -> str:
    """The ``@id`` of the ClaimReview node."""
    return f"{claim_url}#claimreview"


@dataclass(frozen=True)
class VerdictFacts:
    """The editor's verdict in force."""

    rating_value: int | None
    alternate_name: str
    editor: str
    date_published: str
    rationale: str
    rating: str = ""  # the stored code (``mixed``), for a page to name it in its language


def _work(appearance: Appearance) -> dict[str, Any]:
    work: dict[str, Any] = {"@type": "CreativeWork", "url": appearance.url}
    if appearance.title:
        work["headline"] = appearance.title
    if appearance.publisher:
        work["publisher"] = {"@type": "Organization", "name": appearance.publisher}
    if appearance.date_published:
        work["datePublished"] = appearance.date_published
    return work


def claim_review(
    claim: ReviewedClaim, verdict: VerdictFacts, *, organisation: Organisation
) -> dict[str, Any]:
    """The ClaimReview node: Google's required fields and the recommended ones.

    The reviewed Claim carries an ``@id`` that our evidence block is ``about``, so a reader of
    the page's JSON-LD sees both nodes describe the same claim.
    """
    rating: dict[str, Any] = {
        "@type": "Rating",
        "alternateName": verdict.alternate_name,
        "bestRating": BEST_RATING,
        "worstRating": WORST_RATING,
    }
    if verdict.rating_value is not None:
        rating["ratingValue"] = verdict.rating_value
    item: dict[str, Any] = {
        "@type": "Claim",
        "@id": claim_id(claim.claim_url),
        "inLanguage": claim.language,
    }
    if claim.claimant:
        item["author"] = {
            "@type": "Organization" if claim.claimant_kind == "organisation" else "Person",
            "name": claim.claimant,
        }
    if claim.said_on:
        item["datePublished"] = claim.said_on
    if claim.first_appearance:
        item["firstAppearance"] = _work(claim.first_appearance)
    appearances = [_work(a) for a in claim.appearances]
    if appearances:
        item["appearance"] = appearances
    author: dict[str, Any] = {
        "@type": "Organization",
        "name": organisation.name,
        "url": organisation.url,
    }
    if organisation.logo:
        author["logo"] = {"@type": "ImageObject", "url": organisation.logo}
    return {
        "@context": SCHEMA,
        "@type": "ClaimReview",
        "@id": review_id(claim.claim_url),
        "url": claim.claim_url,
        "claimReviewed": claim.text,
        "datePublished": verdict.date_published,
        "author": author,
        "reviewRating": rating,
        "reviewBody": verdict.rationale,
        "itemReviewed": item,
    }


def evidence_block(claim: ReviewedClaim, *, vocabulary: str = OUR_VOCABULARY) -> dict[str, Any]:
    """Our own node: each source with its stance and quote, each related claim with the relation.

    It is ``about`` the same claim node (by ``@id``) as the ClaimReview's ``itemReviewed``;
    ``vocabulary`` is where the deployment documents the ``cd:`` terms.
    """
    return {
        "@context": {"@vocab": f"{SCHEMA}/", "cd": vocabulary},
        "@type": "cd:ClaimEvidence",
        "@id": f"{claim.claim_url}#evidence",
        "about": {"@type": "Claim", "@id": claim_id(claim.claim_url), "url": claim.claim_url},
        "cd:status": claim.status,
        "cd:contestedness": round(claim.contestedness, 4),
        "cd:evidence": [
            {
                "@type": "cd:Evidence",
                "cd:stance": item.stance,
                "cd:sourceKind": item.kind,
                "cd:quote": item.quote,
                "citation": {
                    "@type": "CreativeWork",
                    "url": item.url,
                    **({"headline": item.title} if item.title else {}),
                    "publisher": {"@type": "Organization", "name": item.publisher},
                },
            }
            for item in claim.evidence
        ],
        "cd:related": [
            {
                "@type": "cd:RelatedClaim",
                "cd:relation": related.relation,
                "url": related.url,
                "text": related.text,
                **({"author": {"name": related.claimant}} if related.claimant else {}),
            }
            for related in claim.related
        ],
    }


def script_json(value: Any) -> str:
    """JSON safe to place inside <script type="application/ld+json"> on any page.

    ``</script>`` or ``<!--`` inside user text would end or break the element; escaping ``<``,
    ``>`` and ``&`` as Unicode escapes keeps the JSON identical for parsers.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
