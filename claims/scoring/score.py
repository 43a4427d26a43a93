"""Score a claim from its evidence so that every number can be checked by hand.

The score is a fitted model (an ordinal logistic regression, `claims/scoring/fitting.py`) written
out as a sum: a starting point plus one contribution per item, each a whole number of points, so the
figure a reader sees is exactly the sum of the lines shown under it. Supported starts at +100 points
and refuted at -100. Three guards sit on top of the fitted sum: independence (ten outlets repeating
one report count once), interested parties (a denial by the party the claim is about counts, but
never outweighs independent evidence on its own) and hysteresis (a status does not flicker when the
score wobbles around a boundary). docs/scoring.md gives the reasons.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final, Literal, get_args

from claims.scoring.model import Model, Side, shipped_model

Stance = Literal["supports", "refutes", "mentions"]
Kind = Literal["primary", "secondary", "tertiary"]
Status = Literal["unsourced", "unsettled", "supported", "contested", "refuted"]
Via = Literal["evidence", "rebuttal", "support", "qualification"]

# Relative weights that the data could not fit (Emergent holds only news reports): a secondary
# source is the unit the model was fitted on, a primary one counts 1/0.6 of it, a tertiary half.
KIND_FACTORS: Final[Mapping[Kind, float]] = MappingProxyType(
    {"primary": 1.0 / 0.6, "secondary": 1.0, "tertiary": 0.5}
)
VIA_FACTORS: Final[Mapping[Via, float]] = MappingProxyType(
    {"evidence": 1.0, "rebuttal": 1.0, "support": 1.0, "qualification": 0.5}
)
SCALE: Final = 100  # points at which a claim is supported (+) or refuted (-)
HYSTERESIS_POINTS: Final = 10
HYSTERESIS_MARGIN: Final = 0.05  # on contestedness
CONTESTED_MIDPOINT: Final = 0.65
# An interested party's points on one side are capped at this share of the independent
# evidence on the other side, so it can narrow a lead but never overturn it on its own.
INTERESTED_SHARE: Final = 0.5
STATUS_PRECEDENCE: Final[tuple[Status, ...]] = ("supported", "refuted", "contested")
# Bump when the rules below or the stored explanation's format change in a way the constants
# and the model do not show: stored scores written by an older scorer are then rescored by
# the worker (``claims.scoring.service.scorer_version``).
SCORER_REVISION: Final = 2

# Stable machine codes of a contribution's role (the API keeps them; sentences are built
# from them in the reader's language by the service).
CODES: Final[Mapping[tuple[Via, Stance], str]] = MappingProxyType(
    {
        ("evidence", "supports"): "source_supports",
        ("evidence", "refutes"): "source_refutes",
        ("evidence", "mentions"): "source_mentions",
        ("rebuttal", "refutes"): "rebuttal",
        ("qualification", "refutes"): "qualification",
        ("support", "supports"): "backing",
    }
)


@dataclass(frozen=True)
class Track:
    """A publisher's record on one side: rated claims where its stance held up or did not."""

    held: float = 0.0
    failed: float = 0.0
    unverified: float = 0.0

    @property
    def claims(self) -> int:
        """Number of rated claims behind the record."""
        return round(self.held + self.failed + self.unverified)

    def features(self) -> tuple[float, float]:
        """log((held+1)/(failed+1)) and log((unverified+1)/(held+failed+1)): 0 for no record."""
        settled = self.held + self.failed
        return (
            math.log((self.held + 1.0) / (self.failed + 1.0)),
            math.log((self.unverified + 1.0) / (settled + 1.0)),
        )


PLATFORM_PRIOR: Final = 2.0  # pseudo-claims of the platform's record an account starts with


def shrink(account: Track, platform: Track, strength: float = PLATFORM_PRIOR) -> Track:
    """An account's record pulled towards its platform's: ``strength`` claims at the platform's
    rates are added, so a new account on a platform of rumours starts where its platform is,
    and its own record takes over as it grows (empirical Bayes, as in rating shrinkage).
    """
    claims = platform.held + platform.failed + platform.unverified
    if claims <= 0 or strength <= 0:
        return account
    scale = strength / claims
    return Track(
        held=account.held + scale * platform.held,
        failed=account.failed + scale * platform.failed,
        unverified=account.unverified + scale * platform.unverified,
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
    track: Track | None = None  # the publisher's record on this stance's side, if any
    interested: bool = False  # made by the party the claim is about
    role: str | None = None  # e.g. a claimant's title, shown beside the name

    def __post_init__(self) -> None:
        """Refuse values outside the literals: a typo must not silently weigh zero."""
        for name, allowed in (("stance", Stance), ("kind", Kind), ("via", Via)):
            value = getattr(self, name)
            if value not in get_args(allowed):
                raise ValueError(f"{name} must be one of {get_args(allowed)}, not {value!r}")
        if (self.via, self.stance) not in CODES:
            raise ValueError(f"a {self.via} cannot have the stance {self.stance!r}")


@dataclass(frozen=True)
class Contribution:
    """What one item added to the score, in points, and the facts behind it."""

    key: str
    label: str
    stance: Stance
    kind: Kind
    via: Via
    origin: str
    code: str
    points: int  # counted towards the score (0 when another item of its origin carries it)
    alone: int  # what it would add on its own
    stance_points: int  # the part of `alone` that its stance and kind earn
    record_points: int  # the part its publisher's record adds or takes away
    factor: float
    factor_reason: str | None
    track: Track | None
    interested: bool
    capped: bool  # an interested party's points were cut to INTERESTED_SHARE
    same_as: str | None  # key of the item that carries its origin
    same_as_label: str | None
    role: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict."""
        return {
            "key": self.key,
            "label": self.label,
            "role": self.role,
            "stance": self.stance,
            "kind": self.kind,
            "via": self.via,
            "origin": self.origin,
            "code": self.code,
            "points": self.points,
            "alone": self.alone,
            "stance_points": self.stance_points,
            "record_points": self.record_points,
            "factor": round(self.factor, 4),
            "factor_reason": self.factor_reason,
            "record": None
            if self.track is None
            else {
                "held": round(self.track.held, 4),
                "failed": round(self.track.failed, 4),
                "unverified": round(self.track.unverified, 4),
            },
            "interested": self.interested,
            "capped": self.capped,
            "same_as": self.same_as,
            "same_as_label": self.same_as_label,
        }


@dataclass(frozen=True)
class Score:
    """The score of one claim with its explanation."""

    start: int
    total: int  # start + sum of points: the figure shown
    support: int  # points of the items on the supporting side
    oppose: int  # points of the items on the opposing side (a positive number)
    lean: float
    contestedness: float
    status: Status
    contributions: tuple[Contribution, ...]
    reasons: tuple[str, ...]  # stable codes of why the status is what it is
    model: str = ""
    counts: Mapping[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict: what the API shows and the claim row stores."""
        return {
            "model": self.model,
            "scale": SCALE,
            "start": self.start,
            "total": self.total,
            "thresholds": {"supported": SCALE, "refuted": -SCALE},
            "support": self.support,
            "oppose": self.oppose,
            "lean": round(self.lean, 4),
            "contestedness": round(self.contestedness, 4),
            "status": self.status,
            "reasons": list(self.reasons),
            "counts": dict(self.counts),
            "contributions": [c.to_dict() for c in self.contributions],
        }


def scorer_version(model: Model | None = None) -> str:
    """A short digest of everything that decides a stored score: the model's parameters, the
    design constants and ``SCORER_REVISION``. A claim stored under another digest is stale."""
    model = model or shipped_model()
    fitted = model.to_dict()
    fitted.pop("name", None)
    fitted.pop("fitted_on", None)
    described = {
        "model": fitted,
        "revision": SCORER_REVISION,
        "kinds": dict(KIND_FACTORS),
        "vias": dict(VIA_FACTORS),
        "constants": [
            SCALE,
            HYSTERESIS_POINTS,
            HYSTERESIS_MARGIN,
            CONTESTED_MIDPOINT,
            INTERESTED_SHARE,
        ],
        "platform_prior": PLATFORM_PRIOR,
    }
    text = json.dumps(described, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def clamp_unit(value: float) -> float:
    """Clamp a number into [0, 1]; NaN counts as 0 so bad input can only remove weight."""
    if math.isnan(value):
        return 0.0
    return min(1.0, max(0.0, value))


def factor_of(item: Item) -> float:
    """Kind x via x multiplier: how much of a fitted unit the item is (0 for a mention)."""
    if item.stance == "mentions":
        return 0.0
    return KIND_FACTORS[item.kind] * VIA_FACTORS[item.via] * clamp_unit(item.multiplier)


def features_of(item: Item) -> tuple[float, float, float]:
    """The item's fitted inputs: its factor times (1, record held, record unverified)."""
    factor = factor_of(item)
    held, unverified = (item.track or Track()).features()
    return factor, factor * held, factor * unverified


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


def mention_factor(item: Item) -> float:
    """Kind x via x multiplier of a mention: what it weighs when a model gives mentions weight."""
    if item.stance != "mentions":
        return 0.0
    return KIND_FACTORS[item.kind] * VIA_FACTORS[item.via] * clamp_unit(item.multiplier)


def carriers(items: Sequence[Item], *, with_mentions: bool = False) -> dict[tuple[str, str], int]:
    """Index of the item that carries each (origin, stance) group: the heaviest, then first key.

    "Heaviest" is by factor alone, never by the model's weights, so which item counts does not
    depend on the fit (and the fit sees the same items the scorer counts). Mentions form groups
    only when the model weighs them (`with_mentions`).
    """
    chosen: dict[tuple[str, str], int] = {}
    for index, item in enumerate(items):
        if item.stance == "mentions" and not with_mentions:
            continue
        weight = mention_factor if item.stance == "mentions" else factor_of
        group = (item.origin, item.stance)
        best = chosen.get(group)
        if best is None or weight(item) > weight(items[best]):
            chosen[group] = index
    return chosen


def claim_features(items: Iterable[Item], *, diminishing: bool = False) -> tuple[float, ...]:
    """The inputs of the fitted model for one claim: what `claims.scoring.fitting` trains on.

    Six for the linear and diminishing specifications (per side: the stance share, x record
    held, x record unverified), and a seventh, the independent mentions (sum of their
    factors), which only the `mentions` specification uses.
    """
    ordered = sorted(items, key=_sort_key)
    chosen = carriers(ordered, with_mentions=True)
    shares = stance_shares(ordered, chosen, diminishing=diminishing)
    totals = [0.0] * 7
    for index in chosen.values():
        item = ordered[index]
        if item.stance == "mentions":
            totals[6] += mention_factor(item)
            continue
        offset = 0 if item.stance == "supports" else 3
        _, held, unverified = features_of(item)
        totals[offset] += shares[index]
        totals[offset + 1] += held
        totals[offset + 2] += unverified
    return tuple(totals)


def stance_shares(
    ordered: Sequence[Item], chosen: Mapping[tuple[str, str], int], *, diminishing: bool
) -> list[float]:
    """How much of a side's stance weight each item earns (what the base weight multiplies).

    Linear: its factor. Diminishing: the step its factor adds to log(1 + the side's summed
    factors), the heaviest first, so the first report on a side counts most and each further
    independent one less (outlets echo each other beyond the citations we can see). The shares
    of a side's counted items add up to log(1 + its summed factors). An item another carries
    gets the share it would earn in its carrier's place, for "alone" in the explanation.
    """
    shares = [factor_of(item) for item in ordered]
    if not diminishing:
        return shares
    before: dict[tuple[str, str], float] = {}
    for stance in ("supports", "refutes"):
        counted = sorted(
            (i for (_, side), i in chosen.items() if side == stance),
            key=lambda i: (-factor_of(ordered[i]), i),
        )
        running = 0.0
        for index in counted:
            before[(ordered[index].origin, stance)] = running
            running += factor_of(ordered[index])
    for index, item in enumerate(ordered):
        if item.stance == "mentions":
            continue
        start = before.get((item.origin, item.stance), 0.0)
        shares[index] = math.log1p(start + factor_of(item)) - math.log1p(start)
    return shares


def lone_share(model: Model) -> float:
    """The stance share of a lone secondary report (factor 1) under ``model``: what a reader
    is told one report earns (/method)."""
    return math.log1p(1.0) if model.diminishing else 1.0


def _points(model: Model, item: Item, share: float) -> tuple[int, int]:
    """(points alone, of which the stance part), clamped to the item's own side.

    A bad record can take a source's weight away but never make it argue the other side. A
    mention weighs only under a model that gives mentions weight (always <= 0: a report that
    repeats a claim without standing behind it is no support). ``share`` is what the base
    weight multiplies (``stance_shares``).
    """
    if item.stance == "mentions":
        mention = min(0, round(model.to_points(model.mentions * mention_factor(item), SCALE)))
        return mention, mention
    side: Side = "supports" if item.stance == "supports" else "refutes"
    weights = model.weights[side]
    _, held, unverified = features_of(item)
    raw = weights.base * share + weights.held * held + weights.unverified * unverified
    sign = 1 if side == "supports" else -1
    alone = sign * max(0, round(sign * model.to_points(raw, SCALE)))
    stance_part = sign * max(0, round(sign * model.to_points(weights.base * share, SCALE)))
    return alone, stance_part


def _cap_interested(points: list[int], ordered: Sequence[Item], counted: set[int]) -> set[int]:
    """Cut interested parties' points to INTERESTED_SHARE of the independent other side."""
    capped: set[int] = set()
    for sign in (1, -1):
        mine = [i for i in counted if ordered[i].interested and points[i] * sign > 0]
        independent = sum(
            -points[i] * sign for i in counted if not ordered[i].interested and points[i] * sign < 0
        )
        total = sum(points[i] * sign for i in mine)
        if not mine or independent <= 0 or total <= INTERESTED_SHARE * independent:
            continue
        allowed = INTERESTED_SHARE * independent
        for i in mine:
            # Floor, so the capped sum can never exceed the share.
            points[i] = sign * math.floor(points[i] * sign * allowed / total)
            capped.add(i)
    return capped


def _in_region(status: Status, total: int, contestedness: float, widen: int) -> bool:
    # widen > 0 makes the region larger (stay), < 0 smaller (enter), 0 is the midpoint.
    if status == "supported":
        return total >= SCALE - widen * HYSTERESIS_POINTS
    if status == "refuted":
        return total <= -SCALE + widen * HYSTERESIS_POINTS
    return contestedness >= round(CONTESTED_MIDPOINT - widen * HYSTERESIS_MARGIN, 10)


def decide_status(
    total: int,
    contestedness: float,
    *,
    has_items: bool,
    has_weight: bool,
    independent: frozenset[str] = frozenset({"supports", "refutes"}),
    previous: Status | None = None,
) -> Status:
    """Map the score to a status, keeping `previous` while the score stays within the margin.

    `independent` holds the sides with evidence from someone other than an interested party:
    a claim is supported or refuted only on independent evidence.
    """
    if not has_items:
        return "unsourced"
    if not has_weight:
        return "unsettled"
    for status in STATUS_PRECEDENCE:
        if status == "supported" and "supports" not in independent:
            continue
        if status == "refuted" and "refutes" not in independent:
            continue
        widen = 0 if previous is None else 1 if status == previous else -1
        if _in_region(status, total, contestedness, widen):
            return status
    return "unsettled"


def _reasons(status: Status, total: int, independent: frozenset[str], capped: bool) -> list[str]:
    reasons = []
    if capped:
        reasons.append("interested_party_capped")
    if total >= SCALE and status != "supported" and "supports" not in independent:
        reasons.append("supported_needs_independent_evidence")
    if total <= -SCALE and status != "refuted" and "refutes" not in independent:
        reasons.append("refuted_needs_independent_evidence")
    return reasons


def _counts(items: Sequence[Item]) -> dict[str, int]:
    counts = dict.fromkeys(sorted(set(CODES.values())), 0)
    for item in items:
        counts[CODES[(item.via, item.stance)]] += 1
    counts["interested"] = sum(1 for item in items if item.interested)
    counts["origins"] = len({(i.origin, i.stance) for i in items if i.stance != "mentions"})
    for stance in ("supports", "refutes"):
        counts[f"origins_{stance}"] = len(
            {i.origin for i in items if i.stance == stance and not i.interested}
        )
    return counts


def score_claim(
    items: Iterable[Item], previous_status: Status | None = None, model: Model | None = None
) -> Score:
    """Score a claim from its items; `previous_status` makes the status sticky (hysteresis)."""
    model = model or shipped_model()
    ordered = sorted(items, key=_sort_key)
    weighs_mentions = model.mentions != 0
    chosen = carriers(ordered, with_mentions=weighs_mentions)
    counted = set(chosen.values())
    shares = stance_shares(ordered, chosen, diminishing=model.diminishing)
    alone: list[int] = []
    stance_parts: list[int] = []
    for item, share in zip(ordered, shares, strict=True):
        if item.stance == "mentions" and not weighs_mentions:
            alone.append(0)
            stance_parts.append(0)
            continue
        own, stance_points = _points(model, item, share)
        alone.append(own)
        stance_parts.append(stance_points)
    points = [alone[i] if i in counted else 0 for i in range(len(ordered))]
    capped = _cap_interested(points, ordered, counted)
    contributions = []
    for index, item in enumerate(ordered):
        carrier = chosen.get((item.origin, item.stance), index)
        contributions.append(
            Contribution(
                key=item.key,
                label=item.label,
                role=item.role,
                stance=item.stance,
                kind=item.kind,
                via=item.via,
                origin=item.origin,
                code=CODES[(item.via, item.stance)],
                points=points[index],
                alone=alone[index],
                stance_points=stance_parts[index],
                record_points=alone[index] - stance_parts[index],
                factor=clamp_unit(item.multiplier),
                factor_reason=item.multiplier_reason,
                track=item.track,
                interested=item.interested,
                capped=index in capped,
                same_as=None if carrier == index else ordered[carrier].key,
                same_as_label=None if carrier == index else ordered[carrier].label,
            )
        )
    start = model.start_points(SCALE)
    support = sum(p for p in points if p > 0)
    oppose = -sum(p for p in points if p < 0)
    total = start + support - oppose
    # Disagreement among independent items only: an interested party's denial is said in
    # words, it does not make a claim "contested" on its own.
    # Mentions neither: repeating a claim without standing behind it is not disagreeing.
    own_side = [
        points[i]
        for i in range(len(ordered))
        if not ordered[i].interested and ordered[i].stance != "mentions"
    ]
    ind_for, ind_against = sum(p for p in own_side if p > 0), -sum(p for p in own_side if p < 0)
    contestedness = (
        2 * min(ind_for, ind_against) / (ind_for + ind_against) if ind_for + ind_against else 0.0
    )
    independent = frozenset(
        "supports" if points[i] > 0 else "refutes"
        for i in range(len(ordered))
        if points[i] != 0 and not ordered[i].interested and ordered[i].stance != "mentions"
    )
    status = decide_status(
        total,
        contestedness,
        has_items=bool(ordered),
        has_weight=support + oppose > 0,
        independent=independent,
        previous=previous_status if ordered else None,
    )
    return Score(
        start=start,
        total=total,
        support=support,
        oppose=oppose,
        lean=model.lean(total, SCALE),
        contestedness=contestedness,
        status=status,
        contributions=tuple(contributions),
        reasons=tuple(_reasons(status, total, independent, bool(capped))),
        model=model.name,
        counts=_counts(ordered),
    )
