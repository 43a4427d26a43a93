"""Keeping each claim's stored score in step with its evidence and counter-statements.

Called by every service that changes what bears on a claim, inside the same transaction, so
the status a program polls is never older than the evidence it rests on.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, or_, select

from claims.anchoring.weights import anchoring_factor
from claims.models import Claim, Claimant, Evidence, Relation, RelationKind, Stance
from claims.notices import service as notices
from claims.scoring import publishers as reliability
from claims.scoring.independence import group_origins
from claims.scoring.model import model_of
from claims.scoring.publishers import reliability_of
from claims.scoring.reliability import Reliability, Tally
from claims.scoring.score import Item, Track, Via, score_claim, scorer_version, shrink
from claims.services import alerts, locks
from clock import utcnow
from sources.models import Publisher, Source, SourceCite
from sources.platforms import platform_of
from sources.service import root_origins

_COUNTER: dict[str, tuple[Via, str]] = {
    RelationKind.rebuts.value: ("rebuttal", "refutes"),
    RelationKind.qualifies.value: ("qualification", "refutes"),
    RelationKind.supports.value: ("support", "supports"),
}


def items_for(*, session: Session, claim_id: int) -> list[Item]:
    """The scorer's view of everything live that bears on the claim."""
    rows = session.exec(
        select(Evidence, Source, Publisher)
        .join(Source, col(Source.id) == Evidence.source_id)
        .join(Publisher, col(Publisher.id) == Source.publisher_id)
        .where(Evidence.claim_id == claim_id, col(Evidence.retracted_at).is_(None))
    ).all()
    roots_by_source = root_origins(session=session, source_ids={s.id for _, s, _ in rows if s.id})
    evidence_roots = {f"evidence:{e.id}": roots_by_source[s.id] for e, s, _ in rows if s.id}
    origins = group_origins(evidence_roots)
    records = reliability_of(
        session=session, domains={p.domain for _, _, p in rows}, exclude_claim=claim_id
    )
    platforms = _platform_records(session=session, claim_id=claim_id, domains=set(records))
    items = []
    for evidence, source, publisher in rows:
        # The publisher's record enters the fitted model (`track`); the quote's anchoring
        # takes weight away, and says why.
        multiplier, _ = anchoring_factor(
            evidence.anchor_state, changed_at_source=evidence.changed_at_source
        )
        # A stable code rather than the English reason: sentences are built per language.
        why = None
        if multiplier < 1:
            why = "changed_at_source" if evidence.changed_at_source else evidence.anchor_state
        items.append(
            Item(
                key=f"evidence:{evidence.id}",
                stance=evidence.stance,  # type: ignore[arg-type]
                kind=source.kind,  # type: ignore[arg-type]
                origin=origins[f"evidence:{evidence.id}"],
                label=publisher.name if publisher.name != publisher.domain else publisher.domain,
                multiplier=multiplier,
                multiplier_reason=why,
                track=_track(
                    records[publisher.domain],
                    evidence.stance,
                    platforms.get(platform_of(publisher.domain) or ""),
                ),
            )
        )
    counters = session.exec(
        select(Relation, Claim, Claimant)
        .join(Claim, col(Claim.id) == Relation.subject_id)
        .join(Claimant, col(Claimant.id) == Claim.claimant_id, isouter=True)
        .where(
            Relation.object_id == claim_id,
            col(Relation.retracted_at).is_(None),
            col(Claim.retracted_at).is_(None),
            col(Relation.kind).in_(list(_COUNTER)),
        )
    ).all()
    for relation, subject, claimant in counters:
        via, stance = _COUNTER[relation.kind]
        items.append(
            Item(
                key=f"relation:{relation.id}",
                stance=stance,  # type: ignore[arg-type]
                kind="primary" if relation.first_hand else "secondary",
                origin=f"claimant:{claimant.id}" if claimant else f"claim:{subject.id}",
                label=claimant.name if claimant else f"#{subject.id}",
                via=via,
                # First-hand means the party the claim is about (Bosworth on Meta's offers):
                # it knows, and it has a stake, so it counts but cannot settle the claim alone.
                interested=relation.first_hand,
                role=claimant.role if claimant else None,
            )
        )
    return items


def _track(
    reliability: Reliability, stance: str, platform: tuple[Track, Track] | None = None
) -> Track | None:
    """The publisher's record on the side this stance takes (none for a mention); an account
    on a platform has its record shrunk towards the platform's."""
    if stance == "supports":
        tally, side = reliability.record.backed, 0
    elif stance == "refutes":
        tally, side = reliability.record.disputed, 1
    else:
        return None
    own = Track(held=tally.right, failed=tally.wrong, unverified=tally.unverifiable)
    return shrink(own, platform[side]) if platform else own


def _platform_records(
    *, session: Session, claim_id: int, domains: set[str]
) -> dict[str, tuple[Track, Track]]:
    """Each platform's pooled record (backed, disputed) over all its accounts, read from the
    platform's running totals (``reliability.platform_records``) without the claim's own."""
    hosts = {host for host in map(platform_of, domains) if host}
    pooled: dict[str, tuple[Track, Track]] = {}
    for host, record in reliability.platform_records(
        session=session, platforms=hosts, exclude_claim=claim_id
    ).items():
        pooled[host] = (_plus(Track(), record.backed), _plus(Track(), record.disputed))
    return pooled


def _plus(track: Track, tally: Tally) -> Track:
    return Track(
        held=track.held + tally.right,
        failed=track.failed + tally.wrong,
        unverified=track.unverified + tally.unverifiable,
    )


def recompute(*, session: Session, claim: Claim, fresh: bool = False) -> Claim:
    """Score the claim again from what bears on it now and store the result on its row.

    The stored status is passed back as ``previous`` (hysteresis) unless ``fresh``: a bulk load
    that adds a claim's evidence item by item scores it fresh at the end, as if it had arrived
    at once, so the order of the rows cannot show in the result.
    """
    assert claim.id is not None
    # Under the claim's row lock, and reading the row again: a concurrent writer's evidence
    # is then either committed and counted here, or waits for this transaction and counts it.
    session.flush()
    locks.lock_claim_row(session, claim.id)
    if locks.is_postgres(session):
        session.refresh(claim)
    moved = reliability.sync_claim(session=session, claim_id=claim.id)
    reliability.later_rescore(session=session, publisher_ids=moved)
    items = items_for(session=session, claim_id=claim.id)
    previous = None if fresh or not items else claim.status
    model = model_of(session.info)
    score = score_claim(items, previous_status=previous, model=model)  # type: ignore[arg-type]
    counts = _counts(session=session, claim_id=claim.id)
    alerted = alerts.store(session=session, claim=claim)
    changed = (
        alerted
        or claim.status != score.status
        or abs(claim.contestedness - score.contestedness) > 1e-9
        or abs(claim.lean - score.lean) > 1e-9
        or _stored_counts(claim) != counts
    )
    if claim.status != score.status:
        notices.status_changed(session=session, claim=claim, old=claim.status, new=score.status)
        claim.previous_status = claim.status
        claim.status_changed_at = utcnow()
    claim.status = score.status
    claim.lean = score.lean
    claim.contestedness = score.contestedness
    claim.support_weight = float(score.support)
    claim.oppose_weight = float(score.oppose)
    claim.explanation = score.to_dict()
    claim.score_total, claim.score_reasons = score.total, ",".join(score.reasons)
    _store_counts(claim, counts)
    claim.scored_at = utcnow()
    claim.scored_with = scorer_version(model)
    if changed:
        claim.updated_at = utcnow()
    session.add(claim)
    session.flush()
    return claim


def recompute_many(*, session: Session, claim_ids: Iterable[int], fresh: bool = False) -> None:
    """Recompute several claims, each once."""
    for claim_id in sorted(set(claim_ids)):
        claim = session.get(Claim, claim_id)
        if claim is not None:
            recompute(session=session, claim=claim, fresh=fresh)


def rescore_publishers_batch(
    *, session: Session, publisher_ids: Iterable[int], after_claim: int, limit: int
) -> int | None:
    """Rescore the next ``limit`` claims (by id, after ``after_claim``) resting on these
    publishers; the last id rescored when more may follow, else None.

    Idempotent: rescoring a claim twice stores the same result, so a batch that is run again
    after a crash changes nothing but ``scored_at``.
    """
    ids = session.exec(
        select(Evidence.claim_id)
        .join(Source, col(Source.id) == Evidence.source_id)
        .join(Claim, col(Claim.id) == Evidence.claim_id)
        .where(
            col(Source.publisher_id).in_(sorted(set(publisher_ids))),
            col(Evidence.retracted_at).is_(None),
            col(Claim.retracted_at).is_(None),
            col(Evidence.claim_id) > after_claim,
        )
        .distinct()
        .order_by(col(Evidence.claim_id))
        .limit(limit)
    ).all()
    recompute_many(session=session, claim_ids=ids)
    return ids[-1] if len(ids) == limit else None


def stale_claims(*, session: Session, after_claim: int = 0, limit: int = 1) -> list[int]:
    """Live claims (by id, after ``after_claim``) whose stored score another scorer wrote: an
    older model or explanation format, or none recorded (rows scored before it was kept)."""
    version = scorer_version(model_of(session.info))
    return [
        int(i)
        for i in session.exec(
            select(Claim.id)
            .where(
                col(Claim.retracted_at).is_(None),
                col(Claim.id) > after_claim,
                or_(col(Claim.scored_with).is_(None), col(Claim.scored_with) != version),
            )
            .order_by(col(Claim.id))
            .limit(limit)
        ).all()
        if i is not None
    ]


def rescore_stale_batch(*, session: Session, after_claim: int, limit: int) -> int | None:
    """Rescore the next ``limit`` stale claims; the last id when more may follow, else None.

    Idempotent, like ``rescore_publishers_batch``: a claim rescored is no longer stale.
    """
    ids = stale_claims(session=session, after_claim=after_claim, limit=limit)
    recompute_many(session=session, claim_ids=ids)
    return ids[-1] if len(ids) == limit else None


def claims_resting_on_source(*, session: Session, source_id: int) -> set[int]:
    """Claims whose evidence comes from this source or from any source that cites it."""
    affected = {source_id}
    frontier = {source_id}
    while frontier:
        citing = set(
            session.exec(
                select(SourceCite.source_id).where(col(SourceCite.cites_id).in_(frontier))
            ).all()
        )
        frontier = citing - affected
        affected |= frontier
    return set(
        session.exec(select(Evidence.claim_id).where(col(Evidence.source_id).in_(affected))).all()
    )


# Live evidence by stance, then live counter-statements by kind: supporting, refuting,
# mentioning, rebuttals, qualifications, backings (the claim row's ``n_*`` columns).
CountsRow = tuple[int, int, int, int, int, int]
_COUNTED_STANCES = (Stance.supports, Stance.refutes, Stance.mentions)
_COUNTED_KINDS = (RelationKind.rebuts, RelationKind.qualifies, RelationKind.supports)


def _counts(*, session: Session, claim_id: int) -> CountsRow:
    stances = session.exec(
        select(Evidence.stance).where(
            Evidence.claim_id == claim_id, col(Evidence.retracted_at).is_(None)
        )
    ).all()
    # A counter-statement counts while it and its own claim are live.
    kinds = session.exec(
        select(Relation.kind)
        .join(Claim, col(Claim.id) == Relation.subject_id)
        .where(
            Relation.object_id == claim_id,
            col(Relation.kind).in_([k.value for k in _COUNTED_KINDS]),
            col(Relation.retracted_at).is_(None),
            col(Claim.retracted_at).is_(None),
        )
    ).all()
    by_stance = [sum(1 for s in stances if s == stance.value) for stance in _COUNTED_STANCES]
    by_kind = [sum(1 for k in kinds if k == kind.value) for kind in _COUNTED_KINDS]
    supporting, refuting, mentioning = by_stance
    rebuttals, qualifications, backings = by_kind
    return supporting, refuting, mentioning, rebuttals, qualifications, backings


def _stored_counts(claim: Claim) -> CountsRow:
    return (
        claim.n_supporting,
        claim.n_refuting,
        claim.n_mentioning,
        claim.n_rebuttals,
        claim.n_qualifications,
        claim.n_backings,
    )


def _store_counts(claim: Claim, counts: CountsRow) -> None:
    (
        claim.n_supporting,
        claim.n_refuting,
        claim.n_mentioning,
        claim.n_rebuttals,
        claim.n_qualifications,
        claim.n_backings,
    ) = counts
