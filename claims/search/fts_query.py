"""What a person typed in a search box, read as PostgreSQL's ``websearch_to_tsquery`` reads it.

PostgreSQL parses the box itself; SQLite's FTS5 has its own query language, in which a stray
quote, ``*``, ``NEAR`` or ``-`` is a syntax error or an operator. This module reads the same
syntax as ``websearch_to_tsquery`` (words are all required, ``"a phrase"``, ``or`` between two
words, ``-word`` to exclude) and writes an FTS5 expression in which every word is a quoted
string, so nothing typed can be an FTS5 operator; single words of PREFIX_FROM letters or more
are asked as prefixes (see below). ``any_words`` writes the looser question the
matcher asks of a whole sentence: any of its words, best-ranked first.

Pure: no Session, no Flask.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Query", "any_words", "parse", "to_fts5", "words"]

# Letters and digits: what FTS5's unicode61 tokenizer keeps as a token's characters.
_WORD = re.compile(r"[^\W_]+")
_ITEM = re.compile(r'(?P<neg>-)?"(?P<phrase>[^"]*)"?|(?P<neg2>-)?(?P<word>[^\s"]+)')


@dataclass(frozen=True)
class Query:
    """Groups that must all match (each group: alternatives), and phrases that must not."""

    required: tuple[tuple[tuple[str, ...], ...], ...]
    excluded: tuple[tuple[str, ...], ...]


def words(text: str) -> list[str]:
    """The tokens of a text, as the full-text engines split it (letters and digits runs)."""
    return _WORD.findall(text)


def parse(text: str) -> Query:
    """Read the box: required groups of alternative phrases, and excluded phrases."""
    required: list[list[tuple[str, ...]]] = []
    excluded: list[tuple[str, ...]] = []
    pending_or = False
    for match in _ITEM.finditer(text):
        raw = match.group("phrase") if match.group("phrase") is not None else match.group("word")
        negative = bool(match.group("neg") or match.group("neg2"))
        if match.group("word") is not None and raw.lower() == "or" and not negative:
            pending_or = bool(required)
            continue
        phrase = tuple(words(raw))
        if not phrase:
            continue
        if negative:
            excluded.append(phrase)
        elif pending_or and required:
            required[-1].append(phrase)
        else:
            required.append([phrase])
        pending_or = False
    return Query(tuple(tuple(g) for g in required), tuple(excluded))


# Single words this long are asked as prefixes. SQLite's porter stemmer (the only one FTS5
# ships) stems "bonus" to "bonu" but "bonuses" to "bonus", so a word asked as typed can miss
# its own plural; asked as a prefix of its stem it cannot. Shorter words would match too much.
PREFIX_FROM = 4


def _phrase(tokens: tuple[str, ...], *, prefix: bool = False) -> str:
    quoted = '"' + " ".join(tokens) + '"'
    return quoted + "*" if prefix and len(tokens) == 1 and len(tokens[0]) >= PREFIX_FROM else quoted


def to_fts5(query: Query) -> str | None:
    """The FTS5 MATCH expression of a parsed box; None when nothing is required."""
    if not query.required:
        return None
    groups = [
        _phrase(g[0], prefix=True)
        if len(g) == 1
        else "(" + " OR ".join(_phrase(p, prefix=True) for p in g) + ")"
        for g in query.required
    ]
    expression = " AND ".join(groups)
    if query.excluded:
        expression = f"({expression}) NOT (" + " OR ".join(_phrase(p) for p in query.excluded) + ")"
    return expression


def any_words(text: str) -> str | None:
    """An FTS5 expression matching any word of ``text`` (each once); None without words."""
    unique = list(dict.fromkeys(w.lower() for w in words(text)))
    return " OR ".join(f'"{w}"' for w in unique) if unique else None
