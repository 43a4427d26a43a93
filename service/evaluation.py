"""``claimdesk eval emergent``: how the computed status fares against journalists' verdicts.

Each outer fold is loaded through the same service functions the API uses, into a fresh,
migrated SQLite database: claims, publishers keyed by the article's URL (a domain, or an
account on a platform), sources, evidence (for -> supports, against -> refutes, observing ->
mentions), and the training claims' verdicts as an editor's. Held-out claims carry no verdict,
so nothing about them can leak into the publishers' records they are scored with. The items the
service builds are then fitted and scored by `claims.scoring.validation` (nested cross-validation).
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError
from sqlmodel import Session

from claims.errors import ClaimError
from claims.policy import Actor, Role
from claims.schemas import ClaimCreate, EvidenceCreate, VerdictCreate
from claims.scoring import service as scores
from claims.scoring.evaluation import Figures
from claims.scoring.fitting import label_of_rating
from claims.scoring.score import Item
from claims.scoring.validation import Line, held_out_test, nested_cv
from claims.services import evidence, ledger, verdicts
from service import migrate
from service.db import Database
from sources.errors import SourceError
from sources.models import SourceCreate, SourceKind
from sources.service import create_source

STANCE = {"for": "supports", "against": "refutes", "observing": "mentions"}
VERDICT = {"true": "true", "false": "false", "unknown": "unverifiable"}
COLUMNS = (
    "claimId",
    "claimHeadline",
    "claimTruth",
    "articleHeadline",
    "articleHeadlineStance",
    "url",
)
EVALUATOR = Actor(name="eval", role=Role.admin)


class DataError(ValueError):
    """The file is not in Emergent's layout."""


def _with_scheme(url: str) -> str:
    """Emergent lists a few article URLs without their scheme; they are web pages."""
    return url if "://" in url else f"http://{url}"


@dataclass
class Article:
    """A news article's headline (or a post's text) and its stance toward the claim."""

    headline: str
    stance: str
    url: str
    cites: list[str] = field(default_factory=list)  # URLs it quotes or reposts


@dataclass
class EmergentClaim:
    """A claim with its journalists' verdict and the articles that reported it."""

    id: str
    headline: str
    truth: str
    articles: list[Article] = field(default_factory=list)


@dataclass
class Report:
    """The figures of one evaluation, and what could not be loaded."""

    methods: list[Line]
    claims: int
    skipped: list[str]
    penalties: list[float]
    specifications: list[str] = field(default_factory=list)  # chosen per fold

    def lines(self) -> list[str]:
        """One line per method, claimdesk's first, macro-F1 with its 95% interval."""
        return [line.text() for line in self.methods]

    def figures(self, name: str) -> Figures:
        """The figures of one method by name."""
        return next(line.figures for line in self.methods if line.name == name)


def read_emergent(path: Path) -> dict[str, EmergentClaim]:
    """Claims and their articles from an Emergent CSV; DataError if the layout is wrong."""
    claims: dict[str, EmergentClaim] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise DataError(f"{path}: missing column(s) {', '.join(missing)}")
        for number, row in enumerate(reader, start=2):
            truth, stance = row["claimTruth"], row["articleHeadlineStance"]
            if truth not in VERDICT or stance not in STANCE:
                raise DataError(f"{path}:{number}: unknown verdict or stance")
            claim = claims.setdefault(
                row["claimId"], EmergentClaim(row["claimId"], row["claimHeadline"], truth)
            )
            claim.articles.append(
                Article(row["articleHeadline"], STANCE[stance], _with_scheme(row["url"]))
            )
    if not claims:
        raise DataError(f"{path}: no claims")
    return claims


def _cited_first(articles: Sequence[Article]) -> list[Article]:
    """Articles ordered so that a quoted or reposted one is recorded before its quoter."""
    done: list[Article] = []
    seen: set[str] = set()
    waiting = list(articles)
    while waiting:
        ready = [a for a in waiting if all(u in seen or u == a.url for u in a.cites)]
        if not ready:  # a cycle, or a quote of a post outside the claim: record them as they are
            ready = waiting[:1]
        for article in ready:
            done.append(article)
            seen.add(article.url)
            waiting.remove(article)
    return done


def _load(
    session: Session, claim: EmergentClaim, *, with_verdict: bool, skipped: list[str]
) -> int | None:
    """Record one claim with its evidence (and verdict); returns its id, None if refused."""
    try:
        recorded = ledger.create_claim(
            session=session,
            claim_in=ClaimCreate(text=claim.headline, language="en"),
            actor=EVALUATOR,
            allow_duplicate=True,
        )
    except (ValidationError, ClaimError) as exc:
        skipped.append(f"claim {claim.id}: {exc}")
        return None
    assert recorded.id is not None
    sources: dict[str, int] = {}
    for article in _cited_first(claim.articles):
        try:
            source, _ = create_source(
                session=session,
                source_in=SourceCreate(
                    url=article.url,
                    title=article.headline[:500],
                    kind=SourceKind.secondary,
                    cites=[sources[u] for u in article.cites if u in sources],
                ),
                actor_name=EVALUATOR.name,
            )
            assert source.id is not None
            sources[article.url] = source.id
            evidence.add_evidence(
                session=session,
                claim_id=recorded.id,
                evidence_in=EvidenceCreate(
                    source_id=source.id, stance=article.stance, quote=article.headline
                ),
                actor=EVALUATOR,
            )
        except (ValidationError, ClaimError, SourceError) as exc:
            skipped.append(f"article {article.url} of claim {claim.id}: {exc}")
    if with_verdict:
        verdicts.add_verdict(
            session=session,
            claim_id=recorded.id,
            verdict_in=VerdictCreate(
                rating=VERDICT[claim.truth], rationale="Journalists' verdict (Emergent)."
            ),
            actor=EVALUATOR,
            rescore=False,
        )
    return recorded.id


def items_through_service(
    claims: Mapping[str, EmergentClaim],
    rated: Sequence[str],
    held_out: Sequence[str],
    *,
    skipped: list[str],
) -> dict[str, list[Item]]:
    """Load a fresh database with the rated claims (and their verdicts) and the held-out ones,
    and read every claim's items as the service builds them for scoring.

    A rated claim's own verdict is left out of the records its items carry
    (``reliability_of(exclude_claim=...)``), exactly as when it is scored in production.
    """
    with tempfile.TemporaryDirectory(prefix="claimdesk-eval-") as folder:
        url = f"sqlite:///{Path(folder) / 'eval.sqlite3'}"
        migrate.upgrade(url)
        database = Database(url)
        session = database.session_factory()
        try:
            ids = {
                claim_id: _load(session, claims[claim_id], with_verdict=True, skipped=skipped)
                for claim_id in rated
            }
            ids.update(
                {
                    claim_id: _load(session, claims[claim_id], with_verdict=False, skipped=skipped)
                    for claim_id in held_out
                }
            )
            session.flush()
            return {
                claim_id: scores.items_for(session=session, claim_id=recorded) if recorded else []
                for claim_id, recorded in ids.items()
            }
        finally:
            session.rollback()
            session.close()
            database.engine.dispose()


def labels_of(claims: Mapping[str, EmergentClaim]) -> dict[str, str]:
    """Each claim's verdict as false / unknown / true."""
    return {c: label_of_rating(VERDICT[claim.truth]) for c, claim in claims.items()}


def evaluate(
    train: dict[str, EmergentClaim],
    test: dict[str, EmergentClaim] | None = None,
    *,
    k: int = 5,
    seed: int = 0,
    repeats: int = 1,
    spec: str = "shipped",
    progress: Callable[[str], None] = lambda _: None,
) -> Report:
    """Nested cross-validation on ``train`` (repeated over ``repeats`` splits), or fit on
    ``train`` and score ``test`` once."""
    skipped: list[str] = []

    def items_for(rated: Sequence[str], held_out: Sequence[str]) -> Mapping[str, Sequence[Item]]:
        return items_through_service(pool, rated, held_out, skipped=skipped)

    if test is None:
        pool = train
        validation = nested_cv(
            labels_of(train),
            items_for,
            k=k,
            seed=seed,
            repeats=repeats,
            spec=spec,
            progress=progress,
        )
    else:
        overlap = set(train) & set(test)
        if overlap:
            raise DataError(f"{len(overlap)} claim id(s) are in both files")
        pool = {**train, **test}
        progress(f"{len(train)} rated, {len(test)} scored")
        validation = held_out_test(
            labels_of(train), labels_of(test), items_for, seed=seed, spec=spec, progress=progress
        )
    return Report(
        validation.lines,
        validation.claims,
        skipped,
        validation.penalties,
        validation.specifications,
    )
