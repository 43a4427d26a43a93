"""Judging computed statuses against journalists' verdicts: folds, metrics, baselines.

Pure functions over plain values, shared by ``claimdesk eval`` and the research bench so both
count the same way.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

LABELS = ("true", "false", "unknown")
STATUS_LABEL = {"supported": "true", "refuted": "false"}  # anything else: unknown


def label_of_status(status: str) -> str:
    """A computed status read as a verdict: supported -> true, refuted -> false, else unknown."""
    return STATUS_LABEL.get(status, "unknown")


def folds(ids: Iterable[str], k: int, seed: int) -> list[list[str]]:
    """Split ids into k folds: sorted, shuffled with the seed, dealt round-robin."""
    shuffled = sorted(ids)
    random.Random(seed).shuffle(shuffled)
    return [shuffled[i::k] for i in range(k)]


@dataclass(frozen=True)
class Figures:
    """Accuracy, macro-F1 over the three labels, and accuracy on claims rated true or false."""

    accuracy: float
    macro_f1: float
    tf_accuracy: float

    def line(self, name: str) -> str:
        """The report line: ``NAME  accuracy=0.xxx  macro_f1=0.xxx  tf_accuracy=0.xxx``."""
        return (
            f"{name:<12}  accuracy={self.accuracy:.3f}  macro_f1={self.macro_f1:.3f}"
            f"  tf_accuracy={self.tf_accuracy:.3f}"
        )


def metrics(truth: Mapping[str, str], predicted: Mapping[str, str]) -> Figures:
    """Compare predictions with the truth on every id of ``truth``."""
    ids = sorted(truth)
    if not ids:
        return Figures(0.0, 0.0, 0.0)
    f1s = []
    for label in LABELS:
        hits = sum(1 for c in ids if predicted[c] == label == truth[c])
        said = sum(1 for c in ids if predicted[c] == label)
        real = sum(1 for c in ids if truth[c] == label)
        f1s.append(2 * hits / (said + real) if said + real else 0.0)
    settled = [c for c in ids if truth[c] in ("true", "false")]
    return Figures(
        accuracy=sum(predicted[c] == truth[c] for c in ids) / len(ids),
        macro_f1=sum(f1s) / len(f1s),
        tf_accuracy=(
            sum(predicted[c] == truth[c] for c in settled) / len(settled) if settled else 0.0
        ),
    )


def macro_f1(truth: Mapping[str, str], predicted: Mapping[str, str]) -> float:
    """Macro-F1 over the three labels on every id of ``truth``."""
    return metrics(truth, predicted).macro_f1


def bootstrap_interval(
    truth: Mapping[str, str],
    *predicted: Mapping[str, str],
    resamples: int = 2000,
    seed: int = 0,
    level: float = 0.95,
) -> tuple[float, float]:
    """Percentile bootstrap interval of macro-F1, resampling claims with replacement.

    With several predictions of the same claims (repeated cross-validation: one per split),
    each resample's figure is their mean macro-F1 on the same drawn claims, so the interval
    is that of the reported mean and says how much the claims, not the splits, could move it.
    """
    ids = sorted(truth)
    if not ids or not predicted:
        return 0.0, 0.0
    codes = {label: n for n, label in enumerate(LABELS)}
    size = len(LABELS)
    real = np.array([codes.get(truth[c], size) for c in ids])
    said = np.array([[codes.get(p[c], size) for c in ids] for p in predicted])
    draws = np.random.default_rng(seed).integers(0, len(ids), size=(resamples, len(ids)))
    figures = np.zeros(resamples)
    for guesses in said:
        f1s = np.zeros(resamples)
        for code in range(size):
            is_real, is_said = real[draws] == code, guesses[draws] == code
            hits = np.sum(is_real & is_said, axis=1)
            both = np.sum(is_real, axis=1) + np.sum(is_said, axis=1)
            f1s += np.divide(2 * hits, both, out=np.zeros(resamples), where=both > 0)
        figures += f1s / size
    figures = np.sort(figures / len(said))
    tail = (1 - level) / 2
    return (
        float(figures[int(tail * (resamples - 1))]),
        float(figures[int((1 - tail) * (resamples - 1))]),
    )


def majority(rated_truths: Iterable[str], held_out: Sequence[str]) -> dict[str, str]:
    """The most common verdict among the rated claims, for every held-out claim."""
    counts = Counter(rated_truths)
    top = max(sorted(counts), key=lambda label: counts[label]) if counts else "unknown"
    return dict.fromkeys(held_out, top)


def any_refuting(stances: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """Any refuting source -> false, else any supporting source -> true, else unknown."""
    out = {}
    for claim, seen in stances.items():
        kinds = set(seen)
        out[claim] = "false" if "refutes" in kinds else "true" if "supports" in kinds else "unknown"
    return out
