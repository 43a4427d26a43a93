"""The semantic floor of the search box rises with the box's length."""

from __future__ import annotations

from claims.services.semantic_index import SEARCH_FLOOR, SHORT_SEARCH_FLOOR, search_floor


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
