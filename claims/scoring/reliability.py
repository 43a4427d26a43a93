"""A publisher's reliability, learned from its stances on claims that editors have rated.

Truth discovery in the manner of TruthFinder (Yin, Han and Yu, 2008): a source is trusted as far
as the claims it took a side on turned out the way it said. Two refinements, both measured on
the Emergent claims (see docs/scoring.md):

* A publisher has two records, one for the claims it backed and one for the claims it disputed,
  as in two-sided source-quality models (Zhao et al., "A Bayesian approach to discovering truth
  from conflicting sources", VLDB 2012). Tabloids that print every rumour are poor backers but
  their debunkings are usually right; one pooled number would blur that.
* Every record starts at a neutral prior of `PRIOR_COUNT` pseudo-claims right and as many wrong
  (Beta(1, 1)), so one verdict moves a publisher only a little and an unseen publisher keeps the
  full weight of its kind.

The weight fed to the scorer is `2 * P(right more often than wrong)` under that Beta posterior,
capped at 1: exactly 1 for a neutral or good record, falling towards 0 only as the evidence that
the publisher is usually wrong piles up. Everything here is a pure function of the *set* of
(publisher, claim, stance) triples and the verdicts, so applying editors' verdicts one at a time
or recomputing from scratch gives the same state.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final, Literal

Side = Literal["backed", "disputed"]

# How far backing a claim with this rating was right: 1 right, 0 wrong. Disputing earns 1 - x.
RATING_TRUTH: Final[Mapping[str, float]] = MappingProxyType(
    {"true": 1.0, "mostly_true": 0.75, "mixed": 0.5, "mostly_false": 0.25, "false": 0.0}
)
# Never established either way (Emergent's "unknown" is the same thing). A publisher that took a
# side on such a claim asserted what was not borne out, so it counts as a miss for either side.
UNVERIFIABLE: Final = frozenset({"unverifiable", "unknown"})
PRIOR_COUNT: Final = 1.0  # pseudo-claims right and wrong on each side: the neutral Beta(1, 1)
NEUTRAL_VALUE: Final = 0.5
_SIDE_OF_STANCE: Final[Mapping[str, Side]] = MappingProxyType(
    {"supports": "backed", "refutes": "disputed"}
)
_STANCES: Final = frozenset({"supports", "refutes", "mentions"})


@dataclass(frozen=True)
class Tally:
    """One side of a record: rated claims a publisher backed (or disputed), and how they went."""

    right: float = 0.0  # credit: backing a "mostly_true" claim adds 0.75 here and 0.25 to wrong
    wrong: float = 0.0
    unverifiable: int = 0  # claims never verified: counted as misses

    @property
    def claims(self) -> int:
        """Number of rated claims on this side."""
        return round(self.right + self.wrong) + self.unverifiable

    @property
    def misses(self) -> float:
        """Claims that did not turn out as the publisher said, unverified ones included."""
        return self.wrong + self.unverifiable


@dataclass(frozen=True)
class Record:
    """A publisher's stances on rated claims, each claim counted once per stance."""

    backed: Tally = field(default_factory=Tally)
    disputed: Tally = field(default_factory=Tally)
    mentioned: int = 0  # rated claims it reported without taking a side: no evidence either way


@dataclass(frozen=True)
class Reliability:
    """How far a publisher's stances have held up, with the weights they earn and why."""

    publisher: str
    record: Record
    value: float  # posterior mean share of its stances that held up, both sides pooled
    backing_weight: float  # multiplier for items where it supports a claim
    disputing_weight: float  # multiplier for items where it refutes a claim
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict with floats rounded to 4 places."""
        return {
            "publisher": self.publisher,
            "value": round(self.value, 4),
            "backing_weight": round(self.backing_weight, 4),
            "disputing_weight": round(self.disputing_weight, 4),
            "record": {
                side: {
                    "claims": tally.claims,
                    "right": round(tally.right, 4),
                    "wrong": round(tally.wrong, 4),
                    "unverifiable": tally.unverifiable,
                }
                for side, tally in (
                    ("backed", self.record.backed),
                    ("disputed", self.record.disputed),
                )
            },
            "mentioned": self.record.mentioned,
            "reason": self.reason,
        }


def credit(stance: str, rating: str) -> float | None:
    """How far a stance agreed with an editor's rating (1 right, 0 wrong); None if no evidence."""
    if stance not in _STANCES:
        raise ValueError(f"stance must be one of {sorted(_STANCES)}, not {stance!r}")
    if rating not in RATING_TRUTH and rating not in UNVERIFIABLE:
        raise ValueError(f"unknown rating {rating!r}")
    if stance == "mentions":
        return None
    if rating in UNVERIFIABLE:
        return 0.0
    truth = RATING_TRUTH[rating]
    return truth if stance == "supports" else 1.0 - truth


def posterior_mean(tally: Tally) -> float:
    """Expected share of this side's stances that hold up, under the neutral prior."""
    right = PRIOR_COUNT + tally.right
    return right / (right + PRIOR_COUNT + tally.misses)


def weight_of(tally: Tally) -> float:
    """2 * P(the publisher is right more often than wrong on this side), capped at 1."""
    right, misses = PRIOR_COUNT + tally.right, PRIOR_COUNT + tally.misses
    if right >= misses:
        return 1.0  # by symmetry of the Beta distribution, P >= 1/2
    # P(theta > 1/2) for theta ~ Beta(right, misses) equals I_{1/2}(misses, right). Rounding
    # to 10 places drops float noise, so one miss from neutral gives exactly 0.5.
    return min(1.0, round(2.0 * _regularized_beta(0.5, misses, right), 10))


def _beta_continued_fraction(x: float, a: float, b: float) -> float:
    # Lentz's method for the continued fraction of the incomplete beta function.
    tiny, eps = 1e-300, 1e-15
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 10_000):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            result *= c * d
        if abs(c * d - 1.0) < eps:
            break
    return result


def _regularized_beta(x: float, a: float, b: float) -> float:
    # I_x(a, b), the CDF of Beta(a, b) at x; standard continued-fraction evaluation.
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _beta_continued_fraction(x, a, b) / a
    return 1.0 - math.exp(log_front) * _beta_continued_fraction(1.0 - x, b, a) / b


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def describe(publisher: str, side: Side, tally: Tally) -> str:
    """Plain-English record of one side, e.g. 'x.com backed 9 rated claims: 0 right, 9 wrong'."""
    if tally.claims == 0:
        return f"{publisher} has not {side} any rated claim yet"
    noun = "claim" if tally.claims == 1 else "claims"
    text = (
        f"{publisher} {side} {tally.claims} rated {noun}: {_number(tally.right)} right,"
        f" {_number(tally.wrong)} wrong"
    )
    if tally.unverifiable:
        text += f", {tally.unverifiable} never verified"
    return text


def _weight_text(weight: float) -> str:
    return "full weight" if weight >= 1.0 else f"weight {weight:.2f}"


def reliability_from_record(publisher: str, record: Record) -> Reliability:
    """Turn a publisher's record into its reliability, weights and reason."""
    backing, disputing = weight_of(record.backed), weight_of(record.disputed)
    pooled = Tally(
        right=record.backed.right + record.disputed.right,
        wrong=record.backed.wrong + record.disputed.wrong,
        unverifiable=record.backed.unverifiable + record.disputed.unverifiable,
    )
    reason = (
        f"{describe(publisher, 'backed', record.backed)}: {_weight_text(backing)}; "
        f"{describe(publisher, 'disputed', record.disputed)}: {_weight_text(disputing)}"
    )
    return Reliability(
        publisher=publisher,
        record=record,
        value=posterior_mean(pooled),
        backing_weight=backing,
        disputing_weight=disputing,
        reason=reason,
    )


def neutral(publisher: str) -> Reliability:
    """The reliability of a publisher with no rated claim yet: neutral, full weight."""
    return reliability_from_record(publisher, Record())


def learn_reliability(
    stances: Iterable[tuple[str, Hashable, str]], verdicts: Mapping[Any, str]
) -> dict[str, Reliability]:
    """Learn each publisher's reliability from (publisher, claim, stance) and claims' ratings.

    Only claims with a rating count; a publisher's repeated stance on one claim counts once. The
    result depends only on the set of triples and on the ratings, never on their order.
    """
    right: dict[tuple[str, Side], list[float]] = defaultdict(list)
    wrong: dict[tuple[str, Side], list[float]] = defaultdict(list)
    unverifiable: dict[tuple[str, Side], int] = defaultdict(int)
    mentioned: dict[str, int] = defaultdict(int)
    publishers: set[str] = set()
    for publisher, claim, stance in set(stances):
        if claim not in verdicts:
            continue
        rating = verdicts[claim]
        agreed = credit(stance, rating)
        publishers.add(publisher)
        if agreed is None:
            mentioned[publisher] += 1
            continue
        key = (publisher, _SIDE_OF_STANCE[stance])
        if rating in UNVERIFIABLE:
            unverifiable[key] += 1
        else:
            right[key].append(agreed)
            wrong[key].append(1.0 - agreed)

    def tally(key: tuple[str, Side]) -> Tally:
        # fsum of sorted credits: exactly rounded, so the order of the input cannot show.
        return Tally(
            right=math.fsum(sorted(right.get(key, ()))),
            wrong=math.fsum(sorted(wrong.get(key, ()))),
            unverifiable=unverifiable.get(key, 0),
        )

    return {
        publisher: reliability_from_record(
            publisher,
            Record(
                backed=tally((publisher, "backed")),
                disputed=tally((publisher, "disputed")),
                mentioned=mentioned.get(publisher, 0),
            ),
        )
        for publisher in sorted(publishers)
    }


def multiplier_for(reliability: Reliability, stance: str) -> tuple[float, str]:
    """The factor in [0, 1] for an item with this stance from this publisher, and why."""
    if stance not in _STANCES:
        raise ValueError(f"stance must be one of {sorted(_STANCES)}, not {stance!r}")
    if stance == "mentions":
        return 1.0, f"{reliability.publisher} takes no side: its record does not apply"
    side = _SIDE_OF_STANCE[stance]
    if side == "backed":
        weight, tally = reliability.backing_weight, reliability.record.backed
    else:
        weight, tally = reliability.disputing_weight, reliability.record.disputed
    return weight, describe(reliability.publisher, side, tally)
