"""Each worker's card cache (``service/card_cache.py``): served from memory, emptied by writes.

These tests commit for real (no outer transaction), as a deployed app does, since PostgreSQL
delivers notifications only at commit; what they write is deleted afterwards.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from sqlalchemy import text
from werkzeug.test import Client

from claims.policy import Actor
from claims.schemas import ClaimCreate
from claims.services import ledger
from service import card_cache
from service.app import create_app
from service.card_cache import CardCache
from service.db import Database
from service.readmodel import ReadModel
from service.runtime import runtime
from service.settings import Settings


def wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@pytest.fixture
def live(db_url: str, settings: Settings, editor: Actor) -> Iterator[tuple[Flask, Database, int]]:
    """A deployed app's database (commits are real) holding one committed claim."""
    if not db_url.startswith("postgresql"):
        pytest.skip("LISTEN/NOTIFY: PostgreSQL only (SQLite has no card cache)")
    database = Database(db_url)
    app = create_app(settings, database=database)
    with database.session_factory() as session:
        claim = ledger.create_claim(
            session=session,
            claim_in=ClaimCreate(text="The harbour ferry carried 2 million people in 2025."),
            actor=editor,
        )
        session.commit()
        claim_id = int(claim.id)  # type: ignore[arg-type]
    try:
        yield app, database, claim_id
    finally:
        runtime(app).reads.close()  # the cache's listener and this thread's connection
        with database.engine.begin() as conn:
            conn.execute(text("DELETE FROM revision WHERE claim_id = :i"), {"i": claim_id})
            conn.execute(text("DELETE FROM claim WHERE id = :i"), {"i": claim_id})
        database.engine.dispose()


def listening(live: tuple[Flask, Database, int]) -> tuple[CardCache, Client, str]:
    """The app's card cache once it listens (its first card load starts the listener), a
    client of the app and the claim's card URL."""
    app, _, claim_id = live
    cache = runtime(app).reads.cache
    assert cache is not None
    client, url = Client(app.wsgi_app, use_cookies=False), f"/embed/claims/{claim_id}"
    client.get(url)
    wait_for(lambda: cache.listening)
    return cache, client, url


def counting_reads(app: Flask, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every statement the read model sends to the database from now on."""
    sent: list[object] = []
    reads: ReadModel = runtime(app).reads
    original = reads.query

    def query(statement, params, *, session=None):  # type: ignore[no-untyped-def]
        sent.append(statement)
        return original(statement, params, session=session)

    monkeypatch.setattr(reads, "query", query)
    return sent


def test_a_card_comes_from_memory_until_a_committed_write_empties_the_cache(
    live: tuple[Flask, Database, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    app, database, claim_id = live
    cache, client, url = listening(live)
    first = client.get(url)
    assert first.status_code == 200 and b"harbour ferry" in first.get_data()
    sent = counting_reads(app, monkeypatch)
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and sent == []  # answered from memory
    status = client.get(f"/api/v1/claims/{claim_id}/status")
    assert status.status_code == 200 and sent == []  # the same entry: it begins with the status
    assert "harbour ferry" in status.get_json()["text"]
    emptied = cache.emptied
    with database.engine.begin() as conn:  # another worker's write, committed
        conn.execute(
            text("UPDATE claim SET text = 'The harbour ferry carried 3 million' WHERE id = :i"),
            {"i": claim_id},
        )
    wait_for(lambda: cache.emptied > emptied)
    changed = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and b"3 million" in changed.get_data()
    assert len(sent) == 1  # read again once, then kept
    assert client.get(url).status_code == 200 and len(sent) == 1
    assert "3 million" in client.get(f"/api/v1/claims/{claim_id}/status").get_json()["text"]
    assert len(sent) == 1


def test_while_the_listener_is_lost_cards_are_read_from_the_database(
    live: tuple[Flask, Database, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    app, database, claim_id = live
    cache, client, url = listening(live)
    client.get(url)
    assert cache.get(claim_id) is not None
    pid, emptied = cache._connection.info.backend_pid, cache.emptied
    with database.engine.begin() as conn:  # a server restart or a dropped connection
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    # The listener notices the lost connection and empties the cache (its connection's own
    # fields cannot tell: psycopg may report a broken connection's pid as 0 before that).
    wait_for(lambda: cache.emptied > emptied)
    # Whatever was written meanwhile may have gone unheard: nothing held is served.
    assert cache.get(claim_id) is None
    wait_for(lambda: cache.listening)  # listening again, on a new connection
    sent = counting_reads(app, monkeypatch)
    client.get(url)
    assert len(sent) == 1


def test_rows_read_before_the_cache_was_emptied_are_not_kept() -> None:
    cache = CardCache(engine=None, size=2)  # type: ignore[arg-type]
    cache._pid, cache._listening = os.getpid(), True  # as if listening (no thread, no server)
    before = cache.generation()
    cache._empty()  # a write was heard while the rows were being read
    cache.put(1, [("old",)], before)
    assert cache.get(1) is None
    cache.put(1, [("new",)], cache.generation())
    assert cache.get(1) == [("new",)]
    cache.put(2, [], cache.generation())  # an unknown claim: asked again each time
    assert cache.get(2) is None
    cache.put(2, [("b",)], cache.generation())
    cache.put(3, [("c",)], cache.generation())  # full: the oldest goes
    assert (cache.get(1), cache.get(2), cache.get(3)) == (None, [("b",)], [("c",)])


def test_sqlite_and_a_database_on_one_connection_have_no_card_cache(
    app: Flask, database: Database
) -> None:
    assert card_cache.for_database(database, size=100) is None
    assert runtime(app).reads.cache is None
