"""Reading others' ClaimReview markup and putting their ratings on our scale (pure)."""

from __future__ import annotations

import json

import pytest

from claims.claimreview.reading import (
    LABELS,
    MAX_REVIEWS,
    Review,
    normalise_rating,
    read_review,
    reviews_in_html,
    reviews_in_json,
)
from claims.models import Rating, Stance

REVIEW = {
    "@context": "https://schema.org",
    "@type": "ClaimReview",
    "url": "https://factcheck.example/2025/bonus",
    "claimReviewed": "Meta offered $100M signing bonuses",
    "datePublished": "2025-07-02",
    "author": {"@type": "Organization", "name": "Fact Example", "url": "https://factcheck.example"},
    "itemReviewed": {
        "@type": "Claim",
        "author": {"@type": "Person", "name": "Ultraman"},
        "datePublished": "2025-06-17",
        "appearance": [{"@type": "CreativeWork", "url": "https://news.example/altman"}],
        "inLanguage": "en",
    },
    "reviewRating": {
        "@type": "Rating",
        "alternateName": "Mostly False",
        "ratingValue": "2",
        "bestRating": "5",
        "worstRating": "1",
    },
}


@pytest.mark.parametrize(
    ("label", "rating", "stance"),
    [
        ("False", Rating.false, Stance.refutes),
        ("Pants on Fire!", Rating.false, Stance.refutes),
        ("Mostly False", Rating.mostly_false, Stance.refutes),
        ("Half True", Rating.mixed, Stance.mentions),
        ("Mostly True", Rating.mostly_true, Stance.supports),
        ("TRUE", Rating.true, Stance.supports),
        ("Misleading", Rating.mostly_false, Stance.refutes),
        ("Faux", Rating.false, Stance.refutes),
        ("Plutôt faux", Rating.mostly_false, Stance.refutes),
        ("Trompeur", Rating.mostly_false, Stance.refutes),
        ("Vrai", Rating.true, Stance.supports),
        ("Plutôt vrai", Rating.mostly_true, Stance.supports),
        ("Infondé", Rating.mostly_false, Stance.refutes),
        ("Inexact", Rating.mostly_false, Stance.refutes),
        ("  c'est FAUX ", Rating.false, Stance.refutes),
        ("Manque de contexte", Rating.mixed, Stance.mentions),
        ("Unproven", Rating.unverifiable, Stance.mentions),
        ("Satire", Rating.unverifiable, Stance.mentions),
    ],
)
def test_english_and_french_labels_map_onto_our_scale_and_a_stance(label, rating, stance):
    found = normalise_rating(label)
    assert (found.rating, found.stance, found.how) == (rating, stance, "label")


def test_the_label_table_covers_english_and_french_for_every_point_of_the_scale():
    for rating in Rating:
        assert sum(1 for r in LABELS.values() if r == rating) >= 4, rating


@pytest.mark.parametrize(
    ("value", "best", "worst", "rating"),
    [
        (1, 5, 1, Rating.false),
        (2, 5, 1, Rating.mostly_false),
        (3, 5, 1, Rating.mixed),
        (4, 5, 1, Rating.mostly_true),
        (5, 5, 1, Rating.true),
        (0, 10, 0, Rating.false),
        (7, 10, 0, Rating.mostly_true),  # 0.7 is nearest 0.75
        (6, 10, 0, Rating.mixed),  # 0.6 is nearest 0.5
        (2, None, None, Rating.mostly_false),  # schema.org's defaults: 1 to 5
        (1, 1, 5, Rating.true),  # a scale where 1 is best
    ],
)
def test_a_numeric_rating_is_placed_by_value_minus_worst_over_best_minus_worst(
    value, best, worst, rating
):
    found = normalise_rating(None, value, best, worst)
    assert (found.rating, found.how) == (rating, "numeric")


@pytest.mark.parametrize(
    ("text", "value", "best", "worst"),
    [
        (None, None, None, None),
        ("Four and a half stars of doubt", None, None, None),
        (None, 9, 5, 1),  # outside the scale
        (None, 3, 3, 3),  # a scale of one point
        (None, float("nan"), 5, 1),
    ],
)
def test_what_cannot_be_placed_is_unrated_and_only_mentions_the_claim(text, value, best, worst):
    found = normalise_rating(text, value, best, worst)
    assert (found.rating, found.stance, found.how) == (None, Stance.mentions, "unrated")


def test_the_publishers_words_win_over_its_number():
    assert normalise_rating("False", 5, 5, 1).rating == Rating.false
    assert normalise_rating("Cinq étoiles", 5, 5, 1).rating == Rating.true


def test_one_review_is_read_with_everything_we_use():
    review = read_review(REVIEW)
    assert isinstance(review, Review)
    assert review.claim_reviewed == "Meta offered $100M signing bonuses"
    assert (review.url, review.publisher, review.claimant) == (
        "https://factcheck.example/2025/bonus",
        "Fact Example",
        "Ultraman",
    )
    assert (review.said_on, review.appeared_in, review.language) == (
        "2025-06-17",
        "https://news.example/altman",
        "en",
    )
    assert (review.rating_text, review.rating_value, review.best, review.worst) == (
        "Mostly False",
        2.0,
        5.0,
        1.0,
    )
    note = review.rating_note()
    assert "“Mostly False”, 2 on 1-5" in note and "mostly_false (label)" in note


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"claimReviewed": None}, "no claimReviewed"),
        ({"claimReviewed": "   "}, "no claimReviewed"),
        ({"url": "javascript:alert(1)"}, "no url"),
        ({"url": None}, "no url"),
    ],
)
def test_a_review_that_cannot_be_used_says_why(change, reason):
    node = {**REVIEW, **change}
    found = read_review(node)
    assert isinstance(found, str) and found.startswith(reason)


def test_a_review_without_url_on_a_fact_checkers_page_is_that_page():
    node = {k: v for k, v in REVIEW.items() if k != "url"}
    review = read_review(node, default_url="https://factcheck.example/page")
    assert isinstance(review, Review) and review.url == "https://factcheck.example/page"


@pytest.mark.parametrize(
    "document",
    [
        REVIEW,
        [REVIEW, {"@type": "WebPage"}],
        {"claimReviews": [REVIEW]},
        {"@context": "https://schema.org", "@graph": [{"@type": "WebSite"}, REVIEW]},
        {"@type": "WebPage", "mainEntity": {**REVIEW, "@type": ["ClaimReview"]}},
        {**REVIEW, "@type": "schema:ClaimReview"},
    ],
    ids=["object", "list", "feed", "graph", "nested", "prefixed"],
)
def test_a_json_document_yields_its_claimreviews_whatever_its_shape(document):
    found = reviews_in_json(document)
    assert len(found) == 1 and read_review(found[0]).claim_reviewed.startswith("Meta offered")  # type: ignore[union-attr]


def test_hostile_json_is_bounded_in_depth_and_count():
    deep: object = REVIEW
    for _ in range(10_000):
        deep = {"child": deep}
    assert reviews_in_json(deep) == []  # too deep to look at, and no RecursionError
    many = [REVIEW] * (MAX_REVIEWS + 50)
    assert len(reviews_in_json(many)) == MAX_REVIEWS


def test_odd_value_types_are_read_or_ignored_never_raised_on():
    node = {
        "@type": "ClaimReview",
        "claimReviewed": ["First text", "second"],
        "url": {"@id": "https://factcheck.example/odd"},
        "author": [{"name": ["Odd Checker"]}],
        "itemReviewed": "not an object",
        "reviewRating": {"ratingValue": {"nested": True}, "alternateName": 42},
    }
    review = read_review(node)
    assert isinstance(review, Review)
    assert (review.claim_reviewed, review.url, review.publisher) == (
        "First text",
        "https://factcheck.example/odd",
        "Odd Checker",
    )
    assert (review.claimant, review.rating_value, review.rating_text) == (None, None, "42")


def page(head: str = "", body: str = "") -> str:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"


def test_json_ld_on_a_page_is_read_even_beside_a_broken_script():
    markup = page(
        head='<script type="application/ld+json">{ broken json</script>'
        f'<script type="application/ld+json">{json.dumps(REVIEW)}</script>'
    )
    found = reviews_in_html(markup, base_url="https://factcheck.example/p")
    assert [n["claimReviewed"] for n in found] == ["Meta offered $100M signing bonuses"]


MICRODATA = """
<div itemscope itemtype="https://schema.org/ClaimReview">
  <link itemprop="url" href="https://factcheck.example/river">
  <p itemprop="claimReviewed">The river rose three metres overnight.</p>
  <div itemprop="itemReviewed" itemscope itemtype="https://schema.org/Claim">
    <div itemprop="author" itemscope itemtype="https://schema.org/Person">
      <span itemprop="name">Jean Dupont</span></div>
  </div>
  <div itemprop="author" itemscope itemtype="https://schema.org/Organization">
    <span itemprop="name">Vérif</span></div>
  <div itemprop="reviewRating" itemscope itemtype="https://schema.org/Rating">
    <span itemprop="alternateName">Plutôt faux</span></div>
</div>"""

RDFA = """
<div vocab="https://schema.org/" typeof="ClaimReview">
  <span property="claimReviewed">The bridge was closed for ten years.</span>
  <a property="url" href="https://factcheck.example/bridge">read</a>
  <div property="reviewRating" typeof="Rating"><span property="alternateName">Faux</span></div>
  <div property="author" typeof="Organization"><span property="name">Vérif</span></div>
  <div property="itemReviewed" typeof="Claim">
    <div property="author" typeof="Person"><span property="name">Marie Curie</span></div></div>
</div>"""


@pytest.mark.parametrize(
    ("markup", "claim", "claimant", "rating"),
    [
        (MICRODATA, "The river rose three metres overnight.", "Jean Dupont", "Plutôt faux"),
        (RDFA, "The bridge was closed for ten years.", "Marie Curie", "Faux"),
    ],
    ids=["microdata", "rdfa"],
)
def test_microdata_and_rdfa_are_read_like_json_ld(markup, claim, claimant, rating):
    found = reviews_in_html(page(body=markup), base_url="https://factcheck.example/p")
    assert len(found) == 1
    review = read_review(found[0])
    assert isinstance(review, Review)
    assert (review.claim_reviewed, review.claimant, review.rating_text) == (claim, claimant, rating)
    assert review.publisher == "Vérif" and review.url.startswith("https://factcheck.example/")


@pytest.mark.parametrize(
    "markup",
    [
        "",
        "\x00\x01\x02",
        "<html><body><div itemscope itemtype='https://schema.org/ClaimReview'>",
        "<" * 10_000,
        "<div>" * 50_000,
        page(head='<script type="application/ld+json">' + "[" * 100_000 + "</script>"),
        page(body="<p>no markup at all</p>"),
    ],
    ids=["empty", "binary", "unclosed", "brackets", "deep-html", "deep-json", "plain"],
)
def test_broken_and_hostile_pages_yield_nothing_rather_than_an_error(markup):
    found = reviews_in_html(markup, base_url="https://factcheck.example/p")
    assert all(isinstance(read_review(n), Review | str) for n in found)


def test_docs_list_every_label_the_table_knows():
    from pathlib import Path

    from claims.claimreview.reading import _LABEL_GROUPS

    docs = (Path(__file__).resolve().parents[2] / "docs" / "sources.md").read_text("utf-8")
    for rating, labels in _LABEL_GROUPS.items():
        row = next(line for line in docs.splitlines() if line.startswith(f"| `{rating.value}` |"))
        assert row == f"| `{rating.value}` | " + ", ".join(labels) + " |"
