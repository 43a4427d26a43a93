"""Cross-validate the scorer and learned publisher reliability on Emergent's labelled claims.

Protocol (issue 3): folds by claim, seeded. In each fold the held-out claims carry no verdict;
every other claim carries its journalists' verdict (true, false or unknown = never verified) as
an editor's rating, and each publisher's (domain's) reliability is learned from those ratings
alone. Every article is a news report: kind "secondary", origin its domain, stance
for -> supports, against -> refutes, observing -> mentions. A scored claim's status maps to a
label: supported -> true, refuted -> false, anything else -> unknown.

Prints claimdesk and the two baselines (`NAME  accuracy=..  macro_f1=..  tf_accuracy=..`), then
an ablation table under the issue-2 constants and the current ones. `--nested` re-chooses the
scorer's constants inside every fold (inner cross-validation on the training claims only) to
estimate how the method does on claims it has never seen.

Run:  .venv/bin/python bench/emergent_research.py [--file F] [--seed 0] [--repeats 1] [--nested]
"""

from __future__ import annotations

import argparse
import csv
import itertools
import statistics
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from claims import reliability as rel
from claims import scoring
from claims.evaluation import folds
from claims.evaluation import metrics as shared_metrics
from claims.reliability import Reliability, learn_reliability, multiplier_for, neutral
from claims.scoring import Item, score_claim

EMERGENT = Path(__file__).resolve().parents[1].parent / "shared/data/emergent/emergent-train.csv"
STANCES = {"for": "supports", "against": "refutes", "observing": "mentions"}
LABELS = ("true", "false", "unknown")
STATUS_LABEL = {"supported": "true", "refuted": "false"}
# The constants the issue-2 scorer shipped with, for the ablation.
ISSUE2 = {
    "PRIOR_WEIGHT": 0.25,
    "SUPPORTED_MIDPOINT": 0.70,
    "REFUTED_MIDPOINT": 0.30,
    "CONTESTED_MIDPOINT": 0.45,
}
# Searched by --nested inside each fold. The upper ends are limits, not guesses: a refuted
# midpoint above 0.45 would let a refuted claim stay refuted past an even split (stay region
# = midpoint + margin), and with a contested midpoint above 0.65 the worked example
# (contestedness 0.75) would no longer enter the contested region (midpoint + margin) when
# Bosworth's rebuttal arrives after the claim was scored without it.
GRID = {
    "PRIOR_WEIGHT": (0.25, 0.5, 1.0, 1.5, 2.0, 3.0),
    "REFUTED_MIDPOINT": (0.30, 0.35, 0.40, 0.45),
    "CONTESTED_MIDPOINT": (0.45, 0.50, 0.55, 0.60, 0.65),
}
PRIOR_COUNTS = (0.5, 1.0, 2.0)


@dataclass(frozen=True)
class Article:
    key: str
    publisher: str
    stance: str


@dataclass(frozen=True)
class Claim:
    truth: str
    articles: tuple[Article, ...]


@dataclass(frozen=True)
class Variant:
    """One way of turning a claim's articles into scorer items."""

    name: str
    kind: str = "secondary"  # "primary" weighs 1: plain counts
    independent: bool = True  # origin = domain; else every article is its own origin
    reliability: str | None = None  # None, "two-sided", "pooled"
    unverifiable_teaches: bool = True  # do "unknown" verdicts count as misses?


CLAIMDESK = Variant("claimdesk", reliability="two-sided")
ABLATION = (
    Variant("counts only (every item 1, no independence)", kind="primary", independent=False),
    Variant("+ independence: one publisher counts once", kind="primary"),
    Variant("+ kind weight (every article is secondary, 0.6)"),
    Variant(
        "+ reliability, 'unknown' verdicts teach nothing",
        reliability="two-sided",
        unverifiable_teaches=False,
    ),
    Variant("+ reliability, one pooled record per publisher", reliability="pooled"),
    Variant("+ reliability, two-sided (claimdesk)", reliability="two-sided"),
)


def load(path: Path) -> dict[str, Claim]:
    """Claims by id, with their articles in file order."""
    truths: dict[str, str] = {}
    articles: dict[str, list[Article]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            claim = row["claimId"]
            truths[claim] = row["claimTruth"]
            stance = STANCES[row["articleHeadlineStance"]]
            articles.setdefault(claim, []).append(
                Article(f"article:{row['articleId']}", row["source"], stance)
            )
    return {c: Claim(truths[c], tuple(articles[c])) for c in sorted(truths)}


@contextmanager
def constants(module: object, values: dict[str, float]) -> Iterator[None]:
    """Temporarily set module constants (the scorer reads them at call time)."""
    saved = {name: getattr(module, name) for name in values}
    try:
        for name, value in values.items():
            setattr(module, name, value)
        yield
    finally:
        for name, value in saved.items():
            setattr(module, name, value)


def learn(claims: dict[str, Claim], rated: Sequence[str], variant: Variant) -> dict[str, object]:
    """Publisher reliabilities from the rated claims' verdicts only (no held-out verdict)."""
    if variant.reliability is None:
        return {}
    verdicts = {c: claims[c].truth for c in rated}
    if not variant.unverifiable_teaches:
        verdicts = {c: v for c, v in verdicts.items() if v != "unknown"}
    stances = [(a.publisher, c, a.stance) for c, claim in claims.items() for a in claim.articles]
    learned = learn_reliability(stances, verdicts)
    if variant.reliability == "two-sided":
        return dict(learned)
    pooled: dict[str, object] = {}
    for publisher, reliability in learned.items():
        backed, disputed = reliability.record.backed, reliability.record.disputed
        tally = rel.Tally(
            backed.right + disputed.right,
            backed.wrong + disputed.wrong,
            backed.unverifiable + disputed.unverifiable,
        )
        pooled[publisher] = (rel.weight_of(tally), rel.describe(publisher, "backed", tally))
    return pooled


def items_for(claim: Claim, variant: Variant, learned: dict[str, object]) -> list[Item]:
    """The scorer's items for one claim's articles."""
    items = []
    for article in claim.articles:
        factor, why = 1.0, None
        found = learned.get(article.publisher)
        if isinstance(found, Reliability):
            factor, why = multiplier_for(found, article.stance)
        elif isinstance(found, tuple):
            factor, why = found
        elif variant.reliability is not None:
            factor, why = multiplier_for(neutral(article.publisher), article.stance)
        items.append(
            Item(
                key=article.key,
                stance=article.stance,  # type: ignore[arg-type]
                kind=variant.kind,  # type: ignore[arg-type]
                origin=article.publisher if variant.independent else article.key,
                label=article.publisher,
                multiplier=factor,
                multiplier_reason=why,
            )
        )
    return items


def label_of(items: list[Item]) -> str:
    """true/false/unknown from the status of a fresh score."""
    return STATUS_LABEL.get(score_claim(items).status, "unknown")


def metrics(truth: dict[str, str], predicted: dict[str, str]) -> tuple[float, float, float]:
    """Accuracy, macro-F1 over the three labels, accuracy on claims rated true or false."""
    figures = shared_metrics(truth, predicted)
    return figures.accuracy, figures.macro_f1, figures.tf_accuracy


Predictor = Callable[[dict[str, Claim], list[str], list[str]], dict[str, str]]


def scorer(variant: Variant) -> Predictor:
    """Predict held-out claims with the scorer, reliability learned from the rated ones."""

    def predict(claims: dict[str, Claim], rated: list[str], held_out: list[str]) -> dict[str, str]:
        assert not set(rated) & set(held_out)
        learned = learn(claims, rated, variant)
        return {c: label_of(items_for(claims[c], variant, learned)) for c in held_out}

    return predict


def majority(claims: dict[str, Claim], rated: list[str], held_out: list[str]) -> dict[str, str]:
    """The most common verdict among the rated claims, for every held-out claim."""
    counts = Counter(claims[c].truth for c in rated)
    top = max(sorted(counts), key=lambda label: counts[label])
    return dict.fromkeys(held_out, top)


def any_refuting(claims: dict[str, Claim], rated: list[str], held_out: list[str]) -> dict[str, str]:
    """Any refuting article -> false, else any supporting -> true, else unknown."""
    out = {}
    for c in held_out:
        stances = {a.stance for a in claims[c].articles}
        out[c] = "false" if "refutes" in stances else "true" if "supports" in stances else "unknown"
    return out


def cross_validate(
    claims: dict[str, Claim], predict: Predictor, seeds: Sequence[int], k: int
) -> tuple[float, float, float]:
    """Mean metrics over one k-fold cross-validation per seed."""
    runs = []
    for seed in seeds:
        predicted: dict[str, str] = {}
        for fold in folds(list(claims), k, seed):
            held = set(fold)
            predicted.update(predict(claims, [c for c in claims if c not in held], fold))
        runs.append(metrics({c: claims[c].truth for c in claims}, predicted))
    acc, f1, tf = (statistics.fmean(run[i] for run in runs) for i in range(3))
    return acc, f1, tf


def line(name: str, figures: tuple[float, float, float], width: int = 10) -> str:
    acc, f1, tf = figures
    return f"{name:<{width}}  accuracy={acc:.3f}  macro_f1={f1:.3f}  tf_accuracy={tf:.3f}"


def choose_constants(
    claims: dict[str, Claim], rated: list[str], seed: int, k: int
) -> dict[str, float]:
    """Pick the scorer's constants and the prior by k-fold CV on the rated claims only."""
    inner = {c: claims[c] for c in rated}
    truth = {c: inner[c].truth for c in inner}
    best: tuple[float, dict[str, float]] | None = None
    for prior in PRIOR_COUNTS:
        with constants(rel, {"PRIOR_COUNT": prior}):
            items = {}
            for fold in folds(list(inner), k, seed):
                held = set(fold)
                learned = learn(inner, [c for c in inner if c not in held], CLAIMDESK)
                items.update({c: items_for(inner[c], CLAIMDESK, learned) for c in fold})
        for values in itertools.product(*GRID.values()):
            chosen = dict(zip(GRID, values, strict=True))
            with constants(scoring, chosen):
                f1 = metrics(truth, {c: label_of(items[c]) for c in inner})[1]
            if best is None or f1 > best[0]:
                best = (f1, {**chosen, "PRIOR_COUNT": prior})
    assert best is not None
    return best[1]


def nested(claims: dict[str, Claim], seeds: Sequence[int], k: int) -> None:
    """Outer CV whose constants are chosen inside each fold: an unbiased estimate."""
    runs = []
    for seed in seeds:
        predicted: dict[str, str] = {}
        for fold in folds(list(claims), k, seed):
            held = set(fold)
            rated = [c for c in claims if c not in held]
            chosen = choose_constants(claims, rated, seed + 1000, k)
            print(f"  seed {seed}: chose {chosen}")
            scorer_values = {n: v for n, v in chosen.items() if n != "PRIOR_COUNT"}
            with (
                constants(scoring, scorer_values),
                constants(rel, {"PRIOR_COUNT": chosen["PRIOR_COUNT"]}),
            ):
                predicted.update(scorer(CLAIMDESK)(claims, rated, fold))
        runs.append(metrics({c: claims[c].truth for c in claims}, predicted))
        print(line(f"  seed {seed}", runs[-1]))
    acc, f1, tf = (statistics.fmean(run[i] for run in runs) for i in range(3))
    print(line("nested", (acc, f1, tf)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=EMERGENT)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=1, help="average over this many seeds")
    parser.add_argument("--nested", action="store_true", help="choose constants inside folds")
    args = parser.parse_args()

    claims = load(args.file)
    seeds = list(range(args.seed, args.seed + args.repeats))
    counts = Counter(c.truth for c in claims.values())
    print(
        f"{len(claims)} claims ({dict(sorted(counts.items()))}), {args.folds} folds, seeds {seeds}"
    )
    for name, predict in (
        ("claimdesk", scorer(CLAIMDESK)),
        ("majority", majority),
        ("any-refuting", any_refuting),
    ):
        print(line(name, cross_validate(claims, predict, seeds, args.folds), 12))

    current = {name: getattr(scoring, name) for name in ISSUE2}
    print("\nablation (macro_f1 / accuracy / tf_accuracy)")
    print(f"{'items':<52}  {'issue-2 constants':<19}  current constants")
    print(f"{'':<52}  {'':<19}  {current}, PRIOR_COUNT={rel.PRIOR_COUNT}")
    for variant in ABLATION:
        cells = []
        for values in (ISSUE2, current):
            with constants(scoring, values):
                acc, f1, tf = cross_validate(claims, scorer(variant), seeds, args.folds)
            cells.append(f"{f1:.3f} / {acc:.3f} / {tf:.3f}")
        print(f"{variant.name:<52}  {cells[0]:<19}  {cells[1]}")

    if args.nested:
        print("\nnested cross-validation (constants chosen inside each fold)")
        nested(claims, seeds, args.folds)


if __name__ == "__main__":
    main()
