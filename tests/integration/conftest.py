"""Factories and helpers for the API's integration tests.

Factories create records through the ledger's services, as a program would, then commit: the
test's outer transaction is still rolled back at its end. Each factory returns a callable so a
test says only what matters to it (``make_claim(text=...)``).
"""

from __future__ import annotations

import html
import ipaddress
import re
import socket
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

import pytest
from flask.testing import FlaskClient
from pytest_httpserver import HTTPServer
from sqlalchemy import Connection, func, select
from sqlmodel import Session, SQLModel
from werkzeug import Response
from werkzeug.test import TestResponse

from claims.models import Claim, Claimant, Evidence, Relation, Verdict
from claims.policy import Actor, Role
from claims.schemas import (
    ClaimantCreate,
    ClaimCreate,
    EvidenceCreate,
    RelationCreate,
    VerdictCreate,
)
from claims.services import claimants, evidence, ledger, relations, verdicts
from service.accounts import User, UserCreate, create_user
from service.demo import article_text, load_demo
from service.settings import Settings
from sources import ssrf
from sources.models import Source, SourceCreate
from sources.service import create_source
from sources.ssrf import IPAddress

API = "/api/v1"
LOOPBACK = ipaddress.ip_address("127.0.0.1")
# Old numeric spellings of an IPv4 address (2130706433, 127.1, 0x7f000001): the C resolver
# decodes them itself, without asking DNS.
NUMERIC_IPV4 = re.compile(r"(?:0x[0-9a-f]+|[0-9]+)(?:\.(?:0x[0-9a-f]+|[0-9]+)){0,3}", re.I)
PROBLEM_KEYS = {"type", "title", "status", "detail"}
# The ledger's tables: a failed write must leave every one of them as it was.
LEDGER_TABLES = (
    "claim",
    "claim_tag",
    "claimant",
    "claimant_alias",
    "publisher",
    "source",
    "source_cite",
    "evidence",
    "relation",
    "verdict",
    "revision",
)


@pytest.fixture
def make_claimant(session: Session, editor: Actor) -> Callable[..., Claimant]:
    """``make_claimant(name=..., aliases=[...], homonym=False)`` -> a committed Claimant."""

    def make(
        name: str = "Ada Example",
        *,
        aliases: Sequence[str] = (),
        kind: str = "person",
        homonym: bool = False,
    ) -> Claimant:
        claimant = claimants.create_claimant(
            session=session,
            claimant_in=ClaimantCreate(
                name=name, aliases=list(aliases), kind=kind, homonym=homonym
            ),
            actor=editor,
        )
        session.commit()
        return claimant

    return make


@pytest.fixture
def make_source(session: Session, editor: Actor) -> Callable[..., Source]:
    """``make_source(url=..., kind=..., cites=[...])`` -> a committed Source."""

    def make(
        url: str = "https://news.example/story",
        *,
        kind: str = "secondary",
        cites: Sequence[int] = (),
        title: str | None = None,
    ) -> Source:
        source, _ = create_source(
            session=session,
            source_in=SourceCreate(url=url, kind=kind, cites=list(cites), title=title),
            actor_name=editor.name,
        )
        session.commit()
        return source

    return make


@pytest.fixture
def make_claim(session: Session, editor: Actor) -> Callable[..., Claim]:
    """``make_claim(text=...)`` -> a committed Claim (near-duplicates allowed)."""

    def make(
        text: str = "The river rose three metres overnight.",
        *,
        claimant_id: int | None = None,
        claimant_name: str | None = None,
        language: str = "und",
        tags: Sequence[str] = (),
        said_on: str | None = None,
        updated_at: datetime | None = None,
    ) -> Claim:
        claim = ledger.create_claim(
            session=session,
            claim_in=ClaimCreate(
                text=text,
                claimant_id=claimant_id,
                claimant_name=claimant_name,
                language=language,
                tags=list(tags),
                said_on=said_on,
            ),
            actor=editor,
            allow_duplicate=True,
        )
        if updated_at is not None:
            claim.updated_at = updated_at
            session.add(claim)
        session.commit()
        return claim

    return make


@pytest.fixture
def make_evidence(session: Session, editor: Actor) -> Callable[..., Evidence]:
    """``make_evidence(claim, source, stance=...)`` -> committed Evidence (claim rescored)."""

    def make(
        claim: Claim, source: Source, *, stance: str = "supports", quote: str = "as quoted"
    ) -> Evidence:
        assert claim.id is not None and source.id is not None
        item = evidence.add_evidence(
            session=session,
            claim_id=claim.id,
            evidence_in=EvidenceCreate(source_id=source.id, stance=stance, quote=quote),
            actor=editor,
        )
        session.commit()
        return item

    return make


@pytest.fixture
def make_relation(session: Session, editor: Actor) -> Callable[..., Relation]:
    """``make_relation(subject, "rebuts", object)`` -> a committed Relation."""

    def make(subject: Claim, kind: str, obj: Claim, *, first_hand: bool = False) -> Relation:
        assert subject.id is not None and obj.id is not None
        relation = relations.add_relation(
            session=session,
            claim_id=subject.id,
            relation_in=RelationCreate(kind=kind, object_id=obj.id, first_hand=first_hand),
            actor=editor,
        )
        session.commit()
        return relation

    return make


@pytest.fixture
def make_verdict(session: Session, editor: Actor) -> Callable[..., Verdict]:
    """``make_verdict(claim, rating=...)`` -> a committed Verdict."""

    def make(claim: Claim, *, rating: str = "mixed", rationale: str = "Because.") -> Verdict:
        assert claim.id is not None
        verdict = verdicts.add_verdict(
            session=session,
            claim_id=claim.id,
            verdict_in=VerdictCreate(rating=rating, rationale=rationale),
            actor=editor,
        )
        session.commit()
        return verdict

    return make


@pytest.fixture
def demo(session: Session) -> Callable[[], str]:
    """``demo()`` loads the worked example through the services and commits."""

    def load() -> str:
        report = load_demo(session=session)
        session.commit()
        return report

    return load


@pytest.fixture
def table_counts(connection: Connection) -> Callable[..., dict[str, int]]:
    """``table_counts()`` -> rows per ledger table; ``table_counts(every=True)``: every table."""

    def count(*, every: bool = False) -> dict[str, int]:
        tables = [t.name for t in SQLModel.metadata.sorted_tables] if every else list(LEDGER_TABLES)
        return {
            name: connection.execute(
                select(func.count()).select_from(SQLModel.metadata.tables[name])
            ).scalar_one()
            for name in tables
        }

    return count


@pytest.fixture
def problem() -> Callable[..., dict[str, Any]]:
    """``problem(response, 422)`` checks an RFC 9457 answer and returns its body."""

    def check(response: TestResponse, status: int) -> dict[str, Any]:
        assert response.status_code == status, response.get_data(as_text=True)
        assert response.mimetype == "application/problem+json"
        assert response.headers.get("Access-Control-Allow-Origin") == "*"
        body: dict[str, Any] = response.get_json()
        assert set(body) >= PROBLEM_KEYS, body
        assert body["status"] == status
        assert re.fullmatch(r"https?://[^/]+/problems/[a-z-]+", body["type"]), body["type"]
        assert body["title"] and body["detail"]
        return body

    return check


@pytest.fixture
def post_claim(client: FlaskClient, auth: Callable[..., dict[str, str]]) -> Callable[..., Any]:
    """``post_claim({"text": ...}, role="contributor")`` -> the API's response."""

    def post(body: dict[str, Any], *, role: str = "contributor", **params: str) -> TestResponse:
        return client.post(f"{API}/claims", json=body, headers=auth(role), query_string=params)

    return post


# ---- the web interface ----------------------------------------------------------------

CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "correct horse battery"


class WebClient:
    """A person's browser over Flask's test client: cookies, CSRF tokens from the pages."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self._token: str | None = None

    def token(self) -> str:
        """The CSRF token of this browser session, read from a form as a browser would."""
        if self._token is None:
            page = self.client.get("/login").get_data(as_text=True)
            found = CSRF_INPUT.search(page)
            assert found, "no CSRF token on the sign-in page"
            self._token = found.group(1)
        return self._token

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.client.get(path, **kwargs)

    def post(
        self, path: str, data: dict[str, Any] | None = None, *, csrf: bool = True, **kwargs: Any
    ) -> TestResponse:
        form = dict(data or {})
        if csrf:
            form["csrf_token"] = self.token()
        return self.client.post(path, data=form, **kwargs)

    def login(self, username: str, password: str = PASSWORD) -> TestResponse:
        response = self.post("/login", {"username": username, "password": password})
        assert response.status_code == 303, response.get_data(as_text=True)
        self._token = None  # signing in starts a new session, with a new token
        return response

    def hidden(self, path: str, name: str) -> str:
        """The value of the hidden field ``name`` on the form at ``path``, as sent back."""
        found = re.search(rf'type="hidden" name="{name}" value="([^"]*)"', self.text(path))
        assert found, f"no hidden {name} on {path}"
        return html.unescape(found.group(1))

    def text(self, path: str, **kwargs: Any) -> str:
        response = self.client.get(path, **kwargs)
        assert response.status_code == 200, (path, response.status_code)
        return response.get_data(as_text=True)


@pytest.fixture
def make_user(session: Session) -> Callable[..., User]:
    """``make_user("ed", role="editor")`` -> a committed account with password PASSWORD."""

    def make(username: str = "casey", *, role: str = "contributor") -> User:
        user = create_user(
            session=session,
            user_in=UserCreate(username=username, password=PASSWORD, role=Role(role)),
        )
        session.commit()
        return user

    return make


@pytest.fixture
def web(client: FlaskClient) -> WebClient:
    """An anonymous visitor's browser."""
    return WebClient(client)


@pytest.fixture
def signed_in(app: Any, make_user: Callable[..., User]) -> Callable[..., WebClient]:
    """``signed_in("editor")`` -> a browser signed in as a new account with that role."""

    def make(role: str = "contributor", username: str | None = None) -> WebClient:
        make_user(username or role, role=role)
        browser = WebClient(app.test_client())
        browser.login(username or role)
        return browser

    return make


@pytest.fixture
def password() -> str:
    """The password every ``make_user`` account has."""
    return PASSWORD


@pytest.fixture
def browser_on() -> Callable[[FlaskClient], WebClient]:
    """``browser_on(app.test_client(...))`` -> a WebClient over that client."""
    return WebClient


# ---- the network: loopback only ---------------------------------------------------------------


@pytest.fixture(autouse=True)
def no_outside_network(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Record every connection; fail on one to a non-loopback address or a real DNS query.

    Autouse for every integration test: jobs run at once in tests, so recording a source
    fetches its page, and a name other than "localhost" must never reach a real resolver (it
    fails as unresolvable instead, and the source is recorded as dead).
    """
    import urllib3.util.connection as connection

    dialled: list[tuple[str, int]] = []
    real_connect = connection.create_connection
    real_getaddrinfo = socket.getaddrinfo

    def guarded_connect(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        host, port = address
        if not ipaddress.ip_address(host.strip("[]")).is_loopback:
            pytest.fail(f"the fetcher tried to connect to {host}:{port}")
        dialled.append((host, port))
        return real_connect(address, *args, **kwargs)

    def guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            ipaddress.ip_address(str(host).strip("[]"))
        except ValueError:
            if host != "localhost" and not NUMERIC_IPV4.fullmatch(str(host)):
                raise socket.gaierror(socket.EAI_NONAME, f"no DNS in tests: {host}") from None
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(connection, "create_connection", guarded_connect)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
    return dialled


@pytest.fixture
def loopback_counts_as_public(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the guard ON, pretend 127.0.0.1 (our test server) is a public address, so that a
    first hop can reach it and what happens next is judged by the real rules."""
    real = ssrf.why_blocked

    def why_blocked(address: IPAddress, *, allow_private: bool = False) -> str | None:
        return None if address == LOOPBACK else real(address, allow_private=allow_private)

    monkeypatch.setattr(ssrf, "why_blocked", why_blocked)


@pytest.fixture(scope="session")
def local_web() -> Iterator[HTTPServer]:
    """A web server on 127.0.0.1 that plays the web for the whole run."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)  # a slow page blocks no other
    server.start()
    yield server
    server.stop()


@pytest.fixture
def server(local_web: HTTPServer) -> Iterator[HTTPServer]:
    """The local web server with no page yet; what a test serves is gone after it."""
    local_web.clear()
    yield local_web
    local_web.clear()


@pytest.fixture
def article_html() -> bytes:
    """The seed article as a publisher would serve it: typographic apostrophes, non-breaking
    spaces inside « », a menu around the article, a title and an author in the head."""
    paragraphs = [p for p in article_text().split("\n\n") if p.strip()]
    body = "".join(
        "<p>" + html.escape(p, quote=False).replace("'", "’").replace("« ", "«&nbsp;") + "</p>"
        for p in paragraphs[1:]
    )
    return (
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">'
        f"<title>{html.escape(paragraphs[0])}</title>"
        '<meta name="author" content="Fan Shi"></head><body><nav>Accueil</nav>'
        f"<article><h1>{html.escape(paragraphs[0])}</h1>{body}</article></body></html>"
    ).encode()


@pytest.fixture
def loopback_settings(tmp_path: Any) -> Settings:
    """Test settings that let the fetcher reach the local web server (``fetch_allow_private``,
    test-only). A module that fetches from ``server`` overrides ``settings`` with these. The
    timeouts leave room for a busy machine; a test about slowness shortens them itself."""
    return Settings(
        env="test",
        secret_key="test-secret-key-0123456789",
        instance_path=tmp_path,
        jobs_immediate=True,
        fetch_allow_private=True,
        fetch_connect_timeout=5,
        fetch_read_timeout=5,
        fetch_total_timeout=20,
    )


class Site:
    """Pages on the local server that a test can edit, break or restore between fetches."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.pages: dict[str, tuple[bytes | str, str, int, float]] = {}

    def serve(
        self,
        path: str,
        body: bytes | str,
        content_type: str = "text/html",
        status: int = 200,
        delay: float = 0.0,
    ) -> str:
        """Serve ``body`` at ``path`` from now on (after ``delay`` seconds); the page's URL."""
        if path not in self.pages:
            self.server.expect_request(path).respond_with_handler(
                lambda request, at=path: self._answer(at)
            )
        self.pages[path] = (body, content_type, status, delay)
        return self.server.url_for(path)

    def _answer(self, path: str) -> Response:
        body, content_type, status, delay = self.pages[path]
        time.sleep(delay)
        return Response(body, status=status, content_type=content_type)


@pytest.fixture
def site(server: HTTPServer) -> Site:
    """``site.serve("/a", html)`` -> the URL of a page a test may change later."""
    return Site(server)
