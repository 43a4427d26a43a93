"""The fitted parameters of the scorer: what they are, how they turn into points, where they live.

The shipped defaults are `claims/scoring/scoring_model.json`, written by
``claimdesk scoring fit-emergent`` (fitted on the shared Emergent claims) and replaceable by
``claimdesk scoring refit`` (fitted on a deployment's own editors' verdicts); docs/scoring.md
says how. The model is an ordinal logistic regression: a claim's evidence adds up to a number
z, and the claim reads false below the first cut point, true above the second, unknown between.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Final, Literal

Side = Literal["supports", "refutes"]
SIDES: Final[tuple[Side, ...]] = ("supports", "refutes")
DEFAULT_PATH: Final = Path(__file__).with_name("scoring_model.json")


class ModelError(ValueError):
    """A model file that is not a scorer model."""


@dataclass(frozen=True)
class SideWeights:
    """Weights of one side: a lone item, and how its publisher's record moves it."""

    base: float
    held: float  # times log((held+1)/(failed+1))
    unverified: float  # times log((unverified+1)/(held+failed+1))


@dataclass(frozen=True)
class Model:
    """Fitted weights and cut points, with where they came from."""

    name: str
    weights: dict[Side, SideWeights]
    cut_false: float  # z at or below which a claim reads false
    cut_true: float  # z at or above which it reads true
    regularisation: float = 0.0
    fitted_on: str = ""
    claims: int = 0
    # z per independent report that repeats the claim without taking a side (<= 0; 0 in the
    # shipped specification, where a mention weighs nothing: docs/scoring.md, "Specifications").
    mentions: float = 0.0
    # Each further report on a side adds less: the base weight multiplies the step a report
    # adds to log(1 + the side's summed factors) instead of its factor (docs/scoring.md,
    # "Diminishing returns"). The inner cross-validation chooses it (``fitting.CANDIDATES``).
    diminishing: bool = False

    def __post_init__(self) -> None:
        """Refuse a model whose cut points are not in order: it would have no middle."""
        numbers = [self.cut_false, self.cut_true, self.regularisation, self.mentions]
        for weights in self.weights.values():
            numbers += [weights.base, weights.held, weights.unverified]
        if not all(math.isfinite(n) for n in numbers) or set(self.weights) != set(SIDES):
            raise ModelError("a model needs finite weights for both sides")
        if not self.cut_true > self.cut_false:
            raise ModelError("cut_true must be above cut_false")
        if self.mentions > 0:
            raise ModelError("a mention can only take weight away (mentions <= 0)")

    @property
    def centre(self) -> float:
        """The z halfway between the cut points."""
        return (self.cut_false + self.cut_true) / 2

    @property
    def half_width(self) -> float:
        """Distance from the centre to either cut point."""
        return (self.cut_true - self.cut_false) / 2

    def to_points(self, z: float, scale: int) -> float:
        """A change of z in points, where `scale` points span centre to cut point."""
        return scale * z / self.half_width

    def start_points(self, scale: int) -> int:
        """Where a claim with no weighted evidence starts: the model's intercept, in points."""
        return round(self.to_points(-self.centre, scale))

    def lean(self, total: int, scale: int) -> float:
        """A share in (0, 1) that grows with the score: logistic of z from the centre."""
        z = total * self.half_width / scale
        return 1.0 / (1.0 + math.exp(-max(-700.0, min(700.0, z))))

    def to_dict(self) -> dict[str, Any]:
        """The JSON form written to a model file (``mentions`` and ``diminishing`` only when
        they apply, so an older file reads and digests as it did)."""
        data: dict[str, Any] = {
            "name": self.name,
            "fitted_on": self.fitted_on,
            "claims": self.claims,
            "regularisation": self.regularisation,
            "cut_false": self.cut_false,
            "cut_true": self.cut_true,
            "weights": {
                side: {"base": w.base, "held": w.held, "unverified": w.unverified}
                for side, w in self.weights.items()
            },
        }
        if self.mentions:
            data["mentions"] = self.mentions
        if self.diminishing:
            data["diminishing"] = True
        return data

    @classmethod
    def from_dict(cls, data: Any) -> Model:
        """Read the JSON form; ModelError when anything is missing or of the wrong type."""
        try:
            weights = {
                side: SideWeights(
                    base=float(data["weights"][side]["base"]),
                    held=float(data["weights"][side]["held"]),
                    unverified=float(data["weights"][side]["unverified"]),
                )
                for side in SIDES
            }
            return cls(
                name=str(data["name"]),
                weights=weights,
                cut_false=float(data["cut_false"]),
                cut_true=float(data["cut_true"]),
                regularisation=float(data.get("regularisation", 0.0)),
                fitted_on=str(data.get("fitted_on", "")),
                claims=int(data.get("claims", 0)),
                mentions=float(data.get("mentions", 0.0)),
                diminishing=_flag(data.get("diminishing", False)),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ModelError(f"not a scorer model: {exc}") from exc


def _flag(value: Any) -> bool:
    """A JSON boolean, strictly: "false" or 0 must not read as a choice."""
    if not isinstance(value, bool):
        raise ModelError(f"diminishing must be true or false, not {value!r}")
    return value


def load_model(path: Path) -> Model:
    """Read a model file; ModelError if it is not one."""
    try:
        return Model.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelError(f"{path}: {exc}") from exc


def save_model(model: Model, path: Path) -> None:
    """Write a model file (sorted keys, so a refit shows as a readable diff)."""
    path.write_text(json.dumps(model.to_dict(), indent=2, sort_keys=True) + "\n", encoding="utf-8")


@lru_cache(maxsize=1)
def shipped_model() -> Model:
    """The defaults fitted on the shared Emergent claims and shipped with the package."""
    return load_model(DEFAULT_PATH)


# Where a deployment's refitted model rides on its Sessions (``Session.info``): the app's
# runtime puts it there (``service/app.py``); a Session without one scores with the shipped
# defaults. No process-wide choice, so two apps in one process never see each other's model.
SESSION_KEY: Final = "claimdesk.scoring_model"


def model_of(info: Mapping[str, Any]) -> Model:
    """The model a Session's ``info`` names, else the shipped defaults."""
    found = info.get(SESSION_KEY)
    return found if isinstance(found, Model) else shipped_model()
