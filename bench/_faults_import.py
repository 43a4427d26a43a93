"""import_kill of bench/faults.py: kill -9 ``claimdesk import claims`` half way, run it again.

A clean import of the same rows into a second database is the reference: after the kill and the
re-run, every claim it created must be there exactly once, each with its verdict, and no
process of the killed import may be left behind.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections import Counter
from pathlib import Path
from typing import Any

from _faults_stack import CLAIMDESK, ROOT, Cluster, Reaper, claimdesk_env, cli, in_group, wait_until

# LIAR lives beside the checkout (../shared), as for the other benches; CLAIMDESK_LIAR_DIR moves it.
LIAR = Path(os.environ.get("CLAIMDESK_LIAR_DIR") or ROOT.parent / "shared/data/liar") / "train.tsv"
IMPORT_ROWS = 4_500  # > 1 MiB of LIAR: the import's parallel duplicate finder is used


def import_kill(reaper: Reaper, cluster: Cluster) -> dict[str, Any]:
    """kill -9 an import half way, run it again: each row created once, as a clean run does."""
    path = reaper.tmp / "liar-part.tsv"
    with LIAR.open(encoding="utf-8") as f:
        head = [line for _, line in zip(range(IMPORT_ROWS), f, strict=False)]
    path.write_text("".join(head), encoding="utf-8")
    results = {}
    for name in ("import_ref", "import_kill"):
        url = cluster.create_database(f"faults_{name}")
        env = claimdesk_env(reaper, database_url=url, redis_url="", name=name)
        cli(env, "db", "upgrade")
        results[name] = env
    command = ["import", "claims", str(path), "--format", "liar"]
    t0 = time.monotonic()
    reference = cli(results["import_ref"], *command, timeout=300).splitlines()[0]
    ref_s = time.monotonic() - t0
    ref_texts = _texts(cluster, "faults_import_ref")
    env = results["import_kill"]
    proc = reaper.spawn([CLAIMDESK, *command], log="import-killed.log", env=env)
    half = sum(ref_texts.values()) // 2
    killed_at: Any = "finished"
    with contextlib.suppress(RuntimeError):
        wait_until(
            "half the import",
            lambda: (
                proc.poll() is not None
                or cluster.query("faults_import_kill", "SELECT count(*) FROM claim")[0][0] >= half
            ),
            120,
            every=0.02,
        )
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        killed_at = cluster.query("faults_import_kill", "SELECT count(*) FROM claim")[0][0]
    time.sleep(1.0)
    orphans = len(in_group(proc.pid))  # e.g. the duplicate finder, left behind by its parent
    reaper.stop(proc)
    t0 = time.monotonic()
    rerun = cli(env, *command, timeout=300).splitlines()[0]
    rerun_s = time.monotonic() - t0
    got = _texts(cluster, "faults_import_kill")
    lost = sum(max(0, n - got.get(t, 0)) for t, n in ref_texts.items())
    dups = sum(max(0, n - ref_texts.get(t, 0)) for t, n in got.items())
    no_verdict = (
        "SELECT count(*) FROM claim c WHERE NOT EXISTS (SELECT 1 FROM verdict v "
        "WHERE v.claim_id = c.id AND v.superseded_at IS NULL)"
    )
    claimants = "SELECT count(*) FROM claimant"
    return {
        "requests": IMPORT_ROWS,
        "errors_5xx": 0,
        "lost_writes": lost,
        "recovery_s": f"{rerun_s:.1f}",
        "duplicate_rows": dups,
        "killed_at_claims": killed_at,
        "orphans": orphans,
        "claims": f"{sum(got.values())}/{sum(ref_texts.values())}",
        "claimants": f"{cluster.query('faults_import_kill', claimants)[0][0]}/"
        f"{cluster.query('faults_import_ref', claimants)[0][0]}",
        "without_verdict": f"{cluster.query('faults_import_kill', no_verdict)[0][0]}/"
        f"{cluster.query('faults_import_ref', no_verdict)[0][0]}",
        "clean_run_s": f"{ref_s:.1f}",
        "reference": repr(reference),
        "rerun": repr(rerun),
    }


def _texts(cluster: Cluster, db: str) -> Counter[str]:
    return Counter(t for (t,) in cluster.query(db, "SELECT text FROM claim"))
