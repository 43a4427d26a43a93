"""Claims' embeddings in the database: which are missing, computing them, reading them back.

A claim needs an embedding when it has no ``claim_embedding`` row for the current model: new
claims (whichever path wrote them: API, form, import) and claims whose text changed (a trigger
deletes the row). The job worker computes them in batches off every request's critical path;
``claimdesk embeddings backfill`` does the same for a whole database with a progress bar.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from sqlmodel import Session, col, func, select

from claims.models import Claim, ClaimEmbedding
from claims.semantic.embedder import Embedder
from clock import utcnow

__all__ = ["BATCH", "count", "embed_pending", "missing", "store", "vectors_of"]

BATCH = 256
Vectors = npt.NDArray[np.float32]


def missing(*, session: Session, model: str, limit: int | None = None) -> list[tuple[int, str]]:
    """(id, text) of claims without an embedding by ``model``, oldest first."""
    have = select(ClaimEmbedding.claim_id).where(ClaimEmbedding.model == model)
    statement = (
        select(Claim.id, Claim.text).where(col(Claim.id).not_in(have)).order_by(col(Claim.id))
    )
    if limit is not None:
        statement = statement.limit(limit)
    return [(int(i), t) for i, t in session.exec(statement).all() if i is not None]


def count_missing(*, session: Session, model: str) -> int:
    """How many claims have no embedding by ``model``."""
    have = select(ClaimEmbedding.claim_id).where(ClaimEmbedding.model == model)
    return int(
        session.exec(
            select(func.count()).select_from(Claim).where(col(Claim.id).not_in(have))
        ).one()
    )


def count(*, session: Session, model: str) -> int:
    """How many claims have an embedding by ``model``."""
    return int(
        session.exec(
            select(func.count()).select_from(ClaimEmbedding).where(ClaimEmbedding.model == model)
        ).one()
    )


def store(*, session: Session, model: str, ids: Sequence[int], vectors: Vectors) -> None:
    """Write (or replace) the embeddings of ``ids``; the caller commits."""
    if not ids:
        return
    for row in session.exec(
        select(ClaimEmbedding).where(col(ClaimEmbedding.claim_id).in_(list(ids)))
    ).all():
        session.delete(row)
    session.flush()
    now = utcnow()
    dim = int(vectors.shape[1])
    for claim_id, vector in zip(ids, vectors, strict=True):
        session.add(
            ClaimEmbedding(
                claim_id=claim_id,
                model=model,
                dim=dim,
                vector=np.asarray(vector, dtype=np.float16).tobytes(),
                created_at=now,
            )
        )
    session.flush()


def embed_pending(*, session: Session, embedder: Embedder, batch: int = BATCH) -> list[int]:
    """Embed one batch of the claims that need it; the ids done (empty when none was left)."""
    todo = missing(session=session, model=embedder.model, limit=batch)
    if not todo:
        return []
    ids = [i for i, _ in todo]
    store(
        session=session,
        model=embedder.model,
        ids=ids,
        vectors=embedder.embed([t for _, t in todo]),
    )
    return ids


def vectors_of(
    *, session: Session, model: str, ids: Sequence[int] | None = None
) -> tuple[list[int], Vectors]:
    """Stored embeddings (all, or of ``ids``) as float32 rows, with their claim ids."""
    statement = select(ClaimEmbedding.claim_id, ClaimEmbedding.dim, ClaimEmbedding.vector).where(
        ClaimEmbedding.model == model
    )
    if ids is not None:
        statement = statement.where(col(ClaimEmbedding.claim_id).in_(list(ids)))
    keys: list[int] = []
    rows: list[Vectors] = []
    for claim_id, dim, blob in session.exec(statement.order_by(col(ClaimEmbedding.claim_id))):
        keys.append(int(claim_id))
        rows.append(np.frombuffer(blob, dtype=np.float16, count=dim).astype(np.float32))
    if not rows:
        return [], np.zeros((0, 0), dtype=np.float32)
    return keys, np.vstack(rows)
