"""Publisher records kept as running totals: always what learning from scratch would say.

Every write that changes what a publisher's record counts (evidence added or retracted, a
verdict given or replaced, a claim retracted) adjusts its totals in the same transaction, so
a write costs the same however many claims cite the publisher. The claims resting on a
publisher whose record moved are rescored afterwards by the worker, in batches.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from huey import MemoryHuey
from sqlmodel import Session, col, select

from claims.models import Claim, Evidence, OutboxJob, Verdict
from claims.schemas import ClaimCreate, EvidenceCreate, VerdictCreate
from claims.scoring import publishers as reliability
from claims.scoring.reliability import Record, Tally, learn_reliability, neutral
from claims.services import evidence, ledger, verdicts
from clock import as_utc
from service import jobs as jobs_module
from service.jobs import Jobs
from service.settings import Settings
from sources.models import Publisher, Source, SourceCreate
from sources.platforms import platform_of
from sources.service import create_source

RATINGS = ["true", "mostly_true", "mixed", "mostly_false", "false", "unverifiable"]
STANCES = ["supports", "refutes", "mentions"]


def from_scratch(session: Session, domains: list[str], exclude: int | None = None) -> dict:
    """The reliability the old code computed: learned from every current row."""
    rows = session.exec(
        select(Publisher.domain, Evidence.claim_id, Evidence.stance, Verdict.rating)
        .join(Source, col(Source.publisher_id) == Publisher.id)
        .join(Evidence, col(Evidence.source_id) == Source.id)
        .join(Claim, col(Claim.id) == Evidence.claim_id)
        .join(Verdict, col(Verdict.claim_id) == Evidence.claim_id)
        .where(
            col(Publisher.domain).in_(domains),
            col(Evidence.retracted_at).is_(None),
            col(Claim.retracted_at).is_(None),
            col(Verdict.superseded_at).is_(None),
        )
    ).all()
    stances = [(d, c, s) for d, c, s, _ in rows if c != exclude]
    ratings = {c: r for _, c, _, r in rows if c != exclude}
    learned = learn_reliability(stances, ratings)
    return {d: (learned.get(d) or neutral(d)).to_dict() for d in domains}


def _tally_sum(a: Tally, b: Tally) -> Tally:
    return Tally(
        right=a.right + b.right,
        wrong=a.wrong + b.wrong,
        unverifiable=a.unverifiable + b.unverifiable,
    )


def platforms_from_scratch(session: Session, exclude: int | None = None) -> dict[str, Record]:
    """Each platform's pooled record as the old code read it: every account's, learned again."""
    accounts = [d for d in session.exec(select(Publisher.domain)).all() if platform_of(d)]
    rows = session.exec(
        select(Publisher.domain, Evidence.claim_id, Evidence.stance, Verdict.rating)
        .join(Source, col(Source.publisher_id) == Publisher.id)
        .join(Evidence, col(Evidence.source_id) == Source.id)
        .join(Claim, col(Claim.id) == Evidence.claim_id)
        .join(Verdict, col(Verdict.claim_id) == Evidence.claim_id)
        .where(
            col(Publisher.domain).in_(accounts),
            col(Evidence.retracted_at).is_(None),
            col(Claim.retracted_at).is_(None),
            col(Verdict.superseded_at).is_(None),
        )
    ).all()
    learned = learn_reliability(
        [(d, c, s) for d, c, s, _ in rows if c != exclude],
        {c: r for _, c, _, r in rows if c != exclude},
    )
    pooled: dict[str, Record] = {}
    for domain in accounts:
        host = platform_of(domain)
        assert host is not None
        record = (learned.get(domain) or neutral(domain)).record
        total = pooled.get(host, Record())
        pooled[host] = Record(
            backed=_tally_sum(total.backed, record.backed),
            disputed=_tally_sum(total.disputed, record.disputed),
            mentioned=total.mentioned + record.mentioned,
        )
    return pooled


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_totals_equal_learning_from_scratch_after_any_sequence_of_writes(session, editor, seed):
    rng = random.Random(seed)
    sources = [
        create_source(
            session=session,
            source_in=SourceCreate(url=f"https://{site}/story-{n}"),
            actor_name=editor.name,
        )[0]
        for n, site in enumerate(
            [
                "wire.example",
                "wire.example",
                "daily.example",
                "blog.example",
                # Accounts on platforms: their records also add up to their platform's.
                "x.com/alice/status",
                "twitter.com/bob/status",
                "x.com/alice/status",
                "www.youtube.com/@carol/videos",
            ]
        )
    ]
    domains = ["wire.example", "daily.example", "blog.example"]
    claims = [
        ledger.create_claim(
            session=session,
            claim_in=ClaimCreate(text=f"Claim number {n} about the harbour's {n * 7} boats."),
            actor=editor,
            allow_duplicate=True,
        )
        for n in range(6)
    ]
    session.commit()
    added: list[Evidence] = []
    for _ in range(60):
        claim = rng.choice(claims)
        action = rng.random()
        if claim.retracted_at is not None:
            continue
        if action < 0.5:
            added.append(
                evidence.add_evidence(
                    session=session,
                    claim_id=claim.id,
                    evidence_in=EvidenceCreate(
                        source_id=rng.choice(sources).id, stance=rng.choice(STANCES), quote="q"
                    ),
                    actor=editor,
                )
            )
        elif action < 0.8:
            verdicts.add_verdict(
                session=session,
                claim_id=claim.id,
                verdict_in=VerdictCreate(rating=rng.choice(RATINGS), rationale="because"),
                actor=editor,
            )
        elif action < 0.95:
            live = [e for e in added if e.retracted_at is None]
            if live:
                item = rng.choice(live)
                evidence.retract_evidence(
                    session=session,
                    claim_id=item.claim_id,
                    evidence_id=item.id,
                    reason="wrong",
                    actor=editor,
                )
        else:
            ledger.retract_claim(session=session, claim_id=claim.id, reason="gone", actor=editor)
        session.commit()
        kept = {
            d: r.to_dict()
            for d, r in reliability.reliability_of(session=session, domains=domains).items()
        }
        assert kept == from_scratch(session, domains)
        platforms = ["x.com", "youtube.com"]
        pooled = platforms_from_scratch(session)
        kept_platforms = reliability.platform_records(session=session, platforms=platforms)
        assert kept_platforms == {p: pooled.get(p, Record()) for p in platforms}
    for claim in claims:
        excluded = reliability.reliability_of(
            session=session, domains=domains, exclude_claim=claim.id
        )
        assert {d: r.to_dict() for d, r in excluded.items()} == from_scratch(
            session, domains, exclude=claim.id
        )
        pooled = platforms_from_scratch(session, exclude=claim.id)
        assert reliability.platform_records(
            session=session, platforms=platforms, exclude_claim=claim.id
        ) == {p: pooled.get(p, Record()) for p in platforms}


@pytest.fixture
def rated_pair(session: Session, editor) -> dict[str, Any]:
    """Two claims citing one publisher; the first is about to be rated."""
    source, _ = create_source(
        session=session,
        source_in=SourceCreate(url="https://wire.example/report"),
        actor_name=editor.name,
    )
    made = []
    for text in ("The bridge closed on Monday.", "The tunnel reopened on Friday."):
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
    return {"rated": made[0], "other": made[1], "publisher": source.publisher_id}


@pytest.fixture
def waiting_settings(tmp_path) -> Settings:
    return Settings(env="test", secret_key="test-secret-key-0123456789", instance_path=tmp_path)


def test_a_verdict_moves_the_record_now_and_leaves_other_claims_to_the_worker(
    session, editor, rated_pair, database, waiting_settings
):
    other = rated_pair["other"]
    before = (as_utc(other.scored_at), other.explanation)
    verdicts.add_verdict(
        session=session,
        claim_id=rated_pair["rated"].id,
        verdict_in=VerdictCreate(rating="false", rationale="it stayed open"),
        actor=editor,
    )
    session.commit()

    session.refresh(other)
    assert (as_utc(other.scored_at), other.explanation) == before  # not rescored by the write
    (job,) = session.exec(select(OutboxJob)).all()
    assert (job.name, job.args) == ("rescore_publishers", [[rated_pair["publisher"]], 0])

    worker = Jobs(
        huey=MemoryHuey("rescore", results=False), database=database, settings=waiting_settings
    )
    worker.rescore_publishers([rated_pair["publisher"]], 0)

    session.refresh(other)
    assert as_utc(other.scored_at) > before[0]
    assert other.support_weight < before[1]["support"]  # it backed a claim rated false


def test_the_rescoring_job_goes_in_batches_and_queues_the_rest(
    session, editor, rated_pair, database, waiting_settings, monkeypatch
):
    monkeypatch.setattr(jobs_module, "RESCORE_BATCH", 1)
    worker = Jobs(
        huey=MemoryHuey("rescore", results=False), database=database, settings=waiting_settings
    )
    first = min(rated_pair["rated"].id, rated_pair["other"].id)

    worker.rescore_publishers([rated_pair["publisher"]], 0)

    (job,) = session.exec(select(OutboxJob)).all()
    assert (job.name, job.args) == ("rescore_publishers", [[rated_pair["publisher"]], first])
