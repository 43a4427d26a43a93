"""ClaimReview JSON-LD carries Google's required and recommended fields; ours carries the rest."""

from __future__ import annotations

import json

from claims.claimreview.markup import (
    Appearance,
    EvidenceItem,
    Organisation,
    RelatedClaim,
    ReviewedClaim,
    VerdictFacts,
    claim_review,
    evidence_block,
    script_json,
)

CLAIM = ReviewedClaim(
    claim_url="https://desk.example/claims/1",
    text="Meta offered $100M signing bonuses.",
    language="en",
    claimant="Sam Altman",
    claimant_kind="person",
    said_on="2025-06",
    first_appearance=Appearance(url="https://ifanr.example/a", title="A", publisher="iFanr"),
    appearances=[Appearance(url="https://wired.example/b", publisher="Wired")],
    evidence=[
        EvidenceItem(
            url="https://wired.example/b",
            publisher="Wired",
            kind="secondary",
            stance="supports",
            quote="over $100M the first year",
        )
    ],
    related=[
        RelatedClaim(
            url="https://desk.example/claims/2",
            text="It is an exaggeration.",
            relation="rebutted by",
            claimant="Andrew Bosworth",
        )
    ],
    status="contested",
    contestedness=0.75,
)
VERDICT = VerdictFacts(
    rating_value=3,
    alternate_name="Mixed",
    editor="editor",
    date_published="2025-07-02",
    rationale="Real offers, not signing bonuses.",
)


DESK = Organisation(
    name="Le Desk", url="https://desk.example/", logo="https://desk.example/logo.png"
)


def test_the_claim_review_and_the_evidence_block_describe_the_same_claim_node() -> None:
    review = claim_review(CLAIM, VERDICT, organisation=DESK)
    block = evidence_block(CLAIM, vocabulary="https://desk.example/ns#")
    assert review["@id"] == f"{CLAIM.claim_url}#claimreview"
    assert review["itemReviewed"]["@id"] == block["about"]["@id"] == f"{CLAIM.claim_url}#claim"
    assert block["@context"]["cd"] == "https://desk.example/ns#"


def test_an_organisation_without_a_logo_publishes_none() -> None:
    plain = Organisation(name="Le Desk", url="https://desk.example/")
    assert "logo" not in claim_review(CLAIM, VERDICT, organisation=plain)["author"]


def test_a_claim_review_has_googles_required_fields() -> None:
    review = claim_review(CLAIM, VERDICT, organisation=DESK)
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == CLAIM.text
    assert review["url"] == CLAIM.claim_url
    rating = review["reviewRating"]
    assert rating == {
        "@type": "Rating",
        "ratingValue": 3,
        "bestRating": 5,
        "worstRating": 1,
        "alternateName": "Mixed",
    }


def test_a_claim_review_has_the_recommended_fields() -> None:
    review = claim_review(CLAIM, VERDICT, organisation=DESK)
    assert review["author"] == {
        "@type": "Organization",
        "name": "Le Desk",
        "url": "https://desk.example/",
        "logo": {"@type": "ImageObject", "url": "https://desk.example/logo.png"},
    }
    assert review["datePublished"] == "2025-07-02"
    item = review["itemReviewed"]
    assert item["@type"] == "Claim"
    assert item["author"] == {"@type": "Person", "name": "Sam Altman"}
    assert item["datePublished"] == "2025-06"
    assert item["firstAppearance"]["url"] == "https://ifanr.example/a"
    assert [a["url"] for a in item["appearance"]] == ["https://wired.example/b"]


def test_an_unverifiable_verdict_carries_no_rating_value() -> None:
    unverifiable = VerdictFacts(
        rating_value=None,
        alternate_name="Unverifiable",
        editor="e",
        date_published="2025-07-02",
        rationale="No way to check.",
    )
    rating = claim_review(CLAIM, unverifiable, organisation=DESK)["reviewRating"]
    assert "ratingValue" not in rating
    assert rating["alternateName"] == "Unverifiable"


def test_the_evidence_block_carries_every_source_stance_quote_and_relation() -> None:
    block = evidence_block(CLAIM)
    assert block["@type"] == "cd:ClaimEvidence"
    assert block["about"]["url"] == CLAIM.claim_url
    (item,) = block["cd:evidence"]
    assert item["cd:stance"] == "supports"
    assert item["cd:quote"] == "over $100M the first year"
    assert item["citation"]["url"] == "https://wired.example/b"
    (related,) = block["cd:related"]
    assert related["cd:relation"] == "rebutted by"
    assert related["author"]["name"] == "Andrew Bosworth"


def test_script_json_cannot_close_the_script_element_and_parses_back() -> None:
    value = {"text": "</script><script>alert(1)</script> & <!-- \u2028"}
    text = script_json(value)
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == value
