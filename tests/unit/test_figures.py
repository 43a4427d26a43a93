"""Figures are read as values, the same in French and English, so spellings of one match."""

from __future__ import annotations

import pytest

from claims.search.figures import figure_terms, figures_in, with_figure_terms


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Meta offered 100M signing bonuses", "en"),
        ("Meta offered $100 million signing bonuses", "en"),
        ("des primes de 100 millions de dollars", "fr"),
        ("une prime de 100 000 000 $", "fr"),
        ("100,000,000 dollars", "en"),
        ("100.000.000 €", "fr"),
        ("$100m", "en"),
        ("0,1 milliard", "fr"),
    ],
)
def test_every_spelling_of_a_hundred_million_is_one_term(text: str, language: str) -> None:
    assert figure_terms(text, language) == "n100000000"


def test_a_french_decimal_comma_and_an_english_decimal_point_agree() -> None:
    assert figure_terms("79,1 millions de dollars", "fr") == figure_terms("79.1 million", "en")
    assert figure_terms("79,1 millions", "fr") == "n79100000"


def test_the_language_decides_what_one_separator_before_three_digits_means() -> None:
    assert figure_terms("1,500 jobs", "en") == "n1500"
    assert figure_terms("1,500 emplois", "fr") == "n1d5"
    assert figure_terms("1.500 emplois", "fr") == "n1500"
    assert figure_terms("1.500 jobs", "en") == "n1d5"


def test_billion_is_a_thousand_millions_in_english_and_a_million_millions_in_french() -> None:
    assert figure_terms("2 billion", "en") == "n2000000000"
    assert figure_terms("2 billions", "fr") == "n2000000000000"
    assert figure_terms("2 milliards", "fr") == "n2000000000"


def test_numbers_inside_words_and_units_that_are_not_scales_are_left_alone() -> None:
    assert figure_terms("COVID19 hit in 2020", "en") == "n2020"
    assert figure_terms("a 100km race", "en") == ""
    assert figure_terms("no figure here", "en") == ""


def test_two_figures_spelled_differently_stay_different() -> None:
    assert figure_terms("$100M", "en") != figure_terms("$300M", "en")


def test_a_query_keeps_its_words_and_gets_terms_in_place_of_figures() -> None:
    asked = with_figure_terms("Meta offered $100 million signing bonuses")
    assert "n100000000" in asked.split()
    assert asked.split()[-2:] == ["signing", "bonuses"]
    assert "million" not in asked


def test_spans_cover_the_number_its_scale_word_and_its_currency() -> None:
    text = "une prime de 100 millions de dollars."
    [figure] = figures_in(text, "fr")
    assert text[figure.start : figure.end] == "100 millions de dollars"
    [figure] = figures_in("paid US$ 5M", "en")
    assert figure.start == len("paid ")
