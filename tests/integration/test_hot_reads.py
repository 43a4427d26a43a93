"""The read model's own connections (``service/readmodel.py``), outside the tests' transaction,
and the fast path below Flask (``service/hot.py``), which must answer exactly as Flask does.

Every other test reads through the test's outer transaction; here the app reads as it does in
production: each thread on a connection of its own, kept outside the pool, reconnecting once
when the server dropped it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, func, select, text
from werkzeug.test import Client

from claims.models import Claim
from service.app import create_app
from service.db import Database
from service.hot import HotReads
from service.readmodel import ReadModel, ThreadConnections
from service.runtime import runtime
from service.settings import Settings

COUNT_CLAIMS = select(func.count()).select_from(Claim)


@pytest.fixture
def production_app(db_url: str, settings: Settings) -> Iterator[Flask]:
    database = Database(db_url)  # no outer transaction: what a deployed app has
    app = create_app(settings, database=database)
    yield app
    runtime(app).reads.close()
    database.engine.dispose()


def reads_of(app: Flask) -> ReadModel:
    return runtime(app).reads


def reader_of(app: Flask) -> ThreadConnections:
    connections = reads_of(app).connections
    assert isinstance(connections, ThreadConnections)
    return connections


def drop_from_server_side(engine: Engine, connection: Any) -> None:
    """What a server restart or an idle timeout does to the reader's connection."""
    if engine.dialect.name == "postgresql":
        pid = connection.dbapi_connection.info.backend_pid
        with engine.connect() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    else:
        connection.dbapi_connection.close()


def test_reads_keep_one_connection_per_thread_outside_the_pool(production_app: Flask) -> None:
    engine = runtime(production_app).database.engine
    reads = reads_of(production_app)
    with production_app.test_request_context():
        first = reads.query(COUNT_CLAIMS, {})
        connection = reader_of(production_app).connection
        assert reads.query(COUNT_CLAIMS, {}) == first
        assert reader_of(production_app).connection is connection
    assert engine.pool.checkedout() == 0  # nothing borrowed from the pool is left out


def test_a_dropped_connection_is_replaced_and_the_read_still_answers(
    production_app: Flask,
) -> None:
    engine = runtime(production_app).database.engine
    reads = reads_of(production_app)
    with production_app.test_request_context():
        expected = reads.query(COUNT_CLAIMS, {})
        dead = reader_of(production_app).connection
        drop_from_server_side(engine, dead)
        assert reads.query(COUNT_CLAIMS, {}) == expected
        assert reader_of(production_app).connection is not dead


def test_a_status_read_of_an_unknown_claim_is_not_found(production_app: Flask) -> None:
    from claims.errors import NotFound

    with production_app.test_request_context(), pytest.raises(NotFound):
        reads_of(production_app).status_row(2**31 - 1)


# --- the hot path in front of Flask (service/hot.py) -------------------------------------------


@pytest.fixture
def both(app: Flask) -> tuple[Client, Client, list[str]]:
    """A client through the hot path, one straight to Flask, and the paths Flask was asked."""
    hot = app.wsgi_app
    assert isinstance(hot, HotReads)
    flask_only = hot.inner
    asked: list[str] = []

    def counting(environ: dict[str, Any], start_response: Any) -> Any:
        asked.append(environ["PATH_INFO"])
        return flask_only(environ, start_response)

    hot.inner = counting
    return Client(hot, use_cookies=False), Client(flask_only, use_cookies=False), asked


def same_answer(a: Any, b: Any) -> None:
    assert (a.status_code, a.get_data()) == (b.status_code, b.get_data())
    assert sorted(a.headers.items()) == sorted(b.headers.items())


@pytest.fixture
def rated(make_claim, make_source, make_evidence, make_verdict) -> int:
    claim = make_claim("Meta offered $100M signing bonuses.", claimant_name="Sam Altman")
    make_evidence(claim, make_source("https://a.example/1"), stance="supports")
    make_evidence(claim, make_source("https://b.example/2"), stance="refutes")
    make_verdict(claim, rating="mixed")
    return int(claim.id)


@pytest.mark.parametrize("language", [{}, {"Accept-Language": "fr"}, {"Accept-Language": "de"}])
def test_a_status_poll_is_answered_below_flask_exactly_as_flask_answers_it(both, rated, language):
    hot, flask_only, asked = both
    url = f"/api/v1/claims/{rated}/status"
    fast = hot.get(url, headers=language)
    assert fast.status_code == 200 and asked == []
    same_answer(fast, flask_only.get(url, headers=language))
    assert fast.get_json()["summary"]["language"] == ("fr" if "fr" in str(language) else "en")
    etag = fast.headers["ETag"]
    revalidated = hot.get(url, headers={**language, "If-None-Match": etag})
    assert revalidated.status_code == 304 and asked == []
    same_answer(revalidated, flask_only.get(url, headers={**language, "If-None-Match": etag}))


def test_a_status_summary_is_worded_once_per_state_and_language(app, both, rated):
    hot, flask_only, _ = both
    url = f"/api/v1/claims/{rated}/status"
    words = runtime(app).reads.words
    for client in (hot, flask_only, hot):
        client.get(url, headers={"Accept-Language": "fr"})
    rendered = words.cache_info()
    assert (rendered.misses, rendered.hits) == (1, 2)


def test_a_card_revalidation_is_answered_below_flask_exactly_as_flask_answers_it(both, rated):
    hot, flask_only, asked = both
    for query in ("", "?lang=fr&theme=dark&utm_source=cms"):
        url = f"/embed/claims/{rated}{query}"
        etag = flask_only.get(url).headers["ETag"]
        fast = hot.get(url, headers={"If-None-Match": etag})
        assert fast.status_code == 304 and asked == []
        same_answer(fast, flask_only.get(url, headers={"If-None-Match": etag}))


def test_a_card_is_rendered_below_flask_exactly_as_flask_renders_it(
    both, rated, make_verdict, session
):
    hot, flask_only, asked = both
    for query in ("", "?lang=fr&size=compact"):
        url = f"/embed/claims/{rated}{query}"
        fast = hot.get(url)
        assert fast.status_code == 200 and asked == []
        same_answer(fast, flask_only.get(url))
    url = f"/embed/claims/{rated}?lang=fr"
    etag = hot.get(url).headers["ETag"]
    make_verdict(session.get(Claim, rated), rating="false")  # a second, recent verdict
    changed = hot.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag and asked == []
    assert "verdict précédent" in changed.get_data(as_text=True)
    same_answer(changed, flask_only.get(url, headers={"If-None-Match": etag}))


@pytest.mark.parametrize(
    "path, headers",
    [
        ("/api/v1/claims/{id}/status?fields=all", {}),  # Flask answers the unknown parameter
        ("/api/v1/claims/{id}/status", {"Origin": "https://news.example"}),  # CORS per origin
        ("/api/v1/claims/{id}/status", {"Cookie": "session=x"}),  # Flask may refresh a session
        ("/api/v1/claims/2147483647/status", {}),  # unknown: Flask's problem+json 404
        ("/api/v1/claims/{id}/status/", {}),
        ("/embed/claims/{id}?theme=<script>", {"If-None-Match": '"x"'}),  # Flask's 400 card
        ("/embed/claims/2147483647", {"If-None-Match": '"x"'}),  # Flask's 404 card
    ],
)
def test_everything_else_is_left_to_flask(both, rated, path, headers):
    hot, flask_only, asked = both
    url = path.format(id=rated)
    answer = hot.get(url, headers=headers)
    assert len(asked) == 1
    same_answer(answer, flask_only.get(url, headers=headers))


def test_a_hidden_claim_is_not_found_on_the_hot_path(both, make_claim, session, editor):
    from claims.services import ledger

    hot, _, asked = both
    claim = make_claim("A claim that will be withdrawn.")
    ledger.retract_claim(session=session, claim_id=claim.id, reason="mistake", actor=editor)
    session.commit()
    etag_before = '"anything"'
    card = hot.get(f"/embed/claims/{claim.id}", headers={"If-None-Match": etag_before})
    assert card.status_code == 404 and len(asked) == 1


def test_a_read_given_a_session_that_has_begun_sees_its_uncommitted_writes(
    production_app: Flask,
) -> None:
    reads = reads_of(production_app)
    before = reads.query(COUNT_CLAIMS, {})
    with runtime(production_app).database.session_factory() as session:
        session.add(
            Claim(text="Not committed, ever.", text_norm="not committed ever", created_by="x")
        )
        session.flush()
        assert reads.query(COUNT_CLAIMS, {}, session=session) == [(before[0][0] + 1,)]
        assert reads.query(COUNT_CLAIMS, {}) == before  # our own connection: committed rows
        session.rollback()


def test_each_app_builds_its_own_runtime(settings: Settings, database: Database) -> None:
    from service.runtime import current_runtime

    first, second = create_app(settings, database=database), create_app(settings, database=database)
    a, b = runtime(first), runtime(second)
    assert a is not b and a.database is b.database is database
    assert a.reads is not b.reads and a.jobs is not b.jobs
    with database.session_factory() as session:  # one match index per Database
        assert session.info["claimdesk.match_index"] is a.match_index is b.match_index
    with second.app_context():
        assert current_runtime() is b
    hot = second.wsgi_app
    assert isinstance(hot, HotReads) and hot.reads is b.reads
