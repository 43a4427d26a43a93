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


def test_0013_counts_the_qualifications_and_backings_of_existing_claims(tmp_path: Path) -> None:
    from live_server import throwaway_database
    from sqlalchemy import text

    from claims.models import RelationKind
    from claims.policy import Actor, Role
    from claims.schemas import ClaimCreate, RelationCreate
    from claims.services import ledger, relations
    from service.db import Database

    editor = Actor(name="editor", role=Role.editor)
    texts = [
        "The canal froze solid in May 1816.",
        "Only the northern stretch of the canal froze that May.",
        "Barges were stuck in the frozen canal for a week in May 1816.",
        "A ship's log records ice on the canal in late May 1816.",
        "The canal never froze in spring during the nineteenth century.",
        "Farmers wrote of snow in June of the year without a summer.",
    ]
    # (subject index, kind, what is withdrawn afterwards)
    links = [
        (1, RelationKind.qualifies, None),
        (2, RelationKind.qualifies, "relation"),
        (3, RelationKind.supports, None),
        (5, RelationKind.supports, "subject"),
        (4, RelationKind.rebuts, None),
    ]
    with throwaway_database(tmp_path) as url:
        migrate.upgrade(url)
        database = Database(url)
        with database.session_factory() as session:
            ids = [
                ledger.create_claim(session=session, claim_in=ClaimCreate(text=t), actor=editor).id
                for t in texts
            ]
            for subject, kind, withdrawn in links:
                relation = relations.add_relation(
                    session=session,
                    claim_id=ids[0],
                    relation_in=RelationCreate(kind=kind, subject_id=ids[subject]),
                    actor=editor,
                )
                if withdrawn == "relation":
                    relations.retract_relation(
                        session=session,
                        claim_id=ids[0],
                        relation_id=relation.id,
                        reason="wrong claim",
                        actor=editor,
                    )
                elif withdrawn == "subject":
                    ledger.retract_claim(
                        session=session, claim_id=ids[subject], reason="misquoted", actor=editor
                    )
            session.commit()
        database.engine.dispose()
        migrate.downgrade(url, "0012")  # the columns are gone: what a deployed database has
        migrate.upgrade(url)
        engine = make_engine(url)
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT id, n_rebuttals, n_qualifications, n_backings FROM claim")
            ).all()
        engine.dispose()
    counts = {row.id: tuple(row[1:]) for row in rows}
    assert counts.pop(ids[0]) == (1, 1, 1)
    assert set(counts.values()) == {(0, 0, 0)}


def test_0014_copies_the_score_and_its_reasons_out_of_stored_explanations(tmp_path: Path) -> None:
    from live_server import throwaway_database
    from sqlalchemy import text

    from claims.policy import Actor, Role
    from claims.schemas import ClaimCreate, RelationCreate
    from claims.services import ledger, relations
    from service.db import Database

    editor = Actor(name="editor", role=Role.editor)
    with throwaway_database(tmp_path) as url:
        migrate.upgrade(url)
        database = Database(url)
        with database.session_factory() as session:
            claim = ledger.create_claim(
                session=session,
                claim_in=ClaimCreate(text="Meta offered $100M bonuses."),
                actor=editor,
            )
            denial = ledger.create_claim(
                session=session, claim_in=ClaimCreate(text="That is an exaggeration."), actor=editor
            )
            relations.add_relation(
                session=session,
                claim_id=claim.id,
                relation_in=RelationCreate(kind="rebuts", subject_id=denial.id, first_hand=True),
                actor=editor,
            )
            lone = ledger.create_claim(
                session=session, claim_in=ClaimCreate(text="The pier is 300 m long."), actor=editor
            )
            session.commit()
            expected = {
                c.id: (c.explanation.get("total"), ",".join(c.explanation.get("reasons", [])))
                for c in (claim, denial, lone)
            }
        database.engine.dispose()
        assert any(reasons for _, reasons in expected.values())  # a reason to copy
        migrate.downgrade(url, "0013")  # what a deployed database has: no such columns
        migrate.upgrade(url)
        engine = make_engine(url)
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, score_total, score_reasons FROM claim")).all()
        engine.dispose()
    assert {row[0]: (row[1], row[2]) for row in rows} == expected
