"""Correcting and withdrawing from the pages: claims, counter-statements (relations).

Each form goes through the same service functions as the API, so the same rules apply, and
carries the version it was opened on (``service.web.versions``): a form opened on a version
someone has since changed is refused with the current values shown, never applied over them.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from claims.errors import Conflict, InvalidRequest, NotFound, StaleRevision
from claims.policy import Action
from claims.schemas import ClaimPublic, ClaimUpdate, Retraction
from claims.services import claimants, ledger, relations, views
from service.db import commit_or_conflict, get_session
from service.web import bp, forms, versions
from service.web.auth import current_actor, refuse_unless_may_retract, requires
from service.web.views_claims import claim_errors, render_claim_form
from service.web.withdrawing import withdrawal_form

EDIT_FORM = ("text", "claimant", "claimant_id", "said_on", "language", "tags", versions.FIELD)
EDIT_FIELDS = {"claimant_id": "claimant"}


def _claim(claim_id: int) -> ClaimPublic:
    session = get_session()
    claim = ledger.get_claim(session=session, claim_id=claim_id, viewer=current_actor())
    return views.claims_public(session=session, claims=[claim])[0]


def _values_of(claim: ClaimPublic) -> dict[str, str]:
    """The edit form filled in with the claim as it is now."""
    return {
        "text": claim.text,
        "claimant": claim.claimant.name if claim.claimant else "",
        "claimant_id": "",
        "said_on": claim.said_on or "",
        "language": "" if claim.language == "und" else claim.language,
        "tags": ", ".join(claim.tags),
        versions.FIELD: versions.claim_version(claim),
    }


def _update_input(values: dict[str, str]) -> dict[str, Any]:
    """Reshape the edit form into ``ClaimUpdate`` input (an emptied field clears the value)."""
    data: dict[str, Any] = {
        "text": values.get("text", "").strip(),
        "said_on": values.get("said_on", "").strip() or None,
        "language": values.get("language", "").strip() or "und",
        "tags": [t.strip() for t in values.get("tags", "").split(",") if t.strip()],
    }
    if values.get("claimant_id", "").strip():
        data["claimant_id"] = values["claimant_id"].strip()
    elif not values.get("claimant", "").strip():
        data["claimant_id"] = None
    return data


def _refuse_stale(state: forms.FormState, current: ClaimPublic) -> None:
    """Keep what the person typed, explain, and carry the current version for a second try."""
    state.add(
        forms.FORM_ERROR,
        _(
            "Someone changed this claim after you opened this form, so your correction was not "
            "saved. The claim as it is now is shown below the form; check your changes against "
            "it and save again."
        ),
    )
    state.values[versions.FIELD] = versions.claim_version(current)


@bp.route("/claims/<int:claim_id>/edit", methods=["GET", "POST"])
@requires(Action.edit)
def edit_claim(claim_id: int) -> ResponseReturnValue:
    """Correct a claim's words, who said it, when, its language and tags."""
    current = _claim(claim_id)
    template = "web/claim_edit.html"
    if current.retracted_at is not None:
        raise InvalidRequest(_("A withdrawn claim cannot be corrected."))
    if request.method == "GET":
        return render_claim_form(
            forms.FormState(values=_values_of(current)), template=template, claim=current
        )
    state = forms.read(EDIT_FORM)
    if state.values[versions.FIELD] != versions.claim_version(current):
        _refuse_stale(state, current)
        return render_claim_form(state, template=template, claim=current, status=409)
    session = get_session()
    data = _update_input(state.values)
    name = state.values.get("claimant", "").strip()
    try:
        if "claimant_id" not in data and name != (
            current.claimant.name if current.claimant else ""
        ):
            data["claimant_id"] = claimants.resolve_or_create(
                session=session, name=name, actor=current_actor()
            ).id
        elif "claimant_id" not in data and current.claimant:
            data["claimant_id"] = current.claimant.id
        claim_in = forms.validate(ClaimUpdate, data, state, fields=EDIT_FIELDS)
        if claim_in is None:
            session.rollback()
            return render_claim_form(state, template=template, claim=current, status=422)
        ledger.update_claim(
            session=session,
            claim_id=claim_id,
            claim_in=claim_in,
            actor=current_actor(),
            expected_revision=current.revision,
        )
    except StaleRevision:
        session.rollback()
        _refuse_stale(state, _claim(claim_id))
        return render_claim_form(state, template=template, claim=current, status=409)
    except (InvalidRequest, NotFound, Conflict) as exc:
        session.rollback()
        if not claim_errors(exc, state):
            raise
        return render_claim_form(state, template=template, claim=current, status=422)
    commit_or_conflict(session)
    flash(_("Claim #%(id)s corrected.", id=claim_id), "success")
    return redirect(url_for("web.claim", claim_id=claim_id), code=303)


@bp.route("/claims/<int:claim_id>/retract", methods=["GET", "POST"])
@requires(Action.retract)
def retract_claim(claim_id: int) -> ResponseReturnValue:
    """Withdraw a claim, saying why; it stays on the record, marked withdrawn."""
    current = _claim(claim_id)
    state = forms.read(forms.RETRACT_FORM)
    if request.method == "GET":
        return render_template("web/claim_retract.html", form=state, claim=current)
    retraction = forms.validate(Retraction, forms.present(state.values, "reason"), state)
    session = get_session()
    if retraction is not None:
        try:
            ledger.retract_claim(
                session=session, claim_id=claim_id, reason=retraction.reason, actor=current_actor()
            )
        except InvalidRequest as exc:
            session.rollback()
            state.add(forms.FORM_ERROR, str(exc))
    if not state.ok:
        return render_template("web/claim_retract.html", form=state, claim=current), 422
    commit_or_conflict(session)
    flash(_("Claim #%(id)s withdrawn.", id=claim_id), "success")
    return redirect(url_for("web.claim", claim_id=claim_id), code=303)


@bp.route("/claims/<int:claim_id>/relations/<int:relation_id>/retract", methods=["GET", "POST"])
@requires(Action.add)
def retract_relation(claim_id: int, relation_id: int) -> ResponseReturnValue:
    """Withdraw a counter-statement link (editors, or the contributor who added it)."""
    session = get_session()
    target = views.statuses_public(
        session=session, claims=[ledger.get_claim(session=session, claim_id=claim_id)]
    )[0]
    found = relations.get_relation(session=session, claim_id=claim_id, relation_id=relation_id)
    (item,) = views.relations_public(session=session, claim_id=claim_id, relations=[found])
    refuse_unless_may_retract(item.added_by)

    def withdraw(reason: str) -> None:
        relations.retract_relation(
            session=session,
            claim_id=claim_id,
            relation_id=relation_id,
            reason=reason,
            actor=current_actor(),
        )

    return withdrawal_form(
        template="web/relation_retract.html",
        context={"target": target, "item": item},
        withdraw=withdraw,
        done=_("Counter-statement withdrawn."),
        back=url_for("web.claim", claim_id=claim_id, _anchor="counter-statements"),
    )
