"""Anchoring evidence quotes in their source's snapshots, and flagging pages that changed.

Evidence is a claims table, so this lives here; the anchoring algorithm is ``sources.quotes``
and the snapshots are ``sources.snapshots``. Functions add and flush; the caller commits (the
request that adds evidence, or the re-anchoring job after a new snapshot).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from claims.anchoring import weights as anchoring
from claims.models import Evidence
from claims.notices import service as notices
from claims.policy import SYSTEM
from claims.scoring import service as scores
from claims.services import history
from clock import utcnow
from sources.models import Snapshot, Source
from sources.quotes import Anchor, anchor_quote
from sources.service import get_source
from sources.snapshots import current_snapshot


def exact_of(selectors: list[dict[str, Any]] | None) -> str | None:
    """The passage a stored TextQuoteSelector holds, if any."""
    for selector in selectors or []:
        if selector.get("type") == "TextQuoteSelector":
            return str(selector.get("exact", ""))
    return None


def start_of(selectors: list[dict[str, Any]] | None) -> int | None:
    """Where a stored TextPositionSelector starts, if any."""
    for selector in selectors or []:
        if selector.get("type") == "TextPositionSelector":
            return int(selector["start"])
    return None


def anchor_evidence(*, session: Session, evidence: Evidence, snapshot: Snapshot) -> bool:
    """Anchor the quote in ``snapshot``; flag or clear "changed at source". True if the weight
    factor may have moved (state or flag changed), so the caller rescores the claim."""
    before = (evidence.anchor_state, evidence.changed_at_source)
    found = anchor_quote(evidence.quote, snapshot.text, near=start_of(evidence.anchor_selectors))
    # Compare with the passage last verified: the original one while the flag is up.
    if evidence.changed_at_source:
        base_state, base_selectors = evidence.before_state, evidence.before_selectors
    else:
        base_state, base_selectors = evidence.anchor_state, evidence.anchor_selectors
    now_exact = found.quote.exact if found.quote else None
    changed = anchoring.drifted(
        before_state=base_state,
        before_exact=exact_of(base_selectors),
        now_state=found.state.value,
        now_exact=now_exact,
    )
    if changed and not evidence.changed_at_source:
        evidence.before_state = evidence.anchor_state
        evidence.before_selectors = evidence.anchor_selectors
        evidence.before_snapshot_id = evidence.anchor_snapshot_id
        evidence.changed_at_source = True
        evidence.changed_detected_at = utcnow()
        _log(session=session, evidence=evidence, action="changed_at_source", now=now_exact)
        notices.quote_changed(
            session=session,
            evidence=evidence,
            quoted_before=exact_of(evidence.before_selectors),
            page_now=now_exact,
        )
    elif not changed and evidence.changed_at_source:
        _log(session=session, evidence=evidence, action="restored_at_source", now=now_exact)
        evidence.changed_at_source = False
        evidence.changed_detected_at = None
        evidence.before_state = None
        evidence.before_selectors = None
        evidence.before_snapshot_id = None
    _store(evidence, found, snapshot)
    session.add(evidence)
    session.flush()
    return before != (evidence.anchor_state, evidence.changed_at_source)


def anchor_new_evidence(*, session: Session, evidence: Evidence, source: Source) -> None:
    """Anchor fresh evidence at once when its page is already on file (no network here)."""
    snapshot = current_snapshot(session=session, source=source)
    if snapshot is not None:
        anchor_evidence(session=session, evidence=evidence, snapshot=snapshot)


def reanchor_source(*, session: Session, source_id: int) -> set[int]:
    """Anchor every live quote from this source in its current snapshot; rescore the claims
    whose quotes changed state. Returns those claims' ids."""
    source = get_source(session=session, source_id=source_id)
    snapshot = current_snapshot(session=session, source=source)
    if snapshot is None:
        return set()
    rows = session.exec(
        select(Evidence)
        .where(Evidence.source_id == source_id, col(Evidence.retracted_at).is_(None))
        .order_by(col(Evidence.id))
    ).all()
    moved = {
        e.claim_id for e in rows if anchor_evidence(session=session, evidence=e, snapshot=snapshot)
    }
    scores.recompute_many(session=session, claim_ids=moved)
    return moved


def _store(evidence: Evidence, found: Anchor, snapshot: Snapshot) -> None:
    evidence.anchor_state = found.state.value
    evidence.anchor_score = found.score
    evidence.anchor_selectors = found.selectors() or None
    evidence.anchor_snapshot_id = snapshot.id
    evidence.anchored_at = utcnow()


def _log(*, session: Session, evidence: Evidence, action: str, now: str | None) -> None:
    assert evidence.id is not None
    history.record(
        session=session,
        actor=SYSTEM,
        entity="evidence",
        entity_id=evidence.id,
        action=action,
        claim_id=evidence.claim_id,
        changes={"quoted_before": exact_of(evidence.before_selectors), "page_now": now},
    )
