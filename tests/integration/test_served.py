"""claimdesk as ``claimdesk serve`` runs it (gunicorn, demo data): what only a real server shows.

One server per module, on its own SQLite file and a free loopback port, whatever database the
rest of the suite uses.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

CLI = [sys.executable, "-c", "from service.cli import main; main()"]
MAX_BODY = 4096


@dataclass(frozen=True)
class Served:
    """A running ``claimdesk serve --demo`` and an admin token for it."""

    url: str
    token: str
    env: dict[str, str] = field(default_factory=dict)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("served")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CLAIMDESK_")},
        "CLAIMDESK_ENV": "test",
        "CLAIMDESK_SECRET_KEY": "served-test-secret-0123456789",
        "CLAIMDESK_INSTANCE_PATH": str(folder),
        "CLAIMDESK_DATABASE_URL": f"sqlite:///{folder / 'served.sqlite3'}",
        "CLAIMDESK_MAX_BODY_BYTES": str(MAX_BODY),
    }
    run = {"env": env, "check": True, "capture_output": True, "text": True, "timeout": 120}
    port = _free_port()
    log = (folder / "serve.log").open("w")
    server = subprocess.Popen(
        # No job worker: sources schemathesis records must never be fetched (no network).
        [*CLI, "serve", "--demo", "--port", str(port), "--workers", "2", "--no-worker"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((folder / "serve.log").read_text())
            time.sleep(0.2)
        # serve has migrated the database by now; a token is one more row in it.
        created = subprocess.run(
            [*CLI, "token", "create", "--name", "served-admin", "--role", "admin"], **run
        )
        yield Served(url=url, token=created.stdout.strip().splitlines()[-1], env=env)
    finally:
        server.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        server.wait(timeout=30)
        log.close()


def _raw(served: Served, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send bytes as they are (no client library would send these) and read the answer."""
    port = int(served.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(request)
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body


def test_a_request_line_over_4_kb_gets_a_problem_414(served: Served) -> None:
    path = "/api/v1/claims?q=" + "a" * 5000
    status, headers, body = _raw(
        served, f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
    )
    assert status == 414
    assert headers["content-type"] == "application/problem+json"
    problem = json.loads(body)
    assert problem["status"] == 414 and problem["title"]
    assert problem["type"] == "/problems/request-uri-too-long"
    explained = requests.get(served.url + problem["type"], timeout=10)
    assert explained.status_code == 200 and "4 KB" in explained.text


def test_a_chunked_body_over_the_limit_gets_413_from_the_server(served: Served) -> None:
    text = "The council spent " + "far " * 1500 + "too much."
    payload = json.dumps({"text": text}).encode()

    def chunks() -> Iterator[bytes]:  # a generator: requests sends it chunked
        for start in range(0, len(payload), 1000):
            yield payload[start : start + 1000]

    response = requests.post(
        f"{served.url}/api/v1/claims",
        data=chunks(),
        headers={"Authorization": f"Bearer {served.token}", "Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 413
    assert response.headers["Content-Type"] == "application/problem+json"
    listed = requests.get(f"{served.url}/api/v1/claims", params={"q": "council spent far"})
    assert listed.json()["count"] == 0


def test_the_server_log_shows_no_error(served: Served, tmp_path_factory) -> None:
    requests.get(f"{served.url}/api/v1/claims/1/status", timeout=10).raise_for_status()
    logs = list(Path(tmp_path_factory.getbasetemp()).glob("served*/serve.log"))
    assert logs and "Traceback" not in logs[0].read_text()


def test_the_workers_answer_with_the_model_loaded_once_before_the_fork(
    served: Served, tmp_path_factory
) -> None:
    from claims.semantic.embedder import unavailable_reason

    log = next(Path(tmp_path_factory.getbasetemp()).glob("served*/serve.log")).read_text()
    if unavailable_reason() is not None:
        assert "cross-lingual matching is off" in log
        return
    assert log.count("loaded once before the workers fork") == 1
    # No job worker here: embed the demo's claims as `claimdesk worker` would. Then both
    # workers (several requests at once) embed the box with the model they inherited.
    backfill = subprocess.run(
        [*CLI, "embeddings", "backfill"], env=served.env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert backfill.returncode == 0, backfill.stderr
    with ThreadPoolExecutor(4) as pool:
        answers = list(
            pool.map(
                lambda _: requests.get(
                    f"{served.url}/api/v1/search", params={"q": "signing bonus"}, timeout=60
                ),
                range(8),
            )
        )
    for answer in answers:
        answer.raise_for_status()
        assert any("semantic" in hit["signals"] for hit in answer.json()["claims"])


# ---- schemathesis: the document against the service ------------------------------------------

SCHEMATHESIS_CONFIG = Path(__file__).resolve().parents[1] / "schemathesis" / "schemathesis.toml"


def _schemathesis(
    served: Served, *headers: str, examples: int, folder: Path
) -> subprocess.CompletedProcess[str]:
    """``st run`` with every check, a fixed seed and a bounded number of examples.

    The examples, fuzzing and stateful phases (links between operations inferred from
    Location headers and ids). ``POST /imports/claimreview`` is left out: with a URL it
    fetches the open web, which tests must not depend on.
    """
    st = Path(sys.executable).with_name("st")
    command = [
        str(st),
        "--config-file",
        str(SCHEMATHESIS_CONFIG),
        "run",
        f"{served.url}/api/v1/openapi.json",
        "--checks",
        "all",
        "--phases",
        "examples,fuzzing,stateful",
        "--max-examples",
        str(examples),
        "--seed",
        "13",
        "--generation-database",
        "none",
        "--exclude-path",
        "/api/v1/imports/claimreview",
        "--no-color",
        *[part for header in headers for part in ("--header", header)],
    ]
    # In a folder of its own: st keeps a cache (.schemathesis/) where it runs.
    return subprocess.run(
        command, capture_output=True, text=True, timeout=300, check=False, cwd=folder
    )


@pytest.mark.parametrize("who", ["admin", "anonymous"])
def test_schemathesis_finds_no_failure_of_any_kind(served: Served, who: str, tmp_path) -> None:
    headers = (f"Authorization: Bearer {served.token}",) if who == "admin" else ()
    result = _schemathesis(served, *headers, examples=6 if who == "admin" else 3, folder=tmp_path)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert re.search(r"\d+ generated, \d+ passed", result.stdout), result.stdout[-2000:]
