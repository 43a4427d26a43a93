"""Fuzzy matching of claims: duplicates on create, the similar-claims list, the `q` filter.

A duplicate threshold only means something together with its scorer, so both were chosen on
LIAR (11,525 distinct normalised statements; `bench/match_threshold.py` reproduces the figures).
Retyped claims (2,000 statements x: a word dropped, two neighbours swapped, a typo, case/accents/
quotes changed, and typo+drop, typo+swap) count as found when the original scores >= threshold
and strictly first; the false-positive rate is the share of statements whose best *other*
statement scores >= threshold.

    scorer @ threshold             drop   swap   typo  typo+drop  typo+swap   FP
    ratio @ 88                     .988   .960  1.000     .979       .953    .007
    token_sort_ratio @ 88          .987  1.000   .985     .933       .987    .006
    max(ratio, token_sort) @ 85    .995  1.000  1.000     .993       .998    .012
    max(ratio, token_sort) @ 88    .987  1.000  1.000     .979       .996    .008   <- chosen
    max(ratio, token_sort) @ 90    .973  1.000  1.000     .957       .990    .006
    token_set_ratio @ 90 / WRatio @ 85: FP .055 / 1.000 (containment and one shared word win)

`ratio` loses swapped words in short claims, `token_sort_ratio` loses typos that move a word in
sorted order; their max keeps the best of each for +0.1 point of FP. 88 is where LIAR's pairs
turn from mostly different to mostly the same claim: of the 54 pairs >= 88, about 40 are
restatements ("social security is (indeed) a ponzi scheme") and about 14 are templates with
another name, place, year or "one of the highest" for "the highest" ("voter fraud in virginia"
vs "in california", 90.5). No character scorer can tell those apart, so a duplicate is a
suggestion to a person, never a silent merge. Cost: the max runs two passes; token_sort_ratio
re-tokenises every choice, about 13 ms per query at 11.5k claims against 1.2 ms for ratio.

The `q` filter is a different question ("which claims contain these words?"). Each query word
must match a word of the claim: the same word, a word it begins (3+ letters), or for words of
5+ letters a spelling within fuzz.ratio 80 (one typo in a 5-letter word scores 80, in a
7-letter word 86). Requiring every word keeps unrelated queries empty on LIAR ("zebra
migration" finds no zebra although "migration" is close to "immigration") and lets words
appear in any order ("prime signature" finds "prime a la signature").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process

__all__ = [
    "DUPLICATE_SCORER",
    "DUPLICATE_THRESHOLD",
    "SEARCH_CUTOFF",
    "SIMILAR_FLOOR",
    "Match",
    "duplicate_score",
    "find_duplicates",
    "search",
    "similar",
    "sort_words",
]

DUPLICATE_THRESHOLD = 88.0
SIMILAR_FLOOR = 60.0
SEARCH_CUTOFF = 80.0
PREFIX_SCORE = 95.0
PREFIX_MIN_LENGTH = 3
FUZZY_MIN_LENGTH = 5

_DUPLICATE_PASSES: tuple[Callable[..., float], ...] = (fuzz.ratio, fuzz.token_sort_ratio)


def duplicate_score(
    s1: str,
    s2: str,
    *,
    processor: Callable[[str], str] | None = None,
    score_cutoff: float | None = None,
) -> float:
    """Score two normalised claims 0-100 as max(ratio, token_sort_ratio); rapidfuzz-compatible."""
    if processor is not None:
        s1, s2 = processor(s1), processor(s2)
    score = max(scorer(s1, s2, processor=None) for scorer in _DUPLICATE_PASSES)
    return score if score_cutoff is None or score >= score_cutoff else 0.0


DUPLICATE_SCORER: Callable[..., float] = duplicate_score


@dataclass(frozen=True)
class Match:
    """A claim id with its score; `duplicate` when the score reaches DUPLICATE_THRESHOLD."""

    claim_id: int
    score: float
    duplicate: bool = False


def _ranked(scores: Mapping[int, float], limit: int | None) -> list[tuple[int, float]]:
    # Ranking here rather than trusting extract's limit keeps ties ordered by id ascending.
    ordered = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    return ordered if limit is None else ordered[:limit]


def sort_words(text_norm: str) -> str:
    """A normalised text's words in sorted order: what ``token_sort_ratio`` compares.

    ``fuzz.ratio`` of two such forms is ``token_sort_ratio`` of the texts (rapidfuzz splits on
    whitespace, sorts by code point and joins with one space, as this does for a folded text;
    tests/unit/test_matching.py holds them equal). An index that keeps each claim's form scores
    the second pass without re-splitting and re-sorting every candidate for every query.
    """
    return " ".join(sorted(text_norm.split()))


def _duplicate_scores(
    query: str,
    choices: Mapping[int, str],
    cutoff: float,
    sorted_choices: Mapping[int, str] | None = None,
) -> dict[int, float]:
    # The max of two scorers, computed as two C++ passes merged here: a Python scorer passed to
    # extract would be called once per choice. With the choices' sorted forms given, the
    # token_sort pass is a plain ratio over them.
    passes: tuple[tuple[str, Mapping[int, str], Callable[..., float]], ...]
    if sorted_choices is None:
        passes = ((query, choices, fuzz.ratio), (query, choices, fuzz.token_sort_ratio))
    else:
        passes = ((query, choices, fuzz.ratio), (sort_words(query), sorted_choices, fuzz.ratio))
    best: dict[int, float] = {}
    for asked, among, scorer in passes:
        hits: list[tuple[str, float, Any]] = process.extract(
            asked, among, scorer=scorer, processor=None, limit=None, score_cutoff=cutoff
        )
        for _, score, claim_id in hits:
            if score > best.get(claim_id, -1.0):
                best[claim_id] = score
    return best


def find_duplicates(
    query_norm: str,
    choices: Mapping[int, str],
    *,
    limit: int = 5,
    threshold: float = DUPLICATE_THRESHOLD,
    sorted_choices: Mapping[int, str] | None = None,
) -> list[Match]:
    """Claims scoring at least `threshold` against a normalised claim, best first, ties by id.

    ``sorted_choices``, if given, holds ``sort_words`` of every choice under the same ids.
    """
    if not query_norm or limit <= 0:
        return []
    scores = _duplicate_scores(query_norm, choices, threshold, sorted_choices)
    return [Match(claim_id, score, True) for claim_id, score in _ranked(scores, limit)]


def similar(
    query_norm: str,
    choices: Mapping[int, str],
    *,
    limit: int = 10,
    floor: float = SIMILAR_FLOOR,
) -> list[Match]:
    """Claims similar to a normalised text, best first, each flagged if it is a duplicate."""
    if not query_norm or limit <= 0:
        return []
    scores = _duplicate_scores(query_norm, choices, floor)
    return [
        Match(claim_id, score, score >= DUPLICATE_THRESHOLD)
        for claim_id, score in _ranked(scores, limit)
    ]


def search(
    query_norm: str,
    choices: Mapping[int, str],
    *,
    limit: int | None = 50,
    cutoff: float = SEARCH_CUTOFF,
) -> list[Match]:
    """Claims containing every query word (typos and prefixes forgiven), best first, ties by id.

    A claim's score is the mean, over the query's words, of its best word similarity: 100 for
    the same word, PREFIX_SCORE for a word it begins ("signat" -> "signature"), fuzz.ratio for
    a near spelling ("singing" -> "signing") when that reaches ``cutoff``.
    """
    words = list(dict.fromkeys(query_norm.split()))
    if not words or (limit is not None and limit <= 0):
        return []
    vocabulary: dict[str, set[int]] = {}
    for claim_id, text in choices.items():
        for token in set(text.split()):
            vocabulary.setdefault(token, set()).add(claim_id)
    tokens = list(vocabulary)
    totals: dict[int, float] | None = None
    for word in words:
        best: dict[int, float] = {}
        for token, score in _word_matches(word, tokens, cutoff):
            for claim_id in vocabulary[token]:
                if score > best.get(claim_id, 0.0):
                    best[claim_id] = score
        if totals is None:
            totals = best
        else:
            totals = {c: totals[c] + best[c] for c in totals.keys() & best.keys()}
        if not totals:
            return []
    assert totals is not None
    scores = {claim_id: total / len(words) for claim_id, total in totals.items()}
    return [Match(claim_id, score) for claim_id, score in _ranked(scores, limit)]


def _word_matches(word: str, tokens: list[str], cutoff: float) -> list[tuple[str, float]]:
    """Vocabulary words matching one query word, with their similarity."""
    found: dict[str, float] = {}
    if len(word) >= FUZZY_MIN_LENGTH:
        for token, score, _ in process.extract(
            word, tokens, scorer=fuzz.ratio, processor=None, limit=None, score_cutoff=cutoff
        ):
            found[token] = score
    if len(word) >= PREFIX_MIN_LENGTH:
        for token in tokens:
            if token != word and token.startswith(word):
                found[token] = max(found.get(token, 0.0), PREFIX_SCORE)
    if word in tokens:
        found[word] = 100.0
    return list(found.items())
