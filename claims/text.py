"""Text folding for claims and names, and the guard against characters text must not hold.

People retype a claim with other quotes, accents, case or spacing, and paste it from PDFs full of
ligatures, non-breaking and zero-width spaces. Matching must not see those differences, so every
claim is stored beside one folded form and the matcher only ever compares folded forms. The fold
is lossy on purpose (it is a key, never shown), but it must not destroy meaning: letters of every
script survive, only the generic Latin/Greek/Cyrillic combining accents are stripped (Japanese
dakuten, Indic vowel signs and Arabic marks are letters' parts there), and a decimal separator
between digits survives as "." so that "79,1" and "79.1" agree while "791" stays different.
Thousands separators are ambiguous across languages ("1,000" is a thousand or one), so they are
treated as decimal separators too: the key differs from "1000" but the fuzzy score stays high.

Apostrophes are dropped rather than turned into spaces, so "don't", "don’t" and "dont" agree,
as do "l'économie" and "L’ECONOMIE". Dotted acronyms are joined ("U.S." and "US" agree).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "normalise_claim",
    "normalise_name",
]

# Apostrophe look-alikes, removed before NFKC because NFKC turns "´" into " \u0301".
_APOSTROPHES = frozenset("'’‘‛´`ʼ＇")
# Combining marks used as accents on Latin, Greek and Cyrillic letters; other scripts' marks stay.
_GENERIC_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
# A single letter, then (dot, single letter) one or more times, optional final dot: "U.S.", "e.g.".
_ACRONYM = re.compile(r"(?<!\w)[^\W\d_](?:\.[^\W\d_])+\.?(?!\w)")
# Symbols kept as such would make "1⁄2" (NFKC of "½") differ from "1/2", where "/" is punctuation.
_SPACED_SYMBOLS = "\u2044"
# Separators that mean something between digits; everywhere else they are plain punctuation.
_SEPARATORS = ".,\u066b"
_DECIMAL_OR_PUNCT = re.compile(rf"(?<=\d)(?P<decimal>[{_SEPARATORS}])(?=\d)|[{_SEPARATORS}]")
# Cheap tests that let most texts skip the two substitutions above, which try every position
# and call back into Python per match (the largest costs of folding; an import folds every
# row): an acronym needs a dot before a letter, a decimal separator a digit on each side.
_MAYBE_ACRONYM = re.compile(r"\.[^\W\d_]")
_MAYBE_DECIMAL = re.compile(rf"\d[{_SEPARATORS}]\d")


class _SpaceTable(dict[int, str]):
    """str.translate table built lazily per code point: punctuation, separators, controls -> " "."""

    def __missing__(self, code_point: int) -> str:
        char = chr(code_point)
        category = unicodedata.category(char)
        spaced = char not in _SEPARATORS and (
            category[0] in "PZ" or category in ("Cc", "Sk") or char in _SPACED_SYMBOLS
        )
        value = " " if spaced else char
        if code_point < 0x10000:  # bounded cache: astral planes are rare and would grow it 17x
            self[code_point] = value
        return value


_SPACE_TABLE = _SpaceTable()


class _DropTable(dict[int, str | None]):
    """str.translate table built lazily per code point: apostrophes and format chars -> gone.

    The same test as a per-character generator, but cached and run from C: a bulk import
    folds every row, and the generator was the largest single cost of folding.
    """

    def __missing__(self, code_point: int) -> str | None:
        char = chr(code_point)
        value = None if char in _APOSTROPHES or unicodedata.category(char) == "Cf" else char
        if code_point < 0x10000:  # bounded cache, as _SpaceTable
            self[code_point] = value
        return value


_DROP_TABLE = _DropTable()


def _fold(text: str) -> str:
    # Format characters (zero-width spaces, soft hyphens, bidi marks) and apostrophes go first,
    # so that they cannot sit between a letter and its combining mark and make a second pass
    # compose differently (the fold must be idempotent).
    text = text.translate(_DROP_TABLE)
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _GENERIC_MARKS.sub("", unicodedata.normalize("NFKD", text))
    text = unicodedata.normalize("NFC", text)
    if _MAYBE_ACRONYM.search(text):
        text = _ACRONYM.sub(lambda m: m.group().replace(".", ""), text)
    text = text.translate(_SPACE_TABLE)
    if _MAYBE_DECIMAL.search(text):
        text = _DECIMAL_OR_PUNCT.sub(lambda m: "." if m.group("decimal") else " ", text)
    else:  # every separator is punctuation
        for separator in _SEPARATORS:
            text = text.replace(separator, " ")
    # Joining an acronym can bring a Hangul jamo next to its vowel: compose again.
    return unicodedata.normalize("NFC", " ".join(text.split()))


def normalise_claim(text: str) -> str:
    """Fold a claim to the key stored beside it and compared by the matcher."""
    return _fold(text)


def normalise_name(name: str) -> str:
    """Fold a claimant name or alias for case-, accent- and punctuation-insensitive lookup."""
    return _fold(name)
