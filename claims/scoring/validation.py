"""Nested cross-validation of the fitted scorer, beside the baselines, with intervals.

The outer folds estimate how the whole procedure (choose the penalty, fit, score) does on
claims it never saw: in each outer fold the penalty is chosen by an inner cross-validation on
the training claims only, the model is fitted on them, and the held-out claims are scored.
Nothing about a held-out claim reaches the fit: its verdict is withheld from the publishers'
records as well (the caller builds items per fold, `ItemsFor`).
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
    """One method's figures over all held-out claims, and the interval of its macro-F1."""

    name: str
    figures: Figures
    low: float
    high: float

    def text(self) -> str:
        """``NAME  accuracy=..  macro_f1=.. [low, high]  tf_accuracy=..``."""
        f = self.figures
        return (
            f"{self.name:<12}  accuracy={f.accuracy:.3f}  macro_f1={f.macro_f1:.3f}"
            f" [{self.low:.3f}, {self.high:.3f}]  tf_accuracy={f.tf_accuracy:.3f}"
        )


@dataclass
class Validation:
    """Every method's line, the penalties chosen per fold, and the predictions."""

    lines: list[Line]
    penalties: list[float]
    claims: int
    predicted: dict[str, str] = field(default_factory=dict)


def _line(name: str, truth: Mapping[str, str], predicted: Mapping[str, str], seed: int) -> Line:
    low, high = bootstrap_interval(truth, predicted, seed=seed)
    return Line(name, metrics(truth, predicted), low, high)


def nested_cv(
    labels: Mapping[str, str],
    items_for: ItemsFor,
    *,
    k: int = 5,
    seed: int = 0,
    penalties: Sequence[float] = PENALTIES,
    spec: str = "shipped",
    progress: Callable[[str], None] = lambda _: None,
) -> Validation:
    """Nested k-fold cross-validation of the scorer on claims labelled false/unknown/true."""
    predicted: dict[str, str] = {}
    baseline_majority: dict[str, str] = {}
    baseline_refuting: dict[str, str] = {}
    chosen: list[float] = []
    for number, fold in enumerate(folds(labels, k, seed), start=1):
        held = set(fold)
        rated = [c for c in sorted(labels) if c not in held]
        items = items_for(rated, fold)
        samples = [Sample(c, tuple(items[c]), labels[c]) for c in rated]
        model = choose_and_fit(samples, seed=seed + number, penalties=penalties, spec=spec)
        chosen.append(model.regularisation)
        progress(
            f"fold {number}/{k}: {len(rated)} rated, {len(fold)} held out,"
            f" penalty {model.regularisation:g}"
        )
        predicted.update({c: predict(model, items[c]) for c in fold})
        baseline_majority.update(majority((labels[c] for c in rated), fold))
        baseline_refuting.update(any_refuting({c: [i.stance for i in items[c]] for c in fold}))
    truth = dict(labels)
    return Validation(
        lines=[
            _line("claimdesk", truth, predicted, seed),
            _line("majority", truth, baseline_majority, seed),
            _line("any-refuting", truth, baseline_refuting, seed),
        ],
        penalties=chosen,
        claims=len(truth),
        predicted=predicted,
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
            _line("claimdesk", truth, predicted, seed),
            _line("majority", truth, majority(train.values(), held), seed),
            _line("any-refuting", truth, refuting, seed),
        ],
        penalties=[model.regularisation],
        claims=len(truth),
        predicted=predicted,
    )


def record(
    lines: Sequence[Line], *, claims: int, data: str, folds: int, seed: int, spec: str
) -> dict[str, Any]:
    """The JSON form of an evaluation: what was measured, how, and each method's figures."""
    return {
        "data": data,
        "claims": claims,
        "folds": folds,
        "seed": seed,
        "spec": spec,
        "methods": {
            line.name: {
                "accuracy": line.figures.accuracy,
                "macro_f1": line.figures.macro_f1,
                "low": line.low,
                "high": line.high,
                "tf_accuracy": line.figures.tf_accuracy,
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
        )
    except (OSError, KeyError, TypeError, AttributeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: not an evaluation record: {exc}") from exc


@lru_cache(maxsize=1)
def shipped_evaluation() -> Evaluation:
    """The recorded nested figures of the shipped specification (``EVALUATION_PATH``)."""
    return load_evaluation(EVALUATION_PATH)
