"""Throughput of the claim card (/embed/claims/<id>) beside a bare Flask 10 KB page, one run.

Seeds the same ledger as bench/status.py (100,000 claims, 500,000 evidence rows) into a fresh
SQLite database, or a throwaway PostgreSQL one when CLAIMDESK_DATABASE_URL points there; serves
claimdesk and a bare Flask app answering a fixed 10 KB page under the same gunicorn settings;
loads with wrk over random visible claims, in interleaved rounds: the 200 path (rendering) and
the 304 path (each request sends the claim's current ETag in If-None-Match, fetched
beforehand); each target's median round is reported. On PostgreSQL each worker keeps up to
CLAIMDESK_CARD_CACHE_SIZE card rows in memory (service/card_cache.py): the 304 run's claims
are all held after their first load, the 200 run's (uniform over every claim, the cache's
worst case) only in part. Both ratios are
against the bare page's 200 throughput. Ends with ``ratio_200=0.xx ratio_304=0.xx``; goals
>= 0.5 and >= 0.8. Absolute figures drift on shared machines: compare the ratios.

Run:  .venv/bin/python bench/widget.py [--claims 100000] [--evidence 500000] [--duration 6]
"""

from __future__ import annotations

import random
import time

import _serving as s
import sqlalchemy as sa

from service.settings import Settings

CARD = "/embed/claims/"
ETAG_SAMPLE = 2_000  # claims whose ETag is fetched up front for the 304 run


def visible_ids(url: str) -> list[int]:
    """Ids of claims a widget may show (not retracted)."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        ids = list(
            conn.exec_driver_sql("SELECT id FROM claim WHERE retracted_at IS NULL").scalars()
        )
    engine.dispose()
    return ids


def main() -> None:
    """Seed, serve, load (200 and 304), print."""
    args = s.arguments(__doc__.splitlines()[0])
    print(f"machine: {s.machine()}")
    with s.bench_database() as url:
        started = time.perf_counter()
        counts = s.seed(url, n_claims=args.claims, n_evidence=args.evidence)
        print(f"seeded {counts} in {time.perf_counter() - started:.0f} s ({url.split(':')[0]})")
        ids = visible_ids(url)
        sample = random.Random(1).sample(ids, min(ETAG_SAMPLE, len(ids)))
        env = {"CLAIMDESK_DATABASE_URL": url, "CLAIMDESK_ENV": "development"}
        with (
            s.gunicorn("service.app:wsgi()", env=env, probe=f"{CARD}{ids[0]}") as app,
            s.gunicorn("_bare:page_app()", env={}, probe="/bare/1") as bare,
        ):
            etags = {}
            for i in sample:
                status, headers, body = s.fetch(f"{app}{CARD}{i}")
                assert status == 200, (i, status, body[:200])
                etags[i] = headers["ETag"]
            first = sample[0]
            status, _, _ = s.fetch(f"{app}{CARD}{first}", {"If-None-Match": etags[first]})
            assert status == 304, status
            size = len(s.fetch(f"{app}{CARD}{first}")[2])
            print(f"card size: {size} bytes; {len(etags)} ETags fetched for the 304 run")
            cached = Settings().card_cache_size if url.startswith("postgresql") else 0
            print(f"card cache: {cached} claims per worker (CLAIMDESK_CARD_CACHE_SIZE)")
            results = s.compare(
                [
                    s.Target("claimdesk card 200", app, CARD, "", ids),
                    s.Target("claimdesk card 304", app, CARD, "", sample, etags),
                    s.Target("bare Flask fixed 10 KB page", bare, "/bare/", "", ids),
                ],
                rounds=args.rounds,
                duration_s=args.duration,
            )
    print(s.table(results))
    ok, not_modified, bare_page = results
    print(
        f"ratio_200={ok.rps / bare_page.rps:.2f} ratio_304={not_modified.rps / bare_page.rps:.2f}"
    )


if __name__ == "__main__":
    main()
