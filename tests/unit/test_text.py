"""Claims and names fold to one key however they are retyped; dates and control characters."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from claims import text as text_module
from claims.text import (
    normalise_claim,
    normalise_name,
)
from sources.sanitize import (
    TEXT_PATTERN,
    displayable,
    find_control_characters,
    has_forbidden_control_chars,
)

# --- normalise_claim ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "retyped",
    [
        "L’économie a progressé de 79,1 % en « 2023 »",
        "l'economie a progresse de 79.1% en 2023",
        "L‘ÉCONOMIE A PROGRESSÉ DE 79,1 % EN “2023”",
        "l´économie  a\u00a0progressé\u2009de 79,1\u202f% en „2023“",
        "  l`économie a progressé de 79,1 % en ‹2023›\n",
    ],
)
def test_a_claim_retyped_with_other_quotes_accents_case_and_spaces_has_the_same_key(retyped):
    assert normalise_claim(retyped) == "leconomie a progresse de 79.1 en 2023"


def test_decimal_comma_and_decimal_point_agree_but_differ_from_the_bare_digits():
    assert normalise_claim("79,1") == normalise_claim("79.1") == "79.1"
    assert normalise_claim("791") != normalise_claim("79,1")


def test_a_separator_not_between_digits_is_punctuation():
    assert normalise_claim("Wages rose 3.5%. Prices, too.") == "wages rose 3.5 prices too"


def test_apostrophes_are_dropped_so_contractions_match_their_lazy_spelling():
    assert normalise_claim("Don’t") == normalise_claim("don't") == normalise_claim("dont")


def test_dotted_acronyms_match_their_undotted_form():
    assert normalise_claim("The U.S. economy") == normalise_claim("the US economy")


def test_compatibility_forms_fold_to_plain_letters_and_digits():
    assert normalise_claim("ﬁnance ＡＢＣ １２３") == "finance abc 123"


def test_invisible_characters_vanish_without_splitting_words():
    assert normalise_claim("infor\u00admation zero\u200bwidth \ufeffbom") == (
        "information zerowidth bom"
    )


def test_sharp_s_casefolds_to_ss():
    assert normalise_claim("STRASSE") == normalise_claim("Straße")


@pytest.mark.parametrize(
    "text",
    [
        "中国经济增长了百分之五",
        "مرحبا بالعالم",
        "हिन्दी भाषा",  # vowel signs are combining marks that must stay
        "がっこう",  # the dakuten is a combining mark under NFKD and must stay
        "한국어 문장",  # NFKD splits Hangul into jamo; the key must be recomposed
    ],
)
def test_non_latin_scripts_keep_their_letters(text):
    assert normalise_claim(text) == unicodedata.normalize("NFC", text)


def test_greek_and_cyrillic_accents_are_stripped_like_latin_ones():
    assert normalise_claim("Ἀθῆναι Ёлка") == "αθηναι елка"


def test_punctuation_only_text_normalises_to_empty():
    assert normalise_claim(" «…» — !? ") == ""


@given(st.text())
@example("ᄀ.ᅡ")  # joining the "acronym" puts a Hangul jamo beside its vowel
@example("か\u200b\u3099")  # a zero-width space between a kana and its dakuten
def test_normalise_claim_is_idempotent(text):
    once = normalise_claim(text)
    assert normalise_claim(once) == once


@given(st.text())
def test_the_key_has_no_upper_case_and_no_stray_whitespace(text):
    key = normalise_claim(text)
    assert key == key.casefold()
    assert key == " ".join(key.split())


# --- normalise_name ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ULTRAMAN", "Ultraman"),
        ("sam altman", "Sam Altman"),
        ("DARA KHOSROWSHAHI", "Dara Khosrowshahi"),
        ("eric zemmour", "Éric Zemmour"),
        ("Beto O’Rourke", "beto o'rourke"),
        ("Jean-Luc Mélenchon", "jean luc melenchon"),
    ],
)
def test_names_match_regardless_of_case_accents_and_punctuation(typed, stored):
    assert normalise_name(typed) == normalise_name(stored)


def test_different_names_stay_different():
    assert normalise_name("Sam Altman") != normalise_name("Ultraman")


# --- control characters ------------------------------------------------------------------------


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9f"])
def test_c0_c1_and_nul_control_characters_are_forbidden(char):
    text = f"ok{char}ok"
    assert has_forbidden_control_chars(text)
    assert find_control_characters(text) == [2]


def test_tab_newline_and_carriage_return_are_allowed():
    text = "line one\r\nline\ttwo\n"
    assert not has_forbidden_control_chars(text)
    assert find_control_characters(text) == []


def test_every_forbidden_position_is_reported():
    assert find_control_characters("\x00a\x01b\tc\x9f") == [0, 2, 6]


def test_printable_unicode_is_not_a_control_character():
    assert not has_forbidden_control_chars("naïve café 中文 \u00a0 \u200b 😀")


BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


@given(
    st.text(
        alphabet=st.characters(
            exclude_categories=["Cc", "Cs"],
            exclude_characters=BIDI_CONTROLS
            + "\ufffe\uffff"
            + "".join(map(chr, range(0xFDD0, 0xFDF0))),
        )
    )
)
def test_text_without_controls_surrogates_bidi_controls_or_noncharacters_is_accepted(text):
    assert not has_forbidden_control_chars(text)


@pytest.mark.parametrize("char", list(BIDI_CONTROLS))
def test_bidi_embedding_override_and_isolate_controls_are_forbidden(char):
    # "\u202enamtlA maS" shows as "Sam Altman": a name could pass for someone else's.
    assert has_forbidden_control_chars(f"{char}namtlA maS")


@pytest.mark.parametrize("char", ["\u200e", "\u200f", "\u061c"])
def test_implicit_direction_marks_stay_allowed_for_mixed_text(char):
    assert not has_forbidden_control_chars(f"abc{char} שלום")


@pytest.mark.parametrize("char", ["\ufffe", "\uffff", "\ufdd0", "\ufdef"])
def test_noncharacters_are_forbidden(char):
    assert find_control_characters(f"ok{char}") == [2]


@given(st.text())
def test_the_openapi_pattern_says_exactly_what_the_guard_refuses(text):
    assert (re.fullmatch(TEXT_PATTERN, text) is None) == has_forbidden_control_chars(text)


def test_displayable_text_drops_what_input_refuses_and_keeps_the_rest():
    assert displayable("\u202enamtlA\ufffe maS\x00 \u200fשלום") == "namtlA maS \u200fשלום"


@pytest.mark.parametrize("char", ["\ud800", "\udfff"])
def test_lone_surrogates_are_forbidden(char):
    assert has_forbidden_control_chars(f"ok{char}ok")


class _AlwaysFound:
    """Stands in for a pre-check pattern, so that folding always runs the full substitution."""

    def search(self, text: str) -> bool:
        return True


def full_fold(text: str) -> str:
    saved = text_module._MAYBE_ACRONYM, text_module._MAYBE_DECIMAL
    text_module._MAYBE_ACRONYM = text_module._MAYBE_DECIMAL = _AlwaysFound()  # type: ignore[assignment]
    try:
        return normalise_claim(text)
    finally:
        text_module._MAYBE_ACRONYM, text_module._MAYBE_DECIMAL = saved


@given(st.text() | st.text(alphabet="aZé1٣.,\u066b' \u00a0"))
@example("U.S. spending rose 3,5% in 2019.")
@example("1.2.3 e.g. x.y,z")
def test_skipping_the_acronym_and_decimal_substitutions_changes_no_key(text):
    assert normalise_claim(text) == full_fold(text)


def test_skipping_the_substitutions_changes_no_key_of_a_liar_statement():
    liar = Path(__file__).resolve().parents[2].parent / "shared/data/liar/train.tsv"
    if not liar.exists():
        pytest.skip("LIAR data set not available")
    statements = [line.split("\t")[2] for line in liar.read_text(encoding="utf-8").splitlines()]
    assert [normalise_claim(s) for s in statements] == [full_fold(s) for s in statements]
