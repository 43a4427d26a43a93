"""What the claim page shows, gathered from the same read services and views as the API.

The status block is built with ``views.statuses_public``, the function behind
``GET /api/v1/claims/<id>/status``, so the page and the API cannot disagree about a claim.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from markupsafe import escape
from sqlmodel import Session, col, select

from claims.models import ReviewState
from claims.policy import Actor
from claims.schemas import (
    ClaimPublic,
    ClaimStatusPublic,
    EvidencePublic,
    RelationPublic,
    RevisionPublic,
    VerdictPublic,
)
from claims.services import claimants, evidence, history, ledger, relations, verdicts, views
from service.web import present
from service.web.i18n import HISTORY_ACTIONS
from sources.models import Source

STANCE_ORDER = ("supports", "refutes", "mentions")


@dataclass(frozen=True)
class HistoryEntry:
    """One line of the revision history, in words: when, who, what, and what changed."""

    at: datetime
    who: str
    action: str
    what: str
    changes: list[present.Change]


@dataclass(frozen=True)
class ClaimPage:
    """Everything the claim page renders."""

    claim: ClaimPublic
    status: ClaimStatusPublic
    submitted: bool
    evidence: dict[str, list[EvidencePublic]]
    retracted_evidence: list[EvidencePublic]
    answered_by: list[RelationPublic]
    answers: list[RelationPublic]
    verdicts: list[VerdictPublic]
    history: list[HistoryEntry]
    contributions: list[dict[str, Any]]


def claim_page(*, session: Session, claim_id: int, viewer: Actor) -> ClaimPage:
    """The claim page's content; NotFound for claims the viewer may not see."""
    claim = ledger.get_claim(session=session, claim_id=claim_id, viewer=viewer)
    public = views.claims_public(session=session, claims=[claim])[0]
    status = views.statuses_public(session=session, claims=[claim])[0]
    submitted = claim.review_state == ReviewState.submitted.value
    # Nothing can be attached to a claim still in the queue (the services refuse), so a
    # submitted claim has no evidence, relations or verdicts to read.
    items = [] if submitted else evidence.list_evidence(session=session, claim_id=claim_id)
    links = [] if submitted else relations.list_relations(session=session, claim_id=claim_id)
    rulings = [] if submitted else verdicts.list_verdicts(session=session, claim_id=claim_id)
    shown = views.evidence_public(session=session, rows=items)
    grouped = {
        stance: [e for e in shown if e.stance == stance and e.retracted_at is None]
        for stance in STANCE_ORDER
    }
    related = views.relations_public(session=session, claim_id=claim_id, relations=links)
    live = [r for r in related if r.retracted_at is None]
    return ClaimPage(
        claim=public,
        status=status,
        submitted=submitted,
        evidence=grouped,
        retracted_evidence=[e for e in shown if e.retracted_at is not None],
        answered_by=[r for r in live if r.direction == "incoming"],
        answers=[r for r in live if r.direction == "outgoing"],
        verdicts=[views.verdict_public(v) for v in rulings],
        history=history_entries(
            session=session,
            revisions=views.revisions_public(history.history(session=session, claim_id=claim_id)),
        ),
        contributions=list(public.explanation.get("contributions", [])),
    )


def history_entries(*, session: Session, revisions: list[RevisionPublic]) -> list[HistoryEntry]:
    """The revision log in words, naming the claimants and sources it refers to by id."""
    raw = [r.changes for r in revisions]
    claimant_ids = present.ids_in(raw, "claimant_id")
    source_ids = present.ids_in(raw, "appeared_in_id", "source_id")
    claimant_names = claimants.names_of(session=session, claimant_ids=claimant_ids)
    source_names = {
        source_id: title or url
        for source_id, title, url in (
            session.exec(
                select(Source.id, Source.title, Source.url).where(col(Source.id).in_(source_ids))
            ).all()
            if source_ids
            else []
        )
        if source_id is not None
    }
    names = present.Names(claimants=claimant_names, sources=source_names)
    return [
        HistoryEntry(
            at=r.at,
            who=present.person(r.actor),
            action=str(HISTORY_ACTIONS.get(r.action, r.action)),
            what=present.entity(r.entity, r.entity_id),
            changes=present.changes(r.changes, action=r.action, names=names),
        )
        for r in revisions
    ]


def embed_snippet(*, claim_id: int, text: str, page_url: str, script_url: str) -> str:
    """The HTML another site pastes to show the claim's widget (the claim text escaped in it)."""
    return (
        f'<blockquote class="claimdesk-claim" data-claim="{claim_id}">'
        f'<a href="{escape(page_url)}">{escape(text)}</a></blockquote>'
        f'<script async src="{escape(script_url)}"></script>'
    )
