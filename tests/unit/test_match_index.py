"""The match index answers as brute force does, scoring only a few candidates per query."""

from __future__ import annotations

import csv
import functools
import random
import sys
from collections import Counter
from pathlib import Path

import pytest

from claims.matching import fuzzy as matching
from claims.matching import index as match_index
from claims.matching.index import (
    MIN_SHARED,
    MatchIndex,
    _shared,
    _shared_numpy,
    _shared_pure,
)
from claims.text import normalise_claim

LIAR_VALID = Path(__file__).resolve().parents[2].parent / "shared/data/liar/valid.tsv"


@functools.cache
def liar_valid() -> dict[int, str]:
    """LIAR's validation statements: id -> normalised text."""
    if not LIAR_VALID.exists():
        pytest.skip("LIAR data set not available")
    with LIAR_VALID.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return {int(row[0].removesuffix(".json")): normalise_claim(row[2]) for row in rows}


@functools.cache
def liar_index() -> MatchIndex:
    return MatchIndex(liar_valid())


def ids(matches: list[matching.Match]) -> list[int]:
    return [m.claim_id for m in matches]


# --- people retype: what each edit looks like -----------------------------------------------


def drop(words: list[str], rng: random.Random) -> list[str]:
    i = rng.randrange(len(words))
    return words[:i] + words[i + 1 :]


def swap(words: list[str], rng: random.Random) -> list[str]:
    i = rng.randrange(len(words) - 1)
    return [*words[:i], words[i + 1], words[i], *words[i + 2 :]]


def typo(words: list[str], rng: random.Random) -> list[str]:
    i = max(range(len(words)), key=lambda k: len(words[k]))
    w = words[i]
    j = rng.randrange(len(w))
    return [*words[:i], w[:j] + rng.choice("aeiourst") + w[j + 1 :], *words[i + 1 :]]


def surface(words: list[str], rng: random.Random) -> list[str]:
    accents = {"e": "É", "a": "à", "o": "Ô", "c": "ç"}
    out = ["".join(accents.get(c, c) if rng.random() < 0.3 else c for c in w) for w in words]
    return ["«", *(w.upper() if rng.random() < 0.5 else w.title() for w in out), "»"]


def apostrophe(words: list[str], rng: random.Random) -> list[str]:
    i = max(range(len(words)), key=lambda k: len(words[k]))
    return [*words[:i], words[i][:1] + "’" + words[i][1:], *words[i + 1 :]]


EDITS = {"drop": drop, "swap": swap, "typo": typo, "surface": surface, "apostrophe": apostrophe}


def retyped(edit: str, text: str, rng: random.Random) -> str:
    return normalise_claim(" ".join(EDITS[edit](text.split(), rng)))


def sample(n: int, seed: int) -> list[int]:
    claims = liar_valid()
    return random.Random(seed).sample([i for i, t in claims.items() if len(t.split()) >= 4], n)


# --- the same answers as brute force ---------------------------------------------------------


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_duplicates_of_retyped_liar_statements_are_those_brute_force_finds(edit):
    claims, index, rng = liar_valid(), liar_index(), random.Random(edit)
    for i in sample(60, seed=len(edit)):
        query = retyped(edit, claims[i], rng)
        assert index.find_duplicates(query, limit=20) == matching.find_duplicates(
            query, claims, limit=20
        ), query


def test_every_liar_statement_has_the_duplicates_brute_force_finds():
    claims, index = liar_valid(), liar_index()
    for i in sample(250, seed=11):
        assert index.find_duplicates(claims[i]) == matching.find_duplicates(claims[i], claims)


def test_similar_flags_the_same_duplicates_as_brute_force():
    claims, index, rng = liar_valid(), liar_index(), random.Random(5)
    for i in sample(80, seed=5):
        query = retyped(rng.choice(sorted(EDITS)), claims[i], rng)
        expected = [m for m in matching.similar(query, claims) if m.duplicate]
        assert [m for m in index.similar(query) if m.duplicate] == expected


@pytest.mark.parametrize(
    "query",
    [
        "minimum wage",
        "signing bonus",
        "singing bonuses",
        "obama",
        "obam",
        "the",
        "health care reform",
        "unemploymnet rate",
        "zebra migration",
        "tax",
        "says",
    ],
)
def test_word_search_gives_brute_force_hits_scores_and_order(query):
    query = normalise_claim(query)
    expected = matching.search(query, liar_valid(), limit=None)
    assert liar_index().search(query, limit=None) == expected


def test_word_search_is_capped_by_limit_like_brute_force():
    assert liar_index().search("the", limit=7) == matching.search("the", liar_valid(), limit=7)


# --- retyped claims find their source first --------------------------------------------------


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_a_retyped_liar_statement_finds_its_source_first(edit):
    claims, index, rng = liar_valid(), liar_index(), random.Random(edit + "!")
    picked = sample(100, seed=len(edit) + 100)
    first = sum(ids(index.similar(retyped(edit, claims[i], rng), limit=1)) == [i] for i in picked)
    assert first / len(picked) >= 0.97


def test_french_quotes_and_apostrophes_do_not_change_the_answer():
    index = MatchIndex({1: normalise_claim("L'économie de la France a crû de 3 % en 2023")})
    for variant in ("l’ÉCONOMIE de la france a cru de 3 % en 2023", "« L’economie de la France »"):
        assert ids(index.similar(normalise_claim(variant))) == [1]


# --- keeping it current ----------------------------------------------------------------------


def test_added_updated_and_removed_claims_are_found_or_forgotten():
    index = MatchIndex({1: "social security is a ponzi scheme"})
    index.search("ponzi")  # the word views exist, so they must follow the changes too
    index.add(2, "wind turbines kill millions of birds")
    assert ids(index.find_duplicates("wind turbines kill millions of bird")) == [2]
    assert ids(index.search("turbine")) == [2]

    index.add(2, "solar panels poison the soil")
    assert index.find_duplicates("wind turbines kill millions of bird") == []
    assert index.search("turbines") == []
    assert ids(index.search("panels soil")) == [2]

    index.remove(1)
    index.remove(99)  # unknown: ignored
    assert index.find_duplicates("social security is a ponzi scheme") == []
    assert index.search("ponzi") == []
    assert len(index) == 1 and 1 not in index and index.text(2) == "solar panels poison the soil"


def test_negative_provisional_ids_are_held_like_any_other():
    index = MatchIndex()
    index.add(-3, "the river rose three metres overnight")
    assert ids(index.find_duplicates("the river rose three meters overnight")) == [-3]


def test_an_excluded_claim_is_not_its_own_duplicate():
    index = MatchIndex({1: "a claim", 2: "a claim"})
    assert ids(index.find_duplicates("a claim", exclude={1})) == [2]


# --- cheap -----------------------------------------------------------------------------------


def test_a_query_scores_only_a_few_candidates_not_every_claim():
    claims, index, rng = liar_valid(), liar_index(), random.Random(3)
    picked = sample(100, seed=3)
    sizes = [
        len(index.candidates(retyped("drop", claims[i], rng), floor=matching.DUPLICATE_THRESHOLD))
        for i in picked
    ]
    assert sum(sizes) / len(sizes) < 0.02 * len(claims)


def test_beyond_the_texts_the_index_costs_bytes_per_word_not_objects_per_posting():
    # A set of int objects per word would cost ~60 bytes a posting; array('i') costs 4.
    claims = liar_valid()
    texts = sys.getsizeof(claims) + sum(sys.getsizeof(t) + 28 for t in claims.values())
    words = [set(t.split()) for t in claims.values()]
    postings, vocabulary = sum(map(len, words)), len(set().union(*words))
    index = MatchIndex(claims)
    index.search("warm")  # builds the word views used by search: counted too
    assert index.memory_bytes() - texts < 8 * postings + 200 * vocabulary


# --- the two ways of counting shared words -----------------------------------------------------


def brute_shared(lists: list[list[int]]) -> list[int]:
    """Ids in at least MIN_SHARED of the lists, ascending: the specification of `_shared`."""
    counts = Counter(i for ids in lists for i in ids)
    return sorted(i for i, n in counts.items() if n >= MIN_SHARED)


def test_short_and_long_postings_are_counted_alike_on_liar_queries():
    index = liar_index()
    postings, rng = index._postings, random.Random(17)
    claims = liar_valid()
    for i in sample(300, seed=17):
        words = sorted({w for w in retyped("drop", claims[i], rng).split() if w in postings})
        if len(words) < 2:
            continue
        lists = [postings[w] for w in words[: rng.randint(2, len(words))]]
        expected = brute_shared([list(ids) for ids in lists])
        assert _shared_pure(lists) == expected
        assert _shared_numpy(lists) == expected
        assert _shared(lists, sum(map(len, lists))) == expected


def test_candidates_are_the_same_whichever_way_shared_words_are_counted(monkeypatch):
    claims, index, rng = liar_valid(), liar_index(), random.Random(23)
    queries = [retyped(rng.choice(sorted(EDITS)), claims[i], rng) for i in sample(200, seed=23)]

    def answers() -> list[list[tuple[int, str]]]:
        return [
            list(index.candidates(q, floor=f, exclude={i}).items())
            for q in queries
            for f, i in ((matching.DUPLICATE_THRESHOLD, -1), (matching.SIMILAR_FLOOR, 1))
        ]

    monkeypatch.setattr(match_index, "PURE_COUNT_BELOW", 0)
    by_numpy = answers()
    monkeypatch.setattr(match_index, "PURE_COUNT_BELOW", sys.maxsize)
    by_sets = answers()
    assert by_sets == by_numpy
    assert any(by_numpy)


def test_dropping_claims_of_the_wrong_length_early_changes_no_candidate(monkeypatch):
    # Ids 0..n are in the length table, so numpy drops wrong lengths before counting; one
    # negative id held sends the other index back to reading every candidate's text.
    texts = dict(enumerate(liar_valid().values()))
    early, late = MatchIndex(texts), MatchIndex(texts)
    late.add(-1, "zzz qqq")
    assert early._off_table == 0 and late._off_table == 1
    monkeypatch.setattr(match_index, "PURE_COUNT_BELOW", 0)
    rng = random.Random(29)
    for i in random.Random(29).sample(sorted(texts), 200):
        query = retyped(rng.choice(sorted(EDITS)), texts[i], rng)
        for floor in (matching.DUPLICATE_THRESHOLD, matching.SIMILAR_FLOOR):
            found = early.candidates(query, floor=floor)
            assert list(found.items()) == list(late.candidates(query, floor=floor).items())
            assert list(found) == sorted(found)


def test_the_length_table_follows_removed_and_re_added_claims():
    index = MatchIndex({0: "wind turbines kill millions of birds", 1: "a claim"})
    index.remove(0)
    index.add(0, "wind turbines kill millions of birds every single year")
    index.add(5_000_000, "wind turbines kill millions of birds")  # beyond the table
    assert ids(index.find_duplicates("wind turbines kill millions of bird")) == [5_000_000]
    index.remove(5_000_000)
    assert index._off_table == 0
    query = "wind turbines kill millions of birds every single yea"
    assert ids(index.find_duplicates(query)) == [0]


# --- sorted word forms and character counts held (the import's index) -------------------------


@functools.cache
def bulk_index() -> MatchIndex:
    return MatchIndex(liar_valid(), keep_sorted_words=True, keep_char_counts=True)


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_holding_sorted_forms_and_counts_changes_no_duplicate_or_score(edit):
    claims, rng = liar_valid(), random.Random(edit + "sorted")
    for i in sample(60, seed=len(edit) + 1):
        query = retyped(edit, claims[i], rng)
        expected = matching.find_duplicates(query, claims, limit=20)
        assert bulk_index().find_duplicates(query, limit=20) == expected, query
        assert bulk_index().similar(query, limit=20) == liar_index().similar(query, limit=20)


def spliced(claims: dict[int, str], n: int, seed: int) -> dict[int, str]:
    """Claims made of halves of two LIAR statements, as the import benchmark's: many share
    half their words with others, the case the count bound is for."""
    rng, texts = random.Random(seed), [t for t in claims.values() if len(t.split()) >= 8]
    made: dict[int, str] = {}
    while len(made) < n:
        a, b = rng.choice(texts).split(), rng.choice(texts).split()
        made[len(made)] = " ".join(a[: len(a) // 2] + b[len(b) // 2 :])
    return made


def test_the_count_bound_drops_most_candidates_and_no_duplicate(monkeypatch):
    claims = spliced(liar_valid(), 3_000, seed=2)
    bounded = MatchIndex(claims, keep_sorted_words=True, keep_char_counts=True)
    plain = MatchIndex(claims)
    rng, scored = random.Random(8), {"bounded": 0, "plain": 0}
    original = matching.find_duplicates

    def counting(query, choices, **kwargs):  # type: ignore[no-untyped-def]
        scored["bounded" if kwargs.get("sorted_choices") is not None else "plain"] += len(choices)
        return original(query, choices, **kwargs)

    monkeypatch.setattr(matching, "find_duplicates", counting)
    for i in rng.sample(sorted(claims), 300):
        query = retyped(rng.choice(sorted(EDITS)), claims[i], rng)
        assert bounded.find_duplicates(query, limit=50) == plain.find_duplicates(query, limit=50)
    assert scored["bounded"] * 2 < scored["plain"]  # each query's source is among both


def test_counts_follow_removed_and_re_added_claims_and_very_long_queries():
    index = MatchIndex(keep_sorted_words=True, keep_char_counts=True)
    index.add(0, "the river rose three metres overnight")
    index.add(1, "the river fell three metres in a week")
    index.remove(0)
    index.add(2, "the river rose three metres overnight")
    assert [m.claim_id for m in index.find_duplicates("the river rose three metres overnight")] == [
        2
    ]
    long = "word " * 20_000 + "end"
    index.add(3, long)
    assert [m.claim_id for m in index.find_duplicates(long)] == [3]


def test_sorted_word_forms_follow_added_replaced_and_removed_claims():
    index = MatchIndex(keep_sorted_words=True)
    index.add(1, "wind turbines kill millions of birds")
    index.add(1, "solar panels kill millions of birds")  # replaced
    index.add(2, "birds of millions kill turbines wind")
    found = index.find_duplicates("wind turbines kill millions of birds")
    assert [(m.claim_id, m.score) for m in found] == [(2, 100.0)]  # token_sort sees the same
    index.remove(2)
    assert index.find_duplicates("wind turbines kill millions of birds") == []
    assert index.find_duplicates("solar panels kill millions of birds")[0].claim_id == 1


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_the_count_bound_keeps_a_claim_asked_at_its_own_score(edit):
    # The bound must never drop a claim that reaches the floor: asked with the pair's own
    # score as the threshold, the one claim held is found, however close the edit.
    claims, rng = liar_valid(), random.Random(edit + "exact")
    for i in sample(80, seed=len(edit) + 7):
        query = retyped(edit, claims[i], rng)
        score = matching.duplicate_score(query, claims[i])
        index = MatchIndex({0: claims[i]}, keep_sorted_words=True, keep_char_counts=True)
        # A hair below: rapidfuzz's extract drops scores within about 1e-6 of its cutoff.
        found = index.find_duplicates(query, threshold=score - 1e-3)
        assert found == [matching.Match(0, score, True)], query
