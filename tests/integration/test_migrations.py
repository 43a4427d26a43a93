"""The migrations build exactly the schema the models describe, and can be undone."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import claims.models  # noqa: F401
import service.tokens  # noqa: F401
import sources.models  # noqa: F401
from service import migrate
from service.db import make_engine


def test_the_migrated_schema_matches_the_models(engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


@pytest.mark.skipif(
    os.environ.get("CLAIMDESK_DATABASE_URL", "").startswith("postgresql"),
    reason="runs on its own SQLite file; the PostgreSQL run shares one database",
)
def test_downgrade_to_base_and_upgrade_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'roundtrip.sqlite3'}"
    migrate.upgrade(url)
    assert migrate.current(url) is not None
    migrate.downgrade(url, "base")
    engine = make_engine(url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    migrate.upgrade(url)
    engine = make_engine(url)
    assert {"claim", "evidence", "relation", "verdict", "revision", "source"} <= set(
        inspect(engine).get_table_names()
    )
    engine.dispose()
