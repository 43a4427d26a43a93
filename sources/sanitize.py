"""The guard against characters user text must not hold, for every field of every domain.

Lives in ``sources/`` because both domains validate user text and ``sources/`` may not import
``claims/``.

Three kinds are refused:

- C0 and C1 control characters (NUL included) other than tab, newline and carriage return,
  and lone surrogates, which no database can store as UTF-8;
- the bidirectional embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069):
  one of them turns "\u202enamtlA maS" into "Sam Altman" on screen, so a name could pass for
  someone else's on every page, card and badge. Right-to-left text needs none of them (the
  browser's bidi algorithm orders it); the implicit marks U+200E, U+200F and U+061C stay
  allowed for the rare mixed text that does;
- the noncharacters of the Basic Multilingual Plane (U+FDD0-U+FDEF, U+FFFE, U+FFFF): Unicode
  reserves them for a program's internal use, and U+FFFE/U+FFFF are not even legal in XML, so
  one of them made the SVG badge unreadable. (The astral planes' noncharacters are legal XML
  and are left alone, which keeps the rule expressible as one JSON Schema pattern.)

``TEXT_PATTERN`` and ``NONBLANK_PATTERN`` say the same in the API's OpenAPI document, so a
client generated from it knows the rule before sending.
"""

from __future__ import annotations

import re

_ALLOWED_CONTROLS = frozenset("\t\n\r")
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _is_noncharacter(code_point: int) -> bool:
    return 0xFDD0 <= code_point <= 0xFDEF or code_point in (0xFFFE, 0xFFFF)


def _is_forbidden_control(char: str) -> bool:
    code_point = ord(char)
    # C0 (U+0000-U+001F, NUL included), DEL, and C1 (U+0080-U+009F); also lone surrogates,
    # which JSON can smuggle in ("\ud800") and which no database can store as UTF-8.
    if 0xD800 <= code_point <= 0xDFFF or char in _BIDI_CONTROLS or _is_noncharacter(code_point):
        return True
    return (code_point < 0x20 or 0x7F <= code_point <= 0x9F) and char not in _ALLOWED_CONTROLS


def find_control_characters(text: str) -> list[int]:
    """Positions of the characters user text must not hold (see the module docstring)."""
    return [index for index, char in enumerate(text) if _is_forbidden_control(char)]


# The same set as _is_forbidden_control, as one character class written with escapes (so the
# same text is a Python and an ECMA-262 regex): a regex scan is about 50x faster than a Python
# call per character, which matters when a bulk import validates 100,000 rows.
_FORBIDDEN_CLASS = (
    r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ud800-\udfff"
    r"\u202a-\u202e\u2066-\u2069\ufdd0-\ufdef\ufffe\uffff"
)
_FORBIDDEN = re.compile(f"[{_FORBIDDEN_CLASS}]")
# For the OpenAPI document: text holding none of them, and such text with a character other
# than whitespace (fields whose surrounding whitespace is stripped and that must not be empty).
# Without the surrogate range: a Unicode-aware regex engine (Rust's, ECMA's with the u flag)
# cannot name lone surrogates, and a JSON document can only hold one as a \ud800 escape.
_PATTERN_CLASS = _FORBIDDEN_CLASS.replace(r"\ud800-\udfff", "")
TEXT_PATTERN = f"^[^{_PATTERN_CLASS}]*$"
NONBLANK_PATTERN = rf"^[^{_PATTERN_CLASS}]*[^{_PATTERN_CLASS}\s][^{_PATTERN_CLASS}]*$"


def has_forbidden_control_chars(text: str) -> bool:
    """Whether user text holds a character it must not (see the module docstring)."""
    return _FORBIDDEN.search(text) is not None


def displayable(text: str) -> str:
    """``text`` without the characters user text must not hold, for showing it safely.

    Input is validated, but text recorded before a rule existed, or read from a fetched page,
    may still hold them; whatever shows it (the badge's XML above all) passes it through this.
    The set covers everything XML 1.0 cannot hold even escaped (controls, surrogates, U+FFFE,
    U+FFFF), so the result always fits in an XML document.
    """
    return _FORBIDDEN.sub("", text)
