"""The semantic floor of the search box rises with the box's length."""

from __future__ import annotations

from claims.semantic.index import (
    SEARCH_FLOOR,
    SHORT_SEARCH_FLOOR,
    near_the_best,
    search_floor,
)


def test_a_box_of_one_or_two_words_needs_the_short_floor():
    assert search_floor("bonus") == SHORT_SEARCH_FLOOR
    assert search_floor("signing bonus") == SHORT_SEARCH_FLOOR


def test_the_floor_rises_a_step_a_word_up_to_the_sentence_floor():
    floors = [search_floor(" ".join(["word"] * n)) for n in range(2, 10)]
    assert floors == sorted(floors)
    assert floors[1] > floors[0]
    assert search_floor("Meta offered 100 million dollar signing bonuses to poach talent") == (
        SEARCH_FLOOR
    )


def test_punctuation_is_not_a_word():
    assert search_floor("signing -- bonus !") == SHORT_SEARCH_FLOOR


def test_a_short_box_keeps_only_the_hits_near_its_best():
    hits = [(1, 0.64), (2, 0.58), (3, 0.44), (4, 0.41)]
    assert near_the_best(hits) == [(1, 0.64), (2, 0.58)]
    assert near_the_best([]) == []
