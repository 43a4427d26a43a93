"""Behind a reverse proxy: trusted X-Forwarded-* headers, and a session cookie kept to HTTPS."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from service.app import create_app
from service.db import Database
from service.settings import Settings

FORWARDED = {
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "claims.news.example",
    "X-Forwarded-For": "203.0.113.7",
}


def app_with(settings: Settings, database: Database, **changes: Any) -> Flask:
    return create_app(settings.model_copy(update=changes), database=database)


@pytest.mark.parametrize("hot", [True, False], ids=["hot path", "flask"])
def test_links_follow_the_proxy_only_when_it_is_trusted(settings, database, make_claim, hot):
    claim = make_claim("Meta offered $100M signing bonuses.")
    headers = dict(FORWARDED) | ({} if hot else {"Cookie": "x=1"})  # a cookie: Flask answers
    trusted = app_with(settings, database, proxy_hops=1).test_client(use_cookies=False)
    page = trusted.get(f"/embed/claims/{claim.id}", headers=headers).get_data(as_text=True)
    assert f'href="https://claims.news.example/claims/{claim.id}"' in page
    untrusted = app_with(settings, database).test_client(use_cookies=False)
    page = untrusted.get(f"/embed/claims/{claim.id}", headers=headers).get_data(as_text=True)
    assert "claims.news.example" not in page
    assert f'href="http://localhost/claims/{claim.id}"' in page


def test_the_session_cookie_is_https_only_in_production(settings, database):
    production = settings.model_copy(update={"env": "production"})
    assert create_app(production, database=database).config["SESSION_COOKIE_SECURE"] is True
    assert create_app(settings, database=database).config["SESSION_COOKIE_SECURE"] is False
