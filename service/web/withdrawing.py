"""The withdrawal form every record shares: ask why, withdraw through the service, go back."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import flash, redirect, render_template, request
from flask.typing import ResponseReturnValue

from claims.errors import InvalidRequest
from claims.schemas import Retraction
from service.db import commit_or_conflict, get_session
from service.web import forms


def withdrawal_form(
    *,
    template: str,
    context: Mapping[str, Any],
    withdraw: Callable[[str], object],
    done: str,
    back: str,
    error_field: str = "reason",
) -> ResponseReturnValue:
    """GET shows ``template``; POST withdraws with the reason given, commits, says ``done``
    and sends the reader ``back`` (303). A reason the form or the service refuses is shown
    beside ``error_field`` with the form again (422), and nothing is written."""
    state = forms.read(forms.RETRACT_FORM)
    if request.method == "GET":
        return render_template(template, form=state, **context)
    retraction = forms.validate(Retraction, forms.present(state.values, "reason"), state)
    session = get_session()
    if retraction is not None:
        try:
            withdraw(retraction.reason)
        except InvalidRequest as exc:
            session.rollback()
            state.add(error_field, str(exc))
    if not state.ok:
        return render_template(template, form=state, **context), 422
    commit_or_conflict(session)
    flash(done, "success")
    return redirect(back, code=303)
