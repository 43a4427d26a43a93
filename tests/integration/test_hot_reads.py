"""The hot read path's own connections (``service/reads.py``), outside the tests' transaction.

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

from claims.models import Claim
from service import reads
from service.app import create_app
from service.db import Database
from service.settings import Settings

COUNT_CLAIMS = select(func.count()).select_from(Claim)


@pytest.fixture
def production_app(db_url: str, settings: Settings) -> Iterator[Flask]:
    database = Database(db_url)  # no outer transaction: what a deployed app has
    yield create_app(settings, database=database)
    reader = reads._READERS.get(database)
    if reader is not None and reader.connection is not None:
        reader.drop()
    database.engine.dispose()


def reader_of(app: Flask) -> reads.Reader:
    return reads._READERS[app.extensions["claimdesk.db"]]


def drop_from_server_side(engine: Engine, connection: Any) -> None:
    """What a server restart or an idle timeout does to the reader's connection."""
    if engine.dialect.name == "postgresql":
        pid = connection.dbapi_connection.info.backend_pid
        with engine.connect() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    else:
        connection.dbapi_connection.close()


def test_reads_keep_one_connection_per_thread_outside_the_pool(production_app: Flask) -> None:
    engine = production_app.extensions["claimdesk.db"].engine
    with production_app.test_request_context():
        first = reads.run(COUNT_CLAIMS, {})
        connection = reader_of(production_app).connection
        assert reads.run(COUNT_CLAIMS, {}) == first
        assert reader_of(production_app).connection is connection
    assert engine.pool.checkedout() == 0  # nothing borrowed from the pool is left out


def test_a_dropped_connection_is_replaced_and_the_read_still_answers(
    production_app: Flask,
) -> None:
    engine = production_app.extensions["claimdesk.db"].engine
    with production_app.test_request_context():
        expected = reads.run(COUNT_CLAIMS, {})
        dead = reader_of(production_app).connection
        drop_from_server_side(engine, dead)
        assert reads.run(COUNT_CLAIMS, {}) == expected
        assert reader_of(production_app).connection is not dead


def test_a_status_read_of_an_unknown_claim_is_not_found(production_app: Flask) -> None:
    from claims.errors import NotFound

    with production_app.test_request_context(), pytest.raises(NotFound):
        reads.status_row(2**31 - 1)
