"""Background jobs (huey): fetch a source's page, re-anchor its quotes, recheck sources,
rescore the claims resting on publishers whose record changed.

Only ``service/`` knows huey. The queue is built in ``create_app`` from settings: SQLite (a file
in the instance folder, no extra service) by default, Redis when ``CLAIMDESK_REDIS_URL`` is
set, and huey's immediate mode for tests, where a job runs as soon as it is handed over. Its
name comes from the deployment (``Settings.resolved_queue_name``), so two deployments sharing
one Redis never run each other's jobs, and the Redis client has connect and read timeouts.

No request talks to the queue. A write records the jobs it needs as outbox rows in its own
transaction (``claims/services/outbox.py``: every new watched ``Source`` it flushes, and
whatever ``later()`` is given); ``claimdesk worker`` takes those rows and hands them to the
queue (``Jobs.drain``), deleting them only once the queue has them. So a rollback queues
nothing, a commit can never be followed by a lost job, and a Redis that is down or hung delays
jobs without holding or failing any request. A job that fails is retried by huey with
exponential backoff; every job is idempotent, so one handed over twice does no harm.

Each job is one unit of work: its own Session and a single commit, with the network fetch done
before the transaction opens, so no lock is held while a slow page trickles in and a failure
leaves nothing half-written.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final, cast

from flask import Flask
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from claims.anchoring.service import reanchor_source
from claims.scoring import service as scores
from claims.services import alerts, outbox
from clock import as_utc, utcnow
from service.db import Database, read_only
from service.runtime import current_runtime, runtime
from service.settings import Settings
from sources import snapshots
from sources.errors import FetchError, SourceNotFound
from sources.fetch import Fetcher
from sources.models import FetchState, Source
from sources.service import get_source

SWEEP: Final = crontab(minute="*/10")  # how often the recheck looks for sources that are due
REDIS_TIMEOUT_S: Final = 2.0  # connect and read; the consumer's blocking pop waits 1 s
DRAIN_BATCH: Final = 200
DRAIN_POLL_S: Final = 0.5
RESCORE_BATCH: Final = 200  # claims rescored per transaction when a publisher's record moved
# huey's retries of a failed job: after 5 s, 10 s, 20 s and 40 s (75 s in all, within the
# outbox lease); after that the outbox hands the job over again once its lease ends.
RETRIES: Final = {"retries": 4, "retry_delay": 5, "retry_backoff": 2}
EMBED_SWEEP: Final = crontab(minute="*")  # claims written without a flush hook (bulk imports)
_JOBS: Final = "claimdesk.jobs"  # in every Session's info: the Jobs its commits feed
log = logging.getLogger(__name__)
DEAD: Final = FetchState.dead.value


def make_huey(settings: Settings, instance_path: Path) -> Huey:
    """The queue the settings ask for (see the module docstring)."""
    name = settings.resolved_queue_name(instance_path)
    if settings.jobs_immediate:
        return MemoryHuey(name, immediate=True, results=False)
    if settings.redis_url:
        from redis import ConnectionPool

        pool = ConnectionPool.from_url(
            settings.redis_url,
            socket_timeout=REDIS_TIMEOUT_S,
            socket_connect_timeout=REDIS_TIMEOUT_S,
            health_check_interval=30,
        )
        return RedisHuey(name, connection_pool=pool, results=False)
    return SqliteHuey(name, filename=str(instance_path / "jobs.sqlite3"), results=False)


class Jobs:
    """An app's queue and the jobs it runs, bound to its database and fetch policy."""

    def __init__(self, *, huey: Huey, database: Database, settings: Settings) -> None:
        self.huey = huey
        self.database = database
        self.fetcher = Fetcher(settings.fetch_policy())
        self.recheck_every = timedelta(hours=settings.recheck_hours)
        self.lease = timedelta(seconds=settings.job_lease_seconds)
        self.tasks: dict[str, Callable[..., Any]] = {
            name: huey.task(name=name, **RETRIES)(self._finishing(job))
            for name, job in (
                ("fetch_source", self.fetch_source),
                ("reanchor_source", self.reanchor_source),
                ("rescore_publishers", self.rescore_publishers),
                ("rescore_stale", self.rescore_stale),
                ("embed_claims", self.embed_claims),
            )
        }
        huey.periodic_task(SWEEP, name="recheck_sources")(self.recheck_sources)
        huey.periodic_task(EMBED_SWEEP, name="embed_claims_sweep")(self.embed_claims)
        self._draining = threading.local()

    def _finishing(self, job: Callable[..., None]) -> Callable[..., None]:
        """The job, then its outbox row removed: only a job that ran leaves the outbox."""

        def run(*args: Any, outbox_row: tuple[int, str] | None = None) -> None:
            job(*args)
            if outbox_row is not None:
                job_id, stamp = outbox_row
                with self.database.session_factory() as session:
                    outbox.finished(
                        session=session, job_id=job_id, handed_at=datetime.fromisoformat(stamp)
                    )
                    session.commit()

        run.__name__ = run.__qualname__ = job.__name__
        return run

    def enqueue(self, name: str, *args: Any, outbox_row: tuple[int, str] | None = None) -> None:
        """Put a job on the queue (in immediate mode: run it now)."""
        if outbox_row is None:
            self.tasks[name](*args)
        else:
            self.tasks[name](*args, outbox_row=outbox_row)

    def drain(self, limit: int = DRAIN_BATCH) -> int:
        """Hand the outbox's due jobs to the queue; how many were handed over.

        Rows are stamped as handed over in the transaction that gives them to the queue, and
        removed by their job once it has run (``outbox.finished``): a failure anywhere in
        between hands a job over again, which its idempotence absorbs, but never loses it. In
        immediate mode (tests) the stamp is committed first and the jobs then run, since
        running a job commits other Sessions.
        """
        if getattr(self._draining, "active", False):
            return 0  # a job run by this drain committed: the running drain picks its rows up
        self._draining.active = True
        handed = 0
        try:
            while True:
                with read_only(), self.database.session_factory() as session:
                    if not outbox.due_count(session=session, lease=self.lease):
                        return handed
                with self.database.session_factory() as session:
                    rows = outbox.take(session=session, limit=limit, lease=self.lease)
                    stamp = utcnow()
                    outbox.handed(session=session, ids=[r.id for r in rows if r.id], at=stamp)
                    work = [(r.name, tuple(r.args), (r.id, stamp.isoformat())) for r in rows]
                    if not self.huey.immediate:
                        for name, args, row in work:
                            self.enqueue(name, *args, outbox_row=row)  # type: ignore[arg-type]
                    session.commit()
                if self.huey.immediate:
                    for name, args, row in work:
                        self.enqueue(name, *args, outbox_row=row)  # type: ignore[arg-type]
                handed += len(work)
                if not work:
                    return handed  # rows another worker holds (SKIP LOCKED): theirs to hand
        finally:
            self._draining.active = False

    def drain_forever(self, stop: threading.Event, poll: float = DRAIN_POLL_S) -> None:
        """The worker's outbox loop: hand jobs over as they appear, backing off on failures."""
        failures = 0
        while not stop.is_set():
            try:
                self.drain()
                failures = 0
                stop.wait(poll)
            except Exception:  # the queue or the database is down: keep the rows, try later
                failures += 1
                log.warning("outbox: could not hand jobs to the queue", exc_info=True)
                stop.wait(min(30.0, poll * 2**failures))

    def rescore_publishers(self, publisher_ids: list[int], after_claim: int = 0) -> None:
        """Rescore the claims resting on these publishers, a batch per transaction.

        A new verdict or stance changes a publisher's record and so the weight of its evidence
        on every other claim. That fan-out is done here, after the write, so the write's cost
        does not grow with the publisher: each batch commits on its own and the next batch is
        a new job, so any restart resumes where it stopped and rescoring twice is harmless.
        """
        with self.database.session_factory() as session:
            last = scores.rescore_publishers_batch(
                session=session,
                publisher_ids=publisher_ids,
                after_claim=after_claim,
                limit=RESCORE_BATCH,
            )
            if last is not None:
                later(session, "rescore_publishers", sorted(publisher_ids), last)
            session.commit()

    def rescore_stale(self, after_claim: int = 0) -> None:
        """Rescore claims whose stored score an older scorer wrote, a batch per transaction.

        Queued when the service or the worker starts (``queue_stale_rescore``), so a new model
        or explanation format heals every stored score without anyone running
        ``claimdesk scoring rescore``; each batch commits and queues the next.
        """
        with self.database.session_factory() as session:
            last = scores.rescore_stale_batch(
                session=session, after_claim=after_claim, limit=RESCORE_BATCH
            )
            if last is not None:
                later(session, "rescore_stale", last)
            session.commit()

    def fetch_source(self, source_id: int, queued_at: datetime | str | None = None) -> None:
        """Fetch the page, then record a snapshot or the failure; queue re-anchoring when the
        page shows a different version than before. A job queued before the page was last
        fetched is a duplicate and does nothing."""
        with read_only(), self.database.session_factory() as session:
            try:
                source = get_source(session=session, source_id=source_id)
            except SourceNotFound:
                return
            url, last = source.url, source.last_fetched_at
        if isinstance(queued_at, str):
            queued_at = datetime.fromisoformat(queued_at)
        if queued_at is not None and last is not None and as_utc(last) >= as_utc(queued_at):
            return
        try:
            outcome: Any = self.fetcher.fetch(url)
        except FetchError as error:
            outcome = error
        with self.database.session_factory() as session:
            try:
                was_dead = get_source(session=session, source_id=source_id).fetch_state == DEAD
                if isinstance(outcome, FetchError):
                    source = snapshots.record_failure(
                        session=session, source_id=source_id, error=outcome
                    )
                else:
                    recorded = snapshots.record_fetched(
                        session=session, source_id=source_id, fetched=outcome
                    )
                    source = get_source(session=session, source_id=source_id)
                    if recorded.current_changed:
                        later(session, "reanchor_source", source_id)
                if was_dead != (source.fetch_state == DEAD):  # the cards' "source dead" moved
                    alerts.refresh_quoting(session=session, source_id=source_id)
                session.commit()
            except SourceNotFound:
                session.rollback()
            except IntegrityError:  # a concurrent fetch stored the same version first
                session.rollback()
                log.info("source %s: a concurrent fetch recorded this version", source_id)

    def reanchor_source(self, source_id: int) -> None:
        """Anchor the source's quotes in its current snapshot and rescore what moved."""
        with self.database.session_factory() as session:
            try:
                reanchor_source(session=session, source_id=source_id)
            except SourceNotFound:
                session.rollback()
                return
            session.commit()

    def embed_claims(self) -> None:
        """Embed the claims that have no embedding yet (service/semantic.py)."""
        from service.semantic import embed_all

        embed_all(self.database)

    def recheck_sources(self) -> None:
        """Queue a fetch of every watched source not fetched within the recheck interval."""
        now = utcnow()
        with read_only(), self.database.session_factory() as session:
            due = snapshots.sources_due(session=session, every=self.recheck_every, now=now)
        for source_id in due:
            self.enqueue("fetch_source", source_id, now.isoformat())


def later(session: Session | OrmSession, name: str, *args: Any) -> None:
    """Ask for a job as part of this Session's transaction (an outbox row; see the docstring).

    A fetch is keyed by its source alone, so asking again while one is waiting adds nothing.
    """
    values = [a.isoformat() if isinstance(a, datetime) else a for a in args]
    key = outbox.fetch_key(values[0]) if name == outbox.FETCH_SOURCE else None
    outbox.later(session, name, *values, key=key)


def queue_stale_rescore(database: Database) -> bool:
    """Queue ``rescore_stale`` through the outbox when any live claim's stored score was
    written by another scorer; whether it was queued. Run by ``serve`` and ``worker`` at start."""
    with database.session_factory() as session:
        if not scores.stale_claims(session=session):
            return False
        later(session, "rescore_stale", 0)
        session.commit()
    return True


def install(app: Flask, *, settings: Settings, database: Database) -> Jobs:
    """Build the app's queue; its database's Sessions record new sources' fetches."""
    huey = make_huey(settings, Path(app.instance_path))
    jobs = Jobs(huey=huey, database=database, settings=settings)
    factory = cast("sessionmaker[Session]", database.session_factory)
    # Sessions made from now on carry the queue in their info (whichever app came last).
    factory.configure(info={**factory.kw.get("info", {}), _JOBS: jobs})
    # Not ``event.contains``: SQLAlchemy keys class-level listeners by ``id()`` and keeps the
    # key after the factory's class is collected, so a new factory born at a dead one's address
    # looked "already listening" and silently never queued a job (the old test-suite flake).
    # The Database itself remembers which hooks its factory has (two apps may share it).
    if "jobs" not in database.hooks:
        event.listen(factory, "after_flush", _note_new_sources)
        event.listen(factory, "after_commit", _dispatch)
        database.hooks.add("jobs")
    return jobs


def jobs_of(app: Flask | None = None) -> Jobs:
    """The Jobs of ``app`` (the current app by default)."""
    return (runtime(app) if app is not None else current_runtime()).jobs


def _note_new_sources(session: OrmSession, _context: Any) -> None:
    for obj in session.new:
        if isinstance(obj, Source) and obj.watched and obj.id is not None:
            later(session, "fetch_source", obj.id, utcnow())


def _dispatch(session: OrmSession) -> None:
    """In immediate mode (tests), run what a commit asked for at once, as a worker would."""
    jobs: Jobs | None = session.info.get(_JOBS)
    if jobs is None or not jobs.huey.immediate:
        return
    jobs.drain()
