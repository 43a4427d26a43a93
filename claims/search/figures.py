"""Figures in claims, read the same way in French and English, so that a search finds them.

"100M", "$100 million", "100 millions de dollars" and "100 000 000 $" are one figure;
"79,1 millions" and "79.1 million" are another. Each figure becomes one search term
(``n100000000``, ``n79100000``, ``n0d5`` for 0.5) that is stored beside the claim (the
``figures`` column, indexed by the database's full-text engine) and put in place of the figure
in a query, so both sides are compared as values, never as spellings.

Hand-written rather than a library: ``text2num`` reads number *words* only, ``quantulum3`` is
English only, and ``recognizers-text`` is an unmaintained alpha. What matters here is a short
list of separators and scale words in two languages, which a table states plainly.

Separators are ambiguous across languages, so the claim's language decides: in French a comma
is the decimal mark and a dot or a space groups thousands ("1.500" is 1,500); in English and
undetermined text a comma followed by exactly three digits groups thousands ("1,000") and a dot
is the decimal mark. "billion" is 10^9 in English and 10^12 in French ("milliard" is 10^9).

Pure: no Session, no Flask.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

__all__ = ["Figure", "figure_terms", "figures_in", "with_figure_terms"]

_THOUSAND = Decimal(1000)
_SCALES_COMMON: dict[str, Decimal] = {
    "k": _THOUSAND,
    "thousand": _THOUSAND,
    "thousands": _THOUSAND,
    "mille": _THOUSAND,
    "milliers": _THOUSAND,
    "m": _THOUSAND**2,
    "mn": _THOUSAND**2,
    "mln": _THOUSAND**2,
    "mio": _THOUSAND**2,
    "million": _THOUSAND**2,
    "millions": _THOUSAND**2,
    "bn": _THOUSAND**3,
    "b": _THOUSAND**3,
    "md": _THOUSAND**3,
    "mds": _THOUSAND**3,
    "mrd": _THOUSAND**3,
    "milliard": _THOUSAND**3,
    "milliards": _THOUSAND**3,
    "tn": _THOUSAND**4,
    "trillion": _THOUSAND**4,
    "trillions": _THOUSAND**4,
}
# "billion" is a thousand millions in English, a million millions in French.
_BILLION = {"en": _THOUSAND**3, "fr": _THOUSAND**4}

_SPACE = "[ \u00a0\u202f]"
# Digits with optional grouping (space, comma or dot before exactly three digits) and decimals.
_NUMBER = rf"\d{{1,3}}(?:{_SPACE}\d{{3}})+(?:[.,]\d+)?|\d+(?:[.,]\d+)*"
# Scale words; the single letters only when glued to the number ("100M", "$2bn", "5k").
_SCALE_WORDS = (
    "thousands|thousand|milliers|mille|millions|million|milliards|milliard|billions|billion|"
    "trillions|trillion|mln|mio|mds|mrd"
)
_SCALE = rf"(?:{_SPACE}?(?:{_SCALE_WORDS})|(?:k|K|M|m|mn|Mn|bn|Bn|B|Md|tn))(?![^\W\d_])"
# Currencies around a figure belong to it, so that a query's "de dollars" or "$" is not left
# behind as words the other spelling lacks ("100M" against "100 millions de dollars").
_CURRENCY_BEFORE = r"(?:US\$|C\$|A\$|\$|€|£)"
_CURRENCY_AFTER = (
    rf"(?:{_SPACE}?(?:\$|€|£)|{_SPACE}(?:(?:de{_SPACE}|d['’])?(?:dollars?|euros?|livres?)"
    r"|usd|eur|gbp)\b)"
)
_FIGURE = re.compile(
    rf"(?P<before>{_CURRENCY_BEFORE}{_SPACE}?)?(?<![\w.,])(?P<number>{_NUMBER})"
    rf"(?P<scale>{_SCALE})?(?P<after>{_CURRENCY_AFTER})?(?![\w])",
    re.IGNORECASE,
)
# Glued single-letter scales must keep their case meaning: "5 m" (metres) is not read, and the
# regex is case-insensitive only so that "Million" and "MILLIARDS" are; see _scale_of.
_GLUED_OK = frozenset({"k", "m", "mn", "bn", "b", "md", "tn"})


@dataclass(frozen=True)
class Figure:
    """A number found in a text, with where it was and its value (scale words applied)."""

    start: int
    end: int
    value: Decimal

    @property
    def term(self) -> str:
        """The search term standing for the value: ``n`` then digits, ``d`` for the point."""
        return figure_term(self.value)


def figure_term(value: Decimal) -> str:
    """``n100000000`` for 1e8, ``n0d5`` for 0.5: one token for every full-text engine."""
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "n" + text.replace(".", "d").lstrip("-")


def _base_language(language: str) -> str:
    return language.split("-", 1)[0].lower() if language else "und"


def _parse_number(raw: str, language: str) -> Decimal | None:
    """The value of a digit string, its separators read by the language's conventions."""
    raw = re.sub(_SPACE, " ", raw)
    if " " in raw:
        head, _, tail = raw.partition(" ")
        groups = [head, *tail.split(" ")]
        last = groups[-1]
        # A decimal part may follow the last group: "79 100,5".
        decimal = ""
        for mark in ".,":
            if mark in last:
                last, _, decimal = last.partition(mark)
        digits = "".join([*groups[:-1], last]) + ("." + decimal if decimal else "")
        return _decimal(digits)
    commas, dots = raw.count(","), raw.count(".")
    french = _base_language(language) == "fr"
    if commas and dots:
        decimal_mark = "," if raw.rfind(",") > raw.rfind(".") else "."
        group_mark = "." if decimal_mark == "," else ","
        return _decimal(raw.replace(group_mark, "").replace(decimal_mark, "."))
    for mark, count in ((",", commas), (".", dots)):
        if not count:
            continue
        parts = raw.split(mark)
        grouped = all(len(p) == 3 for p in parts[1:]) and 1 <= len(parts[0]) <= 3
        if count > 1:
            return _decimal(raw.replace(mark, "")) if grouped else None
        # One separator before exactly three digits: thousands unless the language says a
        # comma (French) or a dot (English) is the decimal mark.
        decimal_mark = "," if french else "."
        if grouped and mark != decimal_mark:
            return _decimal(raw.replace(mark, ""))
        return _decimal(raw.replace(mark, "."))
    return _decimal(raw)


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _scale_of(scale: str, language: str) -> Decimal | None:
    word = scale.strip(" \u00a0\u202f")
    glued = scale == word
    key = word.lower()
    if glued and len(word) <= 2 and key in _GLUED_OK:
        # A glued lower-case "m" after a number is usually money in English news ("$100m");
        # a capital "B" or "M" too. Only these short forms may be glued.
        return _SCALES_COMMON[key]
    if key in ("billion", "billions"):
        return _BILLION.get(_base_language(language), _BILLION["en"])
    return _SCALES_COMMON.get(key) if len(key) > 2 else None


def figures_in(text: str, language: str = "und") -> list[Figure]:
    """Every figure of a text, in order, with its value."""
    found: list[Figure] = []
    for match in _FIGURE.finditer(text):
        value = _parse_number(match.group("number"), language)
        if value is None:
            continue
        end = match.end("number")
        scale = match.group("scale")
        if scale:
            factor = _scale_of(scale, language)
            if factor is None:
                found.append(Figure(match.start("number"), end, value))
                continue
            value *= factor
            end = match.end("scale")
        if match.group("after"):
            end = match.end("after")
        found.append(Figure(match.start(), end, value))
    return found


def figure_terms(text: str, language: str = "und") -> str:
    """The search terms of a text's figures, space-separated, each once, in order."""
    return " ".join(dict.fromkeys(f.term for f in figures_in(text, language)))


def with_figure_terms(query: str, language: str = "und") -> str:
    """The query with each figure replaced by its search term (the rest left as typed)."""
    out: list[str] = []
    last = 0
    for figure in figures_in(query, language):
        out.append(query[last : figure.start])
        out.append(f" {figure.term} ")
        last = figure.end
    out.append(query[last:])
    return "".join(out)
