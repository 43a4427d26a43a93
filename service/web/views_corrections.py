"""Correcting evidence and counter-statements, and withdrawing a verdict, from the pages.

Each form goes through the same service functions as the API (``update_evidence``,
``update_relation``, ``withdraw_verdict``), so the same rules apply: editors correct anything,
contributors what they added; only editors withdraw a verdict. Each form carries the version it
was opened on (``service.web.versions``); a form opened on a version someone has since changed
is refused with 409 and the record as it is now, never applied over it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlmodel import Session

from claims.errors import Conflict, InvalidRequest, NotFound, PermissionDenied, StaleRevision
from claims.policy import Action
from claims.schemas import (
    EvidencePublic,
    EvidenceUpdate,
    RelationPublic,
    RelationUpdate,
    Retraction,
    VerdictPublic,
)
from claims.services import evidence, ledger, relations, verdicts, views
from service.db import commit_or_conflict, get_session
from service.web import bp, forms, versions
from service.web.auth import current_actor, may_correct, requires
from sources.errors import InvalidSource

EVIDENCE_EDIT_FORM = (*forms.EVIDENCE_FORM, versions.FIELD)
RELATION_EDIT_FORM = ("kind", "first_hand", "note", versions.FIELD)
WITHDRAW_FORM = (*forms.RETRACT_FORM, versions.FIELD)


def _refuse_unless_may_correct(added_by: str) -> None:
    if not may_correct(added_by):
        raise PermissionDenied(_("Only an editor, or the person who added it, may correct this."))


def _target(claim_id: int) -> Any:
    session = get_session()
    claim = ledger.get_claim(session=session, claim_id=claim_id)
    return views.statuses_public(session=session, claims=[claim])[0]


def _stale(state: forms.FormState, what: str, version: str) -> None:
    """Keep what the person typed, say why nothing was saved, carry the version now."""
    state.add(forms.FORM_ERROR, what)
    state.values[versions.FIELD] = version


# ---- evidence -----------------------------------------------------------------------------


def _evidence(claim_id: int, evidence_id: int) -> EvidencePublic:
    session = get_session()
    row = evidence.get_evidence(session=session, claim_id=claim_id, evidence_id=evidence_id)
    return views.evidence_public(session=session, rows=[row])[0]


def _evidence_values(item: EvidencePublic) -> dict[str, str]:
    return {
        "source_url": item.source.url,
        "source_kind": "",
        "stance": item.stance.value,
        "quote": item.quote,
        "note": item.note or "",
        versions.FIELD: versions.revision_version(item.revision),
    }


def _evidence_update(values: dict[str, str], item: EvidencePublic) -> dict[str, Any]:
    """The form as ``EvidenceUpdate`` input: a source only when its address was changed, an
    emptied note cleared."""
    data: dict[str, Any] = forms.present(values, "stance", "quote")
    data.setdefault("stance", "")
    data.setdefault("quote", "")
    data["note"] = values.get("note", "").strip() or None
    url = values.get("source_url", "").strip()
    if url != item.source.url:
        data["source_url"] = url
        if values.get("source_kind", "").strip():
            data["source_kind"] = values["source_kind"].strip()
    return data


@bp.route("/claims/<int:claim_id>/evidence/<int:evidence_id>/edit", methods=["GET", "POST"])
@requires(Action.add)
def edit_evidence(claim_id: int, evidence_id: int) -> ResponseReturnValue:
    """Correct evidence's source, stance, quote or note (editors, or who added it)."""
    item = _evidence(claim_id, evidence_id)
    _refuse_unless_may_correct(item.added_by)
    if item.retracted_at is not None:
        raise InvalidRequest(_("Retracted evidence cannot be corrected."))

    def save(session: Session, state: forms.FormState) -> bool:
        evidence_in = forms.validate(
            EvidenceUpdate,
            _evidence_update(state.values, item),
            state,
            fields=forms.EVIDENCE_FIELDS,
        )
        if evidence_in is None:
            return False
        try:
            evidence.update_evidence(
                session=session,
                claim_id=claim_id,
                evidence_id=evidence_id,
                evidence_in=evidence_in,
                actor=current_actor(),
                expected_revision=item.revision,
            )
        except (InvalidRequest, InvalidSource, NotFound) as exc:
            session.rollback()
            field = getattr(exc, "field", None) or "source_url"
            state.add(forms.EVIDENCE_FIELDS.get(field, field), str(exc))
            return False
        return True

    return _correct(
        claim_id,
        Correction(
            fetch=lambda: _evidence(claim_id, evidence_id),
            values=_evidence_values,
            form=EVIDENCE_EDIT_FORM,
            template="web/evidence_edit.html",
            stale=_(
                "Someone changed this evidence after you opened this form, so your correction "
                "was not saved. The evidence as it is now is shown above the form; check your "
                "changes against it and save again."
            ),
            save=save,
            done=_("Evidence corrected."),
            anchor=f"evidence-{evidence_id}",
        ),
        item,
    )


# ---- counter-statements (relations) -------------------------------------------------------


def _relation(claim_id: int, relation_id: int) -> RelationPublic:
    session = get_session()
    row = relations.get_relation(session=session, claim_id=claim_id, relation_id=relation_id)
    return views.relations_public(session=session, claim_id=claim_id, relations=[row])[0]


def _relation_values(item: RelationPublic) -> dict[str, str]:
    return {
        "kind": item.kind.value,
        "first_hand": "1" if item.first_hand else "",
        "note": item.note or "",
        versions.FIELD: versions.revision_version(item.revision),
    }


@bp.route("/claims/<int:claim_id>/relations/<int:relation_id>/edit", methods=["GET", "POST"])
@requires(Action.add)
def edit_relation(claim_id: int, relation_id: int) -> ResponseReturnValue:
    """Correct a counter-statement's kind, first-hand flag or note (its two claims stay)."""
    item = _relation(claim_id, relation_id)
    _refuse_unless_may_correct(item.added_by)
    if item.retracted_at is not None:
        raise InvalidRequest(_("A withdrawn counter-statement cannot be corrected."))

    def save(session: Session, state: forms.FormState) -> bool:
        data: dict[str, Any] = {
            "kind": state.values.get("kind", "").strip(),
            "first_hand": state.values.get("first_hand") == "1",
            "note": state.values.get("note", "").strip() or None,
        }
        relation_in = forms.validate(RelationUpdate, data, state)
        if relation_in is None:
            return False
        try:
            relations.update_relation(
                session=session,
                claim_id=claim_id,
                relation_id=relation_id,
                relation_in=relation_in,
                actor=current_actor(),
                expected_revision=item.revision,
            )
        except (InvalidRequest, Conflict) as exc:
            session.rollback()
            state.add("kind", str(exc))
            return False
        return True

    return _correct(
        claim_id,
        Correction(
            fetch=lambda: _relation(claim_id, relation_id),
            values=_relation_values,
            form=RELATION_EDIT_FORM,
            template="web/relation_edit.html",
            stale=_(
                "Someone changed this counter-statement after you opened this form, so your "
                "correction was not saved. It is shown above the form as it is now; check your "
                "changes against it and save again."
            ),
            save=save,
            done=_("Counter-statement corrected."),
            anchor=f"relation-{relation_id}",
        ),
        item,
    )


# ---- one correction flow ------------------------------------------------------------------


Item = TypeVar("Item", EvidencePublic, RelationPublic)


@dataclass(frozen=True)
class Correction(Generic[Item]):
    """What a correction form of a record with a revision needs; the flow is ``_correct``.

    ``save`` validates the form into the service's input and calls the service with the
    revision the form was opened on; it adds its own field errors and answers whether it saved.
    A concurrent writer's StaleRevision is the flow's to handle, like a stale form.
    """

    fetch: Callable[[], Item]
    values: Callable[[Item], dict[str, str]]
    form: tuple[str, ...]
    template: str
    stale: str
    save: Callable[[Session, forms.FormState], bool]
    done: str
    anchor: str


def _correct(claim_id: int, correction: Correction[Item], item: Item) -> ResponseReturnValue:
    """Show the form (GET), or apply it (POST) unless it was opened on an older revision: 409
    with the record as it is now, 422 with the field errors, else 303 to the claim page."""
    target = _target(claim_id)

    def show(state: forms.FormState, status: int = 200) -> ResponseReturnValue:
        shown = correction.fetch()
        return render_template(correction.template, form=state, target=target, item=shown), status

    if request.method == "GET":
        return show(forms.FormState(values=correction.values(item)))
    state = forms.read(correction.form)
    now = versions.revision_version(item.revision)
    if state.values[versions.FIELD] != now:
        _stale(state, correction.stale, now)
        return show(state, 409)
    session = get_session()
    try:
        saved = correction.save(session, state)
    except StaleRevision:
        session.rollback()
        _stale(state, correction.stale, versions.revision_version(correction.fetch().revision))
        return show(state, 409)
    if not saved:
        return show(state, 422)
    commit_or_conflict(session)
    flash(correction.done, "success")
    return redirect(url_for("web.claim", claim_id=claim_id, _anchor=correction.anchor), 303)


# ---- withdrawing the verdict in force -----------------------------------------------------


def _in_force(claim_id: int) -> VerdictPublic | None:
    session = get_session()
    found = verdicts.current_verdicts(session=session, claim_ids=[claim_id]).get(claim_id)
    return views.verdict_public(found) if found is not None else None


@bp.route("/claims/<int:claim_id>/verdict/withdraw", methods=["GET", "POST"])
@requires(Action.rule)
def withdraw_verdict(claim_id: int) -> ResponseReturnValue:
    """Take back the verdict in force without a new one (a ruling made in error), saying why.

    The page is the confirmation: it shows the verdict that will be withdrawn, and the form
    names it, so a verdict published by someone else meanwhile is never withdrawn unread.
    """
    target = _target(claim_id)
    current = _in_force(claim_id)

    def show(state: forms.FormState, status: int = 200) -> ResponseReturnValue:
        return render_template(
            "web/verdict_withdraw.html", form=state, target=target, current=current
        ), status

    state = forms.read(WITHDRAW_FORM)
    if request.method == "GET":
        state.values[versions.FIELD] = versions.verdict_version(current)
        return show(state)
    if current is None or state.values[versions.FIELD] != versions.verdict_version(current):
        message = (
            _(
                "The verdict you meant to withdraw is no longer in force (another editor withdrew "
                "it), so nothing was changed."
            )
            if current is None
            else _(
                "Another verdict was published after you opened this form, so nothing was "
                "withdrawn. Read the verdict in force above, then withdraw it if it should go."
            )
        )
        _stale(state, message, versions.verdict_version(current))
        return show(state, 409)
    retraction = forms.validate(Retraction, forms.present(state.values, "reason"), state)
    if retraction is None:
        return show(state, 422)
    session = get_session()
    try:
        verdicts.withdraw_verdict(
            session=session, claim_id=claim_id, reason=retraction.reason, actor=current_actor()
        )
    except InvalidRequest as exc:
        session.rollback()
        state.add(forms.FORM_ERROR, str(exc))
        return show(state, 409)
    commit_or_conflict(session)
    flash(_("Verdict withdrawn."), "success")
    return redirect(url_for("web.claim", claim_id=claim_id, _anchor="verdict"), code=303)
