"""The public page that explains how a claim's status is computed (``/method``)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal

from claims.scoring.score import (
    HYSTERESIS_POINTS,
    INTERESTED_SHARE,
    KIND_FACTORS,
    SCALE,
    lone_share,
)
from claims.scoring.validation import shipped_evaluation
from service.runtime import current_runtime
from service.web import bp
from service.web.explain import signed


@dataclass(frozen=True)
class Measured:
    """The recorded nested figures (claims/scoring/scoring_evaluation.json), in the reader's
    notation."""

    claims: str
    f1: str
    low: str
    high: str
    baseline: str
    splits: int


def two_places(value: float) -> str:
    """A figure with two decimals in the reader's notation (0.63, 0,63)."""
    return str(format_decimal(value, format="0.00"))


def measured() -> Measured:
    """The figures of the shipped specification's nested cross-validation, as recorded."""
    record = shipped_evaluation()
    ours, rule = record.methods["claimdesk"], record.methods["any-refuting"]
    return Measured(
        claims=str(format_decimal(record.claims, format="#,##0")),
        f1=two_places(ours.macro_f1),
        low=two_places(ours.low),
        high=two_places(ours.high),
        baseline=two_places(rule.macro_f1),
        splits=record.repeats,
    )


@bp.get("/method")
def method() -> ResponseReturnValue:
    """What the score is made of, the fitted figures in use, and where they come from."""
    model = current_runtime().scoring_model
    lone = lone_share(model)
    base = {
        side: signed(round(model.to_points(weights.base * lone, SCALE)))
        for side, weights in model.weights.items()
    }
    return render_template(
        "web/method.html",
        model=model,
        start=signed(model.start_points(SCALE)),
        support_points=base["supports"],
        refute_points=base["refutes"],
        up=signed(SCALE),
        down=signed(-SCALE),
        margin=HYSTERESIS_POINTS,
        share=round(INTERESTED_SHARE * 100),
        primary=format_decimal(KIND_FACTORS["primary"], format="0.##"),
        measured=measured(),
    )
