"""Score a claim from its evidence so that every number can be checked by hand.

The arithmetic is deliberately small and every constant is named, because a reader of a claim
page must be able to see what each item contributed and why. Two guards sit on top of a plain
weighted count: independence (ten outlets repeating one report weigh about one source) and
hysteresis (a status does not flicker when a score wobbles around a boundary). The reasoning
behind each constant is in docs/scoring.md.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from types import MappingProxyType
from typing import Any, Final, Literal, get_args

Stance = Literal["supports", "refutes", "mentions"]
Kind = Literal["primary", "secondary", "tertiary"]
Status = Literal["unsourced", "unsettled", "supported", "contested", "refuted"]
Via = Literal["evidence", "rebuttal", "support", "qualification"]

KIND_WEIGHTS: Final[Mapping[Kind, float]] = MappingProxyType(
    {"primary": 1.0, "secondary": 0.6, "tertiary": 0.3}
)
VIA_FACTORS: Final[Mapping[Via, float]] = MappingProxyType(
    {"evidence": 1.0, "rebuttal": 1.0, "support": 1.0, "qualification": 0.5}
)
MENTION_WEIGHT: Final = 0.0
PRIOR_WEIGHT: Final = 1.5  # chosen by cross-validation on Emergent: see docs/scoring.md
NEUTRAL_LEAN: Final = 0.5
HYSTERESIS_MARGIN: Final = 0.05
CONTESTED_MIDPOINT: Final = 0.65
SUPPORTED_MIDPOINT: Final = 0.70
REFUTED_MIDPOINT: Final = 0.45
# Checked in this order; the first region that holds wins.
STATUS_PRECEDENCE: Final[tuple[Status, ...]] = ("contested", "supported", "refuted")
SUMMARY_NAMES: Final = 3  # names listed per part of the summary before "and N more"

_VIA_NOUNS: Final[Mapping[Via, str]] = MappingProxyType(
    {"evidence": "source", "rebuttal": "rebuttal", "support": "counter-statement"}
)
_COUNTER_VERBS: Final[Mapping[Via, str]] = MappingProxyType(
    {"rebuttal": "rebuts", "qualification": "qualifies", "support": "backs"}
)


@dataclass(frozen=True)
class Item:
    """One piece of evidence or one counter-statement, as the scorer sees it."""

    key: str
    stance: Stance
    kind: Kind
    origin: str
    label: str
    via: Via = "evidence"
    multiplier: float = 1.0
    multiplier_reason: str | None = None

    def __post_init__(self) -> None:
        """Refuse values outside the literals: a typo must not silently weigh zero."""
        for name, allowed in (("stance", Stance), ("kind", Kind), ("via", Via)):
            value = getattr(self, name)
            if value not in get_args(allowed):
                raise ValueError(f"{name} must be one of {get_args(allowed)}, not {value!r}")


@dataclass(frozen=True)
class Contribution:
    """What one item added to the score, and the plain-English reason."""

    key: str
    label: str
    stance: Stance
    kind: Kind
    via: str
    origin: str
    weight: float
    counted: float
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict with floats rounded to 4 places."""
        return {**asdict(self), "weight": round(self.weight, 4), "counted": round(self.counted, 4)}


@dataclass(frozen=True)
class Score:
    """The score of one claim with its explanation."""

    support: float
    oppose: float
    lean: float
    contestedness: float
    status: Status
    contributions: tuple[Contribution, ...]
    summary: str

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict with floats rounded to 4 places."""
        return {
            "support": round(self.support, 4),
            "oppose": round(self.oppose, 4),
            "lean": round(self.lean, 4),
            "contestedness": round(self.contestedness, 4),
            "status": self.status,
            "summary": self.summary,
            "contributions": [c.to_dict() for c in self.contributions],
        }


def clamp_unit(value: float) -> float:
    """Clamp a number into [0, 1]; NaN counts as 0 so bad input can only remove weight."""
    if math.isnan(value):
        return 0.0
    return min(1.0, max(0.0, value))


def item_weight(item: Item) -> float:
    """Return the weight an item would carry on its own, before independence is applied."""
    if item.stance == "mentions":
        return MENTION_WEIGHT
    return KIND_WEIGHTS[item.kind] * VIA_FACTORS[item.via] * clamp_unit(item.multiplier)


def lean_of(support: float, oppose: float) -> float:
    """Return the share of weight on the supporting side, pulled towards 0.5 by the prior."""
    total = support + oppose
    if total <= 0:
        return NEUTRAL_LEAN
    return clamp_unit((support + PRIOR_WEIGHT) / (total + 2 * PRIOR_WEIGHT))


def contestedness_of(support: float, oppose: float) -> float:
    """Return 2*min(S, R)/(S + R): 0 when all weight agrees, 1 when it is split evenly."""
    total = support + oppose
    if total <= 0:
        return 0.0
    return clamp_unit(2 * min(support, oppose) / total)


def _in_region(status: Status, lean: float, contestedness: float, widen: float) -> bool:
    # widen > 0 makes the region larger (stay), widen < 0 smaller (enter), 0 is the midpoint.
    # Rounding keeps e.g. 0.70 - 0.05 at 0.65 rather than 0.6499999999999999.
    if status == "contested":
        return contestedness >= round(CONTESTED_MIDPOINT - widen, 10)
    if status == "supported":
        return lean >= round(SUPPORTED_MIDPOINT - widen, 10)
    return lean <= round(REFUTED_MIDPOINT + widen, 10)


def decide_status(
    lean: float,
    contestedness: float,
    has_weight: bool,
    has_items: bool,
    previous: Status | None,
) -> Status:
    """Map scores to a status, keeping `previous` while the scores stay within the margin."""
    if not has_items:
        return "unsourced"
    if not has_weight:
        return "unsettled"
    for status in STATUS_PRECEDENCE:
        if previous is None:
            widen = 0.0
        elif status == previous:
            widen = HYSTERESIS_MARGIN
        else:
            widen = -HYSTERESIS_MARGIN
        if _in_region(status, lean, contestedness, widen):
            return status
    return "unsettled"


def _sort_key(item: Item) -> tuple[str, str, str, str, str, str, float, str]:
    # Everything that can reach the output, so even duplicate keys sort the same way every time.
    return (
        item.key,
        item.stance,
        item.kind,
        item.origin,
        item.via,
        item.label,
        clamp_unit(item.multiplier),
        item.multiplier_reason or "",
    )


def _multiplier_note(item: Item) -> str:
    factor = clamp_unit(item.multiplier)
    if factor == 1.0:
        return ""
    return f" (x{factor:.2f}: {item.multiplier_reason or 'reduced'})"


def _own_reason(item: Item, weight: float) -> str:
    if item.stance == "mentions":
        return f"{item.kind} source mentions it without taking a side: weight 0"
    if item.via == "qualification":
        head = f"{item.kind} qualification counts as half a rebuttal"
    else:
        head = f"{item.kind} {_VIA_NOUNS[item.via]} {item.stance} it"
    return f"{head}: weight {weight:.2f}{_multiplier_note(item)}"


def _names(contributions: Sequence[Contribution]) -> str:
    shown = [f"{c.label}, {c.kind}" for c in contributions[:SUMMARY_NAMES]]
    hidden = len(contributions) - SUMMARY_NAMES
    return "; ".join(shown) + (f"; and {hidden} more" if hidden > 0 else "")


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _summary(status: Status, contributions: Sequence[Contribution]) -> str:
    if not contributions:
        return f"{status}: no source yet"
    carried = sorted((c for c in contributions if c.counted > 0), key=lambda c: (-c.counted, c.key))
    parts: list[str] = []
    for stance in ("supports", "refutes"):
        group = [c for c in carried if c.via == "evidence" and c.stance == stance]
        if group:
            sources = _plural(len(group), "independent source", "independent sources")
            verb = stance if len(group) == 1 else stance.removesuffix("s")
            parts.append(f"{sources} {verb} it ({_names(group)})")
    for via, verb in _COUNTER_VERBS.items():
        parts.extend(f"{c.label} ({c.kind}) {verb} it" for c in carried if c.via == via)
    mentions = sum(1 for c in contributions if c.stance == "mentions")
    if mentions:
        parts.append(_plural(mentions, "source mentions it", "sources mention it"))
    weightless = sum(1 for c in contributions if c.stance != "mentions" and c.weight <= 0)
    if weightless:
        parts.append(_plural(weightless, "source carries no weight", "sources carry no weight"))
    return f"{status}: " + "; ".join(parts)


def score_claim(items: Iterable[Item], previous_status: Status | None = None) -> Score:
    """Score a claim from its items; `previous_status` makes the status sticky (hysteresis)."""
    ordered = sorted(items, key=_sort_key)
    weights = [item_weight(item) for item in ordered]
    # Each (origin, stance) group is carried by its heaviest member; ties go to the first key.
    carriers: dict[tuple[str, str], int] = {}
    for index, item in enumerate(ordered):
        if item.stance == "mentions":
            continue
        best = carriers.get((item.origin, item.stance))
        if best is None or weights[index] > weights[best]:
            carriers[(item.origin, item.stance)] = index
    contributions: list[Contribution] = []
    for index, item in enumerate(ordered):
        weight = weights[index]
        carrier = carriers.get((item.origin, item.stance), index)
        if carrier == index:
            counted, reason = weight, _own_reason(item, weight)
        else:
            counted = 0.0
            reason = (
                f"same origin as {ordered[carrier].key} ({item.origin}): counted once;"
                f" alone it would weigh {weight:.2f}{_multiplier_note(item)}"
            )
        contributions.append(
            Contribution(
                key=item.key,
                label=item.label,
                stance=item.stance,
                kind=item.kind,
                via=item.via,
                origin=item.origin,
                weight=weight,
                counted=counted,
                reason=reason,
            )
        )
    # fsum is exactly rounded, so the totals cannot depend on summation order.
    support = math.fsum(c.counted for c in contributions if c.stance == "supports")
    oppose = math.fsum(c.counted for c in contributions if c.stance == "refutes")
    lean = lean_of(support, oppose)
    contestedness = contestedness_of(support, oppose)
    status = decide_status(
        lean, contestedness, support + oppose > 0, bool(contributions), previous_status
    )
    return Score(
        support=support,
        oppose=oppose,
        lean=lean,
        contestedness=contestedness,
        status=status,
        contributions=tuple(contributions),
        summary=_summary(status, contributions),
    )
