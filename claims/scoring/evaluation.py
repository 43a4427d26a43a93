"""Judging computed statuses against journalists' verdicts: folds, metrics, baselines.

Pure functions over plain values, shared by ``claimdesk eval`` and the research bench so both
count the same way.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

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
    predicted: Mapping[str, str],
    *,
    resamples: int = 2000,
    seed: int = 0,
    level: float = 0.95,
) -> tuple[float, float]:
    """Percentile bootstrap interval of macro-F1, resampling claims with replacement."""
    ids = sorted(truth)
    if not ids:
        return 0.0, 0.0
    rng = random.Random(seed)
    figures = []
    for _ in range(resamples):
        drawn = [rng.choice(ids) for _ in ids]
        # Resampled ids repeat, so rename each draw to keep every copy.
        t = {f"{n}:{c}": truth[c] for n, c in enumerate(drawn)}
        p = {f"{n}:{c}": predicted[c] for n, c in enumerate(drawn)}
        figures.append(macro_f1(t, p))
    figures.sort()
    tail = (1 - level) / 2
    return figures[int(tail * (resamples - 1))], figures[int((1 - tail) * (resamples - 1))]


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
