"""Links never follow a hostile Host header: production needs its public URL or trusted hosts."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from service.app import create_app
from service.settings import Settings

SECRET = "a-production-secret-0123456789"
EVIL = {"Host": "evil.example"}


def test_production_refuses_to_start_without_a_public_url_or_trusted_hosts() -> None:
    with pytest.raises(ValidationError, match="CLAIMDESK_PUBLIC_URL"):
        Settings(env="production", secret_key=SECRET)
    assert Settings(env="production", secret_key=SECRET, public_url="https://claims.example.org")
    assert Settings(env="production", secret_key=SECRET, trusted_hosts="claims.example.org")


@pytest.mark.parametrize(
    "url", ["claims.example.org", "ftp://claims.example.org", "https://x/?a=1"]
)
def test_the_public_url_must_be_an_absolute_http_base(url) -> None:
    with pytest.raises(ValidationError):
        Settings(env="test", secret_key=SECRET, public_url=url)


@pytest.fixture
def public_app(settings, database):
    return create_app(
        settings.model_copy(update={"public_url": "https://claims.example.org/"}),
        database=database,
    )


def test_with_a_public_url_other_hosts_are_refused_everywhere(public_app, make_claim) -> None:
    claim = make_claim()
    client = public_app.test_client()
    for path in (
        "/api/v1/claims",
        f"/api/v1/claims/{claim.id}/status",  # answered below Flask when the host is right
        f"/embed/claims/{claim.id}",  # likewise
        f"/claims/{claim.id}",
        "/",
    ):
        refused = client.get(path, headers=EVIL)
        assert refused.status_code == 400, path
        assert b"//evil.example" not in refused.data  # no link to it
    problem = client.get("/api/v1/claims", headers=EVIL)
    assert problem.mimetype == "application/problem+json"


def test_with_a_public_url_every_link_uses_it(public_app, make_claim) -> None:
    claim = make_claim()
    client = public_app.test_client()
    host = {"Host": "claims.example.org"}
    page = client.get(f"/claims/{claim.id}", headers=host).get_data(as_text=True)
    assert "https://claims.example.org/embed.js" in page
    assert f"https://claims.example.org/claims/{claim.id}" in page
    card = client.get(f"/embed/claims/{claim.id}", headers=host)
    assert f'href="https://claims.example.org/claims/{claim.id}"' in card.get_data(as_text=True)
    assert "Vary" not in card.headers  # the same for every reader


def test_a_trusted_hosts_list_admits_its_hosts_and_subdomains_only(settings, database) -> None:
    app = create_app(
        settings.model_copy(update={"trusted_hosts": "claims.example.org, .newsroom.example"}),
        database=database,
    )
    client = app.test_client()
    for host, status in (
        ("claims.example.org", 200),
        ("fact.newsroom.example", 200),
        ("claims.example.org:8443", 200),
        ("evil.example", 400),
    ):
        assert client.get("/api/v1/claims", headers={"Host": host}).status_code == status, host


def test_without_a_public_url_widget_answers_vary_on_the_host(client, make_claim) -> None:
    claim = make_claim()
    for path in (f"/embed/claims/{claim.id}", f"/embed/claims/{claim.id}.svg", "/embed.js"):
        response = client.get(path, headers=EVIL)
        assert "Host" in response.headers.get("Vary", ""), path
