"""Latency of POST /api/v1/claims/{id}/evidence as the publisher's record grows.

A rated claim (it has a verdict) gets new evidence from a publisher cited by 1, 100, 10,000 or
100,000 other claims. Before issue 12 every such write rescored every claim citing that
publisher, each one reading the publisher's whole record, so its cost grew with the publisher;
now the publisher's reliability is kept as running totals updated in the write's transaction
and the rescoring of the other claims is a background job, so the write should cost the same
at every size.

Seeding (not measured) uses SQLAlchemy Core executemany into a fresh database: SQLite in a temp
folder, or a throwaway PostgreSQL database when CLAIMDESK_DATABASE_URL points there (created
and dropped by the bench, see ``_serving.bench_database``). Each size has its own publisher in
the one database; each citing claim has one piece of evidence from one of that publisher's
sources (a source per 100 claims) and one in RATED_SHARE has a verdict, so the publisher has a
real record. Running totals are then brought in line through the service that keeps them
(``reliability.sync_claim``) when the code has one.

The writes go through the whole app **in process**, with Flask's test client: routing, token,
validation, services and the commit, on the real database; no HTTP server and no socket, so the
figures are the write path itself and steadier on a shared machine than a loaded server's.
Sizes are measured in interleaved rounds (each round writes to every size in turn), so the
machine's load drifting during the run falls on every size alike.

Prints p50/p99 per size, then ``ratio=x.xx``: p50 at the largest size over p50 at the smallest
(100,000 over 1 by default). Goal: <= 1.5. A size whose write takes longer than ``--give-up``
seconds is dropped from later rounds, and larger sizes are not tried at all (the code before
issue 12 took 14 s per write at 1,000 citing claims here, and grows linearly); the table shows
how many writes each figure rests on, and the ratio then says it is a lower bound.

Run:  .venv/bin/python bench/write.py [--sizes 1,100,10000,100000] [--writes 60] [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import _serving as s
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlmodel import Session

from claims.models import Claim, Evidence, Verdict
from claims.policy import Role
from claims.scoring import publishers as reliability
from service import migrate
from service.app import create_app
from service.db import Database
from service.settings import Settings
from service.tokens import create_token
from sources.models import Publisher, Source

BATCH = 10_000
RATED_SHARE = 50  # one citing claim in 50 has a verdict
CLAIMS_PER_SOURCE = 100
TARGETS = 4  # rated claims per size that take the measured writes in turn
WARMUP = 10  # unmeasured writes before the first round
RATINGS = ["true", "mostly_true", "mixed", "mostly_false", "false"]
STANCES = ["supports", "supports", "refutes", "mentions"]


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default="1,100,10000,100000", help="claims citing each publisher, commas"
    )
    parser.add_argument("--writes", type=int, default=60, help="measured writes per size")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds")
    parser.add_argument(
        "--give-up", type=float, default=5.0, help="drop a size once one write takes this (s)"
    )
    args = parser.parse_args()
    args.sizes = sorted({int(n) for n in args.sizes.split(",") if n.strip()})
    if not args.sizes or args.sizes[0] < 1:
        parser.error("--sizes: one or more positive numbers")
    if args.writes < args.rounds or args.rounds < 1:
        parser.error("--writes must be at least --rounds, and --rounds at least 1")
    return args


# ---------------------------------------------------------------------------------------------
# Seeding


@dataclass
class Cited:
    """One publisher and what the bench knows of it."""

    size: int
    publisher_id: int
    sources: list[int] = field(default_factory=list)
    targets: list[int] = field(default_factory=list)
    timings: list[float] = field(default_factory=list)
    dropped: bool = False


def _new_id(result: sa.CursorResult[Any]) -> int:
    """The primary key of the one row an INSERT just added."""
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


class Seeder:
    """Publishers and the claims citing them, written with Core executemany."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        # Rows built from the models, so that columns with Python-side defaults get them.
        self.claim_row = Claim(text="x", text_norm="x", created_by="bench").model_dump(
            exclude={"id"}
        )
        self.evidence_row = Evidence(
            claim_id=0, source_id=0, stance="supports", quote="as reported", added_by="bench"
        ).model_dump(exclude={"id"})
        self.verdict_row = Verdict(
            claim_id=0, rating="mixed", alternate_name="Mixed", rationale="Checked.", editor="bench"
        ).model_dump(exclude={"id"})
        self.next_claim = 1
        self.rated: list[int] = []

    def publisher(self, size: int) -> Cited:
        """A publisher cited by ``size`` claims, plus TARGETS rated claims citing it too."""
        domain = f"agency{size}.example"
        with self.engine.begin() as conn:
            inserted = conn.execute(sa.insert(Publisher).values(domain=domain, name=domain))
            cited = Cited(size, _new_id(inserted))
            for n in range(max(1, -(-size // CLAIMS_PER_SOURCE))):
                url = f"https://{domain}/wire/{n + 1}"
                row = Source(
                    url=url, original_url=url, publisher_id=cited.publisher_id, created_by="bench"
                ).model_dump(exclude={"id"})
                source = conn.execute(sa.insert(Source).values(**row))
                cited.sources.append(_new_id(source))
            self._claims(conn, cited, size, rated_every=RATED_SHARE)
            cited.targets = self._claims(conn, cited, TARGETS, rated_every=1)
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(
                    "SELECT setval(pg_get_serial_sequence('claim', 'id'), "
                    "(SELECT max(id) FROM claim))"
                )
        return cited

    def _claims(self, conn: sa.Connection, cited: Cited, n: int, *, rated_every: int) -> list[int]:
        first = self.next_claim
        self.next_claim += n
        for lo in range(first, first + n, BATCH):
            claims, evidence, verdicts = [], [], []
            for claim_id in range(lo, min(first + n, lo + BATCH)):
                text = f"Wire story {claim_id} puts the figure at {claim_id * 7919 % 100_003}."
                claims.append(
                    self.claim_row | {"id": claim_id, "text": text, "text_norm": text.lower()}
                )
                evidence.append(
                    self.evidence_row
                    | {
                        "claim_id": claim_id,
                        "source_id": cited.sources[claim_id % len(cited.sources)],
                        "stance": STANCES[claim_id % len(STANCES)],
                    }
                )
                if claim_id % rated_every == 0:
                    rating = RATINGS[claim_id % len(RATINGS)]
                    verdicts.append(
                        self.verdict_row
                        | {"claim_id": claim_id, "rating": rating, "alternate_name": rating}
                    )
                    self.rated.append(claim_id)
            conn.execute(sa.insert(Claim), claims)
            conn.execute(sa.insert(Evidence), evidence)
            if verdicts:
                conn.execute(sa.insert(Verdict), verdicts)
        return list(range(first, first + n))

    def finish(self, database: Database) -> str:
        """Statistics for the planner, and the publishers' running totals brought in line."""
        with self.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")  # fresh rows have no statistics yet
        sync = getattr(reliability, "sync_claim", None)
        if sync is None:
            return "this code keeps no running totals: each write reads the record"
        with database.session_factory() as session:
            for i, claim_id in enumerate(self.rated, 1):
                sync(session=session, claim_id=claim_id)
                if i % 1_000 == 0:
                    session.commit()
            session.commit()
        return f"running totals synced for {len(self.rated)} rated claims"


# ---------------------------------------------------------------------------------------------
# Measuring


class Writer:
    """Evidence POSTs through the app, each timed."""

    def __init__(self, client: FlaskClient, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}
        self.sent = 0

    def write(self, cited: Cited) -> float:
        """One evidence POST to the next target claim of ``cited``; its seconds."""
        n = self.sent
        self.sent += 1
        body = {
            "source_id": cited.sources[n % len(cited.sources)],
            "stance": STANCES[n % len(STANCES)],
            "quote": f"as reported, item {n}",
        }
        claim_id = cited.targets[n % len(cited.targets)]
        started = time.perf_counter()
        response = self.client.post(
            f"/api/v1/claims/{claim_id}/evidence", json=body, headers=self.headers
        )
        elapsed = time.perf_counter() - started
        if response.status_code != 201:
            raise SystemExit(f"evidence write answered {response.status_code}: {response.data!r}")
        return elapsed


def run_rounds(
    writer: Writer, publishers: list[Cited], *, writes: int, rounds: int, give_up: float
) -> None:
    """Interleaved rounds: each writes ``writes / rounds`` times to every size still measured."""
    per_round = [writes // rounds + (1 if r < writes % rounds else 0) for r in range(rounds)]
    for round_no, count in enumerate(per_round, 1):
        for cited in publishers:
            for _ in range(count):
                if cited.dropped:
                    break
                elapsed = writer.write(cited)
                cited.timings.append(elapsed)
                if elapsed > give_up:
                    print(f"  {cited.size} citing claims: one write took {elapsed:.1f} s: dropped")
                    for larger in publishers:  # larger sizes would be slower still: not tried
                        if larger.size >= cited.size:
                            larger.dropped = True
        medians = " ".join(
            f"{c.size}:{statistics.median(c.timings) * 1000:.1f}" for c in publishers if c.timings
        )
        print(f"  round {round_no}/{rounds}: p50 ms so far {medians}")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    args = arguments()
    print(f"machine: {s.machine()}")
    print("in process: Flask test client, whole app, real database (no HTTP server)")
    with s.bench_database() as url, tempfile.TemporaryDirectory() as tmp:
        migrate.upgrade(url)
        database = Database(url)
        settings = Settings(
            env="development", database_url=url, instance_path=Path(tmp), redis_url=None
        )
        app = create_app(settings, database=database)
        with Session(database.engine) as session:
            _, token = create_token(session=session, name="bench", role=Role.contributor)
            session.commit()
        started = time.perf_counter()
        seeder = Seeder(database.engine)
        publishers = [seeder.publisher(size) for size in args.sizes]
        note = seeder.finish(database)
        print(
            f"database: {url.split(':')[0]}; seeded {seeder.next_claim - 1} claims for "
            f"{len(publishers)} publishers in {time.perf_counter() - started:.1f} s ({note})"
        )
        writer = Writer(app.test_client(), token)
        for _ in range(WARMUP):
            writer.write(publishers[0])  # first requests fill caches: not measured
        run_rounds(writer, publishers, writes=args.writes, rounds=args.rounds, give_up=args.give_up)
        database.engine.dispose()
    print(f"{'citing claims':>14} {'p50 ms':>9} {'p99 ms':>9} {'writes':>7}")
    for c in publishers:
        if not c.timings:
            print(
                f"{c.size:>14} {'-':>9} {'-':>9} {0:>7}  (not tried: a smaller size was too slow)"
            )
            continue
        p50, p99 = statistics.median(c.timings), percentile(c.timings, 0.99)
        dropped = "  (dropped: too slow)" if c.dropped else ""
        print(f"{c.size:>14} {p50 * 1000:>9.1f} {p99 * 1000:>9.1f} {len(c.timings):>7}{dropped}")
    measured = [c for c in publishers if c.timings]
    first, last = measured[0], measured[-1]
    ratio = statistics.median(last.timings) / statistics.median(first.timings)
    bound = " (a lower bound: larger sizes were not tried)" if last is not publishers[-1] else ""
    print(f"p50 at {last.size} citing claims over p50 at {first.size}{bound}:")
    print(f"ratio={ratio:.2f}")


if __name__ == "__main__":
    main()
