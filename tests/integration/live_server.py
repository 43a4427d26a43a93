"""claimdesk served for real, for tests whose requests must overlap.

The Flask test client runs one request at a time in the test's own transaction, so it cannot
show what several writers do to each other. These helpers run the service as an operator does:
``claimdesk db upgrade``, ``claimdesk token create``, then ``claimdesk serve`` (gunicorn, sync
workers, separate processes) on a free loopback port, on a database of its own:

- SQLite: a fresh file in a temp folder;
- PostgreSQL (when CLAIMDESK_DATABASE_URL points there): a fresh database created on that server
  and dropped afterwards. The suite's own database is emptied by the suite and must not be
  shared with a server that outlives one test.

``race`` fires requests from a thread pool released together by a barrier, each on its own
connection, so they reach the server at the same moment. Each module starts one server (module
scope) and its tests keep apart by writing distinct texts and names (``words``).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa

API = "/api/v1"
ROOT = Path(__file__).resolve().parents[2]
CLAIMDESK = Path(sys.executable).parent / "claimdesk"
SECRET = "live-server-test-secret-0123456789"
BOOT_TIMEOUT_S = 120.0  # four workers importing the app on two busy shared cores
REQUEST_TIMEOUT_S = 120.0  # longer than gunicorn's worker timeout: its verdict, not ours
_databases = itertools.count(1)
# What gunicorn and Flask write when a request failed inside the server or a worker was killed.
ERROR_MARKERS = ("Traceback", "WORKER TIMEOUT", "Worker was sent", "Error handling request")


def postgres_url() -> str | None:
    """The PostgreSQL server the suite runs against, or None on SQLite."""
    url = os.environ.get("CLAIMDESK_DATABASE_URL", "")
    return url if url.startswith("postgresql") else None


needs_postgres = pytest.mark.skipif(
    postgres_url() is None,
    reason="needs PostgreSQL: set CLAIMDESK_DATABASE_URL=postgresql+psycopg://... "
    "(several hosts share one database only there)",
)


@contextlib.contextmanager
def throwaway_database(folder: Path) -> Iterator[str]:
    """A fresh, empty database URL, gone afterwards: SQLite in ``folder``, or a new PostgreSQL
    database next to the one CLAIMDESK_DATABASE_URL names."""
    configured = postgres_url()
    if configured is None:
        yield f"sqlite:///{folder / 'live.sqlite3'}"
        return
    server = sa.engine.make_url(configured)
    name = f"{server.database or 'claimdesk'}_live_{os.getpid()}_{next(_databases)}"[:63]
    admin = sa.create_engine(
        server.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=sa.NullPool
    )
    with admin.connect() as conn:
        _drop_orphans(conn, prefix=f"{server.database or 'claimdesk'}_live_")
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _drop_orphans(conn: sa.Connection, *, prefix: str) -> None:
    """Drop the databases an earlier run left behind when it was killed (its pid is gone)."""
    names = conn.execute(
        sa.text("SELECT datname FROM pg_database WHERE starts_with(datname, :prefix)"),
        {"prefix": prefix},
    ).scalars()
    for name in list(names):
        pid = name.removeprefix(prefix).split("_")[0]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def server_env(url: str, instance: Path) -> dict[str, str]:
    """The environment of every ``claimdesk`` command run for a live server: only our knobs.

    Any CLAIMDESK_* variable of the caller's shell (a Redis URL, another database) is dropped,
    so the server cannot reach anything but its own database and instance folder.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMDESK_")}
    env.update(
        CLAIMDESK_ENV="test",
        CLAIMDESK_SECRET_KEY=SECRET,
        CLAIMDESK_DATABASE_URL=url,
        CLAIMDESK_INSTANCE_PATH=str(instance),
        PYTHONUNBUFFERED="1",
        # gunicorn's control socket goes to $XDG_RUNTIME_DIR, else one path per user
        # (~/.gunicorn/gunicorn.ctl) that every server would take from the others and remove
        # on shutdown: two instances, or another person's server on this machine.
        XDG_RUNTIME_DIR=str(instance),
    )
    return env


def claimdesk(*args: str, env: dict[str, str]) -> str:
    """Run one ``claimdesk`` command; its standard output, or a failure showing both streams."""
    done = subprocess.run(
        [str(CLAIMDESK), *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    if done.returncode != 0:
        pytest.fail(
            f"claimdesk {' '.join(args)} exited with {done.returncode}:\n"
            f"{done.stdout}\n{done.stderr}"
        )
    return done.stdout


def prepare(url: str, instance: Path) -> dict[str, str]:
    """Migrate the database and create one token per role: ``{"contributor": "...", ...}``."""
    env = server_env(url, instance)
    claimdesk("db", "upgrade", env=env)
    tokens = {}
    for role in ("contributor", "editor"):
        printed = claimdesk("token", "create", "--name", f"live-{role}", "--role", role, env=env)
        tokens[role] = printed.strip().splitlines()[-1]  # the token is alone on the last line
    return tokens


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass(frozen=True)
class Answer:
    """One HTTP answer as a test looks at it; ``status`` 0 means no answer at all."""

    method: str
    path: str
    status: int
    headers: dict[str, str]
    body: Any  # parsed JSON when the answer is JSON, else its text
    error: str | None = None

    @property
    def json(self) -> dict[str, Any]:
        """The body, which must be a JSON object."""
        assert isinstance(self.body, dict), self
        return self.body

    def describe(self) -> str:
        """One line for failure messages."""
        what = self.error or json.dumps(self.body)[:300]
        retry = self.headers.get("Retry-After")
        said = f" (Retry-After {retry})" if retry else ""
        return f"{self.method} {self.path} -> {self.status}{said}: {what}"


@dataclass
class LiveServer:
    """A running ``claimdesk serve``: its base URL, tokens per role and log file."""

    base: str
    tokens: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def request(
        self,
        method: str,
        path: str,
        *,
        role: str | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> Answer:
        """One request on a new connection; a failure to get any answer is an Answer too."""
        sent = dict(headers or {})
        if role is not None:
            sent["Authorization"] = f"Bearer {self.tokens[role]}"
        try:
            r = requests.request(
                method,
                self.base + path,
                json=body,
                headers=sent,
                params=params,
                timeout=REQUEST_TIMEOUT_S,
            )
        except requests.RequestException as exc:
            return Answer(method, path, 0, {}, None, error=f"{type(exc).__name__}: {exc}")
        try:
            parsed: Any = r.json()
        except ValueError:
            parsed = r.text
        return Answer(method, path, r.status_code, dict(r.headers), parsed)

    def get(self, path: str, **kwargs: Any) -> Answer:
        """GET ``path``; it must answer 200."""
        answer = self.request("GET", path, **kwargs)
        assert answer.status == 200, answer.describe()
        return answer

    def post(self, path: str, body: Any, *, role: str = "contributor", **kwargs: Any) -> Answer:
        """POST ``body`` to ``path`` with a token of ``role``."""
        return self.request("POST", path, role=role, body=body, **kwargs)

    def log_tail(self, lines: int = 60) -> str:
        """The end of the server's log (gunicorn's messages, tracebacks and access lines)."""
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def log_size(self) -> int:
        """Where the log ends now: ``errors_logged(since=...)`` reads only what follows."""
        return self.log.stat().st_size

    def errors_logged(self, *, since: int = 0) -> list[str]:
        """Lines of the log after ``since`` that report an exception or a killed worker."""
        with self.log.open("rb") as f:
            f.seek(since)
            text = f.read().decode("utf-8", errors="replace")
        return [line for line in text.splitlines() if any(m in line for m in ERROR_MARKERS)]

    def race(self, calls: Sequence[Callable[[], Answer]]) -> list[Answer]:
        """``race(calls)``, then fail on any 5xx, missing answer or error the server logged."""
        since = self.log_size()
        answers = race(calls)
        assert_no_server_error(self, answers)
        logged = self.errors_logged(since=since)
        assert not logged, (
            "the server logged errors:\n"
            + "\n".join(logged)
            + (f"\n--- server log:\n{self.log_tail()}")
        )
        return answers


@contextlib.contextmanager
def serving(
    url: str, instance: Path, tokens: dict[str, str], *, workers: int = 4, name: str = "live"
) -> Iterator[LiveServer]:
    """``claimdesk serve`` on a free loopback port until the block ends (then stopped)."""
    instance.mkdir(parents=True, exist_ok=True)
    env = server_env(url, instance)
    log = instance / f"{name}.log"
    for _attempt in range(3):  # a free port can be taken between finding it and binding it
        port = free_port()
        with log.open("ab") as out:
            process = subprocess.Popen(
                [
                    str(CLAIMDESK),
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--workers",
                    str(workers),
                    "--no-worker",  # the jobs of these writes are not under test
                ],
                env=env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped as one, by its id
                preexec_fn=_die_with_parent,
            )
        server = LiveServer(f"http://127.0.0.1:{port}", tokens, log, process)
        try:
            if _wait_until_up(server, process):
                break
        except BaseException:
            _stop(process)
            raise
        _stop(process)
    else:
        pytest.fail(f"claimdesk serve did not start:\n{LiveServer('', {}, log).log_tail()}")
    try:
        yield server
    finally:
        _stop(process)


def _die_with_parent() -> None:
    """In the child, before exec: have Linux stop the server if the test run dies (SIGKILL
    included), so no server outlives its tests on a shared machine."""
    if sys.platform == "linux":
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _wait_until_up(server: LiveServer, process: subprocess.Popen[bytes]) -> bool:
    """True once /healthz answers 200; False if the server exited (port taken, say)."""
    deadline = time.monotonic() + BOOT_TIMEOUT_S
    last = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            health = requests.get(server.base + "/healthz", timeout=10)
            if health.status_code == 200:
                return True
            last = f"{health.status_code} {health.text[:300]}"
        except requests.RequestException as exc:
            last = repr(exc)  # refused until gunicorn binds; slow while its workers boot
        time.sleep(0.5)
    pytest.fail(
        f"claimdesk serve not up after {BOOT_TIMEOUT_S:.0f} s (/healthz: {last}):\n"
        f"{server.log_tail(20)}"
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop gunicorn and its workers (the process group this module started), and wait."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


@contextlib.contextmanager
def live_server(folder: Path, *, workers: int = 4) -> Iterator[LiveServer]:
    """A fresh database, migrated, with tokens, served until the block ends."""
    with throwaway_database(folder) as url:
        tokens = prepare(url, folder)
        with serving(url, folder, tokens, workers=workers) as server:
            yield server


# ---- firing requests together -------------------------------------------------------------


def race(calls: Sequence[Callable[[], Answer]]) -> list[Answer]:
    """Run every call at once (a thread each, released together), answers in call order."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Answer]) -> Answer:
        barrier.wait(timeout=60)
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def statuses(answers: Sequence[Answer]) -> list[int]:
    """The status of each answer, sorted (for readable assertions)."""
    return sorted(a.status for a in answers)


def assert_no_server_error(server: LiveServer, answers: Sequence[Answer]) -> None:
    """No answer is missing or a 5xx; a 503 must at least carry Retry-After (said apart)."""
    bad = [a for a in answers if a.status == 0 or a.status >= 500]
    if not bad:
        return
    lines = [a.describe() for a in bad[:10]]
    if len(bad) > 10:
        lines.append(f"... and {len(bad) - 10} more")
    no_retry = [a for a in bad if a.status == 503 and "Retry-After" not in a.headers]
    if no_retry:
        lines.append(f"{len(no_retry)} of the 503s carry no Retry-After")
    pytest.fail(
        f"{len(bad)} of {len(answers)} requests got no answer or a 5xx "
        f"(statuses {statuses(answers)}):\n" + "\n".join(lines) + "\n--- server log:\n"
        f"{server.log_tail()}"
    )


# ---- distinct texts -----------------------------------------------------------------------

_SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]


def words(n: int, *, seed: Any = None) -> list[str]:
    """``n`` made-up words, different on every call: texts that no other test's resemble.

    Claims are matched for near-duplicates, so the distinct claims a test creates (and those
    of other tests on the same server) must share no vocabulary at all.
    """
    rng = random.Random(seed if seed is not None else random.getrandbits(64))
    return [
        "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(3, 4))) + rng.choice("nlrsx")
        for _ in range(n)
    ]


def sentence(n_words: int = 9) -> str:
    """A claim text made of unseen words, with a figure in it."""
    made = words(n_words)
    made[0] = made[0].capitalize()
    return f"{' '.join(made[:4])} {random.randint(10, 9999)} {' '.join(made[4:])}."
