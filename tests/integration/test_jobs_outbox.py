"""Jobs are rows in the writer's transaction, handed to the queue by the worker.

So no request waits on the queue (Redis down or hung changes nothing for writers), a queue
outage delays jobs without losing one, the same job asked for twice is queued once, a failing
job is retried with backoff, and two deployments never share a queue.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from huey import MemoryHuey
from sqlalchemy import update
from sqlmodel import Session, select

from claims.models import OutboxJob
from claims.services import outbox
from clock import utcnow
from service.app import create_app
from service.jobs import Jobs, jobs_of, later
from service.settings import Settings

API = "/api/v1"
BASE = {"env": "test", "secret_key": "test-secret-key-0123456789"}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Jobs wait for a worker, as in production (not run as they are queued)."""
    return Settings(**BASE, instance_path=tmp_path)


def rows(session: Session) -> list[OutboxJob]:
    session.expire_all()
    return list(session.exec(select(OutboxJob).order_by(OutboxJob.id)).all())


def waiting(session: Session) -> list[tuple[str, list[Any]]]:
    return [(j.name, j.args) for j in rows(session)]


@pytest.fixture
def hung_redis() -> Iterator[str]:
    """A server that accepts connections and never answers: Redis under SIGSTOP."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    server.close()


def test_a_write_records_its_job_in_its_own_transaction_and_the_worker_hands_it_over(
    app, client, auth, session
):
    response = client.post(f"{API}/sources", json={"url": "https://news.example/a"}, headers=auth())
    assert response.status_code == 201
    source_id = response.get_json()["id"]

    assert [name for name, _ in waiting(session)] == ["fetch_source"]
    jobs = jobs_of(app)
    assert jobs.huey.pending_count() == 0  # the request never talked to the queue

    assert jobs.drain() == 1
    (row,) = rows(session)
    assert row.handed_at is not None and row.handovers == 1  # kept until the job has run
    task = jobs.huey.dequeue()
    assert task is not None and task.name == "fetch_source" and task.args[0] == source_id

    jobs.huey.execute(task)

    assert waiting(session) == []  # the job ran: its row is gone


def test_a_rolled_back_write_leaves_no_job(app, database):
    with database.session_factory() as session:
        later(session, "fetch_source", 1, "2026-01-01T00:00:00+00:00")
        session.rollback()
        assert waiting(session) == []


def test_the_same_job_asked_for_twice_before_the_worker_takes_it_is_queued_once(
    app, client, auth, session
):
    source_id = client.post(
        f"{API}/sources", json={"url": "https://news.example/b"}, headers=auth()
    ).get_json()["id"]
    for _ in range(3):
        assert client.post(f"{API}/sources/{source_id}/fetch", headers=auth()).status_code == 202

    assert [name for name, _ in waiting(session)] == ["fetch_source"]


def test_with_redis_refusing_connections_writes_answer_at_once_and_jobs_wait(
    settings, database, session, auth
):
    settings = settings.model_copy(update={"redis_url": "redis://127.0.0.1:9/0"})
    app = create_app(settings, database=database)
    client = app.test_client()
    source_id = client.post(
        f"{API}/sources", json={"url": "https://news.example/c"}, headers=auth()
    ).get_json()["id"]

    response = client.post(f"{API}/sources/{source_id}/fetch", headers=auth())

    assert response.status_code == 202
    with pytest.raises(Exception):  # noqa: B017 (redis' own ConnectionError)
        jobs_of(app).drain()
    assert [name for name, _ in waiting(session)] == ["fetch_source"]  # kept for later


def test_a_hung_redis_holds_no_request_and_the_worker_gives_up_within_its_timeout(
    settings, database, session, auth, hung_redis
):
    settings = settings.model_copy(update={"redis_url": hung_redis})
    app = create_app(settings, database=database)
    client = app.test_client()

    started = time.monotonic()
    response = client.post(f"{API}/sources", json={"url": "https://news.example/d"}, headers=auth())
    assert response.status_code == 201
    assert time.monotonic() - started < 2.0

    started = time.monotonic()
    with pytest.raises(Exception):  # noqa: B017 (redis' TimeoutError)
        jobs_of(app).drain()
    assert time.monotonic() - started < 10.0
    assert [name for name, _ in waiting(session)] == ["fetch_source"]


def test_jobs_kept_through_an_outage_reach_the_queue_once_it_is_back(
    app, client, auth, session, database, settings
):
    for n in range(3):
        client.post(f"{API}/sources", json={"url": f"https://news.example/{n}"}, headers=auth())
    assert len(waiting(session)) == 3
    queue = MemoryHuey("after-the-outage", results=False)
    back = Jobs(huey=queue, database=database, settings=settings)

    assert back.drain() == 3
    assert queue.pending_count() == 3
    assert all(row.handed_at is not None for row in rows(session))


def test_jobs_a_queue_lost_are_handed_over_again_once_their_lease_ends(
    app, client, auth, session, database, settings
):
    client.post(f"{API}/sources", json={"url": "https://news.example/lost"}, headers=auth())
    first = MemoryHuey("restarted-empty", results=False)
    assert Jobs(huey=first, database=database, settings=settings).drain() == 1
    again = Jobs(
        huey=MemoryHuey("after-restart", results=False), database=database, settings=settings
    )

    assert again.drain() == 0  # still within its lease: maybe running somewhere

    (row,) = rows(session)
    session.execute(
        update(OutboxJob).values(
            handed_at=utcnow() - timedelta(seconds=settings.job_lease_seconds + 1)
        )
    )
    session.commit()
    assert again.drain() == 1
    (row,) = rows(session)
    assert row.handovers == 2 and again.huey.pending_count() == 1


def test_a_job_asked_for_again_while_it_runs_runs_once_more(
    app, client, auth, session, database, settings
):
    source_id = client.post(
        f"{API}/sources", json={"url": "https://news.example/twice"}, headers=auth()
    ).get_json()["id"]
    queue = MemoryHuey("running", results=False)
    jobs = Jobs(huey=queue, database=database, settings=settings)
    assert jobs.drain() == 1
    running = queue.dequeue()

    client.post(f"{API}/sources/{source_id}/fetch", headers=auth())  # while it runs
    queue.execute(running)

    (row,) = rows(session)  # not removed by the copy that was already running
    assert row.handed_at is None
    assert jobs.drain() == 1


def test_a_job_handed_over_too_many_times_is_set_aside_and_healthz_says_so(
    app, client, session, database, settings
):
    with database.session_factory() as writer:
        outbox.later(writer, "reanchor_source", 99)
        writer.commit()
    session.execute(
        update(OutboxJob).values(
            handed_at=utcnow() - timedelta(seconds=settings.job_lease_seconds + 1),
            handovers=outbox.MAX_HANDOVERS,
        )
    )
    session.commit()

    assert (
        Jobs(huey=MemoryHuey("x", results=False), database=database, settings=settings).drain() == 0
    )
    jobs = client.get("/healthz").get_json()["checks"]["jobs"]
    assert jobs["failed"] == 1 and jobs["status"] == "lagging"


def test_a_job_that_fails_is_retried_later_with_backoff(database, settings, monkeypatch):
    queue = MemoryHuey("retries", results=False)
    jobs = Jobs(huey=queue, database=database, settings=settings)
    monkeypatch.setattr(jobs, "reanchor_source", lambda source_id: 1 / 0)
    jobs.tasks["reanchor_source"] = queue.task(name="reanchor_source", retries=2, retry_delay=10)(
        jobs.reanchor_source
    )
    jobs.enqueue("reanchor_source", 1)

    queue.execute(queue.dequeue())

    assert queue.scheduled_count() == 1  # not lost: back on the queue in 10 s
    (again,) = queue.scheduled()
    assert again.retries == 1


def test_every_job_is_registered_with_retries_and_exponential_backoff(app):
    tasks = jobs_of(app).tasks
    for name in ("fetch_source", "reanchor_source", "rescore_publishers"):
        created = tasks[name].s(1)
        assert created.retries >= 3 and created.retry_delay > 0 and created.retry_backoff > 1


def test_two_deployments_never_share_a_queue(tmp_path):
    one = Settings(**BASE, database_url="postgresql+psycopg://app:secret@db1:5432/news")
    same = Settings(**BASE, database_url="postgresql+psycopg://app:other@db1:5432/news")
    other = Settings(**BASE, database_url="postgresql+psycopg://app:secret@db1:5432/sport")
    named = Settings(**BASE, queue_name="newsroom-a", database_url=one.database_url)

    assert one.resolved_queue_name(tmp_path) == same.resolved_queue_name(tmp_path)
    assert one.resolved_queue_name(tmp_path) != other.resolved_queue_name(tmp_path)
    assert "secret" not in one.resolved_queue_name(tmp_path)
    assert named.resolved_queue_name(tmp_path) == "newsroom-a"
    # Two SQLite deployments: each its own file in its own instance folder.
    first = Settings(**BASE, instance_path=tmp_path / "a", database_url=None)
    second = Settings(**BASE, instance_path=tmp_path / "b", database_url=None)
    assert first.resolved_queue_name(tmp_path / "a") != second.resolved_queue_name(tmp_path / "b")


def test_one_database_spelled_two_ways_is_one_deployment(tmp_path, monkeypatch):
    """Processes of one deployment configured by different hands still share one queue."""
    key = Settings(**BASE, database_url="postgresql+psycopg://app:s@db1:5432/news").deployment_key
    assert key(tmp_path) == Settings(
        **BASE, database_url="postgresql://app@DB1/news"
    ).deployment_key(tmp_path)
    assert key(tmp_path) == Settings(
        **BASE, database_url="postgresql+psycopg://app:x@db1/news?connect_timeout=3"
    ).deployment_key(tmp_path)
    assert key(tmp_path) != Settings(
        **BASE, database_url="postgresql://app@db1:5433/news"
    ).deployment_key(tmp_path)
    assert key(tmp_path) != Settings(
        **BASE, database_url="postgresql://other@db1/news"
    ).deployment_key(tmp_path)
    # SQLite: the file, however its path is written.
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    relative = Settings(**BASE, database_url="sqlite:///../x.sqlite3")
    absolute = Settings(**BASE, database_url=f"sqlite:///{tmp_path}/x.sqlite3")
    assert relative.resolved_queue_name(tmp_path) == absolute.resolved_queue_name(tmp_path)


def test_the_worker_s_outbox_loop_keeps_going_through_failures(database, settings):
    jobs = Jobs(huey=MemoryHuey("loop", results=False), database=database, settings=settings)
    calls: list[int] = []

    def drain(limit: int = 0) -> int:
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionError("queue down")
        stop.set()
        return 0

    jobs.drain = drain  # type: ignore[method-assign]
    stop = threading.Event()
    thread = threading.Thread(target=jobs.drain_forever, args=(stop, 0.01))
    thread.start()
    thread.join(timeout=10)

    assert not thread.is_alive() and len(calls) == 3


def test_outbox_backlog_counts_what_waits(database):
    with database.session_factory() as session:
        outbox.later(session, "reanchor_source", 7)
        outbox.later(session, "reanchor_source", 7)
        outbox.later(session, "reanchor_source", 8)
        backlog = outbox.backlog(session=session)
        assert backlog["pending"] == 2 and backlog["oldest"] is not None
        session.rollback()


def test_the_app_factory_never_talks_to_the_queue(settings, database, hung_redis):
    settings = settings.model_copy(update={"redis_url": hung_redis})
    started = time.monotonic()
    app: Flask = create_app(settings, database=database)
    assert app.test_client().get("/").status_code == 200
    assert time.monotonic() - started < 3.0
