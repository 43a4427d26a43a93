"""Why a search hit matched: which of its fields hold the query's words, and where.

The databases say *that* a claim matched (and how well); a reader also wants to see *why*:
"Ultraman" found a claim through its claimant's alias, "100M" through "100 millions de
dollars", "ultramn" through a spelling close to a name. Both engines fold accents and stem,
and the fuzzy pass forgives typos, so the spans are found the same forgiving way here, once
for every engine: a word matches a query word when their folded forms are equal, share a
stem-like prefix (4+ letters, all but the last two of the shorter word: "bonuses"/"bonus",
"millions"/"million"), or, for words of 5+ letters, are within one or two typos
(``fuzz.ratio`` >= 80, the fuzzy search's own cut-off). A figure matches a figure of the
query with the same value, whatever its spelling.

Spans are character offsets into the text as stored; templates mark them up with escaping.
Pure: no Session, no Flask.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from claims.matching.fuzzy import FUZZY_MIN_LENGTH, SEARCH_CUTOFF
from claims.search import fts_query
from claims.search.figures import figures_in
from claims.text import normalise_name

__all__ = ["Asked", "Reason", "asked", "spans_in"]

_WORD = re.compile(r"[^\W_]+")
_STEM_MIN = 4


@dataclass(frozen=True)
class Asked:
    """A query as the highlighter needs it: its folded words and its figures' terms.

    ``judged`` remembers, per word of the texts seen so far, whether it answers the query: a
    page of hits repeats its words across texts, names and tags.
    """

    words: tuple[str, ...]
    figures: frozenset[str]
    judged: dict[str, bool] = field(default_factory=dict, compare=False, hash=False)

    def answers(self, word: str) -> bool:
        """Whether a word of a text (as written) answers one of the query's words."""
        found = self.judged.get(word)
        if found is None:
            # word_matches against every term, with the fuzzy part in one C call.
            folded = normalise_name(word)
            found = folded in self.words or any(
                _stem_matches(folded, t) for t in self.words if t[:2] == folded[:2]
            )
            if not found and len(folded) >= FUZZY_MIN_LENGTH:
                long_terms = [t for t in self.words if len(t) >= FUZZY_MIN_LENGTH]
                best = process.extractOne(
                    folded, long_terms, scorer=fuzz.ratio, score_cutoff=SEARCH_CUTOFF
                )
                found = best is not None
            self.judged[word] = found
        return found


@dataclass(frozen=True)
class Reason:
    """One field of a hit that holds query words: its name, its text and the matched spans."""

    field: str
    text: str
    spans: tuple[tuple[int, int], ...]


def asked(q: str) -> Asked:
    """The required words and figures of a search box (excluded words are never highlighted)."""
    parsed = fts_query.parse(q)
    found: list[str] = []
    for group in parsed.required:
        for phrase in group:
            found.extend(normalise_name(w) for w in phrase)
    figures = frozenset(f.term for f in figures_in(q))
    return Asked(tuple(w for w in dict.fromkeys(found) if w), figures)


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _stem_matches(word: str, term: str) -> bool:
    shorter = min(len(word), len(term))
    return shorter >= _STEM_MIN and _common_prefix(word, term) >= max(_STEM_MIN, shorter - 2)


def word_matches(word: str, term: str) -> bool:
    """Whether a folded word of a text answers a folded query word (see module docstring)."""
    if word == term or _stem_matches(word, term):
        return True
    shorter = min(len(word), len(term))
    return shorter >= FUZZY_MIN_LENGTH and fuzz.ratio(word, term, score_cutoff=SEARCH_CUTOFF) > 0


def spans_in(text: str, query: Asked, language: str = "und") -> tuple[tuple[int, int], ...]:
    """Offsets of the words and figures of ``text`` that answer the query, in order."""
    spans: list[tuple[int, int]] = []
    figure_spans: list[tuple[int, int]] = []
    if query.figures:
        figure_spans = [
            (f.start, f.end) for f in figures_in(text, language) if f.term in query.figures
        ]
        spans.extend(figure_spans)
    if query.words:
        for match in _WORD.finditer(text):
            if any(s <= match.start() < e for s, e in figure_spans):
                continue
            if query.answers(match.group()):
                spans.append(match.span())
    return tuple(sorted(spans))


def reason(field: str, text: str, query: Asked, language: str = "und") -> Reason | None:
    """The field as a reason if any of its words answer the query."""
    spans = spans_in(text, query, language)
    return Reason(field, text, spans) if spans else None
