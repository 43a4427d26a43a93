"""Faults under load: does claimdesk lose writes or jobs, or answer 5xx, when parts of it fail?

Starts its own PostgreSQL cluster (initdb into a temp dir, its own port on 127.0.0.1; as the
``postgres`` user when run as root), a Redis per scenario on its own port, and ``claimdesk
serve`` (gunicorn, 3 sync workers) plus ``claimdesk worker`` against them, then under a mixed
load (creates, evidence, POST /sources, reads, failed sign-ins) it:

  kill_worker  kill -9 a gunicorn worker four times, 1.5 s apart
  pg_restart   stops PostgreSQL (pg_ctl -m fast) for 3 s, then starts it again
  redis_down   30 POST /sources, then kill -9 Redis for 5 s, then an empty one on the same port
  redis_hang   SIGSTOP Redis for 8 s, then SIGCONT
  import_kill  kill -9 ``claimdesk import claims`` (LIAR rows) half way, then runs it again

and prints one line per scenario:

  scenario=<name> requests=N errors_5xx=N lost_writes=N recovery_s=S  [details]

- errors_5xx: 5xx answers, except while the database itself is down (pg_restart: those are
  errors_5xx_db_down, of which db_down_503 were 503 and db_down_retry_after had Retry-After;
  db_down_503_types counts their content types, db_down_503_wrong_type those that were not HTML
  for a page, problem+json for the API, JSON for /healthz), and
  except the sign-in's 503 while Redis is down or hung (login_503: its rate-limit counter lives
  in Redis; the issue asks for a 503 "try again shortly" there).
- lost_writes: writes answered 2xx but absent afterwards, plus jobs never run: sources created
  under load still ``pending`` JOBS_WAIT_S after the load, and fetches asked for with POST
  /sources/{id}/fetch during the fault that never happened. import_kill: rows created by a
  clean reference import that are missing after the kill and the re-run.
- recovery_s: from the end of the fault (worker killed, PostgreSQL accepting connections again,
  Redis back) to the end of the last failed (5xx, reset, timeout) or stalled (> 3 s) request.
- details: conn_errors (refused/reset), timeouts (no answer in 10 s), stalled_3s and stalled_ops
  (answers slower than 3 s or timed out, by operation), max_latency_s,
  ghost_writes (answered 5xx/reset/timeout yet committed: a client retry would duplicate them),
  stale_counts (seed claims whose stored evidence counts disagree with their evidence rows),
  jobs_s (fault end to the last source leaving ``pending``), ok_rps_before / ok_rps_fault (2xx
  answers per second before and during the fault), status (code:count of the errors_5xx),
  healthz_in_fault (what /healthz answered in the middle of the fault), queued_at_kill (jobs
  waiting in Redis when it was killed: a Redis restarted empty has lost them).

Usage: .venv/bin/python bench/faults.py [--only NAME ...] [--logs DIR]
It runs the claimdesk of the checkout it lives in (PYTHONPATH), whatever is installed.
FAULTS_DEBUG=1 lists the timing of every failed or stalled request on stderr.
Logs (server, worker, Redis, PostgreSQL) are in the temp dir, copied to DIR when given; the
temp dir and every process are removed at the end, on failure and on Ctrl-C too.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _faults_import import import_kill
from _faults_load import CONN_ERROR, TIMEOUT, Client, Load, Rec, Seed, create_source
from _faults_stack import (
    Cluster,
    Reaper,
    Redis,
    Service,
    claimdesk_env,
    cli,
    get_json,
    wait_until,
)

WARM_S = 3.0  # load before the fault
AFTER_S = 6.0  # load after the fault ends
JOBS_WAIT_S = 40.0  # how long after the load every queued fetch may take to run (lease: 15 s)
STALL_S = 3.0
BURST = 30  # sources created just before Redis is killed


class Stack:
    """One scenario's database, Redis and claimdesk, seeded with claims and sources."""

    def __init__(self, reaper: Reaper, cluster: Cluster, name: str) -> None:
        self.name = name
        self.db = f"faults_{name}"
        self.cluster = cluster
        self.notes: dict[str, str] = {}
        self.extra: list[Rec] = []  # requests a fault made itself
        url = cluster.create_database(self.db)
        self.redis = Redis(reaper, name)
        self.env = claimdesk_env(reaper, database_url=url, redis_url=self.redis.url, name=name)
        cli(self.env, "db", "upgrade")
        token = cli(self.env, "token", "create", "--name", "faults", "--role", "admin")
        self.service = Service(reaper, self.env, name)
        client = Client(self.service.port, token.strip().splitlines()[-1])
        claims, sources = [], []
        for i in range(8):
            body = {
                "text": f"Seed claim {i} of {name}: the harbour doubled its traffic",
                "language": "en",
            }
            rec, data = client.request("seed", "POST", "/api/v1/claims?distinct=true", body)
            claims.append(_id(rec, data))
        for i in range(6):
            body = {"url": f"https://seed{i}.example/{name}/article"}
            rec, data = client.request("seed", "POST", "/api/v1/sources", body)
            sources.append(_id(rec, data))
        client.close()
        self.seed = Seed(claims, sources, client.token)
        with contextlib.suppress(RuntimeError):  # a worker that never fetches shows up later
            wait_until("seed sources fetched", lambda: not self.pending(sources), 20, every=0.3)

    def pending(self, ids: list[int]) -> list[int]:
        rows = self.cluster.query(
            self.db, "SELECT id FROM source WHERE id = ANY(%s) AND fetch_state = 'pending'", ids
        )
        return [r[0] for r in rows]

    def close(self, reaper: Reaper) -> None:
        self.service.close()
        if self.redis.proc is not None:
            reaper.stop(self.redis.proc)


def _id(rec: Rec, data: bytes) -> int:
    if not rec.acked:
        raise RuntimeError(f"seeding failed: {rec.op} answered {rec.status}: {data[:300]!r}")
    return int(json.loads(data)["id"])


def run_load(stack: Stack, fault: Any) -> dict[str, Any]:
    """Load, apply ``fault(stack, refetch)`` (which returns its (start, end, db_down)), load on,
    then wait for the jobs and look for every acknowledged write."""
    load = Load(stack.service.port, stack.seed, stack.name)
    load.start()
    time.sleep(WARM_S)
    refetches: list[tuple[int, datetime, Rec]] = []
    client = Client(stack.service.port, stack.seed.token)

    def refetch() -> None:  # ask for fetches of seed sources while the fault lasts
        for source_id in stack.seed.source_ids[:3]:
            at = datetime.now(UTC)
            rec, _ = client.request("refetch", "POST", f"/api/v1/sources/{source_id}/fetch")
            refetches.append((source_id, at, rec))

    start, end, db_down = fault(stack, refetch, lambda: _health(stack))
    time.sleep(AFTER_S)
    recs = load.stop()
    client.close()
    recs += [r for _, _, r in refetches] + stack.extra
    return check(stack, recs, refetches, start=start, end=end, db_down=db_down)


def check(
    stack: Stack,
    recs: list[Rec],
    refetches: list[tuple[int, datetime, Rec]],
    *,
    start: float,
    end: float,
    db_down: bool,
) -> dict[str, Any]:
    """Classify the answers, then look in the database for what was acknowledged."""

    def overlaps(r: Rec, a: float, b: float) -> bool:
        return r.t0 <= b and r.t1 >= a

    in_db_down = [r for r in recs if db_down and overlaps(r, start, end)]
    outside = [r for r in recs if not (db_down and overlaps(r, start, end))]
    login_503 = [
        r
        for r in outside
        if r.op == "login" and r.status == 503 and not db_down and overlaps(r, start, end + 1.0)
    ]
    errors_5xx = [r for r in outside if r.status >= 500 and r not in login_503]
    bad = [r for r in recs if (r.failed or r.t1 - r.t0 > STALL_S) and r not in login_503]
    last_bad = max((r.t1 for r in bad if r.t1 >= start), default=end)
    if os.environ.get("FAULTS_DEBUG"):
        for r in bad:
            print(
                f"  bad {r.op} {r.status} t0={r.t0 - start:+.2f} t1={r.t1 - start:+.2f} "
                f"end={end - start:+.2f}",
                file=sys.stderr,
            )
    q = stack.cluster.query
    # Writes: every acknowledged one must be there; failed ones that are there are ghosts.
    texts = Counter(
        t
        for (t,) in q(
            stack.db, "SELECT text FROM claim WHERE text LIKE %s", f"%(faults-{stack.name}-%"
        )
    )
    quotes = Counter(
        t
        for (t,) in q(
            stack.db, "SELECT quote FROM evidence WHERE quote LIKE %s", f"faults-{stack.name}-%"
        )
    )
    found = {"create_claim": texts, "add_evidence": quotes}
    lost = ghosts = dups = 0
    for r in recs:
        if r.op in found:
            there = found[r.op].get(r.key, 0)
            lost += r.acked and there == 0
            ghosts += r.failed and there > 0
            dups += max(0, there - 1)
    source_ids = [int(r.key) for r in recs if r.op == "create_source" and r.acked]
    known = {i for (i,) in q(stack.db, "SELECT id FROM source WHERE id = ANY(%s)", source_ids)}
    lost += len(set(source_ids) - known)
    # Jobs: every source created must leave pending, every fetch asked for must happen.
    asked = [(sid, at) for sid, at, r in refetches if r.acked]

    def refetch_missing() -> list[int]:
        missing = []
        for sid, at in asked:
            (last,) = q(stack.db, "SELECT last_fetched_at FROM source WHERE id = %s", sid)[0]
            if last is None or last < at:
                missing.append(sid)
        return missing

    def jobs_left() -> int:
        return len(stack.pending(source_ids)) + len(refetch_missing())

    jobs_s: str = "n/a"
    with contextlib.suppress(RuntimeError):
        wait_until("jobs", lambda: jobs_left() == 0, JOBS_WAIT_S, every=0.5)
        jobs_s = f"{time.monotonic() - end:.1f}"
    if jobs_s == "n/a" and source_ids:
        jobs_s = f">{time.monotonic() - end:.0f}"
    jobs_pending = len(stack.pending(source_ids))
    refetch_lost = len(refetch_missing())
    lost += jobs_pending + refetch_lost
    stale = q(stack.db, STALE_COUNTS, stack.seed.claim_ids)[0][0]
    latencies = [r.t1 - r.t0 for r in recs if r.status > 0]
    ok_before = sum(r.acked and start - WARM_S + 1 <= r.t1 < start for r in recs) / (WARM_S - 1)
    ok_fault = sum(r.acked and start <= r.t1 < end for r in recs) / max(end - start, 0.1)
    out: dict[str, Any] = {
        "requests": len(recs),
        "errors_5xx": len(errors_5xx),
        "lost_writes": lost,
        "recovery_s": f"{max(0.0, last_bad - end):.1f}",
    }
    if db_down:
        out["errors_5xx_db_down"] = sum(r.status >= 500 for r in in_db_down)
        out["db_down_503"] = sum(r.status == 503 for r in in_db_down)
        out["db_down_retry_after"] = sum(r.status == 503 and r.retry_after for r in in_db_down)
        out["db_down_conn_errors"] = sum(r.status in (CONN_ERROR, TIMEOUT) for r in in_db_down)
        down_503 = [r for r in in_db_down if r.status == 503]
        out["db_down_503_types"] = _tally(_family(r.content_type) for r in down_503)
        out["db_down_503_wrong_type"] = sum(
            _family(r.content_type) != _expected(r) for r in down_503
        )
        out["db_down_s"] = f"{end - start:.1f}"
        out["healthz_db_down"] = _codes(r for r in in_db_down if r.op == "healthz")
    else:
        out["login_503"] = len(login_503)
    out.update(
        conn_errors=sum(r.status == CONN_ERROR for r in outside),
        timeouts=sum(r.status == TIMEOUT for r in outside),
        stalled_3s=sum(r.t1 - r.t0 > STALL_S for r in recs),
        stalled_ops=_ops(r for r in recs if r.t1 - r.t0 > STALL_S or r.status == TIMEOUT),
        max_latency_s=f"{max(latencies, default=0):.1f}",
        acked_writes=sum(
            r.acked and r.op in ("create_claim", "add_evidence", "create_source") for r in recs
        ),
        ghost_writes=ghosts,
        duplicate_rows=dups,
        jobs_pending=jobs_pending,
        refetch_lost=f"{refetch_lost}/{len(asked)}",
        jobs_s=jobs_s,
        stale_counts=stale,
        ok_rps_before=f"{ok_before:.0f}",
        ok_rps_fault=f"{ok_fault:.0f}",
        status=_codes(errors_5xx),
        **stack.notes,
    )
    return out


STALE_COUNTS = """
SELECT count(*) FROM claim c
LEFT JOIN (SELECT claim_id,
                  sum(CASE WHEN stance = 'supports' THEN 1 ELSE 0 END) AS s,
                  sum(CASE WHEN stance = 'refutes' THEN 1 ELSE 0 END) AS r,
                  sum(CASE WHEN stance = 'mentions' THEN 1 ELSE 0 END) AS m
           FROM evidence WHERE retracted_at IS NULL GROUP BY claim_id) e ON e.claim_id = c.id
WHERE c.id = ANY(%s) AND (c.n_supporting <> coalesce(e.s, 0) OR c.n_refuting <> coalesce(e.r, 0)
                          OR c.n_mentioning <> coalesce(e.m, 0))
"""


def _family(content_type: str) -> str:
    """problem (application/problem+json), json, html or other."""
    kind = content_type.split(";")[0].strip()
    return {"application/problem+json": "problem", "application/json": "json"}.get(
        kind, "html" if kind == "text/html" else "other"
    )


def _expected(r: Rec) -> str:
    """What a 503 should be: HTML for people, problem+json for the API, JSON from /healthz."""
    if r.op == "healthz":
        return "json"
    return "html" if r.op.startswith(("page_", "login")) else "problem"


def _tally(values: Any) -> str:
    """``value:count,...`` in sorted order, or ``-``."""
    counts = Counter(values)
    return ",".join(f"{value}:{n}" for value, n in sorted(counts.items())) or "-"


def _ops(recs: Any) -> str:
    return _tally(r.op for r in recs)


def _codes(recs: Any) -> str:
    return _tally(r.status for r in recs)


# ---------------------------------------------------------------------------------------------
# The faults: each returns (fault start, fault end, whether the database was down meanwhile).


def _health(stack: Stack) -> None:
    """What /healthz says in the middle of the fault (status and the fields of its answer)."""
    try:
        code, body = get_json(stack.service.base + "/healthz", timeout=5)
    except OSError as exc:  # a timeout included: /healthz itself hung
        stack.notes["healthz_in_fault"] = type(exc).__name__
        return
    checks = body.get("checks") if isinstance(body, dict) else None
    if isinstance(checks, dict):  # {"status": .., "checks": {"database": {"status": ..}, ..}}
        parts = [f"{k}={v.get('status') if isinstance(v, dict) else v}" for k, v in checks.items()]
        said = ",".join([str(body.get("status")), *parts])
    else:
        said = json.dumps(body, separators=(",", ":"))[:80]
    stack.notes["healthz_in_fault"] = f"{code}:{said}"


def kill_worker(stack: Stack, refetch: Any, health: Any) -> tuple[float, float, bool]:
    start = time.monotonic()
    for _ in range(4):
        victims = stack.service.web_workers()
        if victims:
            with contextlib.suppress(ProcessLookupError):
                os.kill(victims[0], signal.SIGKILL)
        time.sleep(1.5)
    refetch()
    return start, time.monotonic(), False


def pg_restart(stack: Stack, refetch: Any, health: Any) -> tuple[float, float, bool]:
    start = time.monotonic()
    stack.cluster.stop(mode="fast")
    time.sleep(1.0)
    health()
    time.sleep(max(0.0, start + 3.0 - time.monotonic()))
    stack.cluster.start()
    end = time.monotonic()
    refetch()
    return start, end, True


def redis_down(stack: Stack, refetch: Any, health: Any) -> tuple[float, float, bool]:
    # A burst of fetches just before the kill, so the queue in Redis is not empty when it dies
    # (the worker hands the outbox over every 0.5 s; a restarted Redis comes back empty).
    burst = Client(stack.service.port, stack.seed.token)
    stack.extra += [create_source(burst, stack.name) for _ in range(BURST)]
    burst.close()
    with contextlib.suppress(RuntimeError):  # kill while jobs sit in Redis, if any ever do
        wait_until("jobs in Redis", lambda: stack.redis.queued() > 0, 3.0, every=0.02)
    stack.notes["queued_at_kill"] = str(stack.redis.queued())
    start = time.monotonic()
    stack.redis.kill()
    time.sleep(1.0)
    refetch()
    health()
    time.sleep(4.0)
    stack.redis.start()
    return start, time.monotonic(), False


def redis_hang(stack: Stack, refetch: Any, health: Any) -> tuple[float, float, bool]:
    start = time.monotonic()
    stack.redis.signal(signal.SIGSTOP)
    time.sleep(1.0)
    # The refetch requests and /healthz may themselves hang on Redis: ask from threads.
    asking = threading.Thread(target=refetch, daemon=True)
    asking.start()
    probing = threading.Thread(target=health, daemon=True)
    probing.start()
    time.sleep(7.0)
    stack.redis.signal(signal.SIGCONT)
    end = time.monotonic()
    asking.join(timeout=15)
    probing.join(timeout=15)
    return start, end, False


# ---------------------------------------------------------------------------------------------


LOADED = {
    "kill_worker": kill_worker,
    "pg_restart": pg_restart,
    "redis_down": redis_down,
    "redis_hang": redis_hang,
}
SCENARIOS = [*LOADED, "import_kill"]


def _interrupt(signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", action="append", choices=SCENARIOS, help="repeatable")
    parser.add_argument("--logs", type=Path, help="copy the services' logs here at the end")
    args = parser.parse_args()
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupt)
    reaper = Reaper()
    status = 0
    try:
        cluster = Cluster(reaper)
        for name in args.only or SCENARIOS:
            began = time.monotonic()
            try:
                if name == "import_kill":
                    result = import_kill(reaper, cluster)
                else:
                    stack = Stack(reaper, cluster, name)
                    try:
                        result = run_load(stack, LOADED[name])
                    finally:
                        stack.close(reaper)
            except (Exception, SystemExit) as exc:  # one scenario's failure: go on with the next
                print(f"scenario={name} failed: {type(exc).__name__}: {exc}", flush=True)
                status = 1
                continue
            fields = " ".join(f"{k}={v}" for k, v in result.items())
            print(f"scenario={name} {fields} took_s={time.monotonic() - began:.0f}", flush=True)
    except KeyboardInterrupt:
        print("interrupted: stopping everything", file=sys.stderr)
        status = 130
    finally:
        with contextlib.suppress(KeyboardInterrupt):
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            if args.logs:
                args.logs.mkdir(parents=True, exist_ok=True)
                for log in [*reaper.tmp.glob("*.log"), reaper.tmp / "pg/server.log"]:
                    if log.exists():
                        shutil.copy(log, args.logs / log.name)
            reaper.close()
    return status


if __name__ == "__main__":
    sys.exit(main())
