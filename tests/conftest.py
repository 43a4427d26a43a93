"""Fixtures shared by every test: a migrated database, and per-test rollback.

The database is created once per run by the Alembic migrations (SQLite in a temp folder by
default; the PostgreSQL database named by CLAIMDESK_DATABASE_URL when it points there). Each
test runs inside one outer transaction that is rolled back at its end, so tests never see each
other's rows and nothing is cleaned by deleting.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import Connection, text
from sqlmodel import Session

from claims.policy import Actor, Role
from service import migrate
from service.app import create_app
from service.db import Database, make_engine
from service.settings import Settings
from service.tokens import create_token


def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """PostgreSQL when CLAIMDESK_DATABASE_URL says so, else a fresh SQLite file."""
    url = os.environ.get("CLAIMDESK_DATABASE_URL", "")
    if url.startswith("postgresql"):
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def reset_postgres(url: str) -> None:
    """Start the throwaway PostgreSQL database from an empty schema."""
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = database_url(tmp_path_factory)
    if url.startswith("postgresql"):
        reset_postgres(url)
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def engine(db_url: str) -> Iterator[Any]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Any) -> Iterator[Connection]:
    conn = engine.connect()
    outer = conn.begin()
    yield conn
    outer.rollback()
    conn.close()


@pytest.fixture
def database(db_url: str, engine: Any, connection: Connection) -> Database:
    return Database(db_url, engine=engine, bind=connection)


@pytest.fixture
def settings(tmp_path: Any) -> Settings:
    """Test settings: jobs run as soon as they are queued (huey's immediate mode)."""
    return Settings(
        env="test",
        secret_key="test-secret-key-0123456789",
        instance_path=tmp_path,
        jobs_immediate=True,
    )


@pytest.fixture
def app(settings: Settings, database: Database) -> Flask:
    return create_app(settings, database=database)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    """A Session on the test's transaction, for arranging data through the services."""
    s = database.session_factory()
    yield s
    s.close()


@pytest.fixture
def auth(session: Session) -> Callable[..., dict[str, str]]:
    """``auth("editor")`` -> headers carrying a fresh token with that role."""
    made: dict[str, dict[str, str]] = {}

    def make(role: str = "contributor") -> dict[str, str]:
        if role not in made:
            _, plaintext = create_token(session=session, name=f"test-{role}", role=Role(role))
            session.commit()
            made[role] = {"Authorization": f"Bearer {plaintext}"}
        return made[role]

    return make


@pytest.fixture
def editor() -> Actor:
    return Actor(name="test-editor", role=Role.editor)


@pytest.fixture
def contributor() -> Actor:
    return Actor(name="test-contributor", role=Role.contributor)
