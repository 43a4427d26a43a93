"""The migrations build exactly the schema the models describe, and can be undone."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import service.counters
import service.tokens
import service.web_sessions  # noqa: F401
import sources.models  # noqa: F401
from service import migrate
from service.db import make_engine


def test_the_migrated_schema_matches_the_models(engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": migrate.include_object}
        )
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


@pytest.mark.skipif(
    os.environ.get("CLAIMDESK_DATABASE_URL", "").startswith("postgresql"),
    reason="runs on its own SQLite file; the PostgreSQL run shares one database",
)
def test_0004_counts_the_source_alerts_of_existing_claims(tmp_path: Path) -> None:
    from sqlalchemy import text

    from claims.policy import Actor, Role
    from claims.schemas import ClaimCreate, EvidenceCreate
    from claims.services import evidence, ledger
    from service.db import Database
    from sources.models import SourceCreate
    from sources.service import create_source

    url = f"sqlite:///{tmp_path / 'alerts.sqlite3'}"
    migrate.upgrade(url, "0003")
    migrate.upgrade(url)  # an empty head, to write through today's services
    database = Database(url)
    editor = Actor(name="editor", role=Role.editor)
    with database.session_factory() as session:
        claim = ledger.create_claim(
            session=session, claim_in=ClaimCreate(text="The canal froze in May."), actor=editor
        )
        for n in range(3):
            source, _ = create_source(
                session=session,
                source_in=SourceCreate(url=f"https://site{n}.example/canal"),
                actor_name=editor.name,
            )
            evidence.add_evidence(
                session=session,
                claim_id=claim.id,
                evidence_in=EvidenceCreate(source_id=source.id, stance="supports", quote="q"),
                actor=editor,
            )
        session.commit()
        claim_id = claim.id
    database.engine.dispose()
    migrate.downgrade(url, "0003")  # the columns are gone; the pages die, a quote changes
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE source SET fetch_state = 'dead' WHERE url LIKE '%site0%'"))
        conn.execute(text("UPDATE source SET fetch_state = 'dead' WHERE url LIKE '%site1%'"))
        conn.execute(text("UPDATE evidence SET changed_at_source = 1 WHERE id = 1"))
    engine.dispose()
    migrate.upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        counts = conn.execute(
            text("SELECT n_dead_sources, n_changed_quotes FROM claim WHERE id = :id"),
            {"id": claim_id},
        ).one()
    engine.dispose()
    assert tuple(counts) == (2, 1)
