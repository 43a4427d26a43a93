"""The throwaway services of bench/faults.py: a PostgreSQL cluster, Redis, claimdesk itself.

Everything listens on 127.0.0.1 on ports picked here, lives in one temp dir, and is registered
with a ``Reaper`` the moment it starts, so that a failure or Ctrl-C anywhere stops every process
this bench started (by its own pid or process group, never by name) and removes the temp dir.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
CLAIMDESK = str(VENV_BIN / "claimdesk")


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_until(what: str, check: Any, timeout: float, every: float = 0.1) -> float:
    """Poll ``check()`` until it is truthy; the seconds it took (RuntimeError on timeout)."""
    start = time.monotonic()
    while True:
        with contextlib.suppress(Exception):
            if check():
                return time.monotonic() - start
        if time.monotonic() - start > timeout:
            raise RuntimeError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(every)


def children(pid: int) -> list[int]:
    """Pids whose parent is ``pid`` (from /proc)."""
    found = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(stat).read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(stat.split("/")[2]))
    return found


def in_group(pgid: int) -> list[int]:
    """Live pids of process group ``pgid`` (zombies excluded)."""
    found = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(stat).read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                found.append(int(stat.split("/")[2]))
    return found


class Reaper:
    """Every process and directory the bench made, undone in reverse order by ``close()``."""

    def __init__(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="claimdesk-faults-"))
        self.procs: list[subprocess.Popen[bytes]] = []
        self.clusters: list[Cluster] = []

    def spawn(
        self,
        cmd: list[str],
        *,
        log: str,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
    ) -> subprocess.Popen[bytes]:
        """Start ``cmd`` in its own session (so its whole group can be stopped), logging."""
        out = (self.tmp / log).open("ab")
        proc = subprocess.Popen(
            cmd,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=cwd or ROOT,
            start_new_session=True,
        )
        out.close()
        self.procs.append(proc)
        return proc

    def stop(self, proc: subprocess.Popen[bytes], *, grace: float = 5.0) -> None:
        """Stop a process this bench started, and everything left in its process group."""
        pgid = proc.pid  # start_new_session: the group is the leader's pid
        for sig in (signal.SIGCONT, signal.SIGTERM):  # CONT: a SIGSTOPped Redis must hear TERM
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, sig)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and (proc.poll() is None or in_group(pgid)):
            time.sleep(0.05)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)
        if proc in self.procs:
            self.procs.remove(proc)

    def close(self) -> None:
        """Stop everything (processes first, then clusters), then remove the temp dir."""
        for proc in reversed(list(self.procs)):
            with contextlib.suppress(Exception):
                self.stop(proc, grace=3.0)
        for cluster in reversed(self.clusters):
            with contextlib.suppress(Exception):
                cluster.stop(mode="immediate")
        shutil.rmtree(self.tmp, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# PostgreSQL


def _pg_bin() -> Path:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    if not found:
        raise SystemExit("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
    return Path(found[-1]).parent


class Cluster:
    """A PostgreSQL cluster of its own: initdb in the temp dir, trust auth, loopback only."""

    def __init__(self, reaper: Reaper) -> None:
        self.bin = _pg_bin()
        self.dir = reaper.tmp / "pg"
        self.data = self.dir / "data"
        self.port = free_port()
        self.dir.mkdir()
        # initdb refuses root: run the server as the postgres user, owning its own dir.
        self.user: list[str] = []
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chmod(reaper.tmp, 0o755)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
            self.user = ["runuser", "-u", "postgres", "--"]
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        reaper.clusters.append(self)
        self.start()

    def _run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.user, str(self.bin / tool), *args],
            capture_output=True,
            text=True,
            check=check,
            timeout=60,
            cwd="/",
        )

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories="
            f"{self.dir} -c fsync=off -c max_connections=200"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.dir / "server.log"),
            "-o",
            options,
            "-w",
            "-t",
            "30",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``fast``: disconnect clients; ``immediate``: crash-like)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop", check=False)
        pidfile = self.data / "postmaster.pid"
        if pidfile.exists():  # pg_ctl could not stop it: end that one postmaster by its pid
            with contextlib.suppress(ValueError, OSError):
                os.kill(int(pidfile.read_text().split()[0]), signal.SIGKILL)

    def url(self, database: str) -> str:
        """The SQLAlchemy URL of one database of this cluster."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "postgres") -> Any:
        """An autocommit psycopg connection (the bench's own, for setup and checks)."""
        import psycopg

        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user="postgres",
            dbname=database,
            autocommit=True,
            connect_timeout=5,
        )

    def create_database(self, name: str) -> str:
        """A new empty database; its URL."""
        with self.connect() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def query(self, database: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Rows of one query, on a fresh connection."""
        with self.connect(database) as conn:
            return list(conn.execute(sql, params).fetchall())


# ---------------------------------------------------------------------------------------------
# Redis


class Redis:
    """A redis-server of its own on a loopback port, nothing kept on disk."""

    def __init__(self, reaper: Reaper, name: str) -> None:
        self.reaper = reaper
        self.name = name
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start (or start again, on the same port) and wait for PONG."""
        self.proc = self.reaper.spawn(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--dir",
                str(self.reaper.tmp),
            ],
            log=f"redis-{self.name}.log",
        )
        wait_until("redis", self.ping, 10)

    def ping(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")

    def queued(self) -> int:
        """Jobs waiting in huey's queues and schedules (lists and sorted sets ``huey.*``)."""
        import redis

        client = redis.Redis(port=self.port, socket_timeout=1, socket_connect_timeout=1)
        try:
            total = 0
            for key in client.scan_iter("huey.*"):
                kind = client.type(key)
                if kind == b"list":
                    total += int(client.llen(key))  # type: ignore[arg-type]
                elif kind == b"zset":
                    total += int(client.zcard(key))  # type: ignore[arg-type]
            return total
        finally:
            client.close()

    def kill(self) -> None:
        """kill -9: the server is gone, connections refused until ``start``."""
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(timeout=5)
        self.reaper.procs.remove(self.proc)
        self.proc = None

    def signal(self, sig: int) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, sig)


# ---------------------------------------------------------------------------------------------
# claimdesk


def claimdesk_env(
    reaper: Reaper, *, database_url: str, redis_url: str, name: str
) -> dict[str, str]:
    """The environment of every claimdesk process of one scenario (nothing inherited)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMDESK_")}
    instance = reaper.tmp / f"instance-{name}"
    instance.mkdir(exist_ok=True)
    env.update(
        CLAIMDESK_ENV="production",
        CLAIMDESK_SECRET_KEY="faults-bench-secret-" + name,
        CLAIMDESK_DATABASE_URL=database_url,
        CLAIMDESK_REDIS_URL=redis_url,
        CLAIMDESK_QUEUE_NAME=f"claimdesk-faults-{name}",
        # Jobs a restarted Redis lost are handed over again after this lease (180 s by
        # default): short here so the bench can see them run.
        CLAIMDESK_JOB_LEASE_SECONDS="15",
        CLAIMDESK_INSTANCE_PATH=str(instance),
        CLAIMDESK_LOGIN_LIMIT="100000 per minute",
        CLAIMDESK_FETCH_CONNECT_TIMEOUT="2",
        CLAIMDESK_FETCH_READ_TIMEOUT="2",
        CLAIMDESK_FETCH_TOTAL_TIMEOUT="5",
        PYTHONUNBUFFERED="1",
        PYTHONPATH=str(ROOT),  # the checkout this bench lives in, ahead of any installed copy
    )
    return env


def cli(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    """Run one claimdesk command to completion; its stdout."""
    done = subprocess.run(
        [CLAIMDESK, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise RuntimeError(f"claimdesk {' '.join(args[:2])} failed: {last[:300]}")
    return done.stdout


class Service:
    """``claimdesk serve`` (gunicorn) and ``claimdesk worker`` for one scenario."""

    def __init__(self, reaper: Reaper, env: dict[str, str], name: str, *, workers: int = 3):
        self.reaper = reaper
        self.env = env
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.server = reaper.spawn(
            [
                CLAIMDESK,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(workers),
                "--no-worker",  # the bench runs its own `claimdesk worker`
            ],
            log=f"serve-{name}.log",
            env=env,
        )
        self.worker = reaper.spawn(
            [CLAIMDESK, "worker", "--workers", "2"], log=f"worker-{name}.log", env=env
        )
        wait_until("claimdesk serve", self._up, 90, every=0.3)
        wait_until("gunicorn workers", lambda: len(self.web_workers()) >= workers, 30)

    def _up(self) -> bool:
        if self.server.poll() is not None:
            raise SystemExit(f"claimdesk serve exited with {self.server.returncode}; see logs")
        with urllib.request.urlopen(self.base + "/healthz", timeout=3) as r:
            return bool(r.status == 200)

    def web_workers(self) -> list[int]:
        """The gunicorn worker pids (children of the ``claimdesk serve`` master)."""
        return children(self.server.pid)

    def close(self) -> None:
        for proc in (self.worker, self.server):
            self.reaper.stop(proc)


def get_json(url: str, timeout: float = 5) -> tuple[int, Any]:
    """GET a JSON document: (status, parsed body or None)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as exc:
        body = exc.read()
        with contextlib.suppress(ValueError):
            return exc.code, json.loads(body)
        return exc.code, None
