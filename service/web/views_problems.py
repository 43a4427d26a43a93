"""The pages problem ``type`` URIs point at: what each API error means and what to do."""

from __future__ import annotations

from flask import abort, render_template
from flask.typing import ResponseReturnValue

from service.problem_types import TYPES
from service.web import bp


@bp.get("/problems/")
def problem_types() -> ResponseReturnValue:
    """Every problem the API can answer, by status."""
    return render_template(
        "web/problems.html", types=sorted(TYPES.values(), key=lambda t: (t.status, t.slug))
    )


@bp.get("/problems/<slug>")
def problem_type(slug: str) -> ResponseReturnValue:
    """One problem type, explained (RFC 9457: a type URI should lead to documentation)."""
    found = TYPES.get(slug)
    if found is None:
        abort(404)
    return render_template("web/problem.html", problem=found)
