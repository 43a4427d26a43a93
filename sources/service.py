"""Recording and reading sources. Functions add and flush; the caller's boundary commits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import func
from sqlmodel import Session, col, select

from clock import as_utc, as_utc_or_none, utcnow
from sources.dates import parse_partial_date_or_none
from sources.errors import InvalidSource, SourceNotFound
from sources.models import (
    DESCRIPTIVE_FIELDS,
    FetchState,
    Publisher,
    PublisherPublic,
    Snapshot,
    Source,
    SourceCite,
    SourceCreate,
    SourceKind,
    SourcePublic,
    SourceUpdate,
)
from sources.urls import InvalidURL, normalise_url, publisher_domain, publisher_name


def get_or_create_publisher(*, session: Session, domain: str, name: str | None = None) -> Publisher:
    """The publisher keyed by ``domain``, created on first sight with ``name`` or the domain."""
    publisher = session.exec(select(Publisher).where(Publisher.domain == domain)).first()
    if publisher is None:
        publisher = Publisher(domain=domain, name=name or domain)
        session.add(publisher)
        session.flush()
    return publisher


def get_source(*, session: Session, source_id: int) -> Source:
    """The source with that id, or SourceNotFound."""
    source = session.get(Source, source_id)
    if source is None:
        raise SourceNotFound(source_id)
    return source


def find_source_by_url(*, session: Session, url: str) -> Source | None:
    """The source recorded under the normalised form of ``url``, if any."""
    try:
        key = normalise_url(url)
    except InvalidURL as exc:
        raise InvalidSource(str(exc), field="url") from exc
    return session.exec(select(Source).where(Source.url == key)).first()


def create_source(
    *, session: Session, source_in: SourceCreate, actor_name: str, watch: bool = True
) -> tuple[Source, bool]:
    """Record a source, or return the existing one for the same normalised URL.

    Returns ``(source, created)``. Creation by URL is idempotent: a second call with the same
    article under a tracking link returns the first record unchanged. A new source is
    ``pending``; when ``watch`` is true the service layer queues its fetch once the unit of
    work commits, and rechecks it periodically (the demo files its sources unwatched).
    """
    try:
        key = normalise_url(source_in.url)
    except InvalidURL as exc:
        raise InvalidSource(str(exc), field="url") from exc
    existing = session.exec(select(Source).where(Source.url == key)).first()
    if existing is not None:
        return existing, False
    published_on = _partial_date(source_in.published_on)
    publisher = get_or_create_publisher(
        session=session,
        domain=publisher_domain(key),
        name=source_in.publisher_name or publisher_name(key),
    )
    assert publisher.id is not None
    source = Source(
        url=key,
        original_url=source_in.url,
        title=source_in.title,
        author=source_in.author,
        published_on=published_on,
        kind=source_in.kind.value,
        publisher_id=publisher.id,
        created_by=actor_name,
        set_by_person=[f for f in DESCRIPTIVE_FIELDS if getattr(source_in, f) is not None],
        watched=watch,
    )
    session.add(source)
    session.flush()
    _set_cites(session=session, source=source, cites=source_in.cites)
    return source, True


def update_source(*, session: Session, source_id: int, source_in: SourceUpdate) -> Source:
    """Correct a source's descriptive fields and what it cites."""
    source = get_source(session=session, source_id=source_id)
    data = source_in.model_dump(exclude_unset=True)
    cites = data.pop("cites", None)
    if "published_on" in data:
        data["published_on"] = _partial_date(data["published_on"])
    if "kind" in data:
        if data["kind"] is None:
            raise InvalidSource("kind cannot be null", field="kind")
        data["kind"] = SourceKind(data["kind"]).value
    named = set(source.set_by_person or []) | {f for f in DESCRIPTIVE_FIELDS if f in data}
    source.set_by_person = sorted(named)  # a new list, so the JSON column sees the change
    source.sqlmodel_update(data)
    if cites is not None:
        _set_cites(session=session, source=source, cites=cites)
    source.updated_at = utcnow()
    session.add(source)
    session.flush()
    return source


def _partial_date(value: str | None) -> str | None:
    try:
        return parse_partial_date_or_none(value)
    except ValueError as exc:
        raise InvalidSource(str(exc), field="published_on") from exc


def _set_cites(*, session: Session, source: Source, cites: Sequence[int]) -> None:
    """Replace what ``source`` cites, refusing unknown ids, self-citation and cycles."""
    assert source.id is not None
    wanted = sorted(set(cites))
    if source.id in wanted:
        raise InvalidSource("a source cannot cite itself", field="cites")
    if wanted:
        found = set(session.exec(select(Source.id).where(Source.id.in_(wanted))).all())  # type: ignore[union-attr]
        missing = [i for i in wanted if i not in found]
        if missing:
            raise InvalidSource(f"unknown source ids in cites: {missing}", field="cites")
        upstream = _reachable(session=session, start=wanted)
        if source.id in upstream:
            raise InvalidSource("cites would make a citation cycle", field="cites")
    for link in session.exec(select(SourceCite).where(SourceCite.source_id == source.id)).all():
        session.delete(link)
    session.flush()
    for cited in wanted:
        session.add(SourceCite(source_id=source.id, cites_id=cited))
    session.flush()


def _reachable(*, session: Session, start: Iterable[int]) -> set[int]:
    """Every source reachable from ``start`` by following cites (cycle-safe)."""
    seen: set[int] = set()
    frontier = set(start)
    while frontier:
        seen |= frontier
        rows = session.exec(
            select(SourceCite.cites_id).where(SourceCite.source_id.in_(frontier))  # type: ignore[attr-defined]
        ).all()
        frontier = set(rows) - seen
    return seen


def cites_of(*, session: Session, source_ids: Iterable[int]) -> dict[int, list[int]]:
    """What each of ``source_ids`` cites directly."""
    ids = list(set(source_ids))
    result: dict[int, list[int]] = {i: [] for i in ids}
    if not ids:
        return result
    rows = session.exec(
        select(SourceCite).where(SourceCite.source_id.in_(ids))  # type: ignore[attr-defined]
    ).all()
    for row in rows:
        result[row.source_id].append(row.cites_id)
    for value in result.values():
        value.sort()
    return result


def root_origins(*, session: Session, source_ids: Iterable[int]) -> dict[int, frozenset[str]]:
    """For each source, the publisher domains of the upstream roots its report rests on.

    A source that cites nothing is its own root. Two sources sharing a root are not
    independent: ten outlets repeating Wired's report all rest on wired.com.
    """
    ids = set(source_ids)
    graph: dict[int, list[int]] = {}
    frontier = set(ids)
    while frontier:
        step = cites_of(session=session, source_ids=frontier)
        graph.update(step)
        frontier = {c for cs in step.values() for c in cs} - set(graph)
    domains = dict(
        session.exec(
            select(Source.id, Publisher.domain)
            .join(Publisher, Publisher.id == Source.publisher_id)  # type: ignore[arg-type]
            .where(Source.id.in_(graph))  # type: ignore[union-attr]
        ).all()
    )

    def roots(node: int, path: frozenset[int]) -> frozenset[str]:
        upstream = [c for c in graph.get(node, []) if c not in path]
        if not upstream:
            return frozenset({domains[node]})
        out: frozenset[str] = frozenset()
        for cited in upstream:
            out |= roots(cited, path | {cited})
        return out

    return {i: roots(i, frozenset({i})) for i in ids}


def to_public(*, session: Session, source: Source) -> SourcePublic:
    """The API view of a source."""
    return many_to_public(session=session, sources=[source])[0]


def many_to_public(*, session: Session, sources: Sequence[Source]) -> list[SourcePublic]:
    """API views of several sources in a fixed number of queries."""
    ids = [s.id for s in sources if s.id is not None]
    publisher_ids = {s.publisher_id for s in sources}
    publishers = {
        p.id: p
        for p in session.exec(
            select(Publisher).where(Publisher.id.in_(publisher_ids))  # type: ignore[union-attr]
        ).all()
    }
    cites = cites_of(session=session, source_ids=ids)
    snapshots = _snapshot_summaries(session=session, sources=sources)
    out = []
    for source in sources:
        assert source.id is not None
        publisher = publishers[source.publisher_id]
        assert publisher.id is not None
        out.append(
            SourcePublic(
                id=source.id,
                url=source.url,
                original_url=source.original_url,
                title=source.title,
                author=source.author,
                published_on=source.published_on,
                kind=SourceKind(source.kind),
                publisher=PublisherPublic(
                    id=publisher.id, domain=publisher.domain, name=publisher.name
                ),
                cites=cites[source.id],
                created_by=source.created_by,
                created_at=as_utc(source.created_at),
                updated_at=as_utc(source.updated_at),
                watched=source.watched,
                fetch_state=FetchState(source.fetch_state),
                fetch_reason=source.fetch_reason,
                last_fetched_at=as_utc_or_none(source.last_fetched_at),
                dead_since=as_utc_or_none(source.dead_since),
                current_snapshot_id=snapshots[source.id][1],
                snapshots=snapshots[source.id][0],
            )
        )
    return out


def _snapshot_summaries(
    *, session: Session, sources: Sequence[Source]
) -> dict[int, tuple[int, int | None]]:
    """Per source id: how many snapshots it has, and the id of the current one."""
    ids = [s.id for s in sources if s.id is not None]
    out: dict[int, tuple[int, int | None]] = {i: (0, None) for i in ids}
    if not ids:
        return out
    counts = dict(
        session.exec(
            select(Snapshot.source_id, func.count())
            .where(col(Snapshot.source_id).in_(ids))
            .group_by(col(Snapshot.source_id))
        ).all()
    )
    wanted = {s.id: s.current_sha256 for s in sources if s.id is not None and s.current_sha256}
    current: dict[int, int | None] = {}
    if wanted:
        rows = session.exec(
            select(Snapshot.source_id, Snapshot.id, Snapshot.sha256).where(
                col(Snapshot.source_id).in_(list(wanted))
            )
        ).all()
        current = {sid: snap for sid, snap, sha in rows if wanted.get(sid) == sha}
    for source_id in ids:
        out[source_id] = (int(counts.get(source_id, 0)), current.get(source_id))
    return out


def list_sources(
    *, session: Session, offset: int = 0, limit: int = 50, publisher: str | None = None
) -> tuple[list[Source], int]:
    """A page of sources, newest first, with the total count."""
    query = select(Source)
    count_query = select(func.count()).select_from(Source)
    if publisher:
        query = query.join(Publisher, Publisher.id == Source.publisher_id).where(  # type: ignore[arg-type]
            Publisher.domain == publisher
        )
        count_query = count_query.join(Publisher, Publisher.id == Source.publisher_id).where(  # type: ignore[arg-type]
            Publisher.domain == publisher
        )
    rows = session.exec(
        query.order_by(Source.id.desc()).offset(offset).limit(limit)  # type: ignore[union-attr]
    ).all()
    return list(rows), int(session.exec(count_query).one())
