"""What a quote's anchoring means for the claim: its weight factor, and when a page "changed".

Pure functions over plain values (the anchoring itself is ``sources.quotes``). The factors and
their reasons are documented in docs/scoring.md ("Multipliers"):

- ``anchored``, ``fuzzy``: the words are on the page (a fuzzy quote with differences a person
  can see beside it), so the item keeps its weight;
- ``unanchored``: no snapshot yet. Our not having fetched the page says nothing about it;
- ``orphaned``: the quote is not on the page as fetched. It may still be genuine (paywall, text
  rendered by JavaScript, a quote from a video), so it is halved rather than dropped: an
  orphaned secondary source weighs 0.30, no more than a tertiary one, and cannot on its own
  move a claim to ``refuted``;
- changed at source: the passage was found on the page once and the page no longer says it
  (edited, corrected or removed). The old snapshot proves it was published, so it weighs more
  than a quote never found (0.75 against 0.5) but less than one the page still stands by: a
  silent edit is often a correction.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

ANCHOR_FACTORS: Final[Mapping[str, float]] = MappingProxyType(
    {"anchored": 1.0, "fuzzy": 1.0, "unanchored": 1.0, "orphaned": 0.5}
)
CHANGED_AT_SOURCE_FACTOR: Final = 0.75
ANCHOR_REASONS: Final[Mapping[str, str]] = MappingProxyType(
    {"orphaned": "quote not found on the source's page (orphaned)"}
)
CHANGED_REASON: Final = "the page no longer says what was quoted (changed at source)"
# States whose selectors are a passage the page really had: a later version is compared to it.
FOUND_STATES: Final = frozenset({"anchored", "fuzzy"})

Factor = tuple[float, str | None]


def anchoring_factor(state: str, *, changed_at_source: bool) -> Factor:
    """The multiplier an item gets from its quote's anchoring, and why (None when it is 1)."""
    if state not in ANCHOR_FACTORS:
        raise ValueError(f"anchor state must be one of {sorted(ANCHOR_FACTORS)}, not {state!r}")
    if changed_at_source:
        return CHANGED_AT_SOURCE_FACTOR, CHANGED_REASON
    factor = ANCHOR_FACTORS[state]
    return factor, ANCHOR_REASONS.get(state) if factor < 1 else None


def combine(first: Factor, second: Factor) -> Factor:
    """Multiply two factors; the reason names only those that take weight away.

    A factor of 1 leaves the other one's reason untouched, so an item reduced by its
    publisher's record alone reads exactly as before anchoring existed.
    """
    (a, why_a), (b, why_b) = first, second
    if b >= 1:
        return a, why_a
    if a >= 1:
        return b, why_b
    return a * b, f"{why_a or 'reduced'} (x{a:.2f}); {why_b or 'reduced'} (x{b:.2f})"


def drifted(
    *, before_state: str | None, before_exact: str | None, now_state: str, now_exact: str | None
) -> bool:
    """Whether the page stopped saying the passage it said before ("changed at source").

    Only a passage that was found (anchored or fuzzy) can change. It changed when the quote
    fell from anchored to anything less, or is gone, or the words found are different.
    """
    if before_state not in FOUND_STATES or before_exact is None:
        return False
    if before_state == "anchored" and now_state != "anchored":
        return True
    if now_state not in FOUND_STATES:
        return True
    return now_exact != before_exact
