"""The picture a shared claim link shows (Open Graph / Twitter ``og:image``): a 1200x630 PNG
card with the claim's words, who said it, and the editor's verdict or the evidence state.

Pure rendering: plain strings in, PNG bytes out (the view in ``service/web/views_preview.py``
gathers and translates them). People's words can be anything, so they are cleaned of control
and format characters, cut to a bounded length, wrapped to the card (by words, or by
characters for a word or script without spaces) and ended with an ellipsis when they do not
fit at the smallest size. Fonts: DejaVu where the system has it (Debian's fonts-dejavu-core,
present on this image), else Pillow's own scalable default font, else its bitmap one, so a
machine without fonts still renders a card. Glyphs a font lacks show as boxes, never fail.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final

from PIL import Image, ImageDraw, ImageFont

WIDTH: Final = 1200
HEIGHT: Final = 630
MARGIN: Final = 64
TEXT_LIMIT: Final = 600  # characters of the claim considered at all (the card shows fewer)
SIZES: Final = (60, 52, 44, 38, 32)  # the claim's font sizes, largest first
MAX_TEXT_HEIGHT: Final = 320

FONT_DIRS: Final = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts"),
)
REGULAR: Final = "DejaVuSans.ttf"
BOLD: Final = "DejaVuSans-Bold.ttf"

INK: Final = (27, 31, 36)
MUTED: Final = (74, 85, 96)
PANEL: Final = (244, 246, 248)
ACCENT: Final = (11, 87, 164)
# The card's band colours, as on the pages (service/static/claimdesk.css).
TONES: Final = {
    "ok": ((26, 107, 47), (230, 244, 234)),
    "warn": ((138, 75, 0), (255, 244, 224)),
    "bad": ((164, 22, 26), (253, 236, 236)),
    "neutral": ((60, 70, 80), (236, 239, 242)),
}

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@dataclass(frozen=True)
class Card:
    """What the picture says, already in the reader's language."""

    text: str
    claimant: str | None
    label: str  # "Editor's verdict: Mixed" or "Status: Unsettled"
    tone: str  # a key of TONES
    site: str
    footer: str  # e.g. "Claim #14"


def clean(text: str, limit: int = TEXT_LIMIT) -> str:
    """People's words made safe to lay out: no control or format characters (bidi overrides,
    zero-width joiners), runs of whitespace as one space, at most ``limit`` characters."""
    kept = []
    for ch in text[: limit * 4]:
        category = unicodedata.category(ch)
        if ch.isspace() or category == "Zs":
            kept.append(" ")
        elif category in ("Cc", "Cf", "Cs", "Co", "Cn"):
            continue
        else:
            kept.append(ch)
    words = " ".join("".join(kept).split())
    return words if len(words) <= limit else words[: limit - 1].rstrip() + "…"


@lru_cache(maxsize=32)
def font(size: int, *, bold: bool = False) -> Font:
    """DejaVu Sans at ``size``, or the best fallback this machine has."""
    name = BOLD if bold else REGULAR
    for folder in FONT_DIRS:
        path = folder / name
        if path.is_file():
            try:
                return ImageFont.truetype(str(path), size)
            except OSError:
                continue
    try:
        return ImageFont.load_default(size=size)  # Pillow's scalable font (needs FreeType)
    except (OSError, ImportError):
        return ImageFont.load_default()


def _width(text: str, face: Font) -> float:
    return float(face.getlength(text))


def _break_word(word: str, face: Font, width: int) -> list[str]:
    """A word wider than the line, cut into pieces that fit (characters, at worst one each)."""
    pieces, current = [], ""
    for ch in word:
        if current and _width(current + ch, face) > width:
            pieces.append(current)
            current = ch
        else:
            current += ch
    if current:
        pieces.append(current)
    return pieces


def wrap(text: str, face: Font, width: int) -> list[str]:
    """Greedy line breaking by words; a word (or a script without spaces) too wide for one
    line is broken between characters."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if _width(candidate, face) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        if _width(word, face) <= width:
            current = word
        else:
            *full, current = _break_word(word, face, width)
            lines.extend(full)
    if current:
        lines.append(current)
    return lines


def _line_height(face: Font) -> int:
    size = getattr(face, "size", 11)
    return int(size * 1.25)


def fit(
    text: str, *, width: int, height: int, sizes: Sequence[int] = SIZES
) -> tuple[Font, list[str]]:
    """The largest size at which the text fits the box; at the smallest, as many lines as fit
    with an ellipsis on the last."""
    for size in sizes:
        face = font(size)
        lines = wrap(text, face, width)
        if len(lines) * _line_height(face) <= height:
            return face, lines
    face = font(sizes[-1])
    lines = wrap(text, face, width)
    keep = max(1, height // _line_height(face))
    if len(lines) > keep:
        lines = lines[:keep]
        last = lines[-1]
        while last and _width(last + "…", face) > width:
            last = last[:-1]
        lines[-1] = last.rstrip() + "…"
    return face, lines


def _one_line(text: str, face: Font, width: int) -> str:
    if _width(text, face) <= width:
        return text
    while text and _width(text + "…", face) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def render(card: Card) -> bytes:
    """The card as PNG bytes (1200x630, RGB)."""
    return _render_cached(card)


@lru_cache(maxsize=128)
def _render_cached(card: Card) -> bytes:
    image = Image.new("RGB", (WIDTH, HEIGHT), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    inner = WIDTH - 2 * MARGIN
    # Top: the publisher's name on the panel colour, an accent rule under it.
    draw.rectangle((0, 0, WIDTH, 84), fill=PANEL)
    draw.rectangle((0, 84, WIDTH, 90), fill=ACCENT)
    site_face = font(30, bold=True)
    draw.text(
        (MARGIN, 24),
        _one_line(clean(card.site, 80), site_face, inner // 2),
        font=site_face,
        fill=INK,
    )
    footer_face = font(26)
    footer = _one_line(clean(card.footer, 60), footer_face, inner // 2)
    draw.text(
        (WIDTH - MARGIN - _width(footer, footer_face), 28), footer, font=footer_face, fill=MUTED
    )
    # The claim's words, in the reader's quotation marks, as large as they fit.
    words = clean(card.text)
    face, lines = fit(f"“{words}”", width=inner - 24, height=MAX_TEXT_HEIGHT)
    draw.rectangle((MARGIN, 124, MARGIN + 6, 124 + len(lines) * _line_height(face)), fill=ACCENT)
    y = 124
    for line in lines:
        draw.text((MARGIN + 24, y), line, font=face, fill=INK)
        y += _line_height(face)
    # Who said it.
    if card.claimant:
        who_face = font(32)
        who = _one_line("— " + clean(card.claimant, 200), who_face, inner - 24)
        draw.text((MARGIN + 24, y + 18), who, font=who_face, fill=MUTED)
    # Bottom band: the verdict (or the evidence state), coloured and worded.
    ink, background = TONES.get(card.tone, TONES["neutral"])
    draw.rectangle((0, HEIGHT - 130, WIDTH, HEIGHT), fill=background)
    draw.rectangle((0, HEIGHT - 130, 16, HEIGHT), fill=ink)
    label_face = font(44, bold=True)
    label = _one_line(clean(card.label, 120), label_face, inner)
    draw.text((MARGIN, HEIGHT - 95), label, font=label_face, fill=ink)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
