"""The command line: tokens, migrations, the demo, and serving under gunicorn."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from sqlmodel import Session, func, select

from claims.models import Claim, Evidence
from service.tokens import ApiToken, hash_token


def test_token_create_prints_the_token_alone_on_the_last_line_and_stores_only_its_hash(
    runner, session: Session
) -> None:
    result = runner.invoke(args=["token", "create", "--name", "bot", "--role", "editor"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("cd_") and " " not in token
    stored = session.exec(select(ApiToken).where(ApiToken.name == "bot")).one()
    assert stored.role == "editor"
    assert stored.token_hash == hash_token(token)
    assert token not in stored.token_hash


def test_a_created_token_authorises_writes_until_revoked(runner, client) -> None:
    token = runner.invoke(args=["token", "create", "--name", "w", "--role", "contributor"])
    headers = {"Authorization": f"Bearer {token.stdout.strip().splitlines()[-1]}"}
    made = client.post("/api/v1/claimants", json={"name": "Ada"}, headers=headers)
    assert made.status_code == 201
    assert runner.invoke(args=["token", "revoke", "--name", "w"]).exit_code == 0
    refused = client.post("/api/v1/claimants", json={"name": "Bob"}, headers=headers)
    assert refused.status_code == 401


def test_token_create_refuses_a_taken_name_and_an_unknown_role(runner) -> None:
    assert runner.invoke(args=["token", "create", "--name", "dup"]).exit_code == 0
    again = runner.invoke(args=["token", "create", "--name", "dup"])
    assert again.exit_code != 0 and "already exists" in again.output
    bad_role = runner.invoke(args=["token", "create", "--name", "x", "--role", "god"])
    assert bad_role.exit_code != 0


def test_demo_loads_the_worked_example_once(runner, session: Session) -> None:
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    claims = session.exec(select(func.count()).select_from(Claim)).one()
    evidence = session.exec(select(func.count()).select_from(Evidence)).one()
    assert claims >= 10
    second = runner.invoke(args=["demo"])
    assert "created 0 claimants, 0 sources, 0 claims, 0 evidence, 0 relations" in second.output
    assert session.exec(select(func.count()).select_from(Claim)).one() == claims
    assert session.exec(select(func.count()).select_from(Evidence)).one() == evidence


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.skipif(
    os.environ.get("CLAIMDESK_DATABASE_URL", "").startswith("postgresql"),
    reason="the README's first command is about SQLite",
)
def test_serve_demo_migrates_a_fresh_sqlite_database_and_answers_over_http(
    tmp_path: Path,
) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMDESK_")} | {
        "CLAIMDESK_INSTANCE_PATH": str(tmp_path)
    }
    claimdesk = Path(sys.executable).with_name("claimdesk")
    proc = subprocess.Popen(
        [str(claimdesk), "serve", "--demo", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)
        listing = requests.get(f"{base}/api/v1/claims", params={"claimant": "Ultraman"}, timeout=5)
        assert listing.status_code == 200
        bonus = [c for c in listing.json()["data"] if "prime à la signature" in c["text"]]
        assert len(bonus) == 1
        status = requests.get(f"{base}/api/v1/claims/{bonus[0]['id']}/status", timeout=5)
        assert status.json()["status"] == "unsettled"  # the denial is Meta's own: capped
        assert (tmp_path / "claimdesk.sqlite3").exists()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        if proc.stdout is not None:
            proc.stdout.close()


def _serve(tmp_path: Path, *args: str) -> tuple[subprocess.Popen[bytes], list[str]]:
    """``claimdesk serve`` on a free port; returns the process and its first lines of output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMDESK_")} | {
        "CLAIMDESK_INSTANCE_PATH": str(tmp_path)
    }
    claimdesk = Path(sys.executable).with_name("claimdesk")
    proc = subprocess.Popen(
        [str(claimdesk), "serve", "--port", str(_free_port()), "--workers", "1", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdout is not None
    lines: list[str] = []
    while not any(line.startswith("job worker:") for line in lines):
        line = proc.stdout.readline().decode()
        assert line, f"serve ended before saying where the worker runs: {lines}"
        lines.append(line.strip())
    return proc, lines


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.mark.skipif(
    os.environ.get("CLAIMDESK_DATABASE_URL", "").startswith("postgresql"),
    reason="the README's first command is about SQLite",
)
def test_serve_starts_the_job_worker_in_its_own_process_and_stops_it_on_exit(
    tmp_path: Path,
) -> None:
    proc, lines = _serve(tmp_path)
    try:
        said = lines[-1]
        found = re.match(
            r"job worker: process (\d+) \(`claimdesk worker`, queue: SQLite (.+)\)", said
        )
        assert found, lines
        pid = int(found.group(1))
        assert found.group(2) == str(tmp_path / "jobs.sqlite3")
        assert _alive(pid)
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        assert command[1:4] == [b"-m", b"service.cli", b"worker"]
        assert pid != proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=40)
        if proc.stdout is not None:
            proc.stdout.close()
    assert not _alive(pid)  # the worker stops with the server


@pytest.mark.skipif(
    os.environ.get("CLAIMDESK_DATABASE_URL", "").startswith("postgresql"),
    reason="the README's first command is about SQLite",
)
def test_serve_no_worker_says_the_worker_must_run_apart(tmp_path: Path) -> None:
    proc, lines = _serve(tmp_path, "--no-worker")
    try:
        assert lines[-1] == (
            "job worker: not started here (--no-worker): run `claimdesk worker` apart"
        )
    finally:
        proc.terminate()
        proc.wait(timeout=40)
        if proc.stdout is not None:
            proc.stdout.close()
