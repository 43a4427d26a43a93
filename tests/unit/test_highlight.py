"""Search hits say why they matched: the words and figures of the query, found forgivingly."""

from __future__ import annotations

from claims.search.highlight import asked, reason, spans_in


def _marked(text: str, q: str, language: str = "und") -> list[str]:
    return [text[s:e] for s, e in spans_in(text, asked(q), language)]


def test_inflections_accents_and_case_are_forgiven() -> None:
    assert _marked("Meta offered signing BONUSES", "bonus offer") == ["offered", "BONUSES"]
    assert _marked("la rémunération totale", "remuneration") == ["rémunération"]


def test_a_typo_in_a_long_word_still_marks_it_but_short_words_must_be_exact() -> None:
    assert _marked("also known as Ultraman", "ultramn") == ["Ultraman"]
    assert _marked("the cat sat", "cut") == []


def test_a_figure_is_marked_whatever_its_spelling() -> None:
    text = "une prime de 100 millions de dollars"
    assert _marked(text, "$100M", "fr") == ["100 millions de dollars"]
    assert _marked(text, "$300M", "fr") == []


def test_excluded_words_are_not_marked() -> None:
    assert _marked("Meta stock and bonus", "bonus -stock") == ["bonus"]


def test_a_field_without_any_query_word_is_no_reason() -> None:
    assert reason("tag", "economy", asked("bonus")) is None
    found = reason("alias", "Ultraman", asked("ultraman"))
    assert found is not None and found.spans == ((0, 8),)
