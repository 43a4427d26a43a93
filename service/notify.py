"""The worker's side of change notices: route events, send what is due, come back for retries.

``drain`` is one huey task, queued after every commit that recorded an event (or asked for a
retry) and run every minute by the consumer as a sweep, so nothing waits on the queue being
up: an event committed while Redis was down goes out at the next sweep. Each subscription is
sent to by one worker at a time (a lease on its row), in event order per claim, in short
transactions around each HTTP request; several subscriptions are sent to in parallel.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, TypeVar

from huey import crontab
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction, sessionmaker
from sqlmodel import Session

from claims.notices import deliveries
from claims.notices.delivery_policy import Verdict
from claims.notices.service import PENDING
from clock import utcnow
from service.db import Database
from service.jobs import Jobs
from service.settings import Settings
from service.webhook_sender import Sender, body_of

TASK: Final = "deliver_notices"
SWEEP: Final = crontab(minute="*")  # retries fall due between wakes; the sweep catches them
BATCH: Final = 100  # deliveries one subscription sends per round
MAX_ROUNDS: Final = 1000
RETRIES: Final = 6
WAKE_GAP: Final = timedelta(seconds=2)
# A statement that writes nothing but makes SQLite take the write lock (see _in_transaction).
WRITE_LOCK: Final = text("UPDATE subscription SET id = id WHERE 1 = 0")
T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass
class Report:
    """What one drain did, for logs and tests."""

    routed: int = 0
    attempts: int = 0
    delivered: int = 0


class Notifier:
    """Routes and sends notices for one database under the app's settings."""

    def __init__(
        self,
        *,
        database: Database,
        settings: Settings,
        clock: Callable[[], datetime] = utcnow,
        wake_at: Callable[[datetime], None] | None = None,
    ) -> None:
        self.database = database
        self.sender = Sender(timeout=settings.webhook_timeout, allowlist=settings.allowlist())
        self.base_url = settings.public_url
        # A Database bound to one Connection (``service/db.py``) cannot be used from several
        # threads.
        shared = database.connection is not None
        self.concurrency = 1 if shared else settings.webhook_concurrency
        self.clock = clock
        self.wake_at = wake_at
        self.sqlite = database.url.startswith("sqlite")
        self.hold = timedelta(seconds=settings.webhook_timeout * 2 * (BATCH + 1) + 60)

    def _in_transaction(self, work: Callable[[Session], T]) -> T:
        """Run one short unit of work and commit it, again when the database says "retry".

        SQLite refuses at once ("database is locked") a transaction that read before another
        connection wrote; PostgreSQL may report a serialization failure or deadlock. Each is
        retried a few times after a jittered pause; the units are idempotent.
        """
        for attempt in range(RETRIES):
            with self.database.session_factory() as session:
                try:
                    if self.sqlite:
                        # Take SQLite's write lock first, waiting (busy_timeout) like BEGIN
                        # IMMEDIATE would: a transaction that reads before it writes is refused
                        # at once when another connection wrote meanwhile, and retries of that
                        # starve under the worker's own parallel senders.
                        session.execute(WRITE_LOCK)
                    result = work(session)
                    session.commit()
                    return result
                except OperationalError:
                    session.rollback()
                    if attempt == RETRIES - 1:
                        raise
            time.sleep(random.uniform(0.005, 0.02) * 2**attempt)
        raise AssertionError("unreachable")

    def drain(self) -> Report:
        """Route every new event, then send everything due until nothing more is."""
        report = Report()
        while True:
            routed = self._in_transaction(lambda s: deliveries.fan_out(session=s))
            report.routed += routed
            if not routed:
                break
        for _ in range(MAX_ROUNDS):
            with self.database.session_factory() as session:
                due = deliveries.due_subscriptions(session=session, now=self.clock())
            if not due:
                break
            if self.concurrency > 1 and len(due) > 1:
                with ThreadPoolExecutor(max_workers=min(self.concurrency, len(due))) as pool:
                    results = list(pool.map(self.send_subscription, due))
            else:
                results = [self.send_subscription(sid) for sid in due]
            for attempts, delivered in results:
                report.attempts += attempts
                report.delivered += delivered
            if not any(attempts for attempts, _ in results):
                break  # everything due is leased by another worker
        self._plan_wake()
        return report

    def send_subscription(self, subscription_id: int) -> tuple[int, int]:
        """One round for one subscription: (attempts made, deliveries completed)."""
        now = self.clock()

        def take(session: Session) -> tuple[deliveries.Target | None, list[Any]]:
            target = deliveries.lease(
                session=session, subscription_id=subscription_id, now=now, hold=self.hold
            )
            if target is None:
                return None, []
            return target, deliveries.sendable(
                session=session, subscription_id=subscription_id, now=now, limit=BATCH
            )

        target, batch = self._in_transaction(take)
        if target is None:
            return 0, 0
        attempts = delivered = 0
        held: set[int | None] = set()  # claims whose earlier notice just failed: keep order
        try:
            for delivery_id, claim_id, notice in batch:
                if claim_id in held:
                    continue
                # Signed with the real time: receivers reject timestamps far from their clock.
                outcome = self.sender.send(
                    target, msg_id=notice.uid, body=body_of(notice, self.base_url), at=utcnow()
                )
                attempts += 1
                verdict, active = self._in_transaction(
                    functools.partial(self._record, delivery_id=delivery_id, outcome=outcome)
                )
                if verdict is Verdict.delivered:
                    delivered += 1
                else:
                    held.add(claim_id)
                if not active:
                    break
        finally:
            self._in_transaction(
                lambda s: deliveries.release(session=s, subscription_id=subscription_id)
            )
        return attempts, delivered

    def _record(
        self, session: Session, *, delivery_id: int, outcome: deliveries.Outcome
    ) -> tuple[Verdict, bool]:
        return deliveries.record_attempt(
            session=session, delivery_id=delivery_id, outcome=outcome, now=self.clock()
        )

    def _plan_wake(self) -> None:
        """Ask the queue to come back for a retry due before the next minute's sweep."""
        if self.wake_at is None:
            return
        with self.database.session_factory() as session:
            soonest = deliveries.soonest_due(session=session)
        if soonest is None or soonest - self.clock() >= timedelta(minutes=1):
            return  # nothing, or the minute's sweep comes first
        # Not sooner than WAKE_GAP: a delivery due now may sit with another worker's lease, and
        # waking at once would spin until that worker lets go.
        self.wake_at(max(soonest, self.clock() + WAKE_GAP))


EXTENSION: Final = "claimdesk.notify"


def install(jobs: Jobs, *, settings: Settings, database: Database) -> Notifier:
    """Register the drain task and its sweep with the app's queue; wake it after commits."""
    huey = jobs.huey
    task: Any = None

    def wake_at(when: datetime) -> None:
        delay = max((when - utcnow()).total_seconds(), 0.0)
        try:
            task.schedule(delay=delay)
        except Exception:  # the queue is down: the minute's sweep comes back instead
            log.exception("could not schedule %s in %.0f s", TASK, delay)

    notifier = Notifier(
        database=database,
        settings=settings,
        wake_at=None if settings.jobs_immediate else wake_at,
    )
    task = huey.task(name=TASK)(notifier.drain)
    huey.periodic_task(SWEEP, name=f"{TASK}_sweep")(notifier.drain)
    jobs.tasks[TASK] = task
    factory: sessionmaker[Any] = database.session_factory  # type: ignore[assignment]
    factory.configure(info={**factory.kw.get("info", {}), EXTENSION: jobs})
    if "notify" not in database.hooks:  # not ``event.contains``: see ``service/jobs.py``
        event.listen(factory, "after_commit", _wake)
        event.listen(factory, "after_soft_rollback", _forget)
        database.hooks.add("notify")
    return notifier


def _wake(session: OrmSession) -> None:
    if not session.info.pop(PENDING, False):
        return
    jobs: Jobs | None = session.info.get(EXTENSION)
    if jobs is None:
        return
    try:
        jobs.enqueue(TASK)
    except Exception:  # the events are committed; the minute's sweep sends them
        log.exception("could not queue %s", TASK)


def _forget(session: OrmSession, previous: SessionTransaction) -> None:
    if not previous.nested:
        session.info.pop(PENDING, None)
