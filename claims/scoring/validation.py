"""Nested cross-validation of the fitted scorer, beside the baselines, with intervals.

The outer folds estimate how the whole procedure (choose the specification and the penalty,
fit, score) does on claims it never saw: in each outer fold both are chosen by an inner
cross-validation on the training claims only, the model is fitted on them, and the held-out
claims are scored. Nothing about a held-out claim reaches the fit: its verdict is withheld from
the publishers' records as well (the caller builds items per fold, `ItemsFor`).

On a few hundred claims one split into folds is luck as much as measure (seeds 0 to 4 gave
0.63 to 0.66 for one procedure), so the outer cross-validation is repeated over several
splits (``repeats``, seeds ``seed`` to ``seed + repeats - 1``) and the figures are their mean,
each split's macro-F1 kept beside it (repeated cross-validation).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

from claims.scoring.evaluation import (
    Figures,
    any_refuting,
    bootstrap_interval,
    folds,
    majority,
    metrics,
)
from claims.scoring.fitting import PENALTIES, Sample, choose_and_fit, predict
from claims.scoring.model import Model
from claims.scoring.score import Item

# The nested figures of the shipped specification on the shared Emergent claims, written by
# ``claimdesk eval emergent FILE --record claims/scoring/scoring_evaluation.json``; /method shows
# them.
EVALUATION_PATH: Final = Path(__file__).with_name("scoring_evaluation.json")

# (rated claim ids, held-out claim ids) -> items of every one of those claims, built with the
# rated claims' verdicts only (each rated claim's own verdict left out of its own records).
ItemsFor = Callable[[Sequence[str], Sequence[str]], Mapping[str, Sequence[Item]]]


@dataclass(frozen=True)
class Line:
    """One method's figures over all held-out claims (the mean over the splits), the interval
    of its macro-F1, and each split's macro-F1."""

    name: str
    figures: Figures
    low: float
    high: float
    splits: tuple[float, ...] = ()

    def text(self) -> str:
        """``NAME  accuracy=..  macro_f1=.. [low, high]  tf_accuracy=..``, then each split's
        macro-F1 when there are several."""
        f = self.figures
        text = (
            f"{self.name:<12}  accuracy={f.accuracy:.3f}  macro_f1={f.macro_f1:.3f}"
            f" [{self.low:.3f}, {self.high:.3f}]  tf_accuracy={f.tf_accuracy:.3f}"
        )
        if len(self.splits) > 1:
            text += "  splits=" + ",".join(f"{x:.3f}" for x in self.splits)
        return text


@dataclass
class Validation:
    """Every method's line, the penalties chosen per fold, and the predictions."""

    lines: list[Line]
    penalties: list[float]
    claims: int
    predicted: dict[str, str] = field(default_factory=dict)  # the first split's
    specifications: list[str] = field(default_factory=list)  # chosen per fold


def _line(
    name: str, truth: Mapping[str, str], predicted: Sequence[Mapping[str, str]], seed: int
) -> Line:
    low, high = bootstrap_interval(truth, *predicted, seed=seed)
    each = [metrics(truth, p) for p in predicted]
    mean = Figures(
        accuracy=sum(f.accuracy for f in each) / len(each),
        macro_f1=sum(f.macro_f1 for f in each) / len(each),
        tf_accuracy=sum(f.tf_accuracy for f in each) / len(each),
    )
    return Line(name, mean, low, high, tuple(f.macro_f1 for f in each))


def specification_of(model: Model) -> str:
    """The fixed specification a fitted model is (what the inner cross-validation chose)."""
    if model.mentions:
        return "mentions"
    return "diminishing" if model.diminishing else "linear"


def nested_cv(
    labels: Mapping[str, str],
    items_for: ItemsFor,
    *,
    k: int = 5,
    seed: int = 0,
    repeats: int = 1,
    penalties: Sequence[float] = PENALTIES,
    spec: str = "shipped",
    progress: Callable[[str], None] = lambda _: None,
) -> Validation:
    """Nested k-fold cross-validation of the scorer on claims labelled false/unknown/true,
    repeated over ``repeats`` splits (seeds ``seed``, ``seed + 1``, ...)."""
    if repeats < 1:
        raise ValueError("at least one split")
    runs: dict[str, list[dict[str, str]]] = {"claimdesk": [], "majority": [], "any-refuting": []}
    chosen: list[float] = []
    specifications: list[str] = []
    for split in range(seed, seed + repeats):
        predicted: dict[str, str] = {}
        baseline_majority: dict[str, str] = {}
        baseline_refuting: dict[str, str] = {}
        for number, fold in enumerate(folds(labels, k, split), start=1):
            held = set(fold)
            rated = [c for c in sorted(labels) if c not in held]
            items = items_for(rated, fold)
            samples = [Sample(c, tuple(items[c]), labels[c]) for c in rated]
            model = choose_and_fit(samples, seed=split + number, penalties=penalties, spec=spec)
            chosen.append(model.regularisation)
            specifications.append(specification_of(model))
            progress(
                f"split {split}, fold {number}/{k}: {len(rated)} rated, {len(fold)} held out,"
                f" {specifications[-1]}, penalty {model.regularisation:g}"
            )
            predicted.update({c: predict(model, items[c]) for c in fold})
            baseline_majority.update(majority((labels[c] for c in rated), fold))
            baseline_refuting.update(any_refuting({c: [i.stance for i in items[c]] for c in fold}))
        runs["claimdesk"].append(predicted)
        runs["majority"].append(baseline_majority)
        runs["any-refuting"].append(baseline_refuting)
    truth = dict(labels)
    return Validation(
        lines=[_line(name, truth, predicted, seed) for name, predicted in runs.items()],
        penalties=chosen,
        claims=len(truth),
        predicted=runs["claimdesk"][0],
        specifications=specifications,
    )


def held_out_test(
    train: Mapping[str, str],
    test: Mapping[str, str],
    items_for: ItemsFor,
    *,
    seed: int = 0,
    penalties: Sequence[float] = PENALTIES,
    spec: str = "shipped",
    progress: Callable[[str], None] = lambda _: None,
) -> Validation:
    """Fit on ``train`` (penalty by cross-validation on it) and score ``test`` once."""
    rated, held = sorted(train), sorted(test)
    items = items_for(rated, held)
    samples = [Sample(c, tuple(items[c]), train[c]) for c in rated]
    model = choose_and_fit(samples, seed=seed, penalties=penalties, spec=spec)
    progress(f"penalty {model.regularisation:g}")
    predicted = {c: predict(model, items[c]) for c in held}
    refuting = any_refuting({c: [i.stance for i in items[c]] for c in held})
    truth = dict(test)
    return Validation(
        lines=[
            _line("claimdesk", truth, [predicted], seed),
            _line("majority", truth, [majority(train.values(), held)], seed),
            _line("any-refuting", truth, [refuting], seed),
        ],
        penalties=[model.regularisation],
        claims=len(truth),
        predicted=predicted,
        specifications=[specification_of(model)],
    )


def record(
    lines: Sequence[Line],
    *,
    claims: int,
    data: str,
    folds: int,
    seed: int,
    spec: str,
    repeats: int = 1,
    chosen: Sequence[str] = (),
) -> dict[str, Any]:
    """The JSON form of an evaluation: what was measured, how, and each method's figures."""
    return {
        "data": data,
        "claims": claims,
        "folds": folds,
        "seed": seed,
        "repeats": repeats,
        "spec": spec,
        "chosen": {name: list(chosen).count(name) for name in sorted(set(chosen))},
        "methods": {
            line.name: {
                "accuracy": line.figures.accuracy,
                "macro_f1": line.figures.macro_f1,
                "low": line.low,
                "high": line.high,
                "tf_accuracy": line.figures.tf_accuracy,
                "splits": list(line.splits),
            }
            for line in lines
        },
    }


@dataclass(frozen=True)
class Recorded:
    """One method's recorded macro-F1 and its 95% interval."""

    macro_f1: float
    low: float
    high: float


@dataclass(frozen=True)
class Evaluation:
    """A recorded evaluation, as /method shows it."""

    data: str
    claims: int
    methods: Mapping[str, Recorded]
    repeats: int = 1  # splits into folds the figures are the mean of


def load_evaluation(path: Path) -> Evaluation:
    """Read a file written by ``claimdesk eval ... --record``; ValueError if it is not one."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return Evaluation(
            data=str(raw["data"]),
            claims=int(raw["claims"]),
            methods={
                name: Recorded(float(m["macro_f1"]), float(m["low"]), float(m["high"]))
                for name, m in raw["methods"].items()
            },
            repeats=int(raw.get("repeats", 1)),
        )
    except (OSError, KeyError, TypeError, AttributeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: not an evaluation record: {exc}") from exc


@lru_cache(maxsize=1)
def shipped_evaluation() -> Evaluation:
    """The recorded nested figures of the shipped specification (``EVALUATION_PATH``)."""
    return load_evaluation(EVALUATION_PATH)
