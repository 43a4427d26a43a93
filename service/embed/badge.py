"""A shields.io-style SVG badge ("claim | contested 72%"), accessible and escaped."""

from __future__ import annotations

from xml.sax.saxutils import escape

from sources.sanitize import displayable

COLOURS = {
    "unsourced": "#6b6b6b",
    "unsettled": "#8a6d00",
    "supported": "#1e7a34",
    "contested": "#b35900",
    "refuted": "#b3261e",
    "missing": "#6b6b6b",
}
CHAR_WIDTH = 6.6  # Verdana 11px averages about this many pixels per character
PADDING = 10
BADGE_HEIGHT = 20


def _width(text: str) -> int:
    return int(len(text) * CHAR_WIDTH + PADDING)


def badge_width(label: str, message: str) -> int:
    """The width of the badge for these words, in pixels."""
    return _width(label) + _width(message)


def badge_svg(*, label: str, message: str, status: str, title: str) -> str:
    """The badge; every text is XML-escaped, colours come from a fixed table.

    Escaping is not enough for XML: a character XML cannot hold at all (U+FFFE, a control)
    makes the whole document unreadable, so each text is made ``displayable`` first.
    """
    label, message, title = displayable(label), displayable(message), displayable(title)
    left, right = _width(label), _width(message)
    total = left + right
    colour = COLOURS.get(status, COLOURS["missing"])
    label_x = left / 2
    message_x = left + right / 2
    t, lab, msg = escape(title), escape(label), escape(message)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" '
        f'aria-label="{escape(title, {chr(34): "&quot;"})}">'
        f"<title>{t}</title>"
        f'<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" '
        f'stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>'
        f'<clipPath id="r"><rect width="{total}" height="20" rx="3" fill="#fff"/></clipPath>'
        f'<g clip-path="url(#r)"><rect width="{left}" height="20" fill="#555"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{colour}"/>'
        f'<rect width="{total}" height="20" fill="url(#s)"/></g>'
        f'<g fill="#fff" text-anchor="middle" '
        f'font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">'
        f'<text x="{label_x}" y="14">{lab}</text>'
        f'<text x="{message_x}" y="14">{msg}</text></g></svg>'
    )
