"""A search box is read like websearch_to_tsquery and written as an FTS5 expression that
nothing typed can turn into an operator or a syntax error."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claims.search.fts_query import any_words, parse, to_fts5


def test_words_are_all_required_phrases_stay_together_and_or_joins_two() -> None:
    query = parse('signing "prime à la" bonus or salary -stock')
    assert query.required == (
        (("signing",),),
        (("prime", "à", "la"),),
        (("bonus",), ("salary",)),
    )
    assert query.excluded == (("stock",),)


def test_the_fts5_expression_quotes_every_word() -> None:
    expression = to_fts5(parse("meta bonus -stock"))
    assert expression == '("meta"* AND "bonus"*) NOT ("stock")'


def test_short_words_and_phrases_are_not_asked_as_prefixes() -> None:
    assert to_fts5(parse('ai "prime signature" bonus')) == '"ai" AND "prime signature" AND "bonus"*'


def test_only_excluded_or_punctuation_means_no_question() -> None:
    assert to_fts5(parse("-stock")) is None
    assert to_fts5(parse('"" * ( ) :')) is None
    assert any_words("?!") is None


def test_any_words_asks_for_each_word_once() -> None:
    assert any_words("Meta offered Meta bonuses") == '"meta" OR "offered" OR "bonuses"'


@pytest.fixture(scope="module")
def fts() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(a, tokenize='porter unicode61')")
    conn.execute("INSERT INTO t (a) VALUES ('Meta offered signing bonuses AND NOT NEAR the end')")
    return conn


@given(st.text(max_size=60))
def test_nothing_typed_is_an_fts5_syntax_error(fts: sqlite3.Connection, box: str) -> None:
    for expression in (to_fts5(parse(box)), any_words(box)):
        if expression is not None:
            fts.execute("SELECT rowid FROM t WHERE t MATCH ?", (expression,)).fetchall()


def test_operators_typed_are_plain_words(fts: sqlite3.Connection) -> None:
    expression = to_fts5(parse("NEAR AND NOT bonuses*"))
    rows = fts.execute("SELECT rowid FROM t WHERE t MATCH ?", (expression,)).fetchall()
    assert rows == [(1,)]
