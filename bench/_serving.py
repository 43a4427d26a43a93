"""Shared machinery of bench/status.py and bench/widget.py: seed, serve, load, report.

Seeding uses SQLAlchemy Core executemany (seeding is not what is measured). Both the app and
the bare reference run under the same gunicorn settings (2 sync workers on loopback, no access
log), and the same wrk command loads both in one run, so the ratio is meaningful even on a
shared, noisy machine where absolute figures drift by 10-20% between runs.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from claims.services import alerts

ROOT = Path(__file__).resolve().parents[1]
# LIAR lives beside the checkout (../shared); CLAIMDESK_LIAR_DIR points elsewhere.
LIAR = Path(os.environ.get("CLAIMDESK_LIAR_DIR") or ROOT.parent / "shared/data/liar")
VENV_BIN = Path(sys.executable).parent
WORKERS = 2
CONNECTIONS = 32  # throughput is flat past ~32 connections on two cores (measurements.md)
DURATION_S = 6  # per round; each target runs ROUNDS times, interleaved with the others
ROUNDS = 3
WARMUP_S = 3
BATCH = 10_000


# ---------------------------------------------------------------------------------------------
# Database


def arguments(description: str) -> argparse.Namespace:
    """The options every serving bench takes: sizes to seed and how long to load."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--evidence", type=int, default=500_000)
    parser.add_argument("--duration", type=int, default=DURATION_S, help="seconds per round")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    return parser.parse_args()


@contextlib.contextmanager
def bench_database() -> Iterator[str]:
    """A fresh, empty database URL: SQLite in a temp dir, or a throwaway PostgreSQL database.

    PostgreSQL is used when CLAIMDESK_DATABASE_URL points there; the bench then creates and
    drops its own database on that server, never touching the configured one's tables.
    """
    configured = os.environ.get("CLAIMDESK_DATABASE_URL", "")
    if configured.startswith("postgresql"):
        server = sa.engine.make_url(configured)
        name = f"claimdesk_bench_{os.getpid()}"
        admin = sa.create_engine(
            server.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=sa.NullPool
        )
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield server.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()
        return
    tmp = tempfile.mkdtemp(prefix="claimdesk-bench-")
    try:
        yield f"sqlite:///{tmp}/bench.sqlite3"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def liar_rows() -> list[dict[str, str]]:
    """LIAR statements with speaker, context and label (train + valid)."""
    rows = []
    for name in ("train.tsv", "valid.tsv"):
        with (LIAR / name).open(encoding="utf-8", newline="") as f:
            for r in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
                if len(r) >= 14 and r[2].strip():
                    rows.append(
                        {"label": r[1], "text": r[2].strip(), "speaker": r[4], "context": r[13]}
                    )
    return rows


LIAR_RATING = {
    "true": ("true", 5, "True"),
    "mostly-true": ("mostly_true", 4, "Mostly true"),
    "half-true": ("mixed", 3, "Mixed"),
    "barely-true": ("mostly_false", 2, "Mostly false"),
    "false": ("false", 1, "False"),
    "pants-fire": ("false", 1, "False"),
}
STATUSES = ["unsourced", "unsettled", "supported", "contested", "refuted"]


def _person(slug: str) -> str:
    return " ".join(part.capitalize() for part in slug.split("-") if part) or "Unknown"


def _batches(rows: Sequence[dict[str, Any]]) -> Iterator[Sequence[dict[str, Any]]]:
    for i in range(0, len(rows), BATCH):
        yield rows[i : i + BATCH]


def _tables() -> dict[str, sa.Table]:
    """The model tables, whose Python-side column defaults (timestamps) Core inserts apply."""
    from sqlmodel import SQLModel

    import sources.models  # noqa: F401  (registers its tables)

    return dict(SQLModel.metadata.tables)


def _explanation(stances: Sequence[str], rng: random.Random) -> dict[str, Any]:
    """A stored explanation of the size and shape ``Score.to_dict`` writes: one contribution per
    item, the total, the reason codes (a read that picks them out of the JSON pays for it)."""
    contributions: list[dict[str, Any]] = []
    total = start = -40
    for n, stance in enumerate(stances):
        points = 0 if stance == "mentions" else rng.randint(5, 60)
        total += points if stance == "supports" else -points
        contributions.append(
            {
                "key": f"evidence:{n}",
                "label": f"News {rng.randint(1, 300)}",
                "role": None,
                "stance": stance,
                "kind": "secondary",
                "via": "source",
                "origin": f"news{n}.example.org",
                "code": f"source_{stance}",
                "points": points,
                "alone": points,
                "stance_points": points,
                "record_points": 0,
                "factor": 1.0,
                "factor_reason": None,
                "record": {"held": 0, "failed": 0, "unverified": 0},
                "interested": False,
                "capped": False,
                "same_as": None,
                "same_as_label": None,
            }
        )
    return {
        "model": "bench seed",
        "start": start,
        "total": total,
        "reasons": ["interested_party_capped"] if rng.random() < 0.05 else [],
        "counts": {f"source_{s}": stances.count(s) for s in ("supports", "refutes", "mentions")},
        "contributions": contributions,
    }


def seed(url: str, *, n_claims: int, n_evidence: int, seed_value: int = 7) -> dict[str, int]:
    """Migrate ``url`` to head and fill it with realistic claims, evidence and verdicts.

    Scores and counts are written on the claim rows the way ``scores.recompute`` stores them
    (reads never compute), some statuses changed recently and some verdicts were superseded,
    so the cards' "what changed" lines appear on a realistic share of claims.
    """
    from service import migrate

    rng = random.Random(seed_value)
    points = random.Random(seed_value + 1)  # the explanations' own, leaving ``rng``'s draws alone
    migrate.upgrade(url)
    liar = liar_rows()
    now = datetime.now(UTC)
    engine = sa.create_engine(url)
    t = _tables()
    speakers = sorted({r["speaker"] for r in liar if r["speaker"]})
    publishers = [
        {"id": i + 1, "domain": f"news{i + 1}.example.org", "name": f"News {i + 1}"}
        for i in range(300)
    ]
    sources = [
        {
            "id": i + 1,
            "url": f"https://news{i % 300 + 1}.example.org/2024/{i + 1}",
            "original_url": f"https://news{i % 300 + 1}.example.org/2024/{i + 1}?utm=x",
            "title": liar[i % len(liar)]["text"][:120],
            "kind": rng.choice(["primary", "secondary", "secondary", "tertiary"]),
            "publisher_id": i % 300 + 1,
            "created_by": "bench",
            "fetch_state": "dead" if rng.random() < 0.02 else "live",  # cards say "source dead"
        }
        for i in range(20_000)
    ]
    claimants = [
        {
            "id": i + 1,
            "name": _person(s),
            "name_norm": s.replace("-", " ").lower(),
            "kind": "person",
            "created_by": "bench",
        }
        for i, s in enumerate(speakers)
    ]
    claimant_of = {s: i + 1 for i, s in enumerate(speakers)}
    claims: list[dict[str, Any]] = []
    evidence: list[dict[str, Any]] = []
    verdicts: list[dict[str, Any]] = []
    per_claim = [0] * n_claims
    for _ in range(n_evidence):
        per_claim[rng.randrange(n_claims)] += 1
    for i in range(n_claims):
        row = liar[i % len(liar)]
        lap = i // len(liar)
        # Later laps vary the statement so the ledger holds 100k distinct texts.
        text = row["text"] if lap == 0 else f"{row['text']} ({row['context'] or 'remarks'}, {lap})"
        created = now - timedelta(days=rng.uniform(0, 730))
        stances = [rng.choice(["supports", "refutes", "mentions"]) for _ in range(per_claim[i])]
        n_sup, n_ref = stances.count("supports"), stances.count("refutes")
        status = (
            "unsourced"
            if not stances
            else rng.choice(STATUSES[1:])
            if n_sup and n_ref
            else "supported"
            if n_sup
            else "refuted"
            if n_ref
            else "unsettled"
        )
        changed = rng.random() < 0.3
        changed_at = (
            now - timedelta(days=rng.uniform(0, 30)) if changed else None
        )  # a third of those within the card's 14-day notice
        claims.append(
            {
                "id": i + 1,
                "text": text,
                "text_norm": text.lower(),
                "language": "en",
                "claimant_id": claimant_of.get(row["speaker"]) if rng.random() < 0.9 else None,
                "said_on": None,
                "appeared_in_id": rng.randint(1, len(sources)) if rng.random() < 0.5 else None,
                "status": status,
                "lean": round(rng.random(), 4),
                "contestedness": round(rng.random() if n_sup and n_ref else 0.0, 4),
                "support_weight": float(n_sup),
                "oppose_weight": float(n_ref),
                "explanation": (explained := _explanation(stances, points)),
                "score_total": explained["total"],
                "score_reasons": ",".join(explained["reasons"]),
                "n_supporting": n_sup,
                "n_refuting": n_ref,
                "n_mentioning": len(stances) - n_sup - n_ref,
                "n_rebuttals": rng.choice([0, 0, 0, 1, 2]),
                "n_qualifications": points.choice([0, 0, 0, 0, 1]),
                "n_backings": points.choice([0, 0, 0, 0, 1]),
                "previous_status": rng.choice(STATUSES[1:]) if changed else None,
                "status_changed_at": max(changed_at, created + timedelta(hours=2))
                if changed_at
                else None,
                "revision": rng.randint(1, 4),
                "created_by": "bench",
                "created_at": created,
                "updated_at": created + timedelta(days=rng.uniform(0, 5)),
                "retracted_at": now if rng.random() < 0.01 else None,
                "review_state": "published",
            }
        )
        for stance in stances:
            evidence.append(
                {
                    "claim_id": i + 1,
                    "source_id": rng.randint(1, len(sources)),
                    "stance": stance,
                    "quote": liar[rng.randrange(len(liar))]["text"][:200],
                    "added_by": "bench",
                    "created_at": created,
                    "updated_at": created,
                    "changed_at_source": rng.random() < 0.01,  # "quote changed at source"
                }
            )
        if rng.random() < 0.15:
            rating, value, name = LIAR_RATING.get(row["label"], ("mixed", 3, "Mixed"))
            if rng.random() < 0.2:  # an earlier verdict this one superseded
                at = now - timedelta(days=rng.uniform(0, 30))
                verdicts.append(
                    {
                        "claim_id": i + 1,
                        "rating": "unverifiable",
                        "rating_value": None,
                        "alternate_name": "Unverifiable",
                        "rationale": "Not enough on record yet.",
                        "editor": "bench",
                        "created_at": at - timedelta(days=3),
                        "superseded_at": at,
                    }
                )
            verdicts.append(
                {
                    "claim_id": i + 1,
                    "rating": rating,
                    "rating_value": value,
                    "alternate_name": name,
                    "rationale": f"Rated against the record ({row['label']}).",
                    "editor": "bench",
                    "created_at": now - timedelta(days=rng.uniform(0, 30)),
                    "superseded_at": None,
                }
            )
    with engine.begin() as conn:
        for name, rows in (
            ("publisher", publishers),
            ("source", sources),
            ("claimant", claimants),
            ("claim", claims),
            ("evidence", evidence),
            ("verdict", verdicts),
        ):
            for chunk in _batches(rows):
                conn.execute(t[name].insert(), chunk)
        conn.execute(alerts.RECOUNT_ALL)  # the cards' source alerts, stored as the app does
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            for name in ("publisher", "source", "claimant", "claim", "evidence", "verdict"):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT max(id) FROM {name}))"
                )
            conn.exec_driver_sql("ANALYZE")
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    return {"claims": len(claims), "evidence": len(evidence), "verdicts": len(verdicts)}


# ---------------------------------------------------------------------------------------------
# Serving


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextlib.contextmanager
def gunicorn(app: str, *, env: dict[str, str], probe: str) -> Iterator[str]:
    """Serve ``app`` (a gunicorn spec) on loopback; yield its base URL once ``probe`` answers."""
    port = free_port()
    cmd = [
        str(VENV_BIN / "gunicorn"),
        "--workers",
        str(WORKERS),
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "--pythonpath",
        f"{ROOT},{ROOT / 'bench'}",
        app,
    ]
    proc = subprocess.Popen(cmd, env={**os.environ, **env}, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {proc.returncode}: {' '.join(cmd)}")
            try:
                with urllib.request.urlopen(base + probe, timeout=5) as r:
                    r.read()
                break
            # Refused until gunicorn binds; then a timeout while its workers still boot.
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


# ---------------------------------------------------------------------------------------------
# Load


@dataclass
class Result:
    """What wrk measured for one target."""

    label: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _latency(text: str, pct: str) -> float:
    m = re.search(rf"^\s*{pct}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    if not m:
        raise RuntimeError(f"no {pct}% latency in wrk output:\n{text}")
    return float(m.group(1)) * _UNITS[m.group(2)]


RANDOM_IDS_LUA = """
-- Random ids from a file of "id [etag]" lines; sends If-None-Match when an etag is given.
local ids, tags, n = {}, {}, 0
for line in io.lines("%(ids_file)s") do
  local id, tag = line:match("^(%%d+)%%s*(.*)$")
  n = n + 1
  ids[n] = id
  tags[n] = tag
end
math.randomseed(%(seed)d + os.time())
request = function()
  local i = math.random(1, n)
  local path = "%(prefix)s" .. ids[i] .. "%(suffix)s"
  if tags[i] ~= "" then
    return wrk.format("GET", path, { ["If-None-Match"] = tags[i] })
  end
  return wrk.format("GET", path)
end
"""


def wrk(
    label: str,
    base: str,
    *,
    prefix: str,
    suffix: str,
    ids: Sequence[int],
    etags: dict[int, str] | None = None,
    duration_s: int = DURATION_S,
    warmup: bool = True,
) -> Result:
    """Load ``base + prefix + id + suffix`` over random ``ids`` with wrk, after a warm-up."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk (this bench needs it)")
    with tempfile.TemporaryDirectory() as tmp:
        ids_file = Path(tmp) / "ids.txt"
        ids_file.write_text(
            "".join(f"{i} {(etags or {}).get(i, '')}\n" for i in ids), encoding="utf-8"
        )
        script = Path(tmp) / "random.lua"
        script.write_text(
            RANDOM_IDS_LUA
            % {"ids_file": ids_file, "prefix": prefix, "suffix": suffix, "seed": len(label)},
            encoding="utf-8",
        )
        base_cmd = ["wrk", "-t2", f"-c{CONNECTIONS}", "--latency", "-s", str(script)]
        if warmup:
            subprocess.run(
                [*base_cmd, f"-d{WARMUP_S}s", base], check=True, capture_output=True, text=True
            )
        out = subprocess.run(
            [*base_cmd, f"-d{duration_s}s", base], check=True, capture_output=True, text=True
        ).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sock = re.search(r"Socket errors:.*?timeout (\d+)", out)
    if rps is None:
        raise RuntimeError(f"no Requests/sec in wrk output:\n{out}")
    return Result(
        label=label,
        rps=float(rps.group(1)),
        p50_ms=_latency(out, "50"),
        p99_ms=_latency(out, "99"),
        errors=(int(bad.group(1)) if bad else 0) + (int(sock.group(1)) if sock else 0),
    )


@dataclass
class Target:
    """One thing to load: a served base URL and the paths over random ids."""

    label: str
    base: str
    prefix: str
    suffix: str
    ids: Sequence[int]
    etags: dict[int, str] | None = None


def compare(targets: Sequence[Target], *, rounds: int, duration_s: int) -> list[Result]:
    """Load the targets in turn, ``rounds`` times, and keep each one's median round.

    Interleaving matters on a shared machine: other people's test suites come and go within a
    minute, and a reference measured only before or only after the app would carry that noise
    straight into the ratio.
    """
    runs: dict[str, list[Result]] = {t.label: [] for t in targets}
    for round_no in range(rounds):
        for t in targets:
            runs[t.label].append(
                wrk(
                    t.label,
                    t.base,
                    prefix=t.prefix,
                    suffix=t.suffix,
                    ids=t.ids,
                    etags=t.etags,
                    duration_s=duration_s,
                    warmup=round_no == 0,
                )
            )
    medians = []
    for t in targets:
        ordered = sorted(runs[t.label], key=lambda r: r.rps)
        middle = ordered[len(ordered) // 2]
        rounds_rps = " ".join(f"{r.rps:.0f}" for r in runs[t.label])
        print(f"  {t.label}: rounds req/s {rounds_rps}")
        medians.append(middle)
    return medians


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """One request (status, headers, body); 304 and errors are answers, not exceptions."""
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def table(rows: Sequence[Result]) -> str:
    """The results side by side."""
    lines = [f"{'target':<34} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}"]
    lines += [
        f"{r.label:<34} {r.rps:>9.0f} {r.p50_ms:>8.2f} {r.p99_ms:>8.2f} {r.errors:>7}" for r in rows
    ]
    return "\n".join(lines)


def machine() -> str:
    """A one-line description of the machine the figures come from."""
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} cores, {model}, python {sys.version.split()[0]}"
