"""Throughput of GET /api/v1/claims/{id}/status beside a bare Flask route, in one run.

Seeds 100,000 claims and 500,000 evidence rows (LIAR statements) into a fresh database (SQLite,
or PostgreSQL when CLAIMDESK_DATABASE_URL points there: the bench creates and drops its own
database), serves claimdesk and a bare Flask app returning a fixed JSON body under the same
gunicorn settings (2 sync workers, 127.0.0.1), loads both with wrk over random ids, in
interleaved rounds, and prints req/s, p50 and p99 side by side (each target's median round).
Ends with ``ratio=0.xx`` (claimdesk req/s / bare req/s); the goal is >= 0.5. Absolute figures
drift on shared machines: compare the ratio.

Run:  .venv/bin/python bench/status.py [--claims 100000] [--evidence 500000] [--rounds 3]
"""

from __future__ import annotations

import json
import time

import _serving as s

STATUS = "/api/v1/claims/"


def main() -> None:
    """Seed, serve, load, print."""
    args = s.arguments(__doc__.splitlines()[0])
    print(f"machine: {s.machine()}")
    with s.bench_database() as url:
        started = time.perf_counter()
        counts = s.seed(url, n_claims=args.claims, n_evidence=args.evidence)
        print(f"seeded {counts} in {time.perf_counter() - started:.0f} s ({url.split(':')[0]})")
        ids = list(range(1, args.claims + 1))
        env = {"CLAIMDESK_DATABASE_URL": url, "CLAIMDESK_ENV": "development"}
        with (
            s.gunicorn("service.app:wsgi()", env=env, probe=f"{STATUS}1/status") as app,
            s.gunicorn("_bare:json_app()", env={}, probe="/bare/1") as bare,
        ):
            status, _, body = s.fetch(f"{app}{STATUS}{ids[-1]}/status")
            assert status == 200, (status, body[:200])
            assert json.loads(body)["id"] == ids[-1]
            results = s.compare(
                [
                    s.Target("claimdesk /claims/{id}/status", app, STATUS, "/status", ids),
                    s.Target("bare Flask fixed JSON", bare, "/bare/", "", ids),
                ],
                rounds=args.rounds,
                duration_s=args.duration,
            )
    print(s.table(results))
    claimdesk, reference = results
    print(f"p50 claimdesk/bare: {claimdesk.p50_ms / reference.p50_ms:.2f}x")
    print(f"ratio={claimdesk.rps / reference.rps:.2f}")


if __name__ == "__main__":
    main()
