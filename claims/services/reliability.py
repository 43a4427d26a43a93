"""Publishers' reliability from their stances on claims that editors have rated.

Computed from the current rows on demand, never cached, so it is always what the pure
``claims.reliability.learn_reliability`` says of the ledger as it stands: recording or changing
a verdict takes effect at once (see docs/scoring.md, "Keeping reliability current").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlmodel import Session, col, func, select

from claims.errors import NotFound
from claims.models import Claim, Evidence, Verdict
from claims.reliability import Reliability, learn_reliability, neutral
from claims.schemas import PublisherReliabilityPublic
from sources.models import Publisher, Source


def reliability_of(
    *, session: Session, domains: Iterable[str], exclude_claim: int | None = None
) -> dict[str, Reliability]:
    """Each publisher's reliability from every live stance it took on a rated, live claim.

    ``exclude_claim`` leaves one claim's verdict out: a claim's score must rest on its evidence
    alone, never on the editor's ruling about that very claim (which is shown beside it).
    """
    wanted = sorted(set(domains))
    if not wanted:
        return {}
    rows = session.exec(
        select(Publisher.domain, Evidence.claim_id, Evidence.stance, Verdict.rating)
        .join(Source, col(Source.publisher_id) == Publisher.id)
        .join(Evidence, col(Evidence.source_id) == Source.id)
        .join(Claim, col(Claim.id) == Evidence.claim_id)
        .join(Verdict, col(Verdict.claim_id) == Evidence.claim_id)
        .where(
            col(Publisher.domain).in_(wanted),
            col(Evidence.retracted_at).is_(None),
            col(Claim.retracted_at).is_(None),
            col(Verdict.superseded_at).is_(None),
        )
    ).all()
    stances = [(d, c, s) for d, c, s, _ in rows if c != exclude_claim]
    verdicts = {c: r for _, c, _, r in rows if c != exclude_claim}
    learned = learn_reliability(stances, verdicts)
    return {domain: learned.get(domain) or neutral(domain) for domain in wanted}


def claims_sharing_publishers(*, session: Session, claim_id: int) -> set[int]:
    """Live claims with evidence from any publisher that has evidence on ``claim_id``.

    Their scores depend on those publishers' records, which a verdict on ``claim_id`` changes.
    """
    publishers = (
        select(Source.publisher_id)
        .join(Evidence, col(Evidence.source_id) == Source.id)
        .where(Evidence.claim_id == claim_id, col(Evidence.retracted_at).is_(None))
    )
    return claims_citing_publishers(session=session, publishers=publishers) - {claim_id}


def claims_citing_publishers(*, session: Session, publishers: Any) -> set[int]:
    """Live claims with live evidence from any of ``publishers`` (ids, or a subquery of ids)."""
    rows = session.exec(
        select(Evidence.claim_id)
        .join(Source, col(Source.id) == Evidence.source_id)
        .join(Claim, col(Claim.id) == Evidence.claim_id)
        .where(
            col(Source.publisher_id).in_(publishers),
            col(Evidence.retracted_at).is_(None),
            col(Claim.retracted_at).is_(None),
        )
    ).all()
    return set(rows)


def publishers_public(
    *, session: Session, publishers: Sequence[Publisher]
) -> list[PublisherReliabilityPublic]:
    """API views of publishers with their reliability, learned in one pass."""
    records = reliability_of(session=session, domains=[p.domain for p in publishers])
    out = []
    for publisher in publishers:
        assert publisher.id is not None
        data = records[publisher.domain].to_dict()
        out.append(
            PublisherReliabilityPublic(
                id=publisher.id,
                domain=publisher.domain,
                name=publisher.name,
                value=data["value"],
                backing_weight=data["backing_weight"],
                disputing_weight=data["disputing_weight"],
                record=data["record"],
                mentioned=data["mentioned"],
                reason=data["reason"],
            )
        )
    return out


def list_publishers(
    *, session: Session, domain: str | None, offset: int, limit: int
) -> tuple[list[Publisher], int]:
    """Publishers by domain (optionally one domain), with the total count."""
    query = select(Publisher)
    count = select(func.count()).select_from(Publisher)
    if domain is not None:
        query = query.where(Publisher.domain == domain)
        count = count.where(Publisher.domain == domain)
    rows = session.exec(query.order_by(col(Publisher.domain)).offset(offset).limit(limit)).all()
    return list(rows), int(session.exec(count).one())


def get_publisher(*, session: Session, publisher_id: int) -> Publisher:
    """The publisher with that id, or NotFound."""
    publisher = session.get(Publisher, publisher_id)
    if publisher is None:
        raise NotFound("publisher", publisher_id)
    return publisher
