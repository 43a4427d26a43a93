"""Claims: record, read, correct, retract, list and match."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import Session, col, func, select

from claims.errors import Candidate, DuplicateClaim, InvalidRequest, NotFound
from claims.matching import fuzzy as matching
from claims.matching import service as match_index
from claims.models import Claim, ClaimTag, Evidence, Relation, ReviewState
from claims.notices import service as notices
from claims.policy import Action, Actor, allowed, require
from claims.schemas import ClaimCreate, ClaimQuery, ClaimUpdate
from claims.scoring import publishers as reliability
from claims.scoring import service as scores
from claims.search import service as search
from claims.search.figures import figure_terms
from claims.services import claim_rows, claimants, history, locks, revisions
from claims.text import normalise_claim
from clock import utcnow
from sources.errors import InvalidSource, SourceNotFound
from sources.models import SourceCreate
from sources.service import create_source, find_source_by_url, get_source

MAX_ID = 2**31 - 1


PUBLISHED = col(Claim.review_state) == ReviewState.published.value


def get_claim(*, session: Session, claim_id: int, viewer: Actor | None = None) -> Claim:
    """The claim with that id (retracted ones included), or NotFound.

    A submitted claim waiting in the review queue does not exist for anyone but a ``viewer``
    who may review it, so no read or write path can leak or build on it before it is accepted.
    """
    claim = session.get(Claim, claim_id)
    if claim is None:
        raise NotFound("claim", claim_id)
    if claim.review_state != ReviewState.published.value and not (
        viewer is not None and allowed(viewer, Action.review)
    ):
        raise NotFound("claim", claim_id)
    return claim


def live_texts(*, session: Session) -> dict[int, str]:
    """Normalised text of every published claim that is not retracted, for matching."""
    rows = session.exec(
        select(Claim.id, Claim.text_norm).where(col(Claim.retracted_at).is_(None), PUBLISHED)
    ).all()
    return {int(i): t for i, t in rows if i is not None}


def duplicates_of(
    *, session: Session, text: str, threshold: float | None = None, exclude: int | None = None
) -> list[Candidate]:
    """Existing live claims that the text nearly duplicates, best first.

    Uses the process's match index when the Session has one (every app Session does), else
    scores every live claim.
    """
    text_norm = normalise_claim(text)
    threshold = matching.DUPLICATE_THRESHOLD if threshold is None else threshold
    index = match_index.of(session)
    if index is not None:
        found = index.find_duplicates(
            session=session,
            text_norm=text_norm,
            threshold=threshold,
            exclude=() if exclude is None else (exclude,),
        )
    else:
        choices = live_texts(session=session)
        if exclude is not None:
            choices.pop(exclude, None)
        found = matching.find_duplicates(text_norm, choices, threshold=threshold)
    texts = _texts(session=session, ids=[m.claim_id for m in found])
    return [Candidate(claim_id=m.claim_id, text=texts[m.claim_id], score=m.score) for m in found]


def create_claim(
    *,
    session: Session,
    claim_in: ClaimCreate,
    actor: Actor,
    allow_duplicate: bool = False,
    duplicate_threshold: float | None = None,
    review_state: ReviewState = ReviewState.published,
) -> Claim:
    """Record a claim; DuplicateClaim if it nearly repeats one, unless told it is distinct.

    A ``submitted`` claim waits, hidden, in the review queue. Publishing needs the ``add``
    permission; an actor who may only ``submit`` (someone without an account) can name only
    claimants and sources already on record, since new ones would be public at once.
    """
    require(actor, Action.add if review_state == ReviewState.published else Action.submit)
    locks.lock_new_claims(session)
    if not allow_duplicate:
        candidates = duplicates_of(
            session=session, text=claim_in.text, threshold=duplicate_threshold
        )
        if candidates:
            raise DuplicateClaim(candidates)
    claimant_id = _claimant_id(session=session, claim_in=claim_in, actor=actor)
    appeared_in_id = _appeared_in_id(
        session=session,
        source_id=claim_in.appeared_in_id,
        url=claim_in.appeared_in_url,
        actor=actor,
    )
    values = claim_rows.claim_values(
        text=claim_in.text,
        language=claim_in.language,
        said_on=claim_in.said_on,
        claimant_id=claimant_id,
        appeared_in_id=appeared_in_id,
    )
    claim = Claim(**values, **claim_rows.authored(actor=actor, review_state=review_state))
    history.save(
        session=session,
        actor=actor,
        row=claim,
        action="create",
        changes=claim_rows.claim_created(values, tags=claim_in.tags, review_state=review_state),
    )
    assert claim.id is not None
    _set_tags(session=session, claim_id=claim.id, tags=claim_in.tags)
    scores.recompute(session=session, claim=claim)
    return claim


def accept_claim(*, session: Session, claim_id: int, actor: Actor) -> Claim:
    """Publish a submitted claim: from now on everyone sees it, the API included."""
    require(actor, Action.review)
    claim = get_claim(session=session, claim_id=claim_id, viewer=actor)
    if claim.retracted_at is not None:
        raise InvalidRequest("a retracted claim cannot be accepted")
    if claim.review_state == ReviewState.published.value:
        raise InvalidRequest("claim is already published")
    claim.review_state = ReviewState.published.value
    _new_revision(
        session=session,
        claim=claim,
        actor=actor,
        action="accept",
        changes={"review_state": [ReviewState.submitted.value, ReviewState.published.value]},
    )
    return claim


def review_queue(*, session: Session, actor: Actor, limit: int = 100) -> list[Claim]:
    """Submitted claims waiting for an editor, oldest first (rejected ones are retracted)."""
    require(actor, Action.review)
    return list(
        session.exec(
            select(Claim)
            .where(
                Claim.review_state == ReviewState.submitted.value,
                col(Claim.retracted_at).is_(None),
            )
            .order_by(col(Claim.created_at), col(Claim.id))
            .limit(limit)
        ).all()
    )


def claims_citing_source(*, session: Session, source_id: int) -> list[tuple[Evidence, Claim]]:
    """Every evidence item resting on the source with its (published) claim, oldest first."""
    return [
        (e, c)
        for e, c in session.exec(
            select(Evidence, Claim)
            .join(Claim, col(Claim.id) == Evidence.claim_id)
            .where(Evidence.source_id == source_id, PUBLISHED)
            .order_by(col(Evidence.id))
        ).all()
    ]


def update_claim(
    *,
    session: Session,
    claim_id: int,
    claim_in: ClaimUpdate,
    actor: Actor,
    expected_revision: int | None = None,
) -> Claim:
    """Correct a claim; StaleRevision if the client edited an older version."""
    require(actor, Action.edit)
    claim = get_claim(session=session, claim_id=claim_id)
    if claim.retracted_at is not None:
        raise InvalidRequest("a retracted claim cannot be edited")
    data = claim_in.model_dump(exclude_unset=True)
    tags = data.pop("tags", None)
    for field in ("text", "language"):
        if field in data and data[field] is None:
            raise InvalidRequest(f"{field} cannot be null", field=field)
    if "claimant_id" in data and data["claimant_id"] is not None:
        _claimant_exists(session=session, claimant_id=data["claimant_id"])
    if "appeared_in_id" in data and data["appeared_in_id"] is not None:
        _appeared_in_id(session=session, source_id=data["appeared_in_id"], url=None, actor=actor)
    before: dict[str, Any] = {k: getattr(claim, k) for k in data}
    if "text" in data:
        data["text_norm"] = normalise_claim(data["text"])
    if "text" in data or "language" in data:
        data["figures"] = figure_terms(
            data.get("text", claim.text), data.get("language", claim.language)
        )
    claim.sqlmodel_update(data)
    changes = history.diff(
        before, {k: v for k, v in data.items() if k not in ("text_norm", "figures")}
    )
    if tags is not None:
        old_tags = tags_of(session=session, claim_ids=[claim_id])[claim_id]
        if old_tags != tags:
            changes["tags"] = [old_tags, tags]
            _set_tags(session=session, claim_id=claim_id, tags=tags)
    if not changes:
        return claim
    _new_revision(
        session=session,
        claim=claim,
        actor=actor,
        action="update",
        changes=changes,
        expected=expected_revision,
    )
    return claim


def retract_claim(*, session: Session, claim_id: int, reason: str, actor: Actor) -> Claim:
    """Withdraw a claim, keeping it and its history; claims it bore on are rescored."""
    require(actor, Action.retract)
    # Editors reject a submitted claim by retracting it, so it must be visible to them here.
    claim = get_claim(session=session, claim_id=claim_id, viewer=actor)
    if claim.retracted_at is not None:
        raise InvalidRequest("claim is already retracted")
    claim.retracted_at = utcnow()
    claim.retraction_reason = reason
    notices.claim_retracted(session=session, claim=claim, reason=reason, actor=actor)
    _new_revision(
        session=session, claim=claim, actor=actor, action="retract", changes={"reason": reason}
    )
    objects = session.exec(
        select(Relation.object_id).where(
            Relation.subject_id == claim_id, col(Relation.retracted_at).is_(None)
        )
    ).all()
    # Its verdict no longer teaches its publishers' records anything: the records move now,
    # the claims resting on them are rescored by the worker.
    locks.lock_claim_row(session, claim_id)
    moved = reliability.sync_claim(session=session, claim_id=claim_id)
    reliability.later_rescore(session=session, publisher_ids=moved)
    scores.recompute_many(session=session, claim_ids=set(objects))
    return claim


def tags_of(*, session: Session, claim_ids: Sequence[int]) -> dict[int, list[str]]:
    """Each claim's tags, sorted."""
    result: dict[int, list[str]] = {i: [] for i in claim_ids}
    if claim_ids:
        rows = session.exec(select(ClaimTag).where(col(ClaimTag.claim_id).in_(claim_ids))).all()
        for row in rows:
            result[row.claim_id].append(row.tag)
    for value in result.values():
        value.sort()
    return result


def list_claims(*, session: Session, query: ClaimQuery) -> tuple[list[Claim], int, str | None]:
    """A page of claims matching the filters, the total, and the cursor of the next page."""
    conditions, relevance = _filters(session=session, query=query)
    total = session.exec(select(func.count()).select_from(Claim).where(*conditions)).one()
    sort = query.sort or ("relevance" if query.q is not None else "-updated_at")
    if sort == "relevance":
        return _list_by_relevance(
            session=session, query=query, conditions=conditions, total=total, relevance=relevance
        )
    field, descending = _sort(sort)
    column = getattr(Claim, field)
    order = [column.desc(), col(Claim.id).desc()] if descending else [column, col(Claim.id)]
    statement = select(Claim).where(*conditions)
    if query.cursor:
        value, last_id = _decode_cursor(query.cursor, sort)
        before = column < value if descending else column > value
        tie = col(Claim.id) < last_id if descending else col(Claim.id) > last_id
        statement = statement.where(or_(before, and_(column == value, tie)))
    rows = list(session.exec(statement.order_by(*order).limit(query.limit + 1)).all())
    next_cursor = None
    if len(rows) > query.limit:
        rows = rows[: query.limit]
        last = rows[-1]
        next_cursor = _encode_cursor(sort, getattr(last, field), last.id)
    return rows, int(total), next_cursor


def match(*, session: Session, text: str, limit: int) -> list[tuple[Claim, float, bool]]:
    """Live claims similar to ``text``, best first, flagged when at the duplicate threshold."""
    text_norm = normalise_claim(text)
    index = match_index.of(session)
    found = (
        index.similar(session=session, text_norm=text_norm, limit=limit)
        if index is not None
        else matching.similar(text_norm, live_texts(session=session), limit=limit)
    )
    claims_by_id = {
        c.id: c
        for c in session.exec(
            select(Claim).where(col(Claim.id).in_([m.claim_id for m in found]))
        ).all()
    }
    return [(claims_by_id[m.claim_id], m.score, m.duplicate) for m in found]


# ---- helpers ---------------------------------------------------------------------------


def _texts(*, session: Session, ids: Sequence[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.exec(select(Claim.id, Claim.text).where(col(Claim.id).in_(ids))).all()
    return {int(i): t for i, t in rows if i is not None}


def _claimant_id(*, session: Session, claim_in: ClaimCreate, actor: Actor) -> int | None:
    if claim_in.claimant_id is not None:
        _claimant_exists(session=session, claimant_id=claim_in.claimant_id)
        return claim_in.claimant_id
    if claim_in.claimant_name is not None:
        if not allowed(actor, Action.add):
            found = claimants.find_claimants(session=session, name=claim_in.claimant_name)
            if len(found) != 1:
                raise InvalidRequest(
                    "no claimant on record goes by this name; sign in to record a new one"
                    if not found
                    else "several claimants go by this name; pick one",
                    field="claimant_name",
                )
            return found[0].id
        return claimants.resolve_or_create(
            session=session, name=claim_in.claimant_name, actor=actor
        ).id
    return None


def _new_revision(
    *,
    session: Session,
    claim: Claim,
    actor: Actor,
    action: str,
    changes: dict[str, Any],
    expected: int | None = None,
) -> None:
    """Count a change to the claim itself and log it: every edit path goes through here.

    With ``expected`` (the revision the client edited), the comparison and the next revision
    are one statement: of two writers holding the same ETag, the database lets exactly one
    through, and the other's whole transaction, its edit included, is undone (412).
    """
    history.save(session=session, actor=actor, row=claim, action=action, changes=changes)
    revisions.bump(session=session, row=claim, expected=expected, updated_at=utcnow())


def _claimant_exists(*, session: Session, claimant_id: int) -> None:
    try:
        claimants.get_claimant(session=session, claimant_id=claimant_id)
    except NotFound as exc:
        raise NotFound("claimant", claimant_id, field="claimant_id") from exc


def _appeared_in_id(
    *, session: Session, source_id: int | None, url: str | None, actor: Actor
) -> int | None:
    if source_id is not None:
        try:
            get_source(session=session, source_id=source_id)
        except SourceNotFound as exc:
            raise NotFound("source", source_id, field="appeared_in_id") from exc
        return source_id
    if url is not None and not allowed(actor, Action.add):
        try:
            known = find_source_by_url(session=session, url=url)
        except InvalidSource as exc:
            raise InvalidRequest(str(exc), field="appeared_in_url") from exc
        if known is None:
            raise InvalidRequest(
                "this page is not on record yet; sign in to record new sources",
                field="appeared_in_url",
            )
        return known.id
    if url is not None:
        try:
            source, _ = create_source(
                session=session, source_in=SourceCreate(url=url), actor_name=actor.name
            )
        except InvalidSource as exc:
            raise InvalidRequest(str(exc), field="appeared_in_url") from exc
        return source.id
    return None


def _set_tags(*, session: Session, claim_id: int, tags: Sequence[str]) -> None:
    for row in session.exec(select(ClaimTag).where(ClaimTag.claim_id == claim_id)).all():
        session.delete(row)
    session.flush()
    for values in claim_rows.tag_values(claim_id, tags):
        session.add(ClaimTag(**values))
    session.flush()


def _filters(*, session: Session, query: ClaimQuery) -> tuple[list[Any], dict[int, float]]:
    """SQL conditions for the query, and the fuzzy-search score of each hit when ``q`` is set."""
    conditions: list[Any] = [PUBLISHED]
    relevance: dict[int, float] = {}
    if not query.include_retracted:
        conditions.append(col(Claim.retracted_at).is_(None))
    if query.claimant_id is not None:
        conditions.append(Claim.claimant_id == query.claimant_id)
    if query.claimant is not None:
        ids = [c.id for c in claimants.find_claimants(session=session, name=query.claimant)]
        conditions.append(col(Claim.claimant_id).in_(ids))
    if query.status:
        conditions.append(col(Claim.status).in_([s.value for s in query.status]))
    if query.contestedness_min is not None:
        conditions.append(Claim.contestedness >= query.contestedness_min)
    if query.contestedness_max is not None:
        conditions.append(Claim.contestedness <= query.contestedness_max)
    if query.language is not None:
        conditions.append(Claim.language == query.language)
    if query.tag is not None:
        tagged = select(ClaimTag.claim_id).where(ClaimTag.tag == query.tag.strip().lower())
        conditions.append(col(Claim.id).in_(tagged))
    if query.since is not None:
        conditions.append(Claim.updated_at >= query.since)
    if query.q is not None:
        hits = _search(session=session, q=query.q, include_retracted=query.include_retracted)
        conditions.append(col(Claim.id).in_([m.claim_id for m in hits]))
        relevance = {m.claim_id: m.score for m in hits}
    return conditions, relevance


def _search(*, session: Session, q: str, include_retracted: bool) -> list[matching.Match]:
    """Hits of the ``q`` filter: the database's full-text search merged with the fuzzy pass."""
    fuzzy = fuzzy_search(session=session, q=q, include_retracted=include_retracted)
    hits = search.merge_claim_passes(session=session, q=q, fuzzy=fuzzy)
    return [matching.Match(h.id, h.score) for h in hits]


def fuzzy_search(*, session: Session, q: str, include_retracted: bool) -> list[matching.Match]:
    """Fuzzy hits of the ``q`` filter: from the match index, which holds live claims only.

    Retracted claims are not indexed (they must never match a duplicate check), so
    ``include_retracted`` falls back to scanning every published claim.
    """
    index = match_index.of(session)
    if index is not None and not include_retracted:
        return index.search(session=session, text_norm=normalise_claim(q), limit=None)
    choices = (
        live_texts(session=session)
        if not include_retracted
        else {
            int(i): t
            for i, t in session.exec(select(Claim.id, Claim.text_norm).where(PUBLISHED)).all()
            if i is not None
        }
    )
    return matching.search(normalise_claim(q), choices, limit=None)


def _list_by_relevance(
    *,
    session: Session,
    query: ClaimQuery,
    conditions: list[Any],
    total: int,
    relevance: dict[int, float],
) -> tuple[list[Claim], int, str | None]:
    """Best fuzzy matches first; the cursor is an offset into that ranking."""
    rows = list(session.exec(select(Claim).where(*conditions)).all())
    rows.sort(key=lambda c: (-relevance.get(c.id or 0, 0.0), c.id))
    offset = 0
    if query.cursor:
        value, _ = _decode_cursor(query.cursor, "relevance")
        offset = int(value)
    page = rows[offset : offset + query.limit]
    more = offset + query.limit < len(rows)
    next_cursor = _encode_cursor("relevance", offset + query.limit, 0) if more else None
    return page, int(total), next_cursor


def _sort(sort: str) -> tuple[str, bool]:
    return sort.lstrip("-"), sort.startswith("-")


def _encode_cursor(sort: str, value: Any, last_id: int | None) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        value = value.isoformat()
    raw = json.dumps([sort, value, last_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str, sort: str) -> tuple[Any, int]:
    """The (sort value, last id) a cursor carries; anything not issued by us is a 422."""
    forged = InvalidRequest("cursor is not one this service issued", field="cursor")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        cursor_sort, value, last_id = json.loads(raw)
    except (ValueError, binascii.Error, TypeError) as exc:
        raise forged from exc
    if cursor_sort != sort:
        raise InvalidRequest("cursor belongs to another sort order", field="cursor")
    if type(last_id) is not int or not 0 <= last_id <= MAX_ID:
        raise forged
    field = sort.lstrip("-")
    if field in ("updated_at", "created_at"):
        if not isinstance(value, str):
            raise forged
        try:
            return datetime.fromisoformat(value).replace(tzinfo=UTC), last_id
        except ValueError as exc:
            raise forged from exc
    if field == "contestedness":
        if type(value) not in (int, float) or not 0.0 <= value <= 1.0:
            raise forged
        return float(value), last_id
    if type(value) is not int or not 0 <= value <= MAX_ID:
        raise forged
    return value, last_id
