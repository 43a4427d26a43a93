"""The outbound HTTP client against a local web server: limits, SSRF guard and every failure.

Only loopback is ever dialled. ``no_outside_network`` (autouse, in conftest.py) fails any test
whose code tries to connect anywhere but 127.0.0.0/8 or ::1, or to look up a name other than
"localhost", so a bug in the guard is a failing test, never a packet to a private or public
address. Host names
that must resolve elsewhere are faked with the fetcher's injectable resolver (or, for the
default resolver, a patched ``socket.getaddrinfo``) and refused before any socket is opened.
"""

from __future__ import annotations

import gzip
import hashlib
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC
from typing import Any

import pytest
import trustme
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from service.demo import EVIDENCE
from sources.errors import FetchError
from sources.extract import extract
from sources.fetch import USER_AGENT, Fetcher, FetchPolicy, fetch
from sources.quotes import AnchorState, anchor_quote
from sources.ssrf import IPAddress

LOOPBACK = ipaddress.ip_address("127.0.0.1")
MB = 1024 * 1024
# Tiny limits keep the failure tests fast; retries are explicit where a test is about them.
FAST = FetchPolicy(
    allow_private=True, connect_timeout=1.0, read_timeout=1.0, total_timeout=5.0, backoff=0
)


def resolver_for(table: Mapping[str, Sequence[str]]) -> Callable[[str, int], list[IPAddress]]:
    """A fake DNS: names in the table answer its addresses, others do not resolve."""

    def resolve(host: str, port: int) -> list[IPAddress]:
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, f"unknown host {host}")
        return [ipaddress.ip_address(a) for a in table[host]]

    return resolve


def no_resolver(host: str, port: int) -> list[IPAddress]:
    pytest.fail(f"{host} was looked up, though a literal address needs no lookup")


def hits(server: HTTPServer, path: str) -> int:
    """Requests the server answered on a path (a late answer from a test before may be logged)."""
    return sum(1 for request, _ in server.log if request.path == path)


def fail(fetcher: Fetcher, url: str) -> FetchError:
    with pytest.raises(FetchError) as caught:
        fetcher.fetch(url)
    return caught.value


# --- success -------------------------------------------------------------------------------


def test_the_seed_article_is_fetched_as_html_and_every_demo_quote_anchors_in_it(
    server: HTTPServer, article_html: bytes
) -> None:
    page = article_html
    server.expect_request("/article", headers={"User-Agent": USER_AGENT}).respond_with_data(
        page,
        content_type="text/html; charset=UTF-8",
        headers={
            "ETag": '"v1"',
            "Last-Modified": "Tue, 01 Jul 2025 08:00:00 GMT",
            "Content-Language": "fr",
            "X-Other": "ignored",
        },
    )
    fetched = Fetcher(FAST).fetch(server.url_for("/article"))
    assert fetched.status == 200
    assert fetched.final_url == server.url_for("/article")
    assert fetched.body == page
    assert fetched.sha256 == hashlib.sha256(page).hexdigest()
    assert fetched.encoding == "utf-8" and fetched.media_type == "text/html"
    assert fetched.fetched_at.tzinfo is UTC
    assert dict(fetched.headers_of_interest) == {
        "content-type": "text/html; charset=UTF-8",
        "etag": '"v1"',
        "last-modified": "Tue, 01 Jul 2025 08:00:00 GMT",
        "content-language": "fr",
    }
    extracted = extract(fetched.body, media_type=fetched.media_type, encoding=fetched.encoding)
    assert extracted.author == "Fan Shi"
    for _, source, _, quote, _ in EVIDENCE:
        if source == "ifanr":
            assert anchor_quote(quote, extracted.text).state is AnchorState.anchored, quote


def test_the_same_page_fetched_twice_has_the_same_hash(server: HTTPServer) -> None:
    server.expect_request("/same").respond_with_data("<p>stable</p>", content_type="text/html")
    first, second = (Fetcher(FAST).fetch(server.url_for("/same")) for _ in range(2))
    assert first.sha256 == second.sha256


def test_plain_text_is_accepted_with_its_charset(server: HTTPServer) -> None:
    server.expect_request("/note.txt").respond_with_data(
        "déjà vu".encode("latin-1"), content_type="text/plain; charset=ISO-8859-1"
    )
    fetched = fetch(server.url_for("/note.txt"), policy=FAST)
    assert (fetched.media_type, fetched.encoding) == ("text/plain", "iso-8859-1")
    assert extract(fetched.body, media_type="text/plain", encoding=fetched.encoding).text == (
        "déjà vu"
    )


def test_an_answer_without_content_type_is_sniffed(server: HTTPServer) -> None:
    server.expect_request("/bare").respond_with_response(
        Response(b"<!DOCTYPE html><p>hi</p>", headers={"Content-Type": ""})
    )
    server.expect_request("/blob").respond_with_response(
        Response(b"\x89PNG\r\n\x1a\n\x00\x00", headers={"Content-Type": ""})
    )
    assert Fetcher(FAST).fetch(server.url_for("/bare")).media_type == "text/html"
    error = fail(Fetcher(FAST), server.url_for("/blob"))
    assert (error.stage, error.reason) == ("type", "unsupported_type")


def test_a_host_name_is_dialled_at_its_checked_address_with_its_name_in_host(
    server: HTTPServer, no_outside_network: list[tuple[str, int]]
) -> None:
    port = server.port
    server.expect_request("/p", headers={"Host": f"news.example:{port}"}).respond_with_data(
        "<p>pinned</p>", content_type="text/html"
    )
    calls: list[str] = []
    fake = resolver_for({"news.example": ["127.0.0.1"]})

    def counting(host: str, port: int) -> list[IPAddress]:
        calls.append(host)
        return fake(host, port)

    fetched = Fetcher(FAST, resolver=counting).fetch(f"http://news.example:{port}/p")
    assert fetched.body == b"<p>pinned</p>"
    assert calls == ["news.example"]  # one lookup, and the socket went where it said
    assert no_outside_network == [("127.0.0.1", port)]


def test_environment_proxies_are_ignored(
    server: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.9:9")
    monkeypatch.setenv("http_proxy", "http://127.0.0.9:9")
    server.expect_request("/direct").respond_with_data("<p>direct</p>", content_type="text/html")
    assert Fetcher(FAST).fetch(server.url_for("/direct")).body == b"<p>direct</p>"


def test_up_to_five_redirects_are_followed(server: HTTPServer) -> None:
    for hop in range(5):
        server.expect_request(f"/r{hop}").respond_with_data(
            "", status=302, headers={"Location": f"/r{hop + 1}"}
        )
    server.expect_request("/r5").respond_with_data("<p>end</p>", content_type="text/html")
    fetched = Fetcher(FAST).fetch(server.url_for("/r0"))
    assert fetched.final_url == server.url_for("/r5")


# --- SSRF guard ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/",
        "http://192.168.1.1/admin",
        "http://172.16.5.4/",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/",
        "http://0.0.0.0/",
        "http://127.0.0.1/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://[fd00::1]/",
        "http://[fe80::1]/",
        "http://[64:ff9b::a9fe:a9fe]/",
        "https://192.168.0.10/",
    ],
)
def test_a_literal_private_address_is_blocked_without_any_connection_attempt(
    url: str, no_outside_network: list[tuple[str, int]]
) -> None:
    error = fail(Fetcher(FetchPolicy(), resolver=no_resolver), url)
    assert (error.stage, error.reason, error.status) == ("resolve", "blocked", None)
    assert no_outside_network == []


def test_a_name_that_resolves_to_a_private_address_is_blocked_before_connecting(
    no_outside_network: list[tuple[str, int]],
) -> None:
    fetcher = Fetcher(FetchPolicy(), resolver=resolver_for({"intranet.example": ["10.1.2.3"]}))
    error = fail(fetcher, "http://intranet.example/")
    assert (error.stage, error.reason) == ("resolve", "blocked")
    assert "10.1.2.3" in str(error)
    assert no_outside_network == []


def test_one_private_answer_among_public_ones_blocks_the_host(
    no_outside_network: list[tuple[str, int]],
) -> None:
    table = {"mixed.example": ["1.1.1.1", "2606:4700::1111", "192.168.0.7"]}
    error = fail(Fetcher(FetchPolicy(), resolver=resolver_for(table)), "https://mixed.example/")
    assert error.reason == "blocked" and "192.168.0.7" in str(error)
    assert no_outside_network == []


def test_the_default_resolver_is_checked_too(
    monkeypatch: pytest.MonkeyPatch, no_outside_network: list[tuple[str, int]]
) -> None:
    def getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        assert host == "printer.example"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("192.168.1.20", port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    error = fail(Fetcher(FetchPolicy()), "http://printer.example/")
    assert (error.stage, error.reason) == ("resolve", "blocked")
    assert no_outside_network == []


@pytest.mark.parametrize("host", ["2130706433", "127.1", "0x7f000001", "017700000001"])
def test_numeric_spellings_of_loopback_are_decoded_by_the_resolver_and_blocked(
    host: str, no_outside_network: list[tuple[str, int]]
) -> None:
    error = fail(Fetcher(FetchPolicy()), f"http://{host}/")
    assert (error.stage, error.reason) == ("resolve", "blocked")
    assert "127.0.0.1" in str(error) and no_outside_network == []


def test_loopback_is_blocked_by_default_and_allowed_only_by_allow_private(
    server: HTTPServer,
) -> None:
    server.expect_request("/local").respond_with_data("<p>local</p>", content_type="text/html")
    error = fail(Fetcher(FetchPolicy()), server.url_for("/local"))
    assert error.reason == "blocked"
    assert Fetcher(FAST).fetch(server.url_for("/local")).status == 200


@pytest.mark.usefixtures("loopback_counts_as_public")
@pytest.mark.parametrize(
    "target",
    ["http://127.0.0.2:{port}/admin", "http://[::1]:{port}/", "http://[::ffff:127.0.0.3]/"],
)
def test_a_redirect_to_a_loopback_address_is_refused_with_the_guard_on(
    server: HTTPServer, no_outside_network: list[tuple[str, int]], target: str
) -> None:
    location = target.format(port=server.port)
    server.expect_request("/go").respond_with_data("", status=302, headers={"Location": location})
    error = fail(Fetcher(FetchPolicy(backoff=0)), server.url_for("/go"))
    assert (error.stage, error.reason) == ("redirect", "blocked")
    assert error.url == server.url_for("/go") and error.hop_url == location
    assert no_outside_network == [("127.0.0.1", server.port)]  # the first hop only


def test_a_redirect_to_loopback_is_followed_when_private_addresses_are_allowed(
    server: HTTPServer,
) -> None:
    server.expect_request("/go").respond_with_data(
        "", status=301, headers={"Location": f"http://127.0.0.1:{server.port}/final"}
    )
    server.expect_request("/final").respond_with_data("<p>final</p>", content_type="text/html")
    assert Fetcher(FAST).fetch(server.url_for("/go")).final_url.endswith("/final")


@pytest.mark.usefixtures("loopback_counts_as_public")
def test_a_name_that_rebinds_to_a_private_address_is_caught_on_the_next_hop(
    server: HTTPServer, no_outside_network: list[tuple[str, int]]
) -> None:
    answers = iter([["127.0.0.1"], ["10.0.0.8"]])

    def rebinding(host: str, port: int) -> list[IPAddress]:
        return [ipaddress.ip_address(a) for a in next(answers)]

    port = server.port
    server.expect_request("/a").respond_with_data(
        "", status=302, headers={"Location": f"http://rebind.example:{port}/b"}
    )
    error = fail(Fetcher(FetchPolicy(), resolver=rebinding), f"http://rebind.example:{port}/a")
    assert (error.stage, error.reason) == ("redirect", "blocked")
    assert no_outside_network == [("127.0.0.1", port)]


# --- HTTPS: the pin keeps SNI and the certificate check on the name -------------------------


@pytest.fixture(scope="module")
def tls_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[HTTPServer, str, list[str | None]]]:
    """An HTTPS server whose certificate names news.example, and the SNI names it was sent."""
    ca = trustme.CA()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("news.example").configure_cert(context)
    names: list[str | None] = []

    def record_sni(_socket: ssl.SSLObject, name: str | None, _context: ssl.SSLContext) -> None:
        names.append(name)

    context.sni_callback = record_sni
    server = HTTPServer(host="127.0.0.1", port=0, ssl_context=context)
    server.expect_request("/secure").respond_with_data("<p>secure</p>", content_type="text/html")
    server.start()
    bundle = tmp_path_factory.mktemp("tls") / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    yield server, str(bundle), names
    server.stop()


def test_https_through_the_pin_verifies_the_certificate_for_the_host_name(
    tls_server: tuple[HTTPServer, str, list[str | None]],
) -> None:
    server, bundle, sni_names = tls_server
    policy = FetchPolicy(allow_private=True, ca_bundle=bundle, retries=0)
    resolver = resolver_for({"news.example": ["127.0.0.1"], "other.example": ["127.0.0.1"]})
    fetched = Fetcher(policy, resolver=resolver).fetch(f"https://news.example:{server.port}/secure")
    assert fetched.body == b"<p>secure</p>"
    assert "news.example" in sni_names
    for host in ("other.example", "127.0.0.1"):  # same address, wrong name: refused
        error = fail(Fetcher(policy, resolver=resolver), f"https://{host}:{server.port}/secure")
        assert (error.stage, error.reason) == ("connect", "tls_error")


# --- limits and failures -------------------------------------------------------------------


def test_a_50_mb_body_is_cut_at_the_5_mb_cap(server: HTTPServer) -> None:
    sent: list[int] = []

    def fifty_megabytes() -> Iterator[bytes]:
        for _ in range(50):
            sent.append(MB)
            yield b"x" * MB

    server.expect_request("/huge").respond_with_response(
        Response(fifty_megabytes(), content_type="text/html")
    )
    started = time.monotonic()
    error = fail(Fetcher(FAST), server.url_for("/huge"))
    assert (error.stage, error.reason, error.status) == ("read", "too_large", 200)
    assert time.monotonic() - started < 5
    assert sum(sent) < 50 * MB


def test_a_declared_length_over_the_cap_is_refused_without_reading(server: HTTPServer) -> None:
    sent: list[bytes] = []

    def stream() -> Iterator[bytes]:  # a generator, so werkzeug keeps the declared length
        sent.append(b"x" * 100)
        yield sent[-1]

    server.expect_request("/declared").respond_with_response(
        Response(stream(), content_type="text/html", headers={"Content-Length": str(6 * MB)})
    )
    error = fail(Fetcher(FAST), server.url_for("/declared"))
    assert (error.stage, error.reason) == ("read", "too_large")


def test_a_compressed_body_is_capped_after_decompression(server: HTTPServer) -> None:
    bomb = gzip.compress(b"\0" * (8 * MB))
    server.expect_request("/bomb").respond_with_data(
        bomb, content_type="text/html", headers={"Content-Encoding": "gzip"}
    )
    assert len(bomb) < 100_000
    assert fail(Fetcher(FAST), server.url_for("/bomb")).reason == "too_large"


def test_a_slow_page_times_out(server: HTTPServer) -> None:
    def slow(request: Request) -> Response:
        time.sleep(0.6)
        return Response("<p>late</p>", content_type="text/html")

    server.expect_request("/slow").respond_with_handler(slow)
    policy = FetchPolicy(allow_private=True, read_timeout=0.2, retries=0)
    error = fail(Fetcher(policy), server.url_for("/slow"))
    assert (error.stage, error.reason) == ("read", "timeout")


def test_a_page_that_trickles_past_the_total_time_times_out(server: HTTPServer) -> None:
    def trickle() -> Iterator[bytes]:
        for _ in range(20):
            time.sleep(0.05)
            yield b"<p>.</p>"

    server.expect_request("/trickle").respond_with_response(
        Response(trickle(), content_type="text/html")
    )
    policy = FetchPolicy(allow_private=True, read_timeout=1.0, total_timeout=0.3, retries=0)
    error = fail(Fetcher(policy), server.url_for("/trickle"))
    assert (error.stage, error.reason) == ("read", "timeout")


def test_a_body_that_stalls_mid_way_times_out(server: HTTPServer) -> None:
    def stall() -> Iterator[bytes]:
        yield b"<p>start</p>"
        time.sleep(0.6)
        yield b"<p>end</p>"

    server.expect_request("/stall").respond_with_response(
        Response(stall(), content_type="text/html")
    )
    policy = FetchPolicy(allow_private=True, read_timeout=0.2, retries=0)
    error = fail(Fetcher(policy), server.url_for("/stall"))
    assert (error.stage, error.reason, error.status) == ("read", "timeout", 200)


@pytest.mark.parametrize(
    "content_type", ["application/pdf", "image/png", "application/json", "text/css"]
)
def test_a_non_html_type_is_unsupported(server: HTTPServer, content_type: str) -> None:
    server.expect_request("/file").respond_with_data(b"%PDF-1.7", content_type=content_type)
    error = fail(Fetcher(FAST), server.url_for("/file"))
    assert (error.stage, error.reason, error.status) == ("type", "unsupported_type", 200)
    assert content_type in str(error)


@pytest.mark.parametrize(
    ("status", "reason"),
    [(404, "http_404"), (410, "http_410"), (403, "http_4xx"), (429, "http_4xx")],
)
def test_client_errors_are_recorded_by_status_and_not_retried(
    server: HTTPServer, status: int, reason: str
) -> None:
    server.expect_request("/gone").respond_with_data("no", status=status)
    error = fail(Fetcher(FetchPolicy(allow_private=True, backoff=0)), server.url_for("/gone"))
    assert (error.stage, error.reason, error.status) == ("status", reason, status)
    assert hits(server, "/gone") == 1


def test_a_503_is_retried_with_backoff_then_succeeds(server: HTTPServer) -> None:
    server.expect_oneshot_request("/flaky").respond_with_data("busy", status=503)
    server.expect_oneshot_request("/flaky").respond_with_data("busy", status=503)
    server.expect_oneshot_request("/flaky").respond_with_data("<p>ok</p>", content_type="text/html")
    pauses: list[float] = []
    policy = FetchPolicy(allow_private=True, retries=2, backoff=0.01)
    fetched = Fetcher(policy, sleep=pauses.append).fetch(server.url_for("/flaky"))
    assert fetched.body == b"<p>ok</p>"
    assert pauses == [0.01, 0.02]


def test_a_5xx_that_persists_fails_after_the_retries(server: HTTPServer) -> None:
    server.expect_request("/down").respond_with_data("down", status=502)
    pauses: list[float] = []
    policy = FetchPolicy(allow_private=True, retries=2, backoff=0.01)
    error = fail(Fetcher(policy, sleep=pauses.append), server.url_for("/down"))
    assert (error.stage, error.reason, error.status) == ("status", "http_5xx", 502)
    assert hits(server, "/down") == 3 and len(pauses) == 2


def test_a_timeout_is_retried(server: HTTPServer) -> None:
    calls: list[str] = []

    def slow_once(request: Request) -> Response:
        calls.append(request.path)
        if len(calls) == 1:
            time.sleep(0.5)
        return Response("<p>ok</p>", content_type="text/html")

    server.expect_request("/once").respond_with_handler(slow_once)
    policy = FetchPolicy(allow_private=True, read_timeout=0.2, retries=1, backoff=0)
    assert Fetcher(policy).fetch(server.url_for("/once")).body == b"<p>ok</p>"
    assert len(calls) == 2


def test_too_many_redirects_are_refused(server: HTTPServer) -> None:
    server.expect_request("/loop").respond_with_data("", status=302, headers={"Location": "/loop"})
    error = fail(Fetcher(FAST), server.url_for("/loop"))
    assert (error.stage, error.reason) == ("redirect", "too_many_redirects")
    assert hits(server, "/loop") == 6  # the first request and five redirects


@pytest.mark.parametrize("location", ["file:///etc/passwd", "ftp://files.example/x", None])
def test_a_redirect_nowhere_or_to_another_scheme_is_refused(
    server: HTTPServer, location: str | None
) -> None:
    headers = {"Location": location} if location else {}
    server.expect_request("/odd").respond_with_data("", status=302, headers=headers)
    error = fail(Fetcher(FAST), server.url_for("/odd"))
    assert (error.stage, error.reason) == ("redirect", "bad_redirect")


@pytest.mark.parametrize("url", ["ftp://example.org/", "http:///no-host", "not a url", ""])
def test_what_is_not_an_http_url_is_refused_before_any_lookup(url: str) -> None:
    error = fail(Fetcher(FAST, resolver=no_resolver), url)
    assert (error.stage, error.reason) == ("resolve", "invalid_url")


def test_a_name_that_does_not_resolve_is_unreachable() -> None:
    error = fail(Fetcher(FAST, resolver=resolver_for({})), "http://nowhere.example/")
    assert (error.stage, error.reason) == ("resolve", "unreachable")


def test_a_closed_port_is_unreachable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    error = fail(Fetcher(FAST), f"http://127.0.0.1:{port}/")
    assert (error.stage, error.reason) == ("connect", "unreachable")


HOSTILE_PAGES = {
    "unclosed": b"<html><body><p>Bonjour <b>le <i>monde <table><tr><td>cellule",
    "nested": b"<div>" * 5000 + b"profond" + b"</div>" * 5000,
    "binary": bytes(range(256)) * 100,
    "entities": b"<!DOCTYPE x [<!ENTITY a 'aaaa'><!ENTITY b '&a;&a;&a;&a;'>]><p>&b;&b;</p>",
    "declared nonsense charset": b'<meta charset="x-unknown"><p>caf\xe9 cr\xe8me</p>',
}


@pytest.mark.parametrize("body", HOSTILE_PAGES.values(), ids=HOSTILE_PAGES.keys())
def test_broken_and_hostile_markup_is_fetched_and_extracted_without_a_crash(
    server: HTTPServer, body: bytes
) -> None:
    server.expect_request("/hostile").respond_with_data(body, content_type="text/html")
    fetched = Fetcher(FAST).fetch(server.url_for("/hostile"))
    extracted = extract(fetched.body, media_type=fetched.media_type, encoding=fetched.encoding)
    assert isinstance(extracted.text, str) and "\x00" not in extracted.text
