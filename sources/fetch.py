"""The one outbound HTTP client: every page claimdesk reads from the web comes through here.

A page is fetched on behalf of whoever filed its URL, so the client assumes the URL is hostile:

- every hop (the first request and each redirect, at most ``max_redirects``) goes through
  ``PinnedAddressAdapter``: resolved once, refused if any address is not public unless the
  policy says ``allow_private`` (tests, on loopback), then dialled at the checked address;
  redirects are followed here, by hand, so that each ``Location`` is judged like the first URL;
- connect and read timeouts bound each socket operation, and ``total_timeout`` bounds the whole
  fetch, because a server that sends one byte per read timeout would otherwise never end;
- the body is streamed and reading stops past ``max_bytes`` (counted after decompression, so a
  gzip bomb stops at the cap too); a declared ``Content-Length`` over the cap is refused
  without reading;
- only the accepted media types are read (HTML and plain text by default), others are refused
  from their headers;
- 5xx answers and timeouts are retried a bounded number of times with exponential backoff;
  nothing else is, since a 404 or a refused address will not change in a second.

Every failure is one ``FetchError`` with the URL, stage, reason code and status, and no
``requests`` exception escapes; the caller records ``reason``. Environment proxies and
``.netrc`` are ignored (``trust_env = False``): a proxy would resolve names itself and undo the
address pin. Each fetch uses a fresh session, so no cookie set by one site reaches another.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final, Literal, NoReturn
from urllib.parse import urljoin, urlsplit

import requests
from urllib3.exceptions import ReadTimeoutError

from sources.errors import FetchError
from sources.ssrf import (
    AddressBlocked,
    HostUnresolvable,
    PinnedAddressAdapter,
    PrivateAllowlist,
    Resolver,
)
from sources.ssrf import resolve_host as _resolve_host

__all__ = [
    "HTML_AND_TEXT",
    "REASONS",
    "STAGES",
    "USER_AGENT",
    "FetchPolicy",
    "Fetched",
    "Fetcher",
    "fetch",
]

Stage = Literal["resolve", "connect", "redirect", "read", "status", "type"]
STAGES: Final = ("resolve", "connect", "redirect", "read", "status", "type")
REASONS: Final = (
    "invalid_url",  # not an http(s) URL with a host
    "unreachable",  # no address, connection refused or broken
    "blocked",  # the address is not public (SSRF guard)
    "tls_error",  # certificate or TLS handshake failure
    "timeout",  # connect, read or total time exceeded (after retries)
    "too_many_redirects",
    "bad_redirect",  # a redirect without Location, or to a non-http(s) URL
    "too_large",  # the body exceeds max_bytes
    "unsupported_type",  # not one of accepted_types
    "http_404",
    "http_410",
    "http_4xx",  # any other client error (status says which)
    "http_5xx",  # after retries (status says which)
    "unexpected_status",  # 1xx or a 3xx that is not a redirect
)
USER_AGENT: Final = "claimdesk/0.1 (fact-checking; keeps a snapshot of cited pages)"
HTML_AND_TEXT: Final = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
_ACCEPT: Final = "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8,*/*;q=0.1"
_REDIRECTS: Final = frozenset({301, 302, 303, 307, 308})
_HEADERS_OF_INTEREST: Final = ("content-type", "etag", "last-modified", "content-language")
_CHUNK: Final = 64 * 1024
_MAX_BACKOFF: Final = 10.0


@dataclass(frozen=True, kw_only=True)
class FetchPolicy:
    """The limits of one fetch; the defaults are the production ones."""

    connect_timeout: float = 5.0
    read_timeout: float = 15.0  # per socket read, not for the whole body
    total_timeout: float = 60.0  # the whole fetch, retries and redirects included
    max_bytes: int = 5 * 1024 * 1024
    max_redirects: int = 5
    retries: int = 2  # extra attempts on 5xx or timeout
    backoff: float = 0.5  # seconds before the first retry, doubled after each
    user_agent: str = USER_AGENT
    accepted_types: frozenset[str] = HTML_AND_TEXT
    allow_private: bool = False  # only tests turn this on, to fetch from loopback
    private_allowlist: PrivateAllowlist = field(default_factory=PrivateAllowlist)  # operator's
    ca_bundle: str | None = None  # a CA file instead of certifi's (tests, private CAs)


@dataclass(frozen=True)
class Fetched:
    """A successful fetch: what a snapshot records about the answer."""

    final_url: str
    status: int
    headers_of_interest: Mapping[str, str]  # lower-case names: content-type, etag, ...
    body: bytes
    sha256: str  # hex digest of body, the snapshot's identity
    fetched_at: datetime  # timezone-aware, UTC
    encoding: str | None  # charset declared by the Content-Type header, if any
    media_type: str  # "text/html", "text/plain"... (sniffed when the server sent none)


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Fetcher:
    """Fetches pages under a policy; resolver, sleep and clock are injectable for tests."""

    policy: FetchPolicy = field(default_factory=FetchPolicy)
    resolver: Resolver = _resolve_host
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], datetime] = _now

    def fetch(self, url: str) -> Fetched:
        """GET an http(s) URL under the policy; raises FetchError on any failure."""
        deadline = time.monotonic() + self.policy.total_timeout
        _check_url(url, url, stage="resolve")
        with requests.Session() as session:
            session.trust_env = False
            adapter = PinnedAddressAdapter(
                resolver=self.resolver,
                allow_private=self.policy.allow_private,
                allowlist=self.policy.private_allowlist,
            )
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            session.headers.update({"User-Agent": self.policy.user_agent, "Accept": _ACCEPT})
            hop_url = url
            for hop in range(self.policy.max_redirects + 1):
                answer = self._with_retries(session, url, hop_url, hop, deadline)
                if isinstance(answer, Fetched):
                    return answer
                hop_url = answer  # a redirect: judged like the first URL on the next hop
                _check_url(url, hop_url, stage="redirect")
        _fail(url, hop_url, "redirect", "too_many_redirects")

    def _with_retries(
        self, session: requests.Session, url: str, hop_url: str, hop: int, deadline: float
    ) -> Fetched | str:
        """One hop, tried again after a 5xx or a timeout while attempts and time remain."""
        for attempt in range(self.policy.retries + 1):
            try:
                return self._hop(session, url, hop_url, hop, deadline)
            except FetchError as error:
                if error.reason not in ("timeout", "http_5xx") or attempt == self.policy.retries:
                    raise
                pause = min(self.policy.backoff * 2**attempt, _MAX_BACKOFF)
                if time.monotonic() + pause >= deadline:
                    raise
                self.sleep(pause)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _hop(
        self, session: requests.Session, url: str, hop_url: str, hop: int, deadline: float
    ) -> Fetched | str:
        """Send one request and read its answer, or return the URL it redirects to."""
        policy = self.policy
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            _fail(url, hop_url, "read", "timeout", detail="total time exceeded")
        timeout = (min(policy.connect_timeout, remaining), min(policy.read_timeout, remaining))
        try:
            response = session.get(
                hop_url,
                timeout=timeout,
                allow_redirects=False,
                stream=True,
                verify=policy.ca_bundle or True,
            )
        except AddressBlocked as exc:
            _fail(url, hop_url, "redirect" if hop else "resolve", "blocked", detail=str(exc))
        except HostUnresolvable as exc:
            _fail(url, hop_url, "resolve", "unreachable", detail=str(exc))
        except requests.RequestException as exc:
            _fail_from_requests(url, hop_url, exc)
        with response:
            status = response.status_code
            if status in _REDIRECTS:
                location = response.headers.get("Location")
                if not location:
                    _fail(url, hop_url, "redirect", "bad_redirect", status, "no Location")
                return urljoin(hop_url, location.strip())
            if not 200 <= status < 300:
                _fail(url, hop_url, "status", _status_reason(status), status)
            media_type, charset = _parse_content_type(response.headers.get("Content-Type"))
            if media_type and media_type not in policy.accepted_types:
                _fail(url, hop_url, "type", "unsupported_type", status, media_type)
            body = _read_capped(response, url, hop_url, policy.max_bytes, deadline)
            if not media_type:
                media_type = _sniff(body)
                if media_type not in policy.accepted_types:
                    _fail(url, hop_url, "type", "unsupported_type", status, "no Content-Type")
            return Fetched(
                final_url=hop_url,
                status=status,
                headers_of_interest={
                    name: response.headers[name]
                    for name in _HEADERS_OF_INTEREST
                    if name in response.headers
                },
                body=body,
                sha256=hashlib.sha256(body).hexdigest(),
                fetched_at=self.clock(),
                encoding=charset,
                media_type=media_type,
            )


def fetch(url: str, *, policy: FetchPolicy | None = None) -> Fetched:
    """Fetch a URL with the default resolver under a policy (the production defaults if None)."""
    return Fetcher(policy or FetchPolicy()).fetch(url)


def _fail(
    url: str,
    hop_url: str,
    stage: Stage,
    reason: str,
    status: int | None = None,
    detail: str = "",
) -> NoReturn:
    raise FetchError(url, stage=stage, reason=reason, status=status, hop_url=hop_url, detail=detail)


def _check_url(url: str, hop_url: str, *, stage: Stage) -> None:
    """Refuse what is not http(s) with a host before any socket is opened."""
    try:
        parts = urlsplit(hop_url)
        valid = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
        _ = parts.port  # raises ValueError on a port that is not a number in range
    except ValueError:
        valid = False
    if not valid:
        reason = "bad_redirect" if stage == "redirect" else "invalid_url"
        _fail(url, hop_url, stage, reason, detail="only http(s) URLs with a host are fetched")


def _fail_from_requests(url: str, hop_url: str, exc: requests.RequestException) -> NoReturn:
    """Translate what requests raises while connecting or awaiting the answer."""
    if isinstance(exc, requests.ConnectTimeout):
        _fail(url, hop_url, "connect", "timeout", detail=str(exc))
    if isinstance(exc, requests.Timeout):
        _fail(url, hop_url, "read", "timeout", detail=str(exc))
    if isinstance(exc, requests.exceptions.SSLError):
        _fail(url, hop_url, "connect", "tls_error", detail=str(exc))
    if isinstance(exc, requests.ConnectionError):
        _fail(url, hop_url, "connect", "unreachable", detail=str(exc))
    if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema)):
        _fail(url, hop_url, "resolve", "invalid_url", detail=str(exc))
    _fail(url, hop_url, "connect", "unreachable", detail=f"{type(exc).__name__}: {exc}")


def _status_reason(status: int) -> str:
    if status in (404, 410):
        return f"http_{status}"
    if 400 <= status < 500:
        return "http_4xx"
    if 500 <= status < 600:
        return "http_5xx"
    return "unexpected_status"


def _parse_content_type(value: str | None) -> tuple[str, str | None]:
    """("text/html", "utf-8") from 'text/html; charset="UTF-8"'; ("", None) when absent."""
    if not value:
        return "", None
    media_type, *params = value.split(";")
    charset = None
    for param in params:
        name, _, raw = param.partition("=")
        if name.strip().lower() == "charset" and raw.strip().strip("\"'"):
            charset = raw.strip().strip("\"'").lower()
    return media_type.strip().lower(), charset


def _read_capped(
    response: requests.Response, url: str, hop_url: str, cap: int, deadline: float
) -> bytes:
    """The decoded body, refused as soon as it passes the cap or the deadline."""
    status = response.status_code
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > cap:
        _fail(url, hop_url, "read", "too_large", status, f"Content-Length {declared} > {cap}")
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_content(_CHUNK):
            size += len(chunk)
            if size > cap:
                _fail(url, hop_url, "read", "too_large", status, f"more than {cap} bytes")
            if time.monotonic() > deadline:
                _fail(url, hop_url, "read", "timeout", status, "total time exceeded")
            chunks.append(chunk)
    except requests.ConnectionError as exc:
        # iter_content reports a read timeout as a ConnectionError wrapping urllib3's error
        timed_out = any(isinstance(arg, ReadTimeoutError) for arg in exc.args)
        reason = "timeout" if timed_out else "unreachable"
        _fail(url, hop_url, "read", reason, status, str(exc))
    except requests.RequestException as exc:  # ChunkedEncodingError, ContentDecodingError
        _fail(url, hop_url, "read", "unreachable", status, f"{type(exc).__name__}: {exc}")
    return b"".join(chunks)


def _sniff(body: bytes) -> str:
    """A media type for an answer without Content-Type: HTML, text, or unknown."""
    head = body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")):
        return "text/html"
    if not body or b"\x00" in body[:4096]:
        return "application/octet-stream"
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return "application/octet-stream"
    return "text/plain"
