"""Running Alembic from code: the schema is only ever created by migrations outside tests."""

from __future__ import annotations

import contextlib
import fcntl
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"

# Full-text search tables written by triggers, not by models (migration 0009_search): the
# PostgreSQL tsvector tables and SQLite's FTS5 tables with their shadow tables; SQLite's
# ``fts_deferred`` (0012_search_bulk), which only an import batch writes and empties again.
_SEARCH_TABLES = re.compile(r"^((claim|claimant|source)_(search|fts)(_\w+)?|fts_deferred)$")


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Whether autogenerate compares an object: not the search tables, which no model maps."""
    return not (
        type_ == "table" and reflected and compare_to is None and _SEARCH_TABLES.match(name or "")
    )


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at our migrations and at ``url``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Apply migrations up to ``revision``; a database already at head is only read.

    Looking first, in a read-only transaction, keeps ``serve``, ``demo`` and every other
    command that migrates on start from queueing for SQLite's write lock behind live writers.
    """
    if revision == "head" and current(url) == head():
        return
    with _migrating(url):
        if revision == "head" and current(url) == head():
            return  # another host migrated while this one waited
        command.upgrade(alembic_config(url), revision)


# Any constant both sides agree on; it only has to differ from the ledger's own advisory locks.
_MIGRATION_LOCK = 0x636C_6D64_6D69_67  # "clmdmig"


@contextlib.contextmanager
def _migrating(url: str) -> Iterator[None]:
    """Hold the one right to migrate this database while Alembic runs.

    Hosts sharing a database start together after a deploy; without this, two of them run the
    same DDL at once and the loser fails half-way (PostgreSQL: duplicate type). PostgreSQL
    gets a session-level advisory lock on a connection of its own; a SQLite file gets an
    exclusive ``flock`` on a file beside it (its writers already queue, but a migration longer
    than the busy timeout would not).
    """
    from sqlalchemy import make_url, text

    from service.db import make_engine

    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        engine = make_engine(url)
        try:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _MIGRATION_LOCK})
                try:
                    yield
                finally:
                    conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _MIGRATION_LOCK})
        finally:
            engine.dispose()
    elif parsed.database and parsed.database != ":memory:":
        with open(f"{parsed.database}.migrating", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
    else:
        yield


def head() -> str | None:
    """The newest revision the migrations define."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def downgrade(url: str, revision: str) -> None:
    """Revert migrations down to ``revision``."""
    command.downgrade(alembic_config(url), revision)


def current(url: str) -> str | None:
    """The revision the database is at."""
    from alembic.runtime.migration import MigrationContext

    from service.db import make_engine, read_only

    engine = make_engine(url)
    try:
        with read_only(), engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()
