"""Contributors' forms on a claim: add evidence, add a counter-statement, retract evidence."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from claims.errors import Candidate, Conflict, DuplicateClaim, InvalidRequest, NotFound
from claims.policy import Action
from claims.schemas import (
    ClaimCreate,
    ClaimStatusPublic,
    EvidenceCreate,
    RelationCreate,
)
from claims.services import counters, evidence, ledger, relations, views
from service.db import commit_or_conflict, get_session
from service.runtime import current_runtime
from service.web import bp, forms
from service.web.auth import current_actor, refuse_unless_may_retract, requires
from service.web.views_claims import claim_errors, render_claim_form
from service.web.withdrawing import withdrawal_form
from sources.errors import InvalidSource


def _claim_status(claim_id: int) -> ClaimStatusPublic:
    """The claim being worked on, as the status card at the top of each form."""
    session = get_session()
    claim = ledger.get_claim(session=session, claim_id=claim_id)
    return views.statuses_public(session=session, claims=[claim])[0]


def _back(claim_id: int, anchor: str) -> ResponseReturnValue:
    return redirect(url_for("web.claim", claim_id=claim_id, _anchor=anchor), code=303)


@bp.route("/claims/<int:claim_id>/evidence/new", methods=["GET", "POST"])
@requires(Action.add)
def add_evidence(claim_id: int) -> ResponseReturnValue:
    """A source's stance on the claim, with the exact quote that carries it."""
    target = _claim_status(claim_id)
    state = forms.read(forms.EVIDENCE_FORM)
    if request.method == "GET":
        return render_template("web/evidence_new.html", form=state, target=target)
    evidence_in = forms.validate(
        EvidenceCreate, forms.evidence_input(state.values), state, fields=forms.EVIDENCE_FIELDS
    )
    session = get_session()
    if evidence_in is not None:
        try:
            evidence.add_evidence(
                session=session, claim_id=claim_id, evidence_in=evidence_in, actor=current_actor()
            )
        except (InvalidRequest, InvalidSource) as exc:
            session.rollback()
            state.add(
                forms.EVIDENCE_FIELDS.get(exc.field or "", exc.field or "source_url"), str(exc)
            )
    if not state.ok:
        return render_template("web/evidence_new.html", form=state, target=target), 422
    commit_or_conflict(session)
    flash(_("Evidence added."), "success")
    return _back(claim_id, "evidence")


@bp.route("/claims/<int:claim_id>/counter/new", methods=["GET", "POST"])
@requires(Action.add)
def add_counter(claim_id: int) -> ResponseReturnValue:
    """A counter-statement: a new claim answering this one, or a link to an existing claim."""
    target = _claim_status(claim_id)
    state = forms.read(forms.COUNTER_FORM)

    def show(status: int = 200, duplicates: list[Candidate] | None = None) -> ResponseReturnValue:
        return render_claim_form(
            state,
            template="web/counter_new.html",
            status=status,
            duplicates=duplicates,
            target=target,
            kinds=forms.COUNTER_KINDS,
        )

    if request.method == "GET":
        state.values.update(mode="new", kind="rebuts")
        return show()
    if request.form.get("link_existing"):  # "link claim #N instead" on the duplicate warning
        state.values.update(mode="existing", other_claim=request.form["link_existing"])
    relation_in = forms.validate(
        RelationCreate,
        forms.counter_relation_input(state.values, claim_id=claim_id),
        state,
        fields=forms.COUNTER_FIELDS,
    )
    existing = state.values.get("mode") == "existing"
    claim_in = None
    if not existing:
        claim_in = forms.validate(
            ClaimCreate, forms.claim_input(state.values), state, fields=forms.CLAIM_FIELDS
        )
    if relation_in is None or (claim_in is None and not existing):
        return show(422)
    session = get_session()
    try:
        if existing:
            relations.add_relation(
                session=session, claim_id=claim_id, relation_in=relation_in, actor=current_actor()
            )
        else:
            assert claim_in is not None
            counters.add_counter_statement(
                session=session,
                claim_id=claim_id,
                claim_in=claim_in,
                relation_in=relation_in,
                actor=current_actor(),
                allow_duplicate=forms.confirmed_distinct(state.values),
                duplicate_threshold=current_runtime().settings.duplicate_threshold,
            )
    except DuplicateClaim as exc:
        session.rollback()
        return show(duplicates=exc.candidates)
    except (InvalidRequest, NotFound, Conflict) as exc:
        session.rollback()
        field = getattr(exc, "field", None)
        if existing and (field in ("subject_id", "object_id") or isinstance(exc, Conflict)):
            state.add("other_claim", str(exc))
        elif field == "kind":
            state.add("kind", str(exc))
        elif not claim_errors(exc, state):
            raise
        return show(422)
    commit_or_conflict(session)
    flash(_("Counter-statement recorded."), "success")
    return _back(claim_id, "counter-statements")


@bp.route("/claims/<int:claim_id>/evidence/<int:evidence_id>/retract", methods=["GET", "POST"])
@requires(Action.add)
def retract_evidence(claim_id: int, evidence_id: int) -> ResponseReturnValue:
    """Withdraw evidence, saying why (editors, or the contributor who added it)."""
    session = get_session()
    row = evidence.get_evidence(session=session, claim_id=claim_id, evidence_id=evidence_id)
    (item,) = views.evidence_public(session=session, rows=[row])
    refuse_unless_may_retract(item.added_by)

    def withdraw(reason: str) -> None:
        evidence.retract_evidence(
            session=session,
            claim_id=claim_id,
            evidence_id=evidence_id,
            reason=reason,
            actor=current_actor(),
        )

    return withdrawal_form(
        template="web/evidence_retract.html",
        context={"target": _claim_status(claim_id), "item": item},
        withdraw=withdraw,
        done=_("Evidence retracted."),
        back=url_for("web.claim", claim_id=claim_id, _anchor="evidence"),
    )
