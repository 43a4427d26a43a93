"""The process's semantic index: the embedder and the shared vector file, asked by cosine.

Set up by the owner of the Session factory (``service/semantic.py``) in every Session's info,
as the match index is; ``of(session)`` finds it. Everything here answers "nothing" when
cross-lingual matching is off (the ``semantic`` extra not installed), so callers need no
special case. See claims/semantic/crosslingual.py for the thresholds.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlmodel import Session

from claims.search.fts_query import words
from claims.semantic import service as embeddings
from claims.semantic.embedder import Embedder, load_embedder, unavailable_reason
from claims.semantic.vectors import SharedVectorIndex, write_index

__all__ = [
    "MATCH_FLOOR",
    "SEARCH_FLOOR",
    "SEMANTIC",
    "SESSION_KEY",
    "SHORT_SEARCH_FLOOR",
    "Semantic",
    "near_the_best",
    "of",
    "search_floor",
    "search_pass",
    "semantic_pass",
    "similar",
    "sync_index",
]

SESSION_KEY = "claimdesk.semantic"
SEMANTIC = "semantic"
# Cosine floors of the semantic pass (USE-multilingual; see crosslingual.py's figures): the
# search box keeps only hits close in meaning, the match list ranks looser neighbours too.
SEARCH_FLOOR = 0.5
MATCH_FLOOR = 0.35
# A box of a word or two is not a sentence: USE-multilingual gives it low cosines even against
# its own meaning ("signing bonus" scores 0.29 against the demo's "prime à la signature de 100
# millions de dollars" claim, the best of the eleven; unrelated boxes such as "vaccine autism",
# "tax cuts" or "unemployment rate" score at most 0.22 against any demo claim). The search
# floor therefore rises with the box's length, by FLOOR_STEP a word from SHORT_SEARCH_FLOOR at
# two words up to SEARCH_FLOOR (reached at seven): sentences, which the benchmarks ask, keep
# the floor they had. The duplicate check and the translation warning keep theirs.
SHORT_SEARCH_FLOOR = 0.25
FLOOR_STEP = 0.05
# Against a large corpus a short box clears its low floor with many loose neighbours (20 hits
# for most two-word boxes over LIAR's 11,500 claims): below the sentence floor, a semantic
# hit must also be within SHORT_MARGIN of the box's best one ("vaccine autism" keeps its two
# vaccine claims at 0.64 and 0.58, not the 0.44-0.41 tail).
SHORT_MARGIN = 0.1


class Semantic:
    """A process's cross-lingual matching: the embedder (if installed) and the shared index."""

    def __init__(self, index_path: Path, *, enabled: bool = True) -> None:
        self.index_path = index_path
        self.index = SharedVectorIndex(index_path)
        self.enabled = enabled

    def off_reason(self) -> str | None:
        """Why cross-lingual matching is off here, or None when it is on."""
        if not self.enabled:
            return "cross-lingual matching is turned off in this deployment"
        return unavailable_reason()

    def embedder(self) -> Embedder | None:
        """The embedder, or None when matching is off."""
        return None if self.off_reason() is not None else load_embedder()


def of(session: Session) -> Semantic | None:
    """The cross-lingual matching of this Session's database, if its owner set one up."""
    found = session.info.get(SESSION_KEY)
    return found if isinstance(found, Semantic) else None


def similar(*, session: Session, text: str, limit: int) -> list[tuple[int, float]]:
    """(claim id, cosine) of the nearest claims (any state: callers filter), best first."""
    semantic = of(session)
    embedder = semantic.embedder() if semantic is not None else None
    if semantic is None or embedder is None or limit <= 0:
        return []
    vector = embedder.embed([text])[0]
    return semantic.index.search(vector, limit)


def search_floor(text: str) -> float:
    """The cosine a search box's semantic hit needs: lower for a box of few words."""
    n = len(words(text))
    return min(SEARCH_FLOOR, max(SHORT_SEARCH_FLOOR, SHORT_SEARCH_FLOOR + FLOOR_STEP * (n - 2)))


def semantic_pass(
    *, session: Session, text: str, limit: int, floor: float
) -> list[tuple[int, float]]:
    """Nearest claims at or above ``floor``, best first (for the rank fusions)."""
    return [(i, s) for i, s in similar(session=session, text=text, limit=limit) if s >= floor]


def search_pass(*, session: Session, text: str, limit: int) -> list[tuple[int, float]]:
    """The search box's semantic hits: above its length's floor and, for a short box, near
    its best hit (see SHORT_MARGIN); best first."""
    floor = search_floor(text)
    found = semantic_pass(session=session, text=text, limit=limit, floor=floor)
    return near_the_best(found) if floor < SEARCH_FLOOR else found


def near_the_best(hits: Sequence[tuple[int, float]]) -> list[tuple[int, float]]:
    """The hits (best first) within SHORT_MARGIN of the first."""
    if not hits:
        return []
    best = hits[0][1]
    return [(i, s) for i, s in hits if s >= best - SHORT_MARGIN]


def sync_index(*, session: Session, semantic: Semantic, embedded: Sequence[int]) -> int:
    """Bring the shared index file up to the stored embeddings; returns its size.

    Adds the claims just ``embedded`` to the current file; when the result does not hold
    exactly the stored embeddings (a first run, a lost file, rows deleted underneath), the
    file is rebuilt from all of them.
    """
    embedder = semantic.embedder()
    if embedder is None:
        return 0
    total = embeddings.count(session=session, model=embedder.model)
    path = semantic.index_path
    size = -1
    if embedded and path.exists():
        keys, vectors = embeddings.vectors_of(session=session, model=embedder.model, ids=embedded)
        size = write_index(path, dim=embedder.dim, keys=keys, vectors=vectors, base=path)
    if size != total:
        keys, vectors = embeddings.vectors_of(session=session, model=embedder.model)
        size = write_index(path, dim=embedder.dim, keys=keys, vectors=vectors)
    return size
