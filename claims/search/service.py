"""Search with the database's own full-text engine, then the fuzzy index as a second pass.

The documents (claim text and figures, claimant names and aliases, tags, source titles) are written
by triggers (migration 0009_search); this module only asks. PostgreSQL: the box goes to
``websearch_to_tsquery`` under the French, English and plain configurations at once (a claim is
indexed under its own language's, so the three together find it whichever language the box is in),
ranked by ``ts_rank`` over the GIN index. SQLite: the same syntax is rewritten into an FTS5
expression (``claims/search/fts_query.py``) and ranked by ``bm25``. Figures in the box are replaced
by their value terms first (``claims/search/figures.py``), as they were in the documents.

The full-text engines want whole words (stemmed); a typo finds nothing there. The second pass is the
existing fuzzy search over claim texts (the match index, ``claims/matching/fuzzy.py``) and, when no
name matched exactly, a fuzzy pass over claimant names and aliases whose claims then count as found.
Hits of every pass are merged by reciprocal rank fusion, each keeping the signals that found it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session, col, select

from claims.matching import fuzzy as matching
from claims.models import Claim, Claimant, ClaimantAlias, ReviewState
from claims.search import fts_query
from claims.search.figures import with_figure_terms
from claims.semantic import index as semantic_index
from claims.text import normalise_name

__all__ = [
    "FULLTEXT",
    "FUZZY",
    "PERSON",
    "Hit",
    "fulltext_claimants",
    "fulltext_claims",
    "fulltext_sources",
    "fuse",
    "fuzzy_claimants",
    "merge_claim_passes",
    "visible_claims",
]

FULLTEXT = "fulltext"
FUZZY = "fuzzy"
PERSON = "person"
# Reciprocal rank fusion's constant (Cormack et al. 2009): large enough that one list's top
# hit does not drown agreement between lists.
RRF_K = 60
FULLTEXT_LIMIT = 1000
SEMANTIC_LIMIT = 20
NAME_WORDS = 4
PERSON_WORDS = 12

_PG_CONFIGS = ("claimdesk_en", "claimdesk_fr", "claimdesk_simple")


@dataclass(frozen=True)
class Hit:
    """A row found by one or more passes: its id, fused score and the signals that found it."""

    id: int
    score: float
    signals: tuple[str, ...]


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _pg_query(*, any_word: bool) -> str:
    """The tsquery of ``:q`` under every configuration, OR-ed."""
    if any_word:
        # plainto_tsquery ANDs the lexemes; a sentence asked about (match) needs any of them.
        parts = [
            f"replace(plainto_tsquery('{c}', :q)::text, '&', '|')::tsquery" for c in _PG_CONFIGS
        ]
    else:
        parts = [f"websearch_to_tsquery('{c}', :q)" for c in _PG_CONFIGS]
    return " || ".join(parts)


def _ask(
    session: Session, *, kind: str, q: str, any_word: bool, limit: int, weights: str
) -> list[tuple[int, float]]:
    """(id, rank) of the ``kind`` documents matching ``q``, best first."""
    asked = with_figure_terms(q)
    if _dialect(session) == "postgresql":
        table, id_column = f"{kind}_search", f"{kind}_id"
        sql = (
            f"SELECT d.{id_column}, ts_rank(d.document, x.query) AS rank "
            f"FROM {table} d, (SELECT {_pg_query(any_word=any_word)} AS query) x "
            f"WHERE d.document @@ x.query ORDER BY rank DESC, d.{id_column} LIMIT :limit"
        )
        params: dict[str, object] = {"q": asked, "limit": limit}
    else:
        expression = (
            fts_query.any_words(asked) if any_word else fts_query.to_fts5(fts_query.parse(asked))
        )
        if expression is None:
            return []
        sql = (
            f"SELECT rowid, -bm25({kind}_fts, {weights}) AS rank FROM {kind}_fts "
            f"WHERE {kind}_fts MATCH :expression ORDER BY rank DESC, rowid LIMIT :limit"
        )
        params = {"expression": expression, "limit": limit}
    rows = session.execute(text(sql), params).all()
    return [(int(i), float(r)) for i, r in rows]


def fulltext_claims(
    *, session: Session, q: str, any_word: bool = False, limit: int = FULLTEXT_LIMIT
) -> list[tuple[int, float]]:
    """Claims (any review state) whose document answers the box, best first."""
    # bm25 weights per FTS5 column: text, figures, people, tags, sources (as PostgreSQL's A-D).
    return _ask(
        session, kind="claim", q=q, any_word=any_word, limit=limit, weights="10, 10, 4, 2, 1"
    )


def fulltext_claimants(*, session: Session, q: str, limit: int) -> list[tuple[int, float]]:
    """Claimants whose name, aliases or role answer the box, best first.

    A box of more than PERSON_WORDS words cannot have all its words in one person's names
    and role: it is not asked (a pasted sentence then costs no query here).
    """
    if len(fts_query.words(q)) > PERSON_WORDS:
        return []
    return _ask(session, kind="claimant", q=q, any_word=False, limit=limit, weights="10, 10, 2")


def fulltext_sources(*, session: Session, q: str, limit: int) -> list[tuple[int, float]]:
    """Sources whose title or URL answer the box, best first."""
    return _ask(session, kind="source", q=q, any_word=False, limit=limit, weights="10, 1")


def fuzzy_claimants(*, session: Session, q: str, limit: int) -> list[tuple[int, float]]:
    """Claimants one of whose names has every word of the box, typos forgiven, best first.

    Only for boxes of up to NAME_WORDS words: a longer one is not a name, and scoring every
    name and alias costs tens of milliseconds at LIAR's 3,300 speakers.
    """
    if not 0 < len(normalise_name(q).split()) <= NAME_WORDS:
        return []
    names: list[tuple[int, str]] = [
        (int(i), n) for i, n in session.exec(select(Claimant.id, Claimant.name_norm)).all() if i
    ]
    names += [
        (int(i), n)
        for i, n in session.exec(select(ClaimantAlias.claimant_id, ClaimantAlias.alias_norm)).all()
    ]
    found = matching.search(normalise_name(q), dict(enumerate(n for _, n in names)), limit=None)
    best: dict[int, float] = {}
    for m in found:
        claimant_id = names[m.claim_id][0]
        best[claimant_id] = max(best.get(claimant_id, 0.0), m.score)
    return sorted(best.items(), key=lambda item: (-item[1], item[0]))[:limit]


def fuse(passes: Iterable[tuple[str, Sequence[int]]]) -> list[Hit]:
    """Reciprocal rank fusion of ranked id lists, each named by its signal; best first."""
    scores: dict[int, float] = {}
    signals: dict[int, list[str]] = {}
    for signal, ids in passes:
        for rank, row_id in enumerate(ids, start=1):
            scores[row_id] = scores.get(row_id, 0.0) + 1.0 / (RRF_K + rank)
            if signal not in signals.setdefault(row_id, []):
                signals[row_id].append(signal)
    ordered = sorted(scores, key=lambda i: (-scores[i], i))
    return [Hit(i, scores[i], tuple(signals[i])) for i in ordered]


def merge_claim_passes(
    *,
    session: Session,
    q: str,
    fuzzy: Sequence[matching.Match],
    fuzzy_people: Sequence[int] | None = None,
) -> list[Hit]:
    """The claims the box finds: full text, the fuzzy pass given, the same meaning in any
    language (when cross-lingual matching is on), and claims of fuzzy names.

    The fuzzy name pass runs only when no claimant's name or alias matched as typed, so an
    exact name is never diluted by look-alikes; a caller that already ran it passes the
    claimant ids it found as ``fuzzy_people``.
    """
    passes: list[tuple[str, Sequence[int]]] = [
        (FULLTEXT, [i for i, _ in fulltext_claims(session=session, q=q)]),
        (FUZZY, [m.claim_id for m in fuzzy]),
    ]
    meaning = semantic_index.search_pass(session=session, text=q, limit=SEMANTIC_LIMIT)
    if meaning:
        passes.append((semantic_index.SEMANTIC, [i for i, _ in meaning]))
    people = fuzzy_people
    if people is None and not fulltext_claimants(session=session, q=q, limit=1):
        people = [i for i, _ in fuzzy_claimants(session=session, q=q, limit=10)]
    if people:
        said = session.exec(
            select(Claim.id)
            .where(col(Claim.claimant_id).in_(list(people)))
            .order_by(col(Claim.id).desc())
            .limit(FULLTEXT_LIMIT)
        ).all()
        passes.append((PERSON, [int(i) for i in said if i is not None]))
    return fuse(passes)


def visible_claims(*, session: Session, ids: Sequence[int]) -> dict[int, Claim]:
    """The published, unretracted claims among ``ids``: what any reader may be shown."""
    if not ids:
        return {}
    rows = session.exec(
        select(Claim).where(
            col(Claim.id).in_(list(ids)),
            col(Claim.review_state) == ReviewState.published.value,
            col(Claim.retracted_at).is_(None),
        )
    ).all()
    return {c.id: c for c in rows if c.id is not None}
