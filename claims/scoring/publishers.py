"""Publishers' reliability from their stances on claims that editors have rated.

Kept as running totals (``PublisherRecord``) over one row per counted stance
(``PublisherStance``), both updated in the transaction of every write that changes what
counts: evidence added or retracted, a verdict given, a claim retracted (``sync_claim``, under
the claim's row lock). A write therefore costs the same whether its publisher is cited by one
claim or by a hundred thousand, and the totals always equal what the pure
``claims.scoring.reliability.learn_reliability`` says of the ledger as it stands (tested). Rescoring
the other claims that rest on a publisher whose record moved is a background job
(``service/jobs.py``), queued through the outbox in the same transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, func, select

from claims.errors import NotFound
from claims.models import (
    Claim,
    Evidence,
    PlatformRecord,
    PublisherRecord,
    PublisherStance,
    Verdict,
)
from claims.schemas import PublisherReliabilityPublic
from claims.scoring.reliability import (
    UNVERIFIABLE,
    Record,
    Reliability,
    Tally,
    credit,
    neutral,
    reliability_from_record,
)
from claims.services import outbox
from sources.models import Publisher, Source
from sources.platforms import platform_of

_SIDES = {"supports": "backed", "refutes": "disputed"}
_ZERO = {
    "backed_right": 0.0,
    "backed_wrong": 0.0,
    "backed_unverifiable": 0,
    "disputed_right": 0.0,
    "disputed_wrong": 0.0,
    "disputed_unverifiable": 0,
    "mentioned": 0,
}


def _delta(stance: str, rating: str, sign: int) -> dict[str, float]:
    """What one counted stance adds to (sign 1) or takes from (sign -1) a record's columns."""
    agreed = credit(stance, rating)
    if agreed is None:
        return {"mentioned": sign}
    side = _SIDES[stance]
    if rating in UNVERIFIABLE:
        return {f"{side}_unverifiable": sign}
    return {f"{side}_right": sign * agreed, f"{side}_wrong": sign * (1.0 - agreed)}


def sync_claim(*, session: Session, claim_id: int) -> set[int]:
    """Bring the claim's counted stances in line with its rows; the publishers that moved.

    Call under the claim's row lock (``locks.lock_claim_row``): two writers of one claim then
    never both apply the same difference.
    """
    claim = session.get(Claim, claim_id)
    rating = None
    if claim is not None and claim.retracted_at is None:
        rating = session.exec(
            select(Verdict.rating).where(
                Verdict.claim_id == claim_id, col(Verdict.superseded_at).is_(None)
            )
        ).first()
    wanted: set[tuple[int, str]] = set()
    if rating is not None:
        wanted = {
            (int(p), s)
            for p, s in session.exec(
                select(Source.publisher_id, Evidence.stance)
                .join(Source, col(Source.id) == Evidence.source_id)
                .where(Evidence.claim_id == claim_id, col(Evidence.retracted_at).is_(None))
                .distinct()
            ).all()
        }
    counted = {
        (row.publisher_id, row.stance): row
        for row in session.exec(
            select(PublisherStance).where(PublisherStance.claim_id == claim_id)
        ).all()
    }
    deltas: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for key, row in counted.items():
        if key not in wanted or row.rating != rating:
            for column, amount in _delta(row.stance, row.rating, -1).items():
                deltas[row.publisher_id][column] += amount
            session.delete(row)
    session.flush()
    for publisher_id, stance in sorted(wanted):
        kept = counted.get((publisher_id, stance))
        if kept is not None and kept.rating == rating:
            continue
        assert rating is not None
        session.add(
            PublisherStance(
                claim_id=claim_id, publisher_id=publisher_id, stance=stance, rating=rating
            )
        )
        for column, amount in _delta(stance, rating, 1).items():
            deltas[publisher_id][column] += amount
    session.flush()
    moved = {p for p, columns in deltas.items() if any(columns.values())}
    _apply(session=session, deltas={p: deltas[p] for p in moved})
    return moved


def _apply(*, session: Session, deltas: dict[int, dict[str, float]]) -> None:
    """Add the differences to the totals in place (``x = x + d``): each publisher's, in id
    order, then each platform's (the sum over its accounts), in name order."""
    if not deltas:
        return
    bind = session.connection()
    dialect = postgresql if bind.dialect.name == "postgresql" else sqlite
    for publisher_id in sorted(deltas):
        _add(bind, dialect, PublisherRecord, "publisher_id", publisher_id, deltas[publisher_id])
    domains = session.exec(
        select(Publisher.id, Publisher.domain).where(col(Publisher.id).in_(sorted(deltas)))
    ).all()
    platforms: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for account, domain in domains:
        host = platform_of(domain)
        if host is None or account is None:
            continue
        for name, amount in deltas[account].items():
            platforms[host][name] += amount
    for host in sorted(platforms):
        if any(platforms[host].values()):
            _add(bind, dialect, PlatformRecord, "platform", host, platforms[host])


def _add(
    bind: Any, dialect: Any, table: Any, key: str, value: int | str, columns: dict[str, float]
) -> None:
    """Create the row of totals if missing, then add ``columns`` to it in place."""
    bind.execute(dialect.insert(table).values({key: value, **_ZERO}).on_conflict_do_nothing())
    bind.execute(
        update(table)
        .where(getattr(table, key) == value)
        .values(
            {
                getattr(table, name): getattr(table, name) + amount
                for name, amount in columns.items()
                if amount
            }
        )
    )


def later_rescore(*, session: Session, publisher_ids: Iterable[int]) -> None:
    """Ask the worker to rescore every claim resting on these publishers (see module doc)."""
    ids = sorted(set(publisher_ids))
    if ids:
        outbox.later(session, "rescore_publishers", ids, 0)


def platform_records(
    *, session: Session, platforms: Iterable[str], exclude_claim: int | None = None
) -> dict[str, Record]:
    """Each platform's pooled record over all its accounts, from its running totals.

    ``exclude_claim`` takes that claim's own counted stances (on the platform's accounts) back
    out, as ``reliability_of`` does for one publisher: a handful of rows, however many
    accounts the platform has.
    """
    wanted = sorted(set(platforms))
    if not wanted:
        return {}
    records = dict.fromkeys(wanted, Record())
    for row in session.exec(
        select(PlatformRecord).where(col(PlatformRecord.platform).in_(wanted))
    ).all():
        records[row.platform] = _record(row)
    if exclude_claim is not None:
        own = session.exec(
            select(Publisher.domain, PublisherStance)
            .join(Publisher, col(Publisher.id) == PublisherStance.publisher_id)
            .where(PublisherStance.claim_id == exclude_claim)
        ).all()
        for domain, stance in own:
            host = platform_of(domain)
            if host in records:
                records[host] = _without(records[host], _delta(stance.stance, stance.rating, -1))
    return records


def _record(row: PublisherRecord | PlatformRecord | None) -> Record:
    if row is None:
        return Record()
    return Record(
        backed=Tally(
            right=row.backed_right, wrong=row.backed_wrong, unverifiable=row.backed_unverifiable
        ),
        disputed=Tally(
            right=row.disputed_right,
            wrong=row.disputed_wrong,
            unverifiable=row.disputed_unverifiable,
        ),
        mentioned=row.mentioned,
    )


def reliability_of(
    *, session: Session, domains: Iterable[str], exclude_claim: int | None = None
) -> dict[str, Reliability]:
    """Each publisher's reliability from every live stance it took on a rated, live claim.

    ``exclude_claim`` leaves one claim's verdict out: a claim's score must rest on its evidence
    alone, never on the editor's ruling about that very claim (which is shown beside it). Its
    own counted stances are taken back out of the totals, so this reads a handful of rows
    however many claims the publishers are cited by.
    """
    wanted = sorted(set(domains))
    if not wanted:
        return {}
    rows = session.exec(
        select(Publisher.domain, Publisher.id, PublisherRecord)
        .join(
            PublisherRecord,
            col(PublisherRecord.publisher_id) == Publisher.id,
            isouter=True,
        )
        .where(col(Publisher.domain).in_(wanted))
    ).all()
    records: dict[str, Record] = {}
    ids: dict[int, str] = {}
    for domain, publisher_id, totals in rows:
        records[domain] = _record(totals)
        if publisher_id is not None:
            ids[publisher_id] = domain
    if exclude_claim is not None and ids:
        own = session.exec(
            select(PublisherStance).where(
                PublisherStance.claim_id == exclude_claim,
                col(PublisherStance.publisher_id).in_(list(ids)),
            )
        ).all()
        for stance in own:
            domain = ids[stance.publisher_id]
            records[domain] = _without(records[domain], _delta(stance.stance, stance.rating, -1))
    return {
        domain: reliability_from_record(domain, records[domain])
        if domain in records
        else neutral(domain)
        for domain in wanted
    }


def _without(record: Record, delta: dict[str, float]) -> Record:
    """The record with one counted stance's difference applied."""

    def side(tally: Tally, name: str) -> Tally:
        return Tally(
            right=tally.right + delta.get(f"{name}_right", 0.0),
            wrong=tally.wrong + delta.get(f"{name}_wrong", 0.0),
            unverifiable=tally.unverifiable + int(delta.get(f"{name}_unverifiable", 0)),
        )

    return Record(
        backed=side(record.backed, "backed"),
        disputed=side(record.disputed, "disputed"),
        mentioned=record.mentioned + int(delta.get("mentioned", 0)),
    )


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
