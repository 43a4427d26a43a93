"""Read cost of a platform's pooled record as its accounts grow: every account's totals (the
code before platform_record, copied here as ``old_pooled``) against the platform's running
totals (``reliability.platform_records``). Scoring any claim with a post on a platform reads
it. Seeds a fresh SQLite file per size (not measured); prints the median of 7 reads.

Run:  .venv/bin/python bench/platform_totals.py
"""

import statistics
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, col, or_, select

from claims.scoring import publishers as reliability
from claims.scoring.publishers import reliability_of
from claims.scoring.reliability import Reliability
from service import migrate
from service.db import Database
from sources.models import Publisher


def old_pooled(session: Session, claim_id: int, hosts: set[str]) -> dict[str, Reliability]:
    accounts = session.exec(
        select(Publisher.domain).where(
            or_(
                *(col(Publisher.domain).startswith(f"{h}/", autoescape=True) for h in sorted(hosts))
            )
        )
    ).all()
    return reliability_of(session=session, domains=accounts, exclude_claim=claim_id)


for n in (100, 1000, 10000, 50000):
    with tempfile.TemporaryDirectory() as d:
        url = f"sqlite:///{Path(d) / 'b.sqlite3'}"
        migrate.upgrade(url)
        db = Database(url)
        with db.engine.begin() as c:
            c.execute(
                sa.text(
                    "INSERT INTO publisher (id, domain, name, created_at)"
                    " VALUES (:i, :d, :d, '2026-01-01')"
                ),
                [{"i": i, "d": f"x.com/@u{i}"} for i in range(1, n + 1)],
            )
            c.execute(
                sa.text("INSERT INTO publisher_record VALUES (:i, 1.0, 0.5, 1, 0.25, 0, 0, 1)"),
                [{"i": i} for i in range(1, n + 1)],
            )
            c.execute(
                sa.text("INSERT INTO platform_record VALUES ('x.com', :a, :b, :c, :e, 0, 0, :c)"),
                {"a": n * 1.0, "b": n * 0.5, "c": n, "e": n * 0.25},
            )
        s = db.session_factory()
        times: dict[str, list[float]] = {"old": [], "new": []}
        for _ in range(7):
            t = time.perf_counter()
            old_pooled(s, 1, {"x.com"})
            times["old"].append(time.perf_counter() - t)
            t = time.perf_counter()
            reliability.platform_records(session=s, platforms={"x.com"}, exclude_claim=1)
            times["new"].append(time.perf_counter() - t)
        s.close()
        db.engine.dispose()
        print(
            n,
            f"accounts: old {statistics.median(times['old']) * 1e3:.1f} ms,"
            f" new {statistics.median(times['new']) * 1e3:.2f} ms (median of 7)",
        )
