"""Editors' pages: the review queue of submitted claims, and verdicts."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from claims.errors import InvalidRequest
from claims.policy import Action
from claims.schemas import ClaimPublic, Retraction, VerdictCreate
from claims.services import ledger, verdicts, views
from service.db import commit_or_conflict, get_session
from service.web import bp, forms, versions
from service.web.auth import current_actor, requires


def _queue(
    states: dict[int, forms.FormState] | None = None, status: int = 200
) -> ResponseReturnValue:
    session = get_session()
    waiting = ledger.review_queue(session=session, actor=current_actor())
    claims: list[ClaimPublic] = views.claims_public(session=session, claims=waiting)
    nearby = {
        c.id: ledger.duplicates_of(session=session, text=c.text, threshold=60, exclude=c.id)[:3]
        for c in claims
    }
    similar_ids = sorted({m.claim_id for found in nearby.values() for m in found})
    similar = views.statuses_public(
        session=session,
        claims=[ledger.get_claim(session=session, claim_id=i) for i in similar_ids],
    )
    body = render_template(
        "web/review.html",
        claims=claims,
        nearby=nearby,
        similar={s.id: s for s in similar},
        states=states or {},
        empty_form=forms.FormState(),
    )
    return body, status


@bp.get("/review")
@requires(Action.review)
def review() -> ResponseReturnValue:
    """Claims submitted without an account, waiting to be accepted or rejected."""
    return _queue()


@bp.post("/review/<int:claim_id>/accept")
@requires(Action.review)
def accept(claim_id: int) -> ResponseReturnValue:
    """Publish a submitted claim."""
    session = get_session()
    try:
        ledger.accept_claim(session=session, claim_id=claim_id, actor=current_actor())
    except InvalidRequest as exc:
        session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("web.review"), code=303)
    commit_or_conflict(session)
    flash(_("Claim #%(id)s is now published.", id=claim_id), "success")
    return redirect(url_for("web.review"), code=303)


@bp.post("/review/<int:claim_id>/reject")
@requires(Action.review)
def reject(claim_id: int) -> ResponseReturnValue:
    """Reject a submitted claim: it is retracted with the reason and never published."""
    state = forms.read(forms.RETRACT_FORM)
    retraction = forms.validate(Retraction, forms.present(state.values, "reason"), state)
    if retraction is None:
        return _queue({claim_id: state}, status=422)
    session = get_session()
    try:
        ledger.retract_claim(
            session=session, claim_id=claim_id, reason=retraction.reason, actor=current_actor()
        )
    except InvalidRequest as exc:
        session.rollback()
        state.add("reason", str(exc))
        return _queue({claim_id: state}, status=422)
    commit_or_conflict(session)
    flash(_("Claim #%(id)s rejected.", id=claim_id), "success")
    return redirect(url_for("web.review"), code=303)


@bp.route("/claims/<int:claim_id>/verdict/new", methods=["GET", "POST"])
@requires(Action.rule)
def add_verdict(claim_id: int) -> ResponseReturnValue:
    """An editor's rating and rationale; it supersedes the previous verdict."""
    session = get_session()
    claim = ledger.get_claim(session=session, claim_id=claim_id)
    history = [
        views.verdict_public(v) for v in verdicts.list_verdicts(session=session, claim_id=claim_id)
    ]
    # The newest verdict is in force unless it was withdrawn (a withdrawn one is superseded).
    current = history[0] if history and history[0].superseded_at is None else None
    context = {
        "target": views.statuses_public(session=session, claims=[claim])[0],
        "history": history,
        "current": current,
    }
    state = forms.read((*forms.VERDICT_FORM, versions.FIELD))
    if request.method == "GET":
        state.values[versions.FIELD] = versions.verdict_version(current)
        return render_template("web/verdict_new.html", form=state, **context)
    if state.values[versions.FIELD] != versions.verdict_version(current):
        # Another editor ruled after this form was opened: publishing now would silently
        # supersede a verdict this editor has not read.
        state.add(
            forms.FORM_ERROR,
            _(
                "Another verdict was published after you opened this form, so yours was not "
                "saved. Read the current verdict above, then publish yours again if it still "
                "stands."
            ),
        )
        state.values[versions.FIELD] = versions.verdict_version(current)
        return render_template("web/verdict_new.html", form=state, **context), 409
    verdict_in = forms.validate(
        VerdictCreate, forms.present(state.values, *forms.VERDICT_FORM), state
    )
    if verdict_in is not None:
        try:
            verdicts.add_verdict(
                session=session, claim_id=claim_id, verdict_in=verdict_in, actor=current_actor()
            )
        except InvalidRequest as exc:
            session.rollback()
            state.add("rating", str(exc))
    if not state.ok:
        return render_template("web/verdict_new.html", form=state, **context), 422
    commit_or_conflict(session)
    flash(_("Verdict recorded."), "success")
    return redirect(url_for("web.claim", claim_id=claim_id, _anchor="verdict"), code=303)
