"""``claimdesk eval emergent``: how the computed status fares against journalists' verdicts.

Each fold is loaded through the same service functions the API uses, into a fresh, migrated
SQLite database: claims, publishers keyed by the article's domain, sources, evidence (for ->
supports, against -> refutes, observing -> mentions), and the training claims' verdicts as an
editor's. Held-out claims carry no verdict, so nothing about them can leak into the publishers'
records they are scored with.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError
from sqlmodel import Session

from claims.errors import ClaimError
from claims.evaluation import Figures, any_refuting, folds, label_of_status, majority, metrics
from claims.policy import Actor, Role
from claims.schemas import ClaimCreate, EvidenceCreate, VerdictCreate
from claims.services import evidence, ledger, scores, verdicts
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
    """A news article's headline and its stance toward the claim."""

    headline: str
    stance: str
    url: str


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

    claimdesk: Figures
    majority: Figures
    any_refuting: Figures
    claims: int
    skipped: list[str]

    def lines(self) -> list[str]:
        """One line per method, claimdesk's first."""
        return [
            self.claimdesk.line("claimdesk"),
            self.majority.line("majority"),
            self.any_refuting.line("any-refuting"),
        ]


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
    for article in claim.articles:
        try:
            source, _ = create_source(
                session=session,
                source_in=SourceCreate(
                    url=article.url, title=article.headline[:500], kind=SourceKind.secondary
                ),
                actor_name=EVALUATOR.name,
            )
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


def predict_fold(
    claims: dict[str, EmergentClaim],
    rated: Sequence[str],
    held_out: Sequence[str],
    *,
    skipped: list[str],
) -> dict[str, str]:
    """Load a fresh database with rated and held-out claims and read the held-out statuses."""
    with tempfile.TemporaryDirectory(prefix="claimdesk-eval-") as folder:
        url = f"sqlite:///{Path(folder) / 'eval.sqlite3'}"
        migrate.upgrade(url)
        database = Database(url)
        session = database.session_factory()
        try:
            for claim_id in rated:
                _load(session, claims[claim_id], with_verdict=True, skipped=skipped)
            ids = {
                claim_id: _load(session, claims[claim_id], with_verdict=False, skipped=skipped)
                for claim_id in held_out
            }
            scores.recompute_many(
                session=session, claim_ids=[i for i in ids.values() if i], fresh=True
            )
            session.commit()
            predicted = {}
            for claim_id, recorded in ids.items():
                if recorded is None:
                    predicted[claim_id] = "unknown"
                    continue
                status = ledger.get_claim(session=session, claim_id=recorded).status
                predicted[claim_id] = label_of_status(status)
            return predicted
        finally:
            session.close()
            database.engine.dispose()


def evaluate(
    train: dict[str, EmergentClaim],
    test: dict[str, EmergentClaim] | None = None,
    *,
    k: int = 5,
    seed: int = 0,
    progress: Callable[[str], None] = lambda _: None,
) -> Report:
    """Cross-validate on ``train`` (no ``test``), or train on ``train`` and score ``test``."""
    skipped: list[str] = []
    predicted: dict[str, str] = {}
    baseline_majority: dict[str, str] = {}
    if test is None:
        pool = train
        for number, fold in enumerate(folds(train, k, seed), start=1):
            held = set(fold)
            rated = [c for c in sorted(train) if c not in held]
            progress(f"fold {number}/{k}: {len(rated)} rated, {len(fold)} held out")
            predicted.update(predict_fold(train, rated, fold, skipped=skipped))
            baseline_majority.update(majority((train[c].truth for c in rated), fold))
    else:
        overlap = set(train) & set(test)
        if overlap:
            raise DataError(f"{len(overlap)} claim id(s) are in both files")
        pool = {**train, **test}
        progress(f"{len(train)} rated, {len(test)} scored")
        predicted = predict_fold(pool, sorted(train), sorted(test), skipped=skipped)
        baseline_majority = majority((c.truth for c in train.values()), sorted(test))
    scored = test if test is not None else train
    truth = {c: scored[c].truth for c in scored}
    refuting = any_refuting({c: [a.stance for a in pool[c].articles] for c in scored})
    return Report(
        claimdesk=metrics(truth, predicted),
        majority=metrics(truth, baseline_majority),
        any_refuting=metrics(truth, refuting),
        claims=len(scored),
        skipped=skipped,
    )
