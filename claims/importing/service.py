"""Bulk import of validated rows: claims, claimants, sources, tags, verdicts, revision log.

The API path (``ledger.create_claim``, ``verdicts.add_verdict``) costs several ORM round trips
and a scan of every live claim per row. An import of a whole archive writes the same rows, built
by the same functions (``claims.services.claim_rows`` for the claim, its tags, a new claimant and
a verdict, ``history.entry`` for their log entries), with SQLAlchemy Core ``executemany`` per
batch instead, with what stays constant over a run done once:

- permissions are checked once for the run;
- claimants are looked up in a map of every name and alias on record, read once; new ones are
  inserted per batch with their revision-log entries (what ``claimants.create_claimant``
  writes); sources are resolved once per distinct URL through ``create_source``;
- a new claim has no evidence, so its score is the empty score, computed once: this is exactly
  what ``scores.recompute`` would store, and a verdict on a claim with no evidence changes no
  publisher's record, so nothing else needs rescoring;
- duplicates are found with a ``RunIndex`` over the live claims plus the rows imported so far,
  either here or, for a large file, in a second process (``claims.matching.dedupe_worker``) that
  folds and asks batch *k + 1* while this one writes batch *k*: ``ask`` sends a batch ahead,
  ``write`` takes its answers. The worker assumes that every row it does not find a duplicate for is
  written; a row refused after it was asked (an unusable source URL, a database refusal) makes the
  importer drop the worker and rebuild the index here from the database and the batch so far, so the
  answers are those of the serial path either way;
- rows go to the driver's ``executemany`` through SQLAlchemy's compiled ``insert`` and its
  types' bind processors (``_executemany``), without Core's per-row parameter building; what
  every row of a statement shares (the empty score and its explanation, the counts, the
  actor, the time) is converted once per statement instead of JSON-encoded for every row.

Each batch is written inside a SAVEPOINT. If the database refuses it, the batch is rolled back
(caches and index included) and replayed one row per SAVEPOINT, so one bad row is reported and
the others are written, never half of a row. Services never commit: the caller commits between
batches.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON, Column, Connection, Dialect, func, insert, text
from sqlalchemy import select as sa_select
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from claims.importing.rows import ImportRow, RowError
from claims.matching.dedupe import RunIndex
from claims.matching.dedupe_worker import Answer, DedupeWorker, WorkerLost
from claims.models import (
    Claim,
    Claimant,
    ClaimantAlias,
    ClaimantKind,
    ClaimantName,
    ClaimTag,
    ReviewState,
    Revision,
    Verdict,
)
from claims.policy import Action, Actor, allowed, require
from claims.scoring.model import model_of
from claims.scoring.score import score_claim
from claims.services import claim_rows, history, ledger, locks
from claims.text import normalise_claim, normalise_name
from clock import utcnow
from sources.errors import SourceError
from sources.models import SourceCreate
from sources.service import create_source

CLAIM = Claim.__table__  # type: ignore[attr-defined]
CLAIMANT = Claimant.__table__  # type: ignore[attr-defined]
TAG = ClaimTag.__table__  # type: ignore[attr-defined]
VERDICT = Verdict.__table__  # type: ignore[attr-defined]
REVISION = Revision.__table__  # type: ignore[attr-defined]
CLAIMANT_NAME = ClaimantName.__table__  # type: ignore[attr-defined]


@dataclass
class Outcome:
    """What became of the rows so far: created claim ids, matches, refusals."""

    created: list[int] = field(default_factory=list)
    matched: list[tuple[int, list[int]]] = field(default_factory=list)  # (line, claim ids)
    rejected: list[RowError] = field(default_factory=list)

    def extend(self, other: Outcome) -> None:
        """Add another batch's outcome to this one."""
        self.created += other.created
        self.matched += other.matched
        self.rejected += other.rejected


@dataclass
class _Pending:
    row: ImportRow
    text_norm: str
    claimant_key: str | None
    source_id: int | None
    doc: int | None


class _RowRefused(Exception):
    """A valid row the ledger cannot take (e.g. an ambiguous claimant name)."""


class Importer:
    """One import run: its actor, caches and duplicate index; ``write`` takes each batch.

    With ``worker``, duplicates are asked of a ``DedupeWorker``: call ``ask`` with each batch
    before ``write`` (ideally one batch ahead), and ``close`` at the end.
    """

    def __init__(
        self,
        *,
        session: Session,
        actor: Actor,
        distinct: bool = False,
        duplicate_threshold: float | None = None,
        worker: bool = False,
    ) -> None:
        require(actor, Action.add)
        self.session = session
        self.actor = actor
        self.may_rule = allowed(actor, Action.rule)
        self.threshold = duplicate_threshold
        self.index: RunIndex | None = None
        self._worker: DedupeWorker | None = None
        # Per batch asked and not yet written: (line, key asked with) of each row asked.
        self._asked: deque[list[tuple[int, int | None]]] = deque()
        # Worker keys (-line) of the rows written so far -> their claim ids.
        self._created: dict[int, int] = {}
        if not distinct:
            live = ledger.live_texts(session=session)
            if worker:
                self._worker = DedupeWorker(live, threshold=duplicate_threshold)
            else:
                self.index = RunIndex.of(live, threshold=duplicate_threshold)
        self._claimants = _names_on_record(session)
        # Name as written -> folded: the same few thousand names recur over 100,000 rows.
        self._name_keys: dict[str, str] = {}
        self._sources: dict[str, int] = {}
        empty = score_claim([], previous_status=None, model=model_of(session.info))
        self._score = {
            "status": empty.status,
            "lean": empty.lean,
            "contestedness": empty.contestedness,
            "support_weight": empty.support,
            "oppose_weight": empty.oppose,
            "explanation": empty.to_dict(),
            "score_total": empty.total,
            "score_reasons": ",".join(empty.reasons),
        }

    def ask(self, rows: Sequence[ImportRow | RowError]) -> None:
        """Send a batch's texts to the worker ahead of ``write`` (without a worker: nothing).

        Rows refused before their duplicate check (a verdict the actor may not give) are not
        sent; rows whose claimant will be refused are sent without a key (answered, never
        indexed), since those refusals are known now and the worker must not count them.
        """
        if self._worker is None:
            return
        asked = [
            (row.line, None if self._claimant_refused(row) else -row.line)
            for row in rows
            if isinstance(row, ImportRow) and not self._verdict_refused(row)
        ]
        texts = {row.line: row.claim.text for row in rows if isinstance(row, ImportRow)}
        self._worker.ask([(texts[line], key) for line, key in asked])
        self._asked.append(asked)

    def close(self) -> None:
        """Stop the worker, if any (the index here needs nothing)."""
        if self._worker is not None:
            self._worker.close()
            self._worker = None
        self._asked.clear()

    def write(self, rows: Sequence[ImportRow | RowError], *, origin: str = "") -> Outcome:
        """Write one batch; a batch the database refuses is replayed row by row."""
        outcome = Outcome(rejected=[r for r in rows if isinstance(r, RowError)])
        valid = [r for r in rows if isinstance(r, ImportRow)]
        # Claims are recorded one writer at a time (see ``locks.lock_new_claims``).
        locks.lock_new_claims(self.session)
        saved = self._snapshot()
        try:
            with self.session.begin_nested():
                outcome.extend(self._write(valid, origin))
        except SQLAlchemyError:
            self._restore(saved)
            if self._worker is not None:  # its answers for this batch are spent
                self._go_serial([])
        else:
            outcome.rejected.sort(key=lambda e: e.line)
            return outcome
        for row in valid:
            saved = self._snapshot()
            try:
                with self.session.begin_nested():
                    outcome.extend(self._write([row], origin))
            except SQLAlchemyError as exc:
                self._restore(saved)
                reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
                outcome.rejected.append(RowError(row.line, f"the database refused it: {reason}"))
        outcome.rejected.sort(key=lambda e: e.line)
        return outcome

    # ---- one attempt -------------------------------------------------------------------

    def _write(self, rows: Sequence[ImportRow], origin: str) -> Outcome:
        outcome = Outcome()
        pending: list[_Pending] = []
        new_claimants: dict[str, tuple[str, str | None]] = {}  # key -> (name, role)
        answers = self._answers(rows) if self._worker is not None else None
        asked_worker = answers is not None
        for row in rows:
            if self._verdict_refused(row):
                outcome.rejected.append(
                    RowError(row.line, f"verdict: {self.actor.role.value} may not give verdicts")
                )
                continue
            doc = None
            asked_key = None
            if answers is not None:
                text_norm, keys, asked_key = answers[row.line]
                if keys:
                    outcome.matched.append((row.line, keys))
                    continue
            else:
                text_norm = normalise_claim(row.claim.text)
                if self.index is not None:
                    found = self.index.duplicates(text_norm)
                    if found:
                        outcome.matched.append((row.line, [m.claim_id for m in found]))
                        continue
            try:
                claimant_key = self._claimant(row, new_claimants)
                source_id = self._source(row)
            except _RowRefused as exc:
                outcome.rejected.append(RowError(row.line, str(exc)))
                if asked_key is not None:  # the worker took it as written: its answers stop here
                    self._go_serial(pending)
                    answers = None
                continue
            if self.index is not None:
                # A provisional key (-line) lets later rows of this batch match this one.
                doc = self.index.add(text_norm, -row.line)
            pending.append(_Pending(row, text_norm, claimant_key, source_id, doc))
        if new_claimants:
            self._insert_claimants(new_claimants)
        final: dict[int, int] = {}
        if pending:
            ids = self._insert(pending, origin)
            outcome.created = ids
            final = {-p.row.line: i for p, i in zip(pending, ids, strict=True)}
            if self.index is not None:
                for p, claim_id in zip(pending, ids, strict=True):
                    if p.doc is not None:
                        self.index.rekey(p.doc, claim_id)
        # Provisional keys (-line) -> claim ids: this batch's, and the worker's earlier ones
        # (the serial index rekeys those instead).
        if asked_worker:
            self._created.update(final)
        known = self._created
        outcome.matched = [
            (line, [final.get(k, known.get(k, k)) for k in keys]) for line, keys in outcome.matched
        ]
        return outcome

    # ---- duplicates asked of the worker -------------------------------------------------

    def _verdict_refused(self, row: ImportRow) -> bool:
        return row.verdict is not None and not self.may_rule

    def _claimant_refused(self, row: ImportRow) -> bool:
        """Whether ``_claimant`` will refuse the row: it depends on the name alone, since
        the names on record only gain new, unambiguous names during a run."""
        try:
            self._claimant(row, {})
        except _RowRefused:
            return True
        return False

    def _answers(self, rows: Sequence[ImportRow]) -> dict[int, _Asked] | None:
        """The worker's answers for this batch by line: (folded text, keys, key asked with).

        A batch that was not asked first is asked now. None when the worker is lost: the
        serial path (``_go_serial``) then answers the whole batch.
        """
        assert self._worker is not None
        if not self._asked:
            self.ask(rows)
        asked = self._asked.popleft()
        expected = [r.line for r in rows if not self._verdict_refused(r)]
        if [line for line, _ in asked] != expected:
            raise RuntimeError("write() was given another batch than the one asked")
        try:
            got: list[Answer] = self._worker.answers()
        except WorkerLost:
            self._go_serial([])
            return None
        return {
            line: (norm, keys, key) for (line, key), (norm, keys) in zip(asked, got, strict=True)
        }

    def _go_serial(self, pending: Sequence[_Pending]) -> None:
        """Drop the worker and hold the index here: the database's live claims (every row
        written so far included) plus this batch's rows not yet written."""
        if self._worker is not None:
            self._worker.close()
            self._worker = None
        self._asked.clear()
        self.index = RunIndex.of(ledger.live_texts(session=self.session), threshold=self.threshold)
        for p in pending:
            p.doc = self.index.add(p.text_norm, -p.row.line)

    def _insert(self, pending: Sequence[_Pending], origin: str) -> list[int]:
        conn = self.session.connection()
        now = utcnow()
        claimant_ids = [self._claimant_id(p.claimant_key) for p in pending]
        claims = [
            claim_rows.claim_values(
                text=p.row.claim.text,
                language=p.row.claim.language,
                said_on=p.row.claim.said_on,
                claimant_id=claimant_id,
                appeared_in_id=p.source_id,
                text_norm=p.text_norm,
            )
            for p, claimant_id in zip(pending, claimant_ids, strict=True)
        ]
        # What every claim of the batch shares is bound once for the statement (_executemany).
        shared = {
            **self._score,
            "n_supporting": 0,
            "n_refuting": 0,
            "n_mentioning": 0,
            "n_rebuttals": 0,
            "n_qualifications": 0,
            "n_backings": 0,
            "revision": 1,
            **claim_rows.authored(actor=self.actor, review_state=ReviewState.published),
            "created_at": now,
            "updated_at": now,
        }
        ids = _insert_ids(conn, CLAIM, claims, shared=shared)
        tags = [
            tag
            for p, i in zip(pending, ids, strict=True)
            for tag in claim_rows.tag_values(i, p.row.claim.tags)
        ]
        if tags:
            _executemany(conn, TAG, tags)
        revisions = [
            history.entry(
                entity="claim", entity_id=i, claim_id=i, changes=_claim_changes(p, values, origin)
            )
            for p, values, i in zip(pending, claims, ids, strict=True)
        ]
        rated = [(p, i) for p, i in zip(pending, ids, strict=True) if p.row.verdict is not None]
        if rated:
            verdict_rows = []
            for p, claim_id in rated:
                assert p.row.verdict is not None
                verdict_rows.append(
                    claim_rows.verdict_values(
                        claim_id=claim_id,
                        rating=p.row.verdict.rating,
                        rationale=p.row.verdict.rationale,
                        actor=self.actor,
                        at=now,
                    )
                )
            verdict_changes = [claim_rows.verdict_created(v, supersedes=None) for v in verdict_rows]
            verdict_ids = _insert_ids(conn, VERDICT, verdict_rows, shared={"superseded_at": None})
            for (_, claim_id), verdict_id, c in zip(
                rated, verdict_ids, verdict_changes, strict=True
            ):
                revisions.append(
                    history.entry(
                        entity="verdict", entity_id=int(verdict_id), claim_id=claim_id, changes=c
                    )
                )
        self._insert_revisions(conn, revisions, now)
        return ids

    def _insert_revisions(self, conn: Connection, rows: list[dict[str, Any]], at: Any) -> None:
        shared = {"action": "create", "actor": self.actor.name, "at": at}
        _executemany(conn, REVISION, rows, shared=shared)

    # ---- claimants and sources, each resolved once per run ------------------------------

    def _claimant(self, row: ImportRow, new: dict[str, tuple[str, str | None]]) -> str | None:
        """The row's claimant as a key of ``_claimants``; unknown names are queued in ``new``."""
        name = row.claim.claimant_name
        if name is None:
            return None
        key = self._name_keys.get(name)
        if key is None:
            key = self._name_keys[name] = normalise_name(name)
        if not key:
            raise _RowRefused("claimant: the name has no letters or digits")
        known = self._claimants.get(key)
        if known is not None and len(known) > 1:
            ids = ", ".join(str(i) for i in sorted(known))
            raise _RowRefused(f"claimant: {name!r} names several claimants ({ids})")
        if known is None:
            new.setdefault(key, (name, row.claimant_role))
        return key

    def _claimant_id(self, key: str | None) -> int | None:
        if key is None:
            return None
        (claimant_id,) = self._claimants[key]
        return claimant_id

    def _insert_claimants(self, new: dict[str, tuple[str, str | None]]) -> None:
        """Record new claimants as ``claimants.create_claimant`` would, in two statements."""
        conn = self.session.connection()
        now = utcnow()
        keys = list(new)
        rows = [
            claim_rows.claimant_values(
                name=new[k][0],
                kind=ClaimantKind.person,
                role=new[k][1],
                actor=self.actor,
                name_norm=k,
            )
            for k in keys
        ]
        ids = _insert_ids(conn, CLAIMANT, rows, shared={"created_at": now, "updated_at": now})
        # Their names enter the register that keeps names unique: a name a concurrent writer
        # recorded meanwhile fails the batch, which is then replayed row by row.
        conn.execute(
            insert(CLAIMANT_NAME),
            [
                claim_rows.name_values(claimant_id=int(claimant_id), key=key)
                for key, claimant_id in zip(keys, ids, strict=True)
            ],
        )
        revisions = []
        for key, claimant_id in zip(keys, ids, strict=True):
            self._claimants[key] = {int(claimant_id)}
            changes = claim_rows.claimant_created(
                name=new[key][0], kind=ClaimantKind.person, role=new[key][1]
            )
            revisions.append(
                history.entry(
                    entity="claimant", entity_id=int(claimant_id), claim_id=None, changes=changes
                )
            )
        self._insert_revisions(conn, revisions, now)

    def _source(self, row: ImportRow) -> int | None:
        url = row.claim.appeared_in_url
        if url is None:
            return None
        known = self._sources.get(url)
        if known is not None:
            return known
        try:
            source, _ = create_source(
                session=self.session, source_in=SourceCreate(url=url), actor_name=self.actor.name
            )
        except SourceError as exc:
            raise _RowRefused(f"appeared_in_url: {exc}") from exc
        assert source.id is not None
        self._sources[url] = source.id
        return source.id

    # ---- rollback support ---------------------------------------------------------------

    def _snapshot(self) -> _Saved:
        size = len(self.index) if self.index is not None else 0
        return self.index, size, dict(self._claimants), dict(self._sources)

    def _restore(self, saved: _Saved) -> None:
        index, size, self._claimants, self._sources = saved
        if self.index is not None and self.index is index:
            self.index.truncate(size)
        elif self.index is not None:  # built during the attempt (from the worker's hand-over)
            self._go_serial([])


_Saved = tuple[RunIndex | None, int, dict[str, set[int]], dict[str, int]]
# A worker's answer for one row: (folded text, keys it duplicates or None, key it was asked with).
_Asked = tuple[str, list[int] | None, int | None]


_RESERVE_IDS = text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)")


def _insert_ids(
    conn: Connection,
    table: Any,
    rows: list[dict[str, Any]],
    *,
    shared: Mapping[str, Any] | None = None,
) -> list[int]:
    """Insert rows with one executemany and return their ids, in the order of ``rows``.

    ``shared`` holds the values every row has (see ``_executemany``); ``rows`` get their ids.

    The ids are chosen before inserting, so the insert is a plain executemany (the fastest path
    of both drivers) rather than an INSERT ... RETURNING:
    - PostgreSQL: reserved from the table's own sequence in one query, so they are never
      handed to anyone else. (RETURNING with ``sort_by_parameter_order`` builds one statement
      of 1,000 x 21 placeholders per page, which psycopg re-parses in Python: 1/3 of the time.)
    - SQLite: the ones after the largest on record. SQLite cannot order a multi-row RETURNING,
      so SQLAlchemy would insert one row per statement. SQLite has one writer at a time; a
      writer that raced us between the read and the insert makes the insert fail on the
      primary key (and the batch is replayed row by row), never write a wrong id.
    """
    dialect = conn.dialect.name
    if dialect == "postgresql":
        found = conn.execute(_RESERVE_IDS, {"t": table.name, "n": len(rows)}).scalars()
        ids = [int(i) for i in found]
    elif dialect == "sqlite":
        start = int(conn.execute(sa_select(func.coalesce(func.max(table.c.id), 0))).scalar_one())
        ids = list(range(start + 1, start + 1 + len(rows)))
    else:
        returning = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        rows = [{**row, **(shared or {})} for row in rows]
        return [int(i) for i in conn.execute(returning, rows).scalars()]
    for row, i in zip(rows, ids, strict=True):
        row["id"] = i
    _executemany(conn, table, rows, shared=shared)
    return ids


def _executemany(
    conn: Connection,
    table: Any,
    rows: list[dict[str, Any]],
    *,
    shared: Mapping[str, Any] | None = None,
) -> None:
    """INSERT ``rows`` (dicts with the same keys) plus ``shared`` with the driver's executemany.

    The statement is SQLAlchemy's own ``insert(table)``, compiled once per call for the
    connection's dialect, and every value goes through its column type's own bind processor,
    as Core does. What Core adds per row (building each row's parameters anew from the
    compiled statement: about 3/4 of a batch's write time, twice the driver's own) is skipped,
    and ``shared`` values are converted once, not per row (``_sent_once``: the empty score's
    explanation is not JSON-encoded 1,000 times a batch).
    """
    if not rows:
        return
    dialect = conn.dialect
    shared = shared or {}
    keys = list(rows[0])
    compiled = insert(table).compile(dialect=dialect, column_keys=[*keys, *shared])
    names = list(compiled.positiontup or ()) if dialect.positional else list(compiled.binds)
    if set(names) != {*keys, *shared}:  # not a plain column-per-parameter insert: let Core do it
        conn.execute(insert(table), [{**row, **shared} for row in rows])
        return
    once = {k: _sent_once(table.c[k], v, dialect) for k, v in shared.items()}
    processors = {k: table.c[k].type.dialect_impl(dialect).bind_processor(dialect) for k in keys}
    params: list[Any]
    if dialect.positional:
        slots = [(k, processors.get(k), k in once) for k in names]
        params = [
            tuple(
                once[k] if fixed else process(row[k]) if process else row[k]
                for k, process, fixed in slots
            )
            for row in rows
        ]
    else:
        converted = [(k, process) for k, process in processors.items() if process]
        params = []
        for row in rows:
            values = {**row, **once}
            for k, process in converted:
                values[k] = process(values[k])
            params.append(values)
    conn.exec_driver_sql(compiled.string, params)


def _sent_once(column: Column[Any], value: Any, dialect: Dialect) -> Any:
    """``value`` as ``column``'s type sends it to the driver, converted once.

    psycopg is given JSON as a ``Json`` wrapper that it encodes again for every row; the text
    is encoded here instead, with the serializer the driver would use (the engine's, else
    ``json.dumps``), and the statement casts it (``::JSON``) as it would the wrapper.
    """
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    sent = process(value) if process is not None else value
    if isinstance(column.type, JSON) and not isinstance(sent, str):
        sent = (getattr(dialect, "_json_serializer", None) or json.dumps)(value)
    return sent


def _names_on_record(session: Session) -> dict[str, set[int]]:
    """Every claimant name and alias on record, folded, with the claimants it names."""
    names: dict[str, set[int]] = {}
    for claimant_id, key in session.exec(select(Claimant.id, Claimant.name_norm)).all():
        names.setdefault(key, set()).add(int(claimant_id))  # type: ignore[arg-type]
    for claimant_id, key in session.exec(
        select(ClaimantAlias.claimant_id, ClaimantAlias.alias_norm)
    ).all():
        names.setdefault(key, set()).add(claimant_id)
    return names


def _claim_changes(p: _Pending, values: dict[str, Any], origin: str) -> dict[str, Any]:
    """The revision entry ``ledger.create_claim`` writes, plus where the row came from."""
    changes = claim_rows.claim_created(
        values, tags=p.row.claim.tags, review_state=ReviewState.published
    )
    changes["imported_from"] = f"{origin}:{p.row.line}" if origin else p.row.line
    if p.row.note:
        changes["context"] = p.row.note
    return changes
