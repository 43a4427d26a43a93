"""Recording a source never makes claimdesk request a private address (SSRF guard on).

These tests keep the default test settings: jobs run at once and ``fetch_allow_private`` is
off, as in production. Only loopback is ever dialled (``no_outside_network``), and host names
are resolved by a patched resolver, so no packet leaves this machine.
"""

from __future__ import annotations

import socket
from typing import Any

import pytest

from service.runtime import runtime

API = "/api/v1"


pytestmark = pytest.mark.usefixtures("app")  # its job queue exists before any commit


def record(client, auth, url: str) -> dict[str, Any]:
    response = client.post(f"{API}/sources", json={"url": url}, headers=auth())
    assert response.status_code == 201, response.get_data(as_text=True)
    return client.get(f"{API}/sources/{response.get_json()['id']}").get_json()


def test_the_guard_is_on_in_these_tests(app):
    assert runtime(app).settings.fetch_allow_private is False


def test_a_source_on_loopback_is_blocked_without_a_connection(
    client, auth, server, no_outside_network
):
    server.expect_request("/local").respond_with_data("<p>secret</p>", content_type="text/html")
    shown = record(client, auth, server.url_for("/local"))
    assert (shown["fetch_state"], shown["fetch_reason"], shown["snapshots"]) == (
        "blocked",
        "blocked",
        0,
    )
    assert no_outside_network == []


@pytest.mark.usefixtures("loopback_counts_as_public")
def test_a_page_that_redirects_to_a_loopback_address_is_refused(
    client, auth, server, no_outside_network
):
    target = f"http://127.0.0.2:{server.port}/admin"
    server.expect_request("/go").respond_with_data("", status=302, headers={"Location": target})
    shown = record(client, auth, server.url_for("/go"))
    assert (shown["fetch_state"], shown["fetch_reason"]) == ("blocked", "blocked")
    assert no_outside_network == [("127.0.0.1", server.port)]  # the first hop only


def test_a_host_name_resolving_to_a_private_address_is_blocked_before_connecting(
    client, auth, monkeypatch, no_outside_network
):
    looked_up: list[str] = []

    def fake_dns(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        looked_up.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.20.30.40", port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake_dns)
    shown = record(client, auth, "http://intranet.example/payroll")
    assert (shown["fetch_state"], shown["fetch_reason"]) == ("blocked", "blocked")
    assert looked_up == ["intranet.example"] and no_outside_network == []


def test_a_claimreview_import_from_a_private_address_is_refused_with_a_422(
    client, auth, problem, no_outside_network
):
    response = client.post(
        f"{API}/imports/claimreview",
        json={"url": "http://169.254.169.254/latest/meta-data/"},
        headers=auth(),
    )
    body = problem(response, 422)
    assert body["reason"] == "blocked" and body["errors"][0]["field"] == "url"
    assert no_outside_network == []
