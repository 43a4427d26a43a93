"""The load of bench/faults.py: threads writing and reading over keep-alive HTTP, every answer
recorded with its times, so each can later be placed inside or outside a fault's window and each
acknowledged write looked for in the database.
"""

from __future__ import annotations

import http.client
import json
import random
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

CONN_ERROR = -1  # refused, reset, closed mid-answer
TIMEOUT = -2  # no answer within REQUEST_TIMEOUT_S
REQUEST_TIMEOUT_S = 10.0
CLAIMANTS = ["Ada Fault", "Ben Fault", "Cleo Fault", "Dev Fault"]  # raced by concurrent creates


@dataclass
class Rec:
    """One request and its answer."""

    op: str
    t0: float
    t1: float
    status: int
    key: str = ""  # what identifies the write in the database (claim text, quote, source id)
    retry_after: bool = False
    content_type: str = ""

    @property
    def acked(self) -> bool:
        return 200 <= self.status < 300

    @property
    def failed(self) -> bool:
        return self.status >= 500 or self.status < 0


@dataclass
class Seed:
    """What the load refers to: claims to add evidence to and read, sources to cite."""

    claim_ids: list[int]
    source_ids: list[int]
    token: str


class Client:
    """One keep-alive connection; reconnects after any failure."""

    def __init__(self, port: int, token: str = "") -> None:
        self.port = port
        self.token = token
        self.conn: http.client.HTTPConnection | None = None
        self.cookie = ""  # the last Set-Cookie's name=value (the sign-in form's session)

    def request(
        self,
        op: str,
        method: str,
        path: str,
        body: Any = None,
        *,
        key: str = "",
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
    ) -> tuple[Rec, bytes]:
        hdrs = dict(headers or {})
        payload = raw
        if body is not None:
            payload = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        if self.token and path.startswith("/api/") and method != "GET":
            hdrs["Authorization"] = f"Bearer {self.token}"
        t0 = time.monotonic()
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=REQUEST_TIMEOUT_S
                )
            self.conn.request(method, path, body=payload, headers=hdrs)
            resp = self.conn.getresponse()
            data = resp.read()
            rec = Rec(
                op,
                t0,
                time.monotonic(),
                resp.status,
                key,
                retry_after=resp.getheader("Retry-After") is not None,
                content_type=resp.getheader("Content-Type", ""),
            )
            if resp.getheader("Set-Cookie"):
                self.cookie = resp.getheader("Set-Cookie", "").split(";", 1)[0]
            if resp.getheader("Connection", "").lower() == "close":
                self.close()
            return rec, data
        except TimeoutError:
            self.close()
            return Rec(op, t0, time.monotonic(), TIMEOUT, key), b""
        except (OSError, http.client.HTTPException):
            self.close()
            return Rec(op, t0, time.monotonic(), CONN_ERROR, key), b""

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


@dataclass
class Load:
    """Mixed writers and readers against one claimdesk until ``stop()``."""

    port: int
    seed: Seed
    scenario: str
    threads: int = 6
    recs: list[Rec] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _running: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        for n in range(self.threads):
            t = threading.Thread(target=self._run, args=(n,), daemon=True)
            t.start()
            self._running.append(t)
        t = threading.Thread(target=self._login_probe, daemon=True)
        t.start()
        self._running.append(t)

    def stop(self) -> list[Rec]:
        self._stop.set()
        for t in self._running:
            t.join(timeout=REQUEST_TIMEOUT_S + 5)
        return self.recs

    def _keep(self, rec: Rec) -> None:
        with self._lock:
            self.recs.append(rec)

    def _run(self, n: int) -> None:
        rng = random.Random(n)
        client = Client(self.port, self.seed.token)
        ops = [self._create_claim] * 30 + [self._add_evidence] * 15 + [self._create_source] * 10
        ops += [self._read] * 45
        while not self._stop.is_set():
            self._keep(rng.choice(ops)(client, rng))
        client.close()

    def _create_claim(self, client: Client, rng: random.Random) -> Rec:
        marker = f"faults-{self.scenario}-{uuid.uuid4().hex}"
        text = f"The council said figure {rng.randint(1, 10**6)} rose ({marker})"
        body = {
            "text": text,
            "language": "en",
            "claimant_name": rng.choice(CLAIMANTS),
            "tags": ["faults"],
        }
        rec, _ = client.request(
            "create_claim", "POST", "/api/v1/claims?distinct=true", body, key=text
        )
        return rec

    def _add_evidence(self, client: Client, rng: random.Random) -> Rec:
        claim_id = rng.choice(self.seed.claim_ids)
        quote = f"faults-{self.scenario}-{uuid.uuid4().hex} the figure did rise"
        body = {
            "source_id": rng.choice(self.seed.source_ids),
            "stance": rng.choice(["supports", "refutes", "mentions"]),
            "quote": quote,
        }
        rec, _ = client.request(
            "add_evidence", "POST", f"/api/v1/claims/{claim_id}/evidence", body, key=quote
        )
        return rec

    def _create_source(self, client: Client, rng: random.Random) -> Rec:
        return create_source(client, self.scenario)

    def _read(self, client: Client, rng: random.Random) -> Rec:
        claim_id = rng.choice(self.seed.claim_ids)
        path, op = rng.choice(
            [
                (f"/api/v1/claims/{claim_id}", "read_claim"),
                ("/api/v1/claims?limit=20", "list_claims"),
                (f"/api/v1/sources/{rng.choice(self.seed.source_ids)}", "read_source"),
                (f"/claims/{claim_id}", "page_claim"),
                ("/healthz", "healthz"),
            ]
        )
        rec, _ = client.request(op, "GET", path)
        return rec

    def _login_probe(self) -> None:
        """A failed sign-in every half second: the one anonymous action counted in Redis."""
        client = Client(self.port)
        while not self._stop.wait(0.5):
            rec, page = client.request("login_form", "GET", "/login")
            self._keep(rec)
            if not rec.acked:
                continue
            token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)
            csrf = token.group(1).decode() if token else ""
            form = f"username=nobody&password=wrong-password&csrf_token={csrf}"
            rec, _ = client.request(
                "login",
                "POST",
                "/login",
                raw=form.encode(),
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": client.cookie,
                },
            )
            self._keep(rec)
        client.close()


def create_source(client: Client, scenario: str) -> Rec:
    """POST a new source (its fetch is a job); the record's key is the new source's id."""
    url = f"https://s{uuid.uuid4().hex[:16]}.example/{scenario}/story"
    rec, data = client.request("create_source", "POST", "/api/v1/sources", {"url": url})
    if rec.acked:
        rec.key = str(json.loads(data)["id"])
    return rec
