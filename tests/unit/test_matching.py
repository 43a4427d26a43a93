"""Duplicates, similar claims and the `q` filter, checked on made-up and on real LIAR claims."""

from __future__ import annotations

import csv
import functools
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process

from claims.matching.fuzzy import (
    DUPLICATE_SCORER,
    DUPLICATE_THRESHOLD,
    SEARCH_CUTOFF,
    SIMILAR_FLOOR,
    Match,
    find_duplicates,
    search,
    similar,
    sort_words,
)
from claims.text import normalise_claim

# The shared data sets sit beside the checkout (../shared), as on every machine and in CI.
LIAR_VALID = Path(__file__).resolve().parents[2].parent / "shared/data/liar/valid.tsv"


@functools.cache
def liar_valid() -> dict[int, str]:
    """PolitiFact statements of LIAR's validation split: id -> normalised text."""
    if not LIAR_VALID.exists():
        pytest.skip("LIAR data set not available")
    with LIAR_VALID.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return {int(row[0].removesuffix(".json")): normalise_claim(row[2]) for row in rows}


def liar_id(text: str) -> int:
    return next(i for i, t in liar_valid().items() if t == normalise_claim(text))


def ids(matches: list[Match]) -> list[int]:
    return [m.claim_id for m in matches]


# --- the duplicate scorer ------------------------------------------------------------------------


def test_the_duplicate_scorer_is_the_max_of_ratio_and_token_sort_ratio():
    a, b = "the economy grew by 3 percent", "grew the economy by 3 percent"
    assert DUPLICATE_SCORER(a, b) == max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b))
    assert DUPLICATE_SCORER(a, b) == 100


def test_the_duplicate_scorer_plugs_into_rapidfuzz_and_honours_its_cutoff():
    choices = ["the sky is green", "the economy grew by 3 percent"]
    best = process.extractOne("economy grew by 3 percent", choices, scorer=DUPLICATE_SCORER)
    assert best[2] == 1
    assert DUPLICATE_SCORER("abc", "xyz", score_cutoff=50) == 0


# --- find_duplicates ---------------------------------------------------------------------------

CHOICES = {
    1: normalise_claim("Social security is a Ponzi scheme"),
    2: normalise_claim("The minimum wage has not kept up with inflation since 1968"),
    3: normalise_claim("There was serious voter fraud in Virginia"),
}


@pytest.mark.parametrize(
    "retyped",
    [
        "Social Security is a ponzi scheme!",  # case and punctuation
        "« Social sécurity is a Ponzi scheme »",  # quotes and accents
        "Social security a Ponzi scheme",  # a word dropped
        "Security social is a Ponzi scheme",  # two words swapped
        "Social securty is a Ponzi scheme",  # a typo
        "Social aecurity is a Ponzi scheme",  # a typo that moves the word in sorted order
    ],
)
def test_a_retyped_claim_finds_its_original_as_a_duplicate(retyped):
    assert ids(find_duplicates(normalise_claim(retyped), CHOICES)) == [1]


def test_an_unrelated_claim_has_no_duplicates():
    assert find_duplicates(normalise_claim("Wind turbines kill millions of birds"), CHOICES) == []


def test_a_claim_sharing_one_word_is_not_a_duplicate():
    # WRatio scores this 85.5; the chosen scorer must not.
    query = normalise_claim("The scheme is a fraud")
    assert find_duplicates(query, {9: normalise_claim("the")} | CHOICES) == []


def test_a_claim_containing_another_is_not_its_duplicate():
    # token_set_ratio scores containment 100; the chosen scorer must not.
    longer = normalise_claim(
        "Social security is a Ponzi scheme and Medicare will be broke within ten years"
    )
    assert find_duplicates(longer, CHOICES) == []


def test_an_identical_claim_scores_100_and_is_flagged():
    assert find_duplicates(CHOICES[2], CHOICES) == [Match(2, 100.0, True)]


def test_duplicates_come_best_first_then_by_id():
    choices = {7: "a b c d e f g h i j", 3: "a b c d e f g h i j", 5: "a b c d e f g h i x"}
    assert ids(find_duplicates("a b c d e f g h i j", choices)) == [3, 7, 5]


def test_duplicates_are_capped_by_limit():
    choices = {i: "the same claim again" for i in range(10)}
    assert ids(find_duplicates("the same claim again", choices, limit=3)) == [0, 1, 2]


def test_the_threshold_can_be_raised_per_call():
    query = normalise_claim("Social security a Ponzi scheme")
    assert find_duplicates(query, CHOICES, threshold=99) == []


def test_choices_are_compared_as_given_without_processing():
    # Callers pass normalised texts; re-processing them would hide a caller's mistake.
    assert (
        find_duplicates(
            "social security is a ponzi scheme", {1: "SOCIAL SECURITY IS A PONZI SCHEME"}
        )
        == []
    )


def test_an_empty_query_finds_nothing():
    assert find_duplicates("", {1: ""}) == []


# --- on LIAR -----------------------------------------------------------------------------------


def _retype(text: str, rng: random.Random) -> str:
    words = text.split()
    kind = rng.choice(["drop", "swap", "typo"])
    i = rng.randrange(len(words) - 1)
    if kind == "drop":
        del words[i]
    elif kind == "swap":
        words[i], words[i + 1] = words[i + 1], words[i]
    else:
        w = max(words, key=len)
        j = rng.randrange(len(w))
        words[words.index(w)] = w[:j] + rng.choice("aeiourst") + w[j + 1 :]
    return " ".join(words).upper()


def test_retyped_liar_statements_find_their_original_first():
    claims = liar_valid()
    rng = random.Random(7)
    sample = rng.sample([i for i, t in claims.items() if len(t.split()) >= 4], 200)
    found = sum(
        ids(find_duplicates(normalise_claim(_retype(claims[i], rng)), claims, limit=1)) == [i]
        for i in sample
    )
    assert found / len(sample) >= 0.97  # the bench measures 0.98-1.00 per kind of edit


def test_few_distinct_liar_statements_have_a_duplicate_among_the_others():
    claims = liar_valid()
    rng = random.Random(3)
    sample = rng.sample(sorted(claims), 300)
    flagged = 0
    for i in sample:
        others = {j: t for j, t in claims.items() if t != claims[i]}
        flagged += bool(find_duplicates(claims[i], others, limit=1))
    assert flagged / len(sample) <= 0.02  # the bench measures 0.008 on all 11,525


@pytest.mark.parametrize(
    ("restated", "original"),
    [
        ("Social security is indeed a Ponzi scheme.", "social security is a ponzi scheme"),
        (
            "We have more natural gas in this country than Saudi Arabia has oil.",
            "in this country we have more natural gas than saudi arabia has oil",
        ),
    ],
)
def test_liar_restatements_of_the_same_claim_are_duplicates(restated, original):
    found = find_duplicates(normalise_claim(restated), liar_valid())
    assert ids(found)[:1] == [liar_id(original)]


@pytest.mark.parametrize(
    "different",
    [
        "President Obama was raised Muslim.",  # LIAR's "says barack obama is a muslim": 85-87
        "Says Barack Obama is a socialist.",
    ],
)
def test_liar_claims_differing_in_their_key_word_are_not_duplicates(different):
    assert liar_id("says barack obama is a muslim") not in ids(
        find_duplicates(normalise_claim(different), liar_valid())
    )


# --- similar -----------------------------------------------------------------------------------


def test_similar_lists_near_claims_below_the_duplicate_threshold_and_flags_duplicates():
    choices = {
        1: "social security is a ponzi scheme",
        2: "social security is not a ponzi scheme at all",
        3: "wind turbines kill birds",
    }
    found = similar("social security is a ponzi scheme", choices)
    assert [(m.claim_id, m.duplicate) for m in found] == [(1, True), (2, False)]
    assert SIMILAR_FLOOR <= found[1].score < DUPLICATE_THRESHOLD


def test_similar_respects_floor_and_limit():
    choices = {i: "social security is a ponzi scheme" + " x" * i for i in range(1, 30)}
    found = similar("social security is a ponzi scheme", choices, limit=4)
    assert ids(found) == [1, 2, 3, 4]
    assert similar("social security is a ponzi scheme", choices, floor=99.9) == []


def test_similar_on_liar_ranks_the_original_of_a_loose_paraphrase_first():
    query = normalise_claim("Barack Obama is a Muslim, says the email")
    found = similar(query, liar_valid(), limit=3)
    assert found[0].claim_id == liar_id("says barack obama is a muslim")
    assert not found[0].duplicate


def test_similar_with_an_empty_query_is_empty():
    assert similar("", CHOICES) == []


# --- search (the q filter) ---------------------------------------------------------------------


@pytest.mark.parametrize("query", ["signing bonus", "singing bonus", "signing bonuses"])
def test_search_finds_the_liar_claim_containing_the_words_even_with_a_typo(query):
    expected = [i for i, t in liar_valid().items() if "signing bonuses" in t]
    assert len(expected) == 1
    assert ids(search(query, liar_valid())) == expected


def test_search_finds_every_liar_claim_containing_a_phrase():
    claims = liar_valid()
    expected = {i for i, t in claims.items() if "minimum wage" in t}
    assert len(expected) >= 3
    assert expected <= set(ids(search("minimum wage", claims, limit=None)))


@pytest.mark.parametrize("query", ["zebra migration", "quantum chromodynamics", "purple elephant"])
def test_search_for_something_unrelated_returns_nothing(query):
    assert search(query, liar_valid()) == []


def test_a_claim_shorter_than_the_query_matches_only_as_a_whole():
    # partial_ratio would align "on taxes" inside the query and score it 100.
    choices = {1: "on taxes", 2: "property taxes on homes in texas are high"}
    assert ids(search("property taxes on homes in texas", choices)) == [2]


def test_search_ranks_exact_containment_first_then_by_id():
    choices = {4: "the signing bonus was cut", 2: "a signing bonus", 3: "a singing bonus"}
    found = search("signing bonus", choices)
    assert ids(found) == [2, 4, 3]
    assert found[0].score == found[1].score == 100 > found[2].score >= SEARCH_CUTOFF


def test_search_is_capped_by_limit():
    choices = {i: f"claim {i} about taxes" for i in range(100)}
    assert len(search("taxes", choices)) == 50
    assert len(search("taxes", choices, limit=None)) == 100


@pytest.mark.parametrize("query", ["", "   "])
def test_an_empty_search_returns_nothing(query):
    assert search(query, CHOICES) == []


def test_search_finds_words_in_any_order_and_by_prefix():
    choices = {1: "meta a utilise une prime a la signature de 100 millions", 2: "une prime de noel"}
    assert ids(search("signature prime", choices)) == [1]
    assert ids(search("prime signat", choices)) == [1]
    assert ids(search("prime", choices)) == [1, 2]


def test_search_needs_every_word_of_the_query():
    choices = {1: "immigration is up", 2: "zebra crossings are safe"}
    assert search("zebra migration", choices) == []


# Spaces of several kinds, apostrophes, punctuation, accents and other scripts: what the fold
# turns into single spaces or drops must leave words that rapidfuzz splits and sorts as we do.
FOLDED_ALPHABET = "ab zé\u00a0\u3000\u2028\u0085\x1c\u200b'’.,-日本1"


@settings(max_examples=300, deadline=None)
@given(st.text(FOLDED_ALPHABET, max_size=30), st.text(FOLDED_ALPHABET, max_size=30))
def test_ratio_of_sorted_word_forms_is_token_sort_ratio_of_folded_texts(a: str, b: str) -> None:
    a, b = normalise_claim(a), normalise_claim(b)
    assert fuzz.ratio(sort_words(a), sort_words(b)) == fuzz.token_sort_ratio(a, b, processor=None)


def test_duplicates_scored_from_sorted_forms_are_those_of_the_two_scorers() -> None:
    choices = liar_valid()
    forms = {i: sort_words(t) for i, t in choices.items()}
    for query in random.Random(4).sample(sorted(choices.values()), 40):
        words = query.split()
        swapped = " ".join(words[1:2] + words[:1] + words[2:])
        for q in (query, swapped):
            assert find_duplicates(q, choices, sorted_choices=forms, limit=50) == find_duplicates(
                q, choices, limit=50
            )
