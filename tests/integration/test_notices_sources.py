"""Notices that come from a source's page: a quoted passage changed, the page died.

The fetch job records them in its own transaction (the worker's, not a request's)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from claims.notices.models import NoticeEvent
from service.settings import Settings

API = "/api/v1"
QUOTE = "Meta a tenté de recruter un chercheur senior d'OpenAI au poste de directeur scientifique"
CLAIM = "Meta tried to hire a senior OpenAI researcher as chief scientist."

pytestmark = pytest.mark.usefixtures("app")


@pytest.fixture
def settings(loopback_settings: Settings) -> Settings:
    return loopback_settings


def quote_page(client, auth, claim_id: int, url: str) -> int:
    response = client.post(
        f"{API}/claims/{claim_id}/evidence",
        json={"source_url": url, "stance": "supports", "quote": QUOTE},
        headers=auth(),
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    source_id: int = response.get_json()["source"]["id"]
    return source_id


def source_events(session, claim_id: int) -> list[NoticeEvent]:
    return list(
        session.scalars(
            select(NoticeEvent)
            .where(NoticeEvent.claim_id == claim_id, NoticeEvent.type.startswith("source."))
            .order_by(NoticeEvent.id)
        )
    )


def refetch(client, auth, source_id: int) -> None:
    assert client.post(f"{API}/sources/{source_id}/fetch", headers=auth()).status_code == 202


def test_a_quoted_passage_edited_at_its_source_is_a_source_changed_event(
    client, auth, site, article_html, make_claim, session
):
    url = site.serve("/notice-edited", article_html)
    claim = make_claim(CLAIM)
    source_id = quote_page(client, auth, claim.id, url)
    assert source_events(session, claim.id) == []
    edited = article_html.decode().replace("chercheur senior", "ingénieur junior").encode()
    site.serve("/notice-edited", edited)
    refetch(client, auth, source_id)
    [event] = source_events(session, claim.id)
    assert event.type == "source.changed" and event.source_id == source_id
    data: dict[str, Any] = event.data
    assert data["source"]["url"] == url
    assert "chercheur senior" in data["old"] and "ingénieur junior" in data["new"]
    assert data["claim"]["id"] == claim.id and event.actor == "system"


def test_a_page_that_dies_is_a_source_dead_event_for_each_claim_quoting_it(
    client, auth, site, article_html, make_claim, session
):
    url = site.serve("/notice-gone", article_html)
    first = make_claim(CLAIM)
    second = make_claim("Meta wanted an OpenAI researcher as its chief scientist.")
    source_id = quote_page(client, auth, first.id, url)
    quote_page(client, auth, second.id, url)
    site.serve("/notice-gone", "gone", status=410)
    refetch(client, auth, source_id)
    for claim in (first, second):
        [event] = source_events(session, claim.id)
        assert event.type == "source.dead"
        assert event.data["source"] == {"id": source_id, "url": url}
    site.serve("/notice-gone", article_html)  # back: a revival is no alarm
    refetch(client, auth, source_id)
    assert len(source_events(session, first.id)) == 1
