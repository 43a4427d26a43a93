"""The public page that explains how a claim's status is computed (``/method``)."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from claims.scoring import HYSTERESIS_POINTS, INTERESTED_SHARE, SCALE
from claims.scoring_model import default_model
from service.web import bp
from service.web.explain import signed


@bp.get("/method")
def method() -> ResponseReturnValue:
    """What the score is made of, the fitted figures in use, and where they come from."""
    model = default_model()
    base = {
        side: signed(round(model.to_points(weights.base, SCALE)))
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
    )
