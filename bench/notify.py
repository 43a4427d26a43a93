"""Webhook fan-out: 1,000 subscriptions on one claim, a verdict change, time until all arrive.

Seeds a fresh database (SQLite in a temp folder; ``--database-url`` for PostgreSQL, whose
``public`` schema is emptied first), starts a receiver on 127.0.0.1 that verifies every
signature with ``standardwebhooks``, and a real ``claimdesk worker`` (huey consumer on the
SQLite queue in the instance folder). Each round changes the verdict of the watched claim
through the API (in process, Flask's test client) and waits until all 1,000 deliveries have
arrived, then changes the verdict of a claim nobody watches; the two writes' latencies are
compared (the request only records one event row and queues a wake-up: the fan-out is the
worker's).

Prints, for the first change, ``delivered=1000/1000 p50_s=.. p99_s=..`` (seconds from the
write's answer to each arrival), then each round's figures, and ends with ``ratio=`` (median
write latency with the subscriptions / without; goal <= 1.2).

Run:  .venv/bin/python bench/notify.py [--subscriptions 1000] [--rounds 10]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sqlalchemy import text
from standardwebhooks.webhooks import Webhook

from claims.notices import subscriptions
from claims.notices.schemas import SubscriptionCreate, SubscriptionFilter
from claims.policy import Actor, Role
from claims.schemas import ClaimCreate
from claims.services import ledger
from service import migrate
from service.app import create_app
from service.db import Database, make_engine
from service.settings import Settings
from service.tokens import create_token

VENV_BIN = Path(sys.executable).parent
RATINGS = ("true", "false", "mixed", "mostly_false", "mostly_true")
EDITOR = Actor(name="bench", role=Role.editor)
SETTLE_S = 1.0


class Arrivals:
    """What the receiver saw: arrival time per (subscription path, webhook-id), bad signatures."""

    def __init__(self, secrets: dict[str, str]) -> None:
        self.secrets = secrets
        self.lock = threading.Lock()
        self.times: dict[tuple[str, str], float] = {}
        self.duplicates = 0
        self.bad = 0

    def record(self, path: str, headers: dict[str, str], body: bytes) -> None:
        at = time.perf_counter()
        try:
            Webhook(self.secrets[path]).verify(body, headers)
        except Exception:
            with self.lock:
                self.bad += 1
            return
        key = (path, headers["webhook-id"])
        with self.lock:
            if key in self.times:
                self.duplicates += 1
            else:
                self.times[key] = at

    def of(self, msg_ids: set[str]) -> list[float]:
        with self.lock:
            return [t for (_, mid), t in self.times.items() if mid in msg_ids]


@contextmanager
def receiver(arrivals: Arrivals) -> Iterator[int]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            arrivals.record(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def worker(env: dict[str, str], log_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    log = log_path.open("w+b")
    process = subprocess.Popen(
        [str(VENV_BIN / "claimdesk"), "worker", "--workers", "2"],
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        time.sleep(2)  # the consumer starts and reads the queue
        if process.poll() is not None:
            log.seek(0)
            raise SystemExit(f"the worker stopped:\n{log.read().decode()[-2000:]}")
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds to wait per round")
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (schema emptied)")
    args = parser.parse_args()
    instance = Path(tempfile.mkdtemp(prefix="claimdesk-notify-"))
    url = args.database_url or f"sqlite:///{instance}/bench.sqlite3"
    try:
        run(args, instance, url)
    finally:
        shutil.rmtree(instance, ignore_errors=True)


def run(args: argparse.Namespace, instance: Path, url: str) -> None:
    if url.startswith("postgresql"):
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    migrate.upgrade(url)
    n = args.subscriptions
    secrets: dict[str, str] = {}
    arrivals = Arrivals(secrets)
    with receiver(arrivals) as port:
        env = {
            "CLAIMDESK_ENV": "development",
            "CLAIMDESK_DATABASE_URL": url,
            "CLAIMDESK_INSTANCE_PATH": str(instance),
            "CLAIMDESK_PRIVATE_ALLOWLIST": f"127.0.0.1:{port}",
        }
        settings = Settings(
            env="development",
            database_url=url,
            instance_path=instance,
            private_allowlist=f"127.0.0.1:{port}",
        )
        database = Database(url)
        app = create_app(settings, database=database)
        with database.session_factory() as session:
            watched = ledger.create_claim(
                session=session,
                claim_in=ClaimCreate(text="The watched claim: rivers rose three metres."),
                actor=EDITOR,
            )
            quiet = ledger.create_claim(
                session=session,
                claim_in=ClaimCreate(text="A claim nobody subscribed to: bridges closed."),
                actor=EDITOR,
                allow_duplicate=True,
            )
            _, token = create_token(session=session, name="bench", role=Role.editor)
            for i in range(n):
                subscription = subscriptions.create_subscription(
                    session=session,
                    subscription_in=SubscriptionCreate(
                        url=f"http://127.0.0.1:{port}/hooks/{i}",
                        events=["claim.verdict.published", "claim.verdict.changed"],
                        filter=SubscriptionFilter(claim_id=watched.id),
                    ),
                    actor=EDITOR,
                )
                secrets[f"/hooks/{i}"] = subscription.secret
            session.commit()
            assert watched.id is not None and quiet.id is not None
            watched_id, quiet_id = watched.id, quiet.id
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}

        def change(claim_id: int, rating: str) -> tuple[float, float]:
            time.sleep(SETTLE_S)  # let the worker finish its last writes: measure the write alone
            started = time.perf_counter()
            response = client.post(
                f"/api/v1/claims/{claim_id}/verdicts",
                json={"rating": rating, "rationale": "Bench."},
                headers=headers,
            )
            answered = time.perf_counter()
            assert response.status_code == 201, response.get_data(as_text=True)
            return answered - started, answered

        def newest_event_id() -> str:
            with database.session_factory() as session:
                uid: str = session.execute(
                    text("SELECT uid FROM notice_event ORDER BY id DESC LIMIT 1")
                ).scalar_one()
                return uid

        for rating in RATINGS[:3]:  # warm up the app's first requests
            change(quiet_id, rating)
        log_path = Path(os.environ.get("NOTIFY_WORKER_LOG", instance / "worker.log"))
        with worker(env, log_path):
            with_subs: list[float] = []
            without: list[float] = []
            for round_no in range(args.rounds):
                rating = RATINGS[round_no % len(RATINGS)]
                if round_no % 2:  # alternate which write comes first: no order effect
                    without.append(change(quiet_id, rating)[0])
                latency, answered = change(watched_id, rating)
                with_subs.append(latency)
                uid = newest_event_id()
                deadline = time.monotonic() + args.timeout
                while len(arrivals.of({uid})) < n and time.monotonic() < deadline:
                    time.sleep(0.05)
                times = [t - answered for t in arrivals.of({uid})]
                line = (
                    f"delivered={len(times)}/{n} p50_s={percentile(times, 0.5):.2f} "
                    f"p99_s={percentile(times, 0.99):.2f}"
                    if times
                    else f"delivered=0/{n}"
                )
                if round_no == 0:
                    print(line)
                if not round_no % 2:
                    without.append(change(quiet_id, rating)[0])
                print(
                    f"round {round_no + 1}: {line} write_ms={latency * 1000:.1f} "
                    f"without_subscribers_ms={without[-1] * 1000:.1f}",
                    flush=True,
                )
    print(f"bad_signatures={arrivals.bad} duplicates={arrivals.duplicates}")
    median_with = statistics.median(with_subs) * 1000
    median_without = statistics.median(without) * 1000
    print(f"write_ms with {n} subscriptions: median {median_with:.1f}")
    print(f"write_ms without: median {median_without:.1f}")
    print(f"ratio={median_with / median_without:.2f}")


if __name__ == "__main__":
    main()
