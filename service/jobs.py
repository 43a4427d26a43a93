"""Background jobs (huey): fetch a source's page, re-anchor its quotes, recheck sources.

Only ``service/`` knows huey. The queue is built in ``create_app`` from settings: SQLite (a file
in the instance folder, no extra service) by default, Redis when ``CLAIMDESK_REDIS_URL`` is
set, and huey's immediate mode for tests, where a job runs as soon as it is queued.
``claimdesk worker`` runs the consumer, which also runs the periodic recheck.

Work is queued *after commit*: a job in another process must find the rows the request wrote,
and nothing may be queued for rows that were rolled back. So a Session collects what to queue
(every new watched ``Source`` it flushes, and whatever ``later()`` is given) in ``session.info``,
and the queue gets it from the ``after_commit`` event; a rollback drops it. Should the queue be
unreachable at that moment, nothing is lost for good: the periodic recheck picks up every
watched source that was never fetched.

Each job is one unit of work: its own Session and a single commit, with the network fetch done
before the transaction opens, so no lock is held while a slow page trickles in and a failure
leaves nothing half-written.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final, cast

from flask import Flask, current_app
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction, sessionmaker
from sqlmodel import Session

from claims.services import alerts
from claims.services.anchoring import reanchor_source
from service.db import Database
from service.settings import Settings
from sources import snapshots
from sources.errors import FetchError, SourceNotFound
from sources.fetch import Fetcher
from sources.models import FetchState, Source, as_utc, utcnow
from sources.service import get_source

EXTENSION: Final = "claimdesk.jobs"
QUEUE_NAME: Final = "claimdesk"
SWEEP: Final = crontab(minute="*/10")  # how often the recheck looks for sources that are due
EMBED_SWEEP: Final = crontab(minute="*")  # claims written without a flush hook (bulk imports)
_QUEUED: Final = "claimdesk.jobs.after_commit"
_JOBS: Final = "claimdesk.jobs"  # in every Session's info: the queue its commits feed
log = logging.getLogger(__name__)
DEAD: Final = FetchState.dead.value
# The session factories whose Sessions already queue work after commit (see ``install``).
_LISTENING: Final[weakref.WeakSet[sessionmaker[Any]]] = weakref.WeakSet()


def make_huey(settings: Settings, instance_path: Path) -> Huey:
    """The queue the settings ask for (see the module docstring)."""
    if settings.jobs_immediate:
        return MemoryHuey(QUEUE_NAME, immediate=True, results=False)
    if settings.redis_url:
        return RedisHuey(QUEUE_NAME, url=settings.redis_url, results=False)
    return SqliteHuey(QUEUE_NAME, filename=str(instance_path / "jobs.sqlite3"), results=False)


class Jobs:
    """An app's queue and the jobs it runs, bound to its database and fetch policy."""

    def __init__(self, *, huey: Huey, database: Database, settings: Settings) -> None:
        self.huey = huey
        self.database = database
        self.fetcher = Fetcher(settings.fetch_policy())
        self.recheck_every = timedelta(hours=settings.recheck_hours)
        self.tasks: dict[str, Callable[..., Any]] = {
            "fetch_source": huey.task(name="fetch_source")(self.fetch_source),
            "reanchor_source": huey.task(name="reanchor_source")(self.reanchor_source),
            "embed_claims": huey.task(name="embed_claims")(self.embed_claims),
        }
        huey.periodic_task(SWEEP, name="recheck_sources")(self.recheck_sources)
        huey.periodic_task(EMBED_SWEEP, name="embed_claims_sweep")(self.embed_claims)

    def enqueue(self, name: str, *args: Any) -> None:
        """Put a job on the queue (in immediate mode: run it now)."""
        self.tasks[name](*args)

    def fetch_source(self, source_id: int, queued_at: datetime | None = None) -> None:
        """Fetch the page, then record a snapshot or the failure; queue re-anchoring when the
        page shows a different version than before. A job queued before the page was last
        fetched is a duplicate and does nothing."""
        with self.database.session_factory() as session:
            try:
                source = get_source(session=session, source_id=source_id)
            except SourceNotFound:
                return
            url, last = source.url, source.last_fetched_at
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
        with self.database.session_factory() as session:
            due = snapshots.sources_due(session=session, every=self.recheck_every, now=now)
        for source_id in due:
            self.enqueue("fetch_source", source_id, now)


def later(session: Session | OrmSession, name: str, *args: Any) -> None:
    """Queue a job once this Session's transaction commits (never if it rolls back)."""
    queued: list[tuple[str, tuple[Any, ...]]] = session.info.setdefault(_QUEUED, [])
    if (name, args) not in queued:
        queued.append((name, args))


def install(app: Flask, *, settings: Settings, database: Database) -> Jobs:
    """Build the app's queue and make its database's Sessions queue work after commit."""
    huey = make_huey(settings, Path(app.instance_path))
    jobs = Jobs(huey=huey, database=database, settings=settings)
    app.extensions[EXTENSION] = jobs
    factory = cast("sessionmaker[Session]", database.session_factory)
    # Sessions made from now on carry the queue in their info (whichever app came last).
    factory.configure(info={**factory.kw.get("info", {}), _JOBS: jobs})
    # Not ``event.contains``: SQLAlchemy keys class-level listeners by ``id()`` and keeps the
    # key after the factory's class is collected, so a new factory born at a dead one's address
    # looked "already listening" and silently never queued a job (the old test-suite flake).
    if factory not in _LISTENING:
        event.listen(factory, "after_flush", _note_new_sources)
        event.listen(factory, "after_commit", _dispatch)
        event.listen(factory, "after_soft_rollback", _forget)
        _LISTENING.add(factory)
    return jobs


def jobs_of(app: Flask | None = None) -> Jobs:
    """The Jobs of ``app`` (the current app by default)."""
    jobs: Jobs = (app or current_app).extensions[EXTENSION]
    return jobs


def _note_new_sources(session: OrmSession, _context: Any) -> None:
    for obj in session.new:
        if isinstance(obj, Source) and obj.watched and obj.id is not None:
            later(session, "fetch_source", obj.id, utcnow())


def _dispatch(session: OrmSession) -> None:
    queued = session.info.pop(_QUEUED, None)
    jobs: Jobs | None = session.info.get(_JOBS)
    if not queued or jobs is None:
        return
    for name, args in queued:
        try:
            jobs.enqueue(name, *args)
        except Exception:  # the commit stands; the periodic recheck catches up
            log.exception("could not queue %s%r", name, args)


def _forget(session: OrmSession, previous: SessionTransaction) -> None:
    if not previous.nested:
        session.info.pop(_QUEUED, None)
