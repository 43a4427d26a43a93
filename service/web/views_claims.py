"""The claim page and the form to submit a claim (with or without an account)."""

from __future__ import annotations

from collections.abc import Mapping

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from claims.errors import Candidate, Conflict, DuplicateClaim, InvalidRequest, NotFound
from claims.models import ReviewState
from claims.policy import Action
from claims.schemas import ClaimantPublic, ClaimCreate
from claims.semantic import crosslingual
from claims.services import claimants, ledger, views
from service.db import commit_or_conflict, get_session
from service.embed.views import base_url, claim_page_url
from service.runtime import current_runtime
from service.web import bp, forms, pages, ratelimit
from service.web.auth import current_actor, may
from service.web.explain import explain

CLAIMANT_HINTS = 300


def claimant_hints() -> list[ClaimantPublic]:
    """Known claimants with their aliases, offered as suggestions while typing a name."""
    session = get_session()
    rows, _total = claimants.list_claimants(
        session=session, name=None, offset=0, limit=CLAIMANT_HINTS
    )
    return claimants.many_to_public(session=session, claimants=rows)


def render_claim_form(
    state: forms.FormState,
    *,
    template: str = "web/claim_new.html",
    status: int = 200,
    duplicates: list[Candidate] | None = None,
    **context: object,
) -> ResponseReturnValue:
    """The claim form (or a form embedding it) with input, errors and duplicate warnings."""
    name = state.values.get("claimant", "").strip()
    choices = (
        claimants.many_to_public(
            session=get_session(),
            claimants=claimants.find_claimants(session=get_session(), name=name),
        )
        if name and state.errors.get("claimant")
        else []
    )
    body = render_template(
        template,
        form=state,
        duplicates=duplicates or [],
        claimant_choices=choices if len(choices) > 1 else [],
        hints=claimant_hints(),
        **context,
    )
    return body, status


def claim_errors(exc: Exception, state: forms.FormState) -> bool:
    """Place a domain error about the claim's fields beside the field; False if it is not one."""
    if isinstance(exc, InvalidRequest | NotFound) and getattr(exc, "field", None):
        field = str(exc.field)
        state.add(forms.CLAIM_FIELDS.get(field, field), str(exc))
        return True
    if isinstance(exc, Conflict):
        state.add("claimant", _("Several claimants go by this name: pick one below."))
        return True
    return False


def _chosen_translation(values: Mapping[str, str]) -> int | None:
    """The claim the person chose to record theirs as a translation of, if a valid id."""
    raw = values.get("translation_of", "").strip()
    return int(raw) if raw.isdigit() and 0 < int(raw) <= ledger.MAX_ID else None


@bp.get("/claims/<int:claim_id>")
def claim(claim_id: int) -> ResponseReturnValue:
    """A claim with its status, evidence, counter-statements, verdicts and history."""
    page = pages.claim_page(session=get_session(), claim_id=claim_id, viewer=current_actor())
    page_url = claim_page_url(claim_id)
    snippet = pages.embed_snippet(
        claim_id=claim_id,
        text=page.claim.text,
        page_url=page_url,
        script_url=base_url() + "/embed.js",  # the public URL, never the request's Host
    )
    verdict = page.claim.verdict
    explained = explain(
        page.claim.explanation, page.claim.status.value, verdict.rating.value if verdict else None
    )
    return render_template("web/claim.html", page=page, snippet=snippet, explained=explained)


@bp.route("/claims/new", methods=["GET", "POST"])
def submit_claim() -> ResponseReturnValue:
    """Record a claim; without an account it waits, hidden, for an editor to accept it."""
    publishing = may(Action.add)
    if request.method == "GET":
        state = forms.FormState(values={"text": request.args.get("text", "")})
        return render_claim_form(state)
    if not publishing:
        ratelimit.check("submit")
    state = forms.read((*forms.CLAIM_FORM, "confirm_distinct", "translation_of"))
    claim_in = forms.validate(
        ClaimCreate, forms.claim_input(state.values), state, fields=forms.CLAIM_FIELDS
    )
    if claim_in is None:
        return render_claim_form(state, status=422)
    session = get_session()
    translation_of = _chosen_translation(state.values) if publishing else None
    if translation_of is None and not forms.confirmed_distinct(state.values):
        warned = crosslingual.submission_translations(session=session, claim_in=claim_in)
        if warned:
            found = [crosslingual.as_matched(t, text=claim_in.text) for t in warned]
            return render_claim_form(
                state, translations=views.matches_public(session=session, found=found)
            )
    try:
        created = ledger.create_claim(
            session=session,
            claim_in=claim_in,
            actor=current_actor(),
            allow_duplicate=forms.confirmed_distinct(state.values),
            duplicate_threshold=current_runtime().settings.duplicate_threshold,
            review_state=ReviewState.published if publishing else ReviewState.submitted,
        )
        if translation_of is not None:
            assert created.id is not None
            crosslingual.link_translation(
                session=session,
                claim_id=created.id,
                original_id=translation_of,
                actor=current_actor(),
            )
    except DuplicateClaim as exc:
        session.rollback()
        return render_claim_form(state, duplicates=exc.candidates)
    except (InvalidRequest, NotFound, Conflict) as exc:
        session.rollback()
        if not claim_errors(exc, state):
            raise
        return render_claim_form(state, status=422)
    commit_or_conflict(session)
    if not publishing:
        ratelimit.spend("submit")
        flash(
            _(
                "Thank you. Your claim (#%(id)s) will appear once an editor has reviewed it.",
                id=created.id,
            ),
            "success",
        )
        return redirect(url_for("web.home"), code=303)
    flash(_("Claim #%(id)s recorded.", id=created.id), "success")
    return redirect(url_for("web.claim", claim_id=created.id), code=303)
