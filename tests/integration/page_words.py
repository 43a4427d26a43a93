"""What a reader sees on a page, and the checks for English and internal details left in it.

A page marks what people typed (claims, quotes, names, notes) with ``translate="no"`` and
text in another language with ``lang``; everything else is the interface's own words, which
must be in the page's language and must never show a field name, a code or a Python value.
"""

from __future__ import annotations

import re

from lxml import html

# Common English words that are not French words: one of them in the interface's own words on
# a French page means a string was left untranslated.
ENGLISH_WORDS = frozenset(
    [
        "the",
        "and",
        "of",
        "to",
        "by",
        "with",
        "this",
        "that",
        "these",
        "those",
        "is",
        "are",
        "was",
        "were",
        "has",
        "have",
        "had",
        "for",
        "from",
        "it",
        "its",
        "which",
        "what",
        "who",
        "whom",
        "yet",
        "none",
        "yes",
        "no",
        "not",
        "your",
        "you",
        "we",
        "they",
        "their",
        "here",
        "there",
        "about",
        "after",
        "before",
        "since",
        "until",
        "also",
        "known",
        "added",
        "claim",
        "claims",
        "evidence",
        "editor",
        "editors",
        "anonymous",
        "user",
        "changed",
        "when",
        "where",
        "said",
        "rated",
        "right",
        "wrong",
        "backed",
        "correct",
        "withdraw",
        "retract",
        "save",
        "current",
        "every",
        "answering",
        "answered",
        "quote",
        "first",
        "hand",
        "back",
        "change",
        "give",
        "kept",
        "stays",
        "link",
        "both",
        "own",
        "pages",
        "should",
        "will",
        "would",
        "can",
        "cannot",
        "details",
        "rebuttal",
        "rebuttals",
        "supporting",
        "refuting",
        "signed",
        "sign",
        "submitted",
        "similar",
        "open",
        "more",
        "show",
        "weight",
        "counted",
        "reason",
        "why",
        "status",
        "unknown",
        "nothing",
        "waiting",
        "review",
        "accept",
        "reject",
        "search",
        "submit",
        "words",
        "through",
        "check",
    ]
)
# Internal details: a field name, a Python value, an actor code, a serialised list or dict.
SNAKE_CASE = re.compile(r"\b[a-z]+_[a-z_]+\b")
PYTHON_VALUES = re.compile(r"\b(?:None|True|False)\b|\[\s*'|\{\s*'|\buser:|\btoken:")
WORD = re.compile(r"[A-Za-zÀ-ÿ']+")
# French puts a no-break space before : ; ! ? (a time such as 12:26 is not punctuation).
PUNCTUATION = re.compile(r"[:;!?]")
NO_BREAK_SPACES = "\u00a0\u202f"
READABLE_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt", "data-copied")


def visible_text(page: str) -> str:
    """The interface's own words on ``page``: what people typed and other languages left out."""
    doc = html.fromstring(page)
    root_lang = doc.get("lang", "")
    for node in doc.xpath("//script|//style|//template|//*[@translate='no']|//head"):
        node.drop_tree()
    for node in doc.xpath("//*[@lang]"):
        if node is not doc and node.get("lang") != root_lang:
            node.drop_tree()
    parts = [" ".join(doc.itertext())]  # a space between elements keeps words apart
    for name in READABLE_ATTRIBUTES:
        parts.extend(str(v) for v in doc.xpath(f"//@{name}"))
    return "\n".join(parts)


def english_in(page: str) -> list[str]:
    """English words left in the interface's own words of a French page."""
    words = {w.lower().strip("'") for w in WORD.findall(visible_text(page))}
    return sorted(words & ENGLISH_WORDS)


def internal_details_in(page: str, *, french: bool) -> list[str]:
    """Field names, Python values and actor codes shown to a reader."""
    text = visible_text(page)
    found = SNAKE_CASE.findall(text) + PYTHON_VALUES.findall(text)
    if not french:  # "True" and "False" are English verdict names
        found = [f for f in found if f not in ("True", "False")]
    return sorted(set(found))


def french_typography_faults(page: str) -> list[str]:
    """Places where French punctuation lacks its no-break space (``Statut: x``)."""
    text = re.sub(r"https?://\S+", "", visible_text(page))
    faults = set()
    for m in PUNCTUATION.finditer(text):
        before = text[m.start() - 1] if m.start() else ""
        after = text[m.end()] if m.end() < len(text) else ""
        if before in NO_BREAK_SPACES or (before.isdigit() and after.isdigit()):
            continue
        word = text[max(0, m.start() - 30) : m.start()].split()
        faults.add((word[-1] if word and not before.isspace() else "") + m.group())
    return sorted(faults)
