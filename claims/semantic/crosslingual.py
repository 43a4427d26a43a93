"""Cross-lingual and paraphrase matching: the same claim in other words or another language.

A claim's embedding (claims/semantic/embedder.py) is computed by the job worker and served from a
usearch index file every process maps (claims/semantic/vectors.py). Three questions use it:

- ``similar``: the nearest claims to a text by cosine, any language;
- ``translations_of_text``: published, live claims in *another* language than the text's, at
  or above TRANSLATION_THRESHOLD, each with its verdict: what a submission is warned about;
- ``fused`` (for ``GET /claims/match`` and the search box): the lexical ranking and the
  semantic one merged by reciprocal rank fusion, each hit keeping the signals that found it.

Thresholds, on ``bench/embedders.py``'s data (20 French renderings of LIAR statements against
11,000 English ones, USE-multilingual): a rendering scores 0.635-0.866 against its statement
(median 0.78); the best *other* statement scores 0.38-0.65 for 18 of the 20 queries and
0.79/0.81 for two, which are LIAR restatements of the same claim. TRANSLATION_THRESHOLD = 0.65
SAME_CLAIMANT_THRESHOLD = 0.55
warns for 18 of 20 true pairs; SEARCH_FLOOR = 0.5 keeps a search box's semantic hits to those
close in meaning (lower for a box of a few words: ``semantic_index.search_floor``). A
development set of 20 is small: the figures are rechecked by
``bench/crosslingual.py`` on held-out queries.

The embedding cannot tell $100M from $300M (nor can any sentence embedder measured), so a
translation warning also states both texts for a person to compare; it never merges.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from claims.errors import InvalidRequest, NotFound
from claims.langid import detect_language
from claims.matching import fuzzy as matching
from claims.models import Claim, Relation, RelationKind, Verdict
from claims.policy import Actor
from claims.schemas import ClaimCreate, RelationCreate
from claims.search import service as search
from claims.semantic.index import MATCH_FLOOR, SEMANTIC, semantic_pass, similar
from claims.services import claimants, ledger, relations
from claims.services.verdicts import current_verdicts
from claims.text import normalise_claim

__all__ = [
    "LEXICAL",
    "TRANSLATION_THRESHOLD",
    "Matched",
    "Translation",
    "as_matched",
    "base_language",
    "borrowed_verdicts",
    "fused_matches",
    "link_translation",
    "submission_translations",
    "translation_links",
    "translations_of_text",
]

TRANSLATION_THRESHOLD = 0.65
SAME_CLAIMANT_THRESHOLD = 0.55
OVERFETCH = 4


def base_language(language: str | None) -> str | None:
    """``fr`` for ``fr-CA``; None for ``und`` or nothing."""
    if not language or language == "und":
        return None
    return language.split("-", 1)[0].lower()


@dataclass(frozen=True)
class Translation:
    """A live claim that may say the same as a submission, in another language."""

    claim: Claim
    similarity: float


def translations_of_text(
    *,
    session: Session,
    text: str,
    language: str,
    claimant_id: int | None = None,
    limit: int = 3,
) -> list[Translation]:
    """Published live claims in another language that may be this text, best first.

    The text's language is the one given, or detected when ``und``; a candidate whose language
    is ``und`` counts as another language only if its detected one differs. A candidate by the
    same claimant needs only SAME_CLAIMANT_THRESHOLD: "Sam Altman says Meta used a $100M
    signing bonus" scores 0.61 against the French record of his claim, the attribution
    ("X says") costing what the shared speaker gives back.
    """
    mine = base_language(language) or detect_language(text)
    if mine is None:
        return []
    floor = min(TRANSLATION_THRESHOLD, SAME_CLAIMANT_THRESHOLD)
    near = [
        (i, s)
        for i, s in similar(session=session, text=text, limit=limit * OVERFETCH)
        if s >= floor
    ]
    shown = search.visible_claims(session=session, ids=[i for i, _ in near])
    out: list[Translation] = []
    for claim_id, score in near:
        claim = shown.get(claim_id)
        if claim is None:
            continue
        same_speaker = claimant_id is not None and claim.claimant_id == claimant_id
        if score < (SAME_CLAIMANT_THRESHOLD if same_speaker else TRANSLATION_THRESHOLD):
            continue
        theirs = base_language(claim.language) or detect_language(claim.text)
        if theirs is not None and theirs != mine:
            out.append(Translation(claim, score))
    return out[:limit]


def submission_translations(*, session: Session, claim_in: ClaimCreate) -> list[Translation]:
    """What a new claim is warned about: the same claim, possibly, in another language."""
    claimant_id = claim_in.claimant_id
    if claimant_id is None and claim_in.claimant_name is not None:
        found = claimants.find_claimants(session=session, name=claim_in.claimant_name)
        claimant_id = found[0].id if len(found) == 1 else None
    return translations_of_text(
        session=session, text=claim_in.text, language=claim_in.language, claimant_id=claimant_id
    )


def link_translation(
    *, session: Session, claim_id: int, original_id: int, actor: Actor
) -> Relation:
    """Record that claim ``claim_id`` is ``original_id`` in another language."""
    try:
        return relations.add_relation(
            session=session,
            claim_id=claim_id,
            relation_in=RelationCreate(kind=RelationKind.translation_of, object_id=original_id),
            actor=actor,
        )
    except NotFound as exc:  # named by the submission's translation_of, not a relation body
        raise NotFound("claim", original_id, field="translation_of") from exc
    except InvalidRequest as exc:
        raise InvalidRequest(str(exc), field="translation_of") from exc


def translation_links(*, session: Session, claim_ids: Sequence[int]) -> dict[int, list[int]]:
    """For each claim, the claims it is linked to by a live ``translation_of``, either way."""
    result: dict[int, list[int]] = {i: [] for i in claim_ids}
    if not claim_ids:
        return result
    ids = list(claim_ids)
    rows = session.exec(
        select(Relation.subject_id, Relation.object_id).where(
            Relation.kind == RelationKind.translation_of.value,
            col(Relation.retracted_at).is_(None),
            (col(Relation.subject_id).in_(ids)) | (col(Relation.object_id).in_(ids)),
        )
    ).all()
    for subject, obj in rows:
        if subject in result and obj not in result[subject]:
            result[subject].append(obj)
        if obj in result and subject not in result[obj]:
            result[obj].append(subject)
    return result


LEXICAL = "lexical"


@dataclass(frozen=True)
class Matched:
    """A claim similar to a text: its lexical score, cosine if found by meaning, and signals."""

    claim: Claim
    score: float
    duplicate: bool
    similarity: float | None
    signals: tuple[str, ...]


def fused_matches(*, session: Session, text: str, limit: int) -> list[Matched]:
    """Live claims similar to ``text`` by characters or by meaning, merged by rank fusion.

    The lexical list is the matcher's (``ledger.match``); the semantic one is the nearest
    claims in any language above MATCH_FLOOR. Every hit carries the lexical score against the
    text (so ``duplicate`` keeps its meaning: the 409 threshold), and its cosine if any.
    """
    lexical = ledger.match(session=session, text=text, limit=limit)
    meaning = semantic_pass(session=session, text=text, limit=limit * OVERFETCH, floor=MATCH_FLOOR)
    hits = search.fuse(
        [
            (LEXICAL, [c.id for c, _, _ in lexical if c.id is not None]),
            (SEMANTIC, [i for i, _ in meaning]),
        ]
    )
    shown = search.visible_claims(session=session, ids=[h.id for h in hits])
    cosine = dict(meaning)
    text_norm = normalise_claim(text)
    out: list[Matched] = []
    for hit in hits:
        claim = shown.get(hit.id)
        if claim is None:
            continue
        score = matching.duplicate_score(text_norm, claim.text_norm)
        out.append(
            Matched(
                claim=claim,
                score=score,
                duplicate=score >= matching.DUPLICATE_THRESHOLD,
                similarity=cosine.get(hit.id),
                signals=hit.signals,
            )
        )
        if len(out) == limit:
            break
    return out


def borrowed_verdicts(
    *, session: Session, claim_ids: Sequence[int]
) -> dict[int, tuple[Verdict, int]]:
    """For claims without a verdict of their own, the verdict of a claim linked to them by
    ``translation_of`` (either way), with that claim's id; the most recent if several."""
    links = translation_links(session=session, claim_ids=claim_ids)
    others = sorted({o for found in links.values() for o in found})
    if not others:
        return {}
    verdicts = current_verdicts(session=session, claim_ids=others)
    out: dict[int, tuple[Verdict, int]] = {}
    for claim_id, linked in links.items():
        rated = [verdicts[o] for o in linked if o in verdicts]
        if rated:
            best = max(rated, key=lambda v: (v.created_at, v.id or 0))
            out[claim_id] = (best, best.claim_id)
    return out


def as_matched(translation: Translation, *, text: str) -> Matched:
    """A translation warning in the shape of a match (lexical score against ``text``)."""
    score = matching.duplicate_score(normalise_claim(text), translation.claim.text_norm)
    return Matched(
        claim=translation.claim,
        score=score,
        duplicate=score >= matching.DUPLICATE_THRESHOLD,
        similarity=translation.similarity,
        signals=(SEMANTIC,),
    )
