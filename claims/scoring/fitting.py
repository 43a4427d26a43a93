"""Fitting the scorer to editors' verdicts: a regularised ordinal logistic regression.

A claim is described by six numbers (`claims.scoring.score.claim_features`): for each side, the sum
over its independent items of (stance share, factor x record held, factor x record unverified),
where the stance share is the item's factor (linear) or the step it adds to log(1 + the side's
summed factors) (diminishing returns). The verdicts are ordered false < unknown < true
(unknown: never settled, or mixed), and the model says P(verdict <= false) =
sigmoid(cut_false - z), P(verdict <= unknown) = sigmoid(cut_true - z) with z = w . x. Eight
numbers in all, an L2 penalty on the six weights, classes weighted so each counts as much as
the others (the figure that matters is macro-F1), and the sign of every weight fixed by design
(see `fit`). The penalty and the reading of the stance share (linear or diminishing) are chosen
by cross-validation on the training claims only (`choose_and_fit`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize

from claims.scoring.evaluation import folds, macro_f1
from claims.scoring.model import Model, SideWeights
from claims.scoring.score import Item, claim_features, score_claim

ORDER: Final = ("false", "unknown", "true")
RATING_LABEL: Final[Mapping[str, str]] = {
    "true": "true",
    "mostly_true": "true",
    "false": "false",
    "mostly_false": "false",
    "mixed": "unknown",
    "unverifiable": "unknown",
    "unknown": "unknown",
}
PENALTIES: Final = (0.0003, 0.003, 0.03, 0.3)
# Specifications one fit can be asked for (docs/scoring.md, "Specifications tried"): six
# weights over linear stance shares, the same over diminishing ones, and linear plus a weight
# on reports that merely mention a claim.
FIXED: Final = ("linear", "diminishing", "mentions")
# What the shipped procedure chooses between, inside the cross-validation on the rated claims
# alone (with the penalty): so the nested figure pays for the choice.
CANDIDATES: Final = ("linear", "diminishing")
# ``shipped`` is that choice; any name of FIXED fits that specification only.
SPECS: Final = ("shipped", *FIXED)
INNER_FOLDS: Final = 5
STATUS_LABEL: Final[Mapping[str, str]] = {"supported": "true", "refuted": "false"}


@dataclass(frozen=True)
class Sample:
    """One rated claim: its items (records learned without its own verdict) and its label."""

    claim: str
    items: tuple[Item, ...]
    label: str


def label_of_rating(rating: str) -> str:
    """An editor's rating as one of false / unknown / true."""
    try:
        return RATING_LABEL[rating]
    except KeyError:
        raise ValueError(f"unknown rating {rating!r}") from None


def predict(model: Model, items: Sequence[Item]) -> str:
    """The label the scorer gives a claim scored fresh: supported true, refuted false."""
    return STATUS_LABEL.get(score_claim(items, model=model).status, "unknown")


def _sigmoid(x: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * x)), dtype=np.float64)


def _objective(
    params: NDArray[np.float64],
    x: NDArray[np.float64],
    y: NDArray[np.intp],
    weight: NDArray[np.float64],
    penalty: float,
) -> tuple[float, NDArray[np.float64]]:
    n = x.shape[1]
    w, cuts = params[:n], params[n:]
    z = x @ w
    low, high = _sigmoid(cuts[0] - z), _sigmoid(cuts[1] - z)
    cdf = np.stack([np.zeros_like(z), low, high, np.ones_like(z)], axis=1)
    upper, lower = cdf[np.arange(len(y)), y + 1], cdf[np.arange(len(y)), y]
    prob = np.maximum(upper - lower, 1e-12)
    value = -float(np.sum(weight * np.log(prob))) + penalty * float(w @ w)
    dens = cdf * (1 - cdf)  # derivative of each sigmoid, 0 at the two ends
    d_upper, d_lower = dens[np.arange(len(y)), y + 1], dens[np.arange(len(y)), y]
    coef = weight / prob
    grad_z = coef * (d_upper - d_lower)  # d(-log p)/dz
    grad = np.zeros_like(params)
    grad[:n] = x.T @ grad_z + 2 * penalty * w
    for k in (0, 1):
        grad[n + k] = -float(np.sum(coef * (d_upper * (y + 1 == k + 1) - d_lower * (y == k + 1))))
    return value, grad


def features(samples: Sequence[Sample], spec: str) -> NDArray[np.float64]:
    """The fit's inputs for one fixed specification: a row per claim."""
    n = 7 if spec == "mentions" else 6
    diminishing = spec == "diminishing"
    return np.array(
        [claim_features(s.items, diminishing=diminishing)[:n] for s in samples], dtype=np.float64
    )


def fit(
    samples: Sequence[Sample],
    penalty: float,
    *,
    name: str = "fitted",
    spec: str = "linear",
    x: NDArray[np.float64] | None = None,
) -> Model:
    """Fit the model to labelled claims with this L2 penalty (per claim, classes balanced).

    ``x`` is ``features(samples, spec)`` when the caller has it already (the cross-validation
    reuses one matrix for every fold and penalty).
    """
    if not samples:
        raise ValueError("no rated claim to fit on")
    if spec not in FIXED:
        raise ValueError(f"unknown specification {spec!r}")
    n = 7 if spec == "mentions" else 6
    if x is None:
        x = features(samples, spec)
    y = np.array([ORDER.index(s.label) for s in samples], dtype=np.intp)
    counts = np.bincount(y, minlength=3).astype(np.float64)
    present = counts > 0
    weight = np.where(present, len(y) / (present.sum() * np.maximum(counts, 1)), 0.0)[y]
    weight = weight / weight.sum()
    start = np.array([0.0] * n + [-1.0, 1.0])
    # Signs fixed by design, so every weight reads one way: a report pushes towards its own
    # side, a record of stances that held up makes it push harder, a record of stances on
    # claims never verified makes it push less.
    # A mention (the `mentions` specification) can only take weight away.
    bounds = [(0, None), (0, None), (None, 0), (None, 0), (None, 0), (0, None), (None, 0)][:n]
    result = minimize(
        _objective,
        start,
        args=(x, y, weight, penalty),
        jac=True,
        method="L-BFGS-B",
        bounds=[*bounds, (None, None), (None, None)],
        options={"maxiter": 2000, "ftol": 1e-12, "gtol": 1e-9},
    )
    w, (cut_false, cut_true) = result.x[:n], result.x[n:]
    if not cut_true > cut_false + 1e-6:  # a class never seen: keep a narrow middle
        cut_false, cut_true = min(cut_false, cut_true) - 0.05, max(cut_false, cut_true) + 0.05
    return Model(
        name=name,
        weights={
            "supports": SideWeights(float(w[0]), float(w[1]), float(w[2])),
            "refutes": SideWeights(float(w[3]), float(w[4]), float(w[5])),
        },
        cut_false=float(cut_false),
        cut_true=float(cut_true),
        regularisation=penalty,
        claims=len(samples),
        mentions=min(0.0, float(w[6])) if n == 7 else 0.0,
        diminishing=spec == "diminishing",
    )


def choose_and_fit(
    samples: Sequence[Sample],
    *,
    seed: int = 0,
    penalties: Sequence[float] = PENALTIES,
    k: int = INNER_FOLDS,
    name: str = "fitted",
    spec: str = "shipped",
    progress: Callable[[str], None] = lambda _: None,
) -> Model:
    """Choose the specification (``shipped``: among CANDIDATES) and the penalty by k-fold
    cross-validation on `samples` alone, then fit on them all."""
    if spec not in SPECS:
        raise ValueError(f"unknown specification {spec!r}")
    by_claim = {s.claim: s for s in samples}
    truth = {c: s.label for c, s in by_claim.items()}
    splits = folds(by_claim, min(k, len(by_claim)), seed)
    best: tuple[float, str, float] | None = None
    for candidate in CANDIDATES if spec == "shipped" else (spec,):
        x = features(samples, candidate)
        for penalty in penalties:
            predicted: dict[str, str] = {}
            for fold in splits:
                held = set(fold)
                train = [i for i, s in enumerate(samples) if s.claim not in held]
                model = fit([samples[i] for i in train], penalty, spec=candidate, x=x[train])
                predicted.update({c: predict(model, by_claim[c].items) for c in fold})
            figure = macro_f1(truth, predicted)
            progress(f"{candidate}, penalty {penalty:g}: inner macro-F1 {figure:.3f}")
            # Ties go to the earlier candidate (linear: the simpler reading), then to the
            # larger penalty (the simpler model).
            better = (
                best is None or figure > best[0] or (figure == best[0] and candidate == best[1])
            )
            if better:
                best = (figure, candidate, penalty)
    assert best is not None
    return fit(samples, best[2], name=name, spec=best[1])
