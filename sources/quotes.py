"""Find an evidence quote in a snapshot's text: W3C Web Annotation selectors and a state.

A quote is pasted by a person from a browser, a PDF or another article; the snapshot is what an
extractor made of the HTML. The same words then differ in ways that say nothing about the
words: ’ against ', « » against " ", non-breaking and thin spaces, NFC against NFD accents,
soft hyphens, a word split across a line ("recru-\\nter"), case, punctuation spacing. Both sides
are therefore normalised the same way, and every normalised character remembers the original
character it came from, so the offsets returned are exact in the ORIGINAL text:

- Unicode compatibility decomposition (NFKD), accents and other combining marks dropped,
  case folded, a few letters without a decomposition spelled out (œ -> oe, ø -> o, ł -> l);
- invisible format characters (soft hyphen, zero-width spaces, BOM, bidi marks) dropped, and a
  hyphen or soft hyphen at the end of a line before a lower-case letter removed with the line
  break, so that a hyphenated word is whole again;
- every run of spaces and punctuation (apostrophes, quotation marks, dashes, commas...) becomes
  one space; currency, maths and other symbols stay, each as a word of its own ("$" is not "€").

Then, in order:

1. the normalised quote occurs in the normalised text: ``anchored``, score 1.0;
2. it occurs once word breaks are ignored, starting and ending on word boundaries (the page
   hyphenated "anti-inflammatoire" across a line, or wrote "1 000" for "1000"): ``anchored``
   ("near-exact": the same letters and digits in the same order), scored by ratio < 1.0;
3. otherwise rapidfuzz's ``partial_ratio_alignment`` finds the most similar window, whose ends
   are then moved to word boundaries (within three words either way) where the Indel ratio
   (``fuzz.ratio``) against the quote is highest: ``fuzzy`` when that ratio is at least
   ``FUZZY_MIN_SCORE``, else ``orphaned``. A fuzzy anchor's ``exact`` is what the page says.

Thresholds. ``anchored`` needs every letter and digit to match, so one changed word is never
"anchored", however long the quote: a reader must be shown the page's own words. A fuzzy match
needs a ratio of at least 0.75. Measured on the French seed article: each demo quote with one
word replaced scores 0.85 (a 45-character quote) to 0.96 (150 characters), while invented French
sentences score 0.50 to 0.69 against their best window, even when stitched from the article's
own phrases, and 300 random salads of its words at most 0.67 (``tests/unit/test_anchor.py``
keeps both sides of the gap under test). Fuzzy matching is not tried for quotes shorter than
``FUZZY_MIN_LENGTH`` (16 normalised characters, about three words): a short string resembles
too many places for "found with differences" to mean anything.

Offsets count Unicode code points (Python string indices). The W3C model says "characters"; a
browser, which counts UTF-16 code units, must convert them for characters outside the BMP.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any, Final

from rapidfuzz import fuzz

__all__ = [
    "CONTEXT_LENGTH",
    "FUZZY_MIN_LENGTH",
    "FUZZY_MIN_SCORE",
    "Anchor",
    "AnchorState",
    "TextPositionSelector",
    "TextQuoteSelector",
    "anchor_quote",
    "normalise",
]

CONTEXT_LENGTH: Final = 32
FUZZY_MIN_SCORE: Final = 0.75
FUZZY_MIN_LENGTH: Final = 16
_REFINE_WORDS: Final = 3
_MAX_HITS: Final = 10_000

_WORD, _SYMBOL, _SEPARATOR, _HIDDEN = "word", "symbol", "separator", "hidden"
# Letters NFKD leaves whole; spelled out as a French or Nordic reader would type them.
_SPELLED: Final = {"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th"}
# Letters by category that are used as apostrophes (ʼ) and must separate like one.
_APOSTROPHE_LETTERS: Final = frozenset("ʼʻ")
_HYPHENATION = re.compile(
    r"(?<=[^\W\d_])[-\u2010\u00ad][ \t\u00a0]*(?:\r\n|[\n\r\u2028\u0085])[ \t\u00a0]*(?=[^\W\d_])"
)
_HORIZONTAL_SPACE = frozenset(" \t\u00a0\u2007\u2008\u2009\u200a\u202f\u205f\u3000")
_PUNCTUATION_CLASS: Final = {
    **dict.fromkeys("'’‘‛ʼ′`´", "'"),
    **dict.fromkeys('"“”„‟«»‹›″', '"'),
    **dict.fromkeys("-‐‑‒–—―−", "-"),
}


class AnchorState(StrEnum):
    """How well a quote was found in the text."""

    anchored = "anchored"  # exact, or the same letters with different word breaks
    fuzzy = "fuzzy"  # found with differences: the selector holds the page's own words
    orphaned = "orphaned"  # not found


@dataclass(frozen=True)
class TextQuoteSelector:
    """W3C Web Annotation TextQuoteSelector: the passage and the text around it."""

    exact: str
    prefix: str
    suffix: str

    def as_json(self) -> dict[str, str]:
        """The selector as the Web Annotation data model serialises it."""
        return {
            "type": "TextQuoteSelector",
            "exact": self.exact,
            "prefix": self.prefix,
            "suffix": self.suffix,
        }


@dataclass(frozen=True)
class TextPositionSelector:
    """W3C Web Annotation TextPositionSelector: code-point offsets, end exclusive."""

    start: int
    end: int

    def as_json(self) -> dict[str, Any]:
        """The selector as the Web Annotation data model serialises it."""
        return {"type": "TextPositionSelector", "start": self.start, "end": self.end}


@dataclass(frozen=True)
class Anchor:
    """Where a quote is in a text, how sure we are, and the selectors that find it again."""

    state: AnchorState
    score: float  # 1.0 exact; the Indel ratio of the best window otherwise (0.0 to 1.0)
    quote: TextQuoteSelector | None = None  # None when orphaned
    position: TextPositionSelector | None = None

    def selectors(self) -> list[dict[str, Any]]:
        """Both selectors as JSON objects (empty when orphaned)."""
        if self.quote is None or self.position is None:
            return []
        return [self.quote.as_json(), self.position.as_json()]


@lru_cache(maxsize=8192)
def _fold(char: str) -> tuple[str, str]:
    """(kind, normalised form) of one character; see the module docstring."""
    if char in _APOSTROPHE_LETTERS:
        return _SEPARATOR, ""
    category = unicodedata.category(char)
    if category == "Cf" or category[0] == "M":
        return _HIDDEN, ""
    folded = "".join(
        _SPELLED.get(letter, letter)
        for part in unicodedata.normalize("NFKD", char)
        if not unicodedata.combining(part)
        for letter in part.casefold()
    )
    if folded and all(letter.isalnum() for letter in folded):
        return _WORD, folded
    if category in ("Sc", "Sm", "So"):
        return _SYMBOL, folded or char
    kept = "".join(letter for letter in folded if letter.isalnum())
    return (_WORD, kept) if kept else (_SEPARATOR, "")


def normalise(text: str) -> tuple[str, list[int]]:
    """The comparison form of a text and, per character, the index of its original character.

    The form never starts or ends with a space and has single spaces between words.
    """
    hidden = bytearray(len(text))
    for match in _HYPHENATION.finditer(text):
        after = match.end()
        if after < len(text) and text[after].islower():
            hidden[match.start() : after] = b"\x01" * (after - match.start())
    out: list[str] = []
    origin: list[int] = []
    space_due = False
    for index, char in enumerate(text):
        if hidden[index]:
            continue
        kind, form = _fold(char)
        if kind == _HIDDEN:
            continue
        if kind == _SEPARATOR:
            space_due = True
            continue
        if (space_due or kind == _SYMBOL) and out and out[-1] != " ":
            out.append(" ")
            origin.append(index)
        for letter in form:
            out.append(letter)
            origin.append(index)
        space_due = kind == _SYMBOL
    return "".join(out), origin


@lru_cache(maxsize=8)
def _normalised_text(text: str) -> tuple[str, tuple[int, ...]]:
    """normalise(), remembered for the last few texts: a snapshot is anchored for many quotes."""
    form, origin = normalise(text)
    return form, tuple(origin)


def _original_span(origin: Sequence[int], start: int, end: int) -> tuple[int, int]:
    """Original [start, end) of the normalised slice [start, end)."""
    return origin[start], origin[end - 1] + 1


def _nearest(hits: list[int], origin: Sequence[int], near: int | None) -> int:
    if near is None:
        return hits[0]
    return min(hits, key=lambda hit: abs(origin[hit] - near))


def _occurrences(needle: str, haystack: str) -> list[int]:
    hits: list[int] = []
    position = haystack.find(needle)
    while position != -1 and len(hits) < _MAX_HITS:
        hits.append(position)
        position = haystack.find(needle, position + 1)
    return hits


def _exact(
    quote: str, text: str, origin: Sequence[int], near: int | None
) -> tuple[int, int] | None:
    hits = _occurrences(quote, text)
    if not hits:
        return None
    start = _nearest(hits, origin, near)
    return start, start + len(quote)


def _without_word_breaks(
    quote: str, text: str, origin: Sequence[int], near: int | None
) -> tuple[int, int] | None:
    """Stage 2: the same letters once spaces are ignored, on word boundaries of the text."""
    compact_quote = quote.replace(" ", "")
    if compact_quote == quote or not compact_quote:
        return None
    where = [index for index, char in enumerate(text) if char != " "]
    compact_text = "".join(text[index] for index in where)
    spans: dict[int, int] = {}
    for hit in _occurrences(compact_quote, compact_text):
        start, end = where[hit], where[hit + len(compact_quote) - 1] + 1
        if (start == 0 or text[start - 1] == " ") and (end == len(text) or text[end] == " "):
            spans[start] = end
    if not spans:
        return None
    start = _nearest(list(spans), origin, near)
    return start, spans[start]


def _fuzzy(quote: str, text: str) -> tuple[float, int, int]:
    """Stage 3: best window by partial ratio, its ends moved to word boundaries by ratio."""
    rough = fuzz.partial_ratio_alignment(quote, text)
    if rough is None:
        return 0.0, 0, 0
    window_start, window_end = rough.dest_start, rough.dest_end  # dest is always the text
    starts = [match.start() for match in re.finditer(r"\S+", text)]
    ends = [match.end() for match in re.finditer(r"\S+", text)]
    if not starts:
        return 0.0, 0, 0
    first = max(bisect.bisect_right(starts, window_start) - 1, 0)
    last = min(bisect.bisect_left(ends, window_end), len(ends) - 1)
    best = (-1.0, 0, 0)
    for i in range(max(first - _REFINE_WORDS, 0), min(first + _REFINE_WORDS, len(starts) - 1) + 1):
        for j in range(max(last - _REFINE_WORDS, i), min(last + _REFINE_WORDS, len(ends) - 1) + 1):
            score = fuzz.ratio(quote, text[starts[i] : ends[j]]) / 100
            if score > best[0]:
                best = (score, starts[i], ends[j])
    return best


def _punctuation_key(char: str) -> str:
    return _PUNCTUATION_CLASS.get(char, char)


def _edge_punctuation(quote: str) -> tuple[str, str]:
    """The punctuation a quote starts and ends with (spaces removed): '« ' and ' ».'."""
    stripped = quote.strip()
    lead = trail = ""
    for char in stripped:
        if _fold(char)[0] != _SEPARATOR:
            break
        lead += char
    for char in reversed(stripped):
        if _fold(char)[0] != _SEPARATOR:
            break
        trail = char + trail
    keep = "".join
    return keep(c for c in lead if not c.isspace()), keep(c for c in trail if not c.isspace())


def _widen(text: str, start: int, end: int, quote: str) -> tuple[int, int]:
    """Take in the page's own punctuation that the quote starts or ends with, and any accent
    or invisible mark still attached to the last letter."""
    while end < len(text) and _fold(text[end])[0] == _HIDDEN:
        end += 1
    lead, trail = _edge_punctuation(quote)
    for wanted in trail:
        probe = end
        while probe < len(text) and text[probe] in _HORIZONTAL_SPACE:
            probe += 1
        if probe < len(text) and _punctuation_key(text[probe]) == _punctuation_key(wanted):
            end = probe + 1
        else:
            break
    for wanted in reversed(lead):
        probe = start - 1
        while probe >= 0 and text[probe] in _HORIZONTAL_SPACE:
            probe -= 1
        if probe >= 0 and _punctuation_key(text[probe]) == _punctuation_key(wanted):
            start = probe
        else:
            break
    return start, end


def _anchor(text: str, state: AnchorState, score: float, start: int, end: int) -> Anchor:
    return Anchor(
        state=state,
        score=round(score, 4),
        quote=TextQuoteSelector(
            exact=text[start:end],
            prefix=text[max(start - CONTEXT_LENGTH, 0) : start],
            suffix=text[end : end + CONTEXT_LENGTH],
        ),
        position=TextPositionSelector(start=start, end=end),
    )


def anchor_quote(quote: str, text: str, *, near: int | None = None) -> Anchor:
    """Anchor a quote in a text (see the module docstring); ``near`` prefers the occurrence
    closest to that original offset, e.g. where the quote was anchored in an older snapshot."""
    norm_quote, _ = normalise(quote)
    if not norm_quote:
        return Anchor(state=AnchorState.orphaned, score=0.0)
    norm_text, origin = _normalised_text(text)
    found = _exact(norm_quote, norm_text, origin, near)
    score = 1.0
    if found is None:
        found = _without_word_breaks(norm_quote, norm_text, origin, near)
        if found is not None:
            score = fuzz.ratio(norm_quote, norm_text[found[0] : found[1]]) / 100
    if found is not None:
        start, end = _widen(text, *_original_span(origin, *found), quote)
        return _anchor(text, AnchorState.anchored, score, start, end)
    if len(norm_quote) < FUZZY_MIN_LENGTH or not norm_text:
        return Anchor(state=AnchorState.orphaned, score=0.0)
    score, fuzzy_start, fuzzy_end = _fuzzy(norm_quote, norm_text)
    if score < FUZZY_MIN_SCORE or fuzzy_end <= fuzzy_start:
        return Anchor(state=AnchorState.orphaned, score=round(max(score, 0.0), 4))
    start, end = _widen(text, *_original_span(origin, fuzzy_start, fuzzy_end), quote)
    return _anchor(text, AnchorState.fuzzy, score, start, end)
