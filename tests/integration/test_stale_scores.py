"""Stored scores heal by themselves: a claim whose score another scorer wrote (an older model,
an older explanation format, or none recorded) is rescored by the worker, queued when the
service or the worker starts, in batches, without anyone running ``claimdesk scoring rescore``.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from huey import MemoryHuey
from sqlalchemy import update
from sqlmodel import Session, select

from claims.models import Claim, OutboxJob
from claims.schemas import ClaimCreate, EvidenceCreate
from claims.scoring import model as scoring_model
from claims.scoring import service as scores
from claims.scoring.score import SCORER_REVISION, scorer_version
from claims.services import evidence, ledger
from service import jobs as jobs_module
from service.jobs import Jobs, queue_stale_rescore
from service.settings import Settings
from sources.models import SourceCreate
from sources.service import create_source


@pytest.fixture
def worker(database, tmp_path) -> Jobs:
    settings = Settings(env="test", secret_key="test-secret-key-0123456789", instance_path=tmp_path)
    return Jobs(huey=MemoryHuey("stale", results=False), database=database, settings=settings)


@pytest.fixture
def scored(session: Session, editor) -> list[Claim]:
    """Three claims, each with a supporting report, scored by the scorer in use."""
    source, _ = create_source(
        session=session,
        source_in=SourceCreate(url="https://wire.example/report"),
        actor_name=editor.name,
    )
    made = []
    for text in ("The bridge closed on Monday.", "The tunnel reopened.", "The ferry sank."):
        claim = ledger.create_claim(
            session=session, claim_in=ClaimCreate(text=text), actor=editor, allow_duplicate=True
        )
        evidence.add_evidence(
            session=session,
            claim_id=claim.id,
            evidence_in=EvidenceCreate(source_id=source.id, stance="supports", quote="q"),
            actor=editor,
        )
        made.append(claim)
    session.commit()
    session.execute(OutboxJob.__table__.delete())  # type: ignore[attr-defined]
    session.commit()
    return made


def make_stale(session: Session, claims: list[Claim]) -> None:
    """As rows scored before this scorer: no digest, an explanation without the fitted total."""
    session.execute(
        update(Claim)
        .where(Claim.id.in_([c.id for c in claims]))  # type: ignore[union-attr]
        .values(scored_with=None, explanation={"model": "old", "contributions": []})
    )
    session.commit()


def test_a_scored_claim_records_the_scorer_that_wrote_it(session, scored):
    assert {c.scored_with for c in scored} == {scorer_version()}
    assert scores.stale_claims(session=session) == []


def test_the_digest_follows_the_model_but_not_its_name(monkeypatch):
    shipped = scoring_model.shipped_model()
    renamed = replace(shipped, name="renamed", fitted_on="elsewhere")
    refitted = replace(shipped, cut_true=shipped.cut_true + 0.1)

    before = scorer_version(shipped)
    assert scorer_version(renamed) == before
    assert scorer_version(refitted) != before
    # A new explanation format or rule is declared by bumping the revision.
    monkeypatch.setattr("claims.scoring.score.SCORER_REVISION", SCORER_REVISION + 1)
    assert scorer_version(shipped) != before


def test_starting_queues_a_rescore_of_stale_scores_and_the_worker_heals_them(
    session, scored, database, worker
):
    assert queue_stale_rescore(database) is False  # nothing stale: nothing queued
    assert session.exec(select(OutboxJob)).all() == []
    make_stale(session, scored)

    assert queue_stale_rescore(database) is True
    (job,) = session.exec(select(OutboxJob)).all()
    assert (job.name, job.args) == ("rescore_stale", [0])

    worker.rescore_stale(0)

    for claim in scored:
        session.refresh(claim)
        assert claim.scored_with == scorer_version()
        assert "total" in claim.explanation and claim.explanation["contributions"]
    assert scores.stale_claims(session=session) == []


def test_a_new_model_makes_every_stored_score_stale(session, scored):
    model = scoring_model.model_of(session.info)
    session.info[scoring_model.SESSION_KEY] = replace(model, cut_true=model.cut_true + 0.5)
    try:
        assert scores.stale_claims(session=session, limit=10) == sorted(c.id for c in scored)
    finally:
        session.info[scoring_model.SESSION_KEY] = model
    assert scores.stale_claims(session=session) == []


def test_the_healing_job_goes_in_batches_and_queues_the_rest(session, scored, worker, monkeypatch):
    make_stale(session, scored)
    monkeypatch.setattr(jobs_module, "RESCORE_BATCH", 2)
    _, second, third = sorted(c.id for c in scored)

    worker.rescore_stale(0)

    (job,) = session.exec(select(OutboxJob)).all()
    assert (job.name, job.args) == ("rescore_stale", [second])
    assert scores.stale_claims(session=session, limit=10) == [third]
    worker.rescore_stale(second)
    assert scores.stale_claims(session=session) == []


def test_retracted_claims_are_left_alone(session, scored, editor):
    ledger.retract_claim(session=session, claim_id=scored[0].id, reason="gone", actor=editor)
    session.commit()
    make_stale(session, scored)

    assert scores.stale_claims(session=session, limit=10) == sorted(c.id for c in scored[1:])
