"""Atom and JSON Feed 1.1 of the change notices, read as a feed reader would (feedparser)."""

from __future__ import annotations

import re

import feedparser
import pytest
from jsonschema import Draft202012Validator

API = "/api/v1"
# The JSON Feed 1.1 rules a reader relies on (https://jsonfeed.org/version/1.1); feedparser 6.0
# reads only XML feeds.
_AUTHORS = {
    "type": "array",
    "items": {"type": "object", "properties": {"name": {"type": "string"}}},
}
JSON_FEED_1_1 = {
    "type": "object",
    "required": ["version", "title", "items"],
    "properties": {
        "version": {"const": "https://jsonfeed.org/version/1.1"},
        "title": {"type": "string"},
        "home_page_url": {"type": "string", "format": "uri"},
        "feed_url": {"type": "string", "format": "uri"},
        "language": {"type": "string"},
        "authors": _AUTHORS,
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id"],
                "anyOf": [{"required": ["content_text"]}, {"required": ["content_html"]}],
                "properties": {
                    "id": {"type": "string"},
                    "url": {"type": "string"},
                    "title": {"type": "string"},
                    "content_text": {"type": "string"},
                    "date_published": {"type": "string", "format": "date-time"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "authors": _AUTHORS,
                },
                "patternProperties": {"^_": {}},
                "additionalProperties": False,
            },
        },
    },
}


@pytest.fixture
def rule(client, auth):
    def give(claim_id: int, rating: str) -> None:
        response = client.post(
            f"{API}/claims/{claim_id}/verdicts",
            json={"rating": rating, "rationale": "Because."},
            headers=auth("editor"),
        )
        assert response.status_code == 201

    return give


def test_the_atom_feed_of_every_change_is_valid_for_a_feed_reader(client, rule, make_claim):
    claim = make_claim(text="The <b>river</b> rose & fell.")
    rule(claim.id, "mostly_true")
    rule(claim.id, "false")
    response = client.get("/feeds/changes.atom")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.version == "atom10"
    titles = [e.title for e in parsed.entries]
    assert titles[0].startswith("Verdict changed: Mostly true → False")
    assert "The <b>river</b> rose & fell." in titles[0]  # escaped in the XML, whole when read
    assert b"<b>" not in response.data
    newest = parsed.entries[0]
    assert newest.link == f"http://localhost/claims/{claim.id}"
    assert newest.id.startswith("urn:uuid:")
    assert newest.tags[0].term == "claim.verdict.changed"
    assert len({e.id for e in parsed.entries}) == len(parsed.entries)
    assert any(link.rel == "self" for link in parsed.feed.links)


def test_the_json_feed_is_version_1_1_with_the_event_data(client, rule, make_claim):
    claim = make_claim()
    rule(claim.id, "true")
    response = client.get("/feeds/changes.json")
    assert response.mimetype == "application/feed+json"
    feed = response.get_json()
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["feed_url"] == "http://localhost/feeds/changes.json"
    item = feed["items"][0]
    assert item["url"] == f"http://localhost/claims/{claim.id}"
    assert item["_claimdesk"]["type"] == "claim.verdict.published"
    assert item["_claimdesk"]["data"]["new"]["rating"] == "true"
    assert item["date_published"].endswith("Z")
    Draft202012Validator(JSON_FEED_1_1).validate(feed)


def test_conditional_get_answers_304_until_something_changes(client, rule, make_claim):
    claim = make_claim()
    rule(claim.id, "true")
    first = client.get("/feeds/changes.atom")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert "Accept-Language" in first.headers["Vary"]
    again = client.get("/feeds/changes.atom", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    since = client.get("/feeds/changes.atom", headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    rule(claim.id, "false")
    changed = client.get("/feeds/changes.atom", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_the_claimant_and_tag_feeds_hold_only_their_claims(client, rule, make_claim, make_claimant):
    ada = make_claimant("Ada Example")
    hers = make_claim(text="Her claim about bridges.", claimant_id=ada.id)
    tagged = make_claim(text="A claim about floods.", tags=["floods"])
    for claim in (hers, tagged):
        rule(claim.id, "false")
    by_ada = feedparser.parse(client.get(f"/feeds/claimants/{ada.id}.atom").data)
    assert [e.link for e in by_ada.entries] == [f"http://localhost/claims/{hers.id}"]
    assert "Ada Example" in by_ada.feed.title
    by_tag = client.get("/feeds/tags/floods.json").get_json()
    assert [i["url"] for i in by_tag["items"]] == [f"http://localhost/claims/{tagged.id}"]
    assert client.get("/feeds/tags/unused.atom").status_code == 200  # empty, still valid
    assert feedparser.parse(client.get("/feeds/tags/unused.atom").data).entries == []


@pytest.mark.parametrize(
    "path",
    ["/feeds/claimants/999999.atom", "/feeds/tags/%3Cscript%3E.atom", "/feeds/changes.rss"],
)
def test_unknown_feeds_are_404(client, path):
    assert client.get(path).status_code == 404


def test_feed_titles_are_in_french_for_french_readers(client, rule, make_claim):
    claim = make_claim()
    rule(claim.id, "true")
    response = client.get("/feeds/changes.atom", headers={"Accept-Language": "fr"})
    parsed = feedparser.parse(response.data)
    assert parsed.feed.title == "Changements sur claimdesk"
    assert parsed.entries[0].title.startswith("Verdict publié")
    english = client.get("/feeds/changes.atom", headers={"Accept-Language": "en"})
    assert english.headers["ETag"] != response.headers["ETag"]


def test_the_home_and_claimant_pages_point_feed_readers_at_their_feeds(client, make_claimant):
    ada = make_claimant("Ada Example")
    home = client.get("/").get_data(as_text=True)
    assert re.search(
        r'<link rel="alternate" type="application/atom\+xml"[^>]+href="/feeds/changes.atom"', home
    )
    assert 'type="application/feed+json"' in home
    page = client.get(f"/claimants/{ada.id}").get_data(as_text=True)
    assert f'href="/feeds/claimants/{ada.id}.atom"' in page


def test_a_claim_page_points_at_the_feeds_of_its_tags(client, make_claim):
    claim = make_claim(tags=["floods", "river levels"])
    page = client.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert 'href="/feeds/tags/floods.atom"' in page
    assert 'href="/feeds/tags/river%20levels.atom"' in page
    feed = feedparser.parse(client.get("/feeds/tags/river%20levels.atom").data)
    assert not feed.bozo and "river levels" in feed.feed.title


def test_the_atom_feed_has_every_element_rfc_4287_requires(client, rule, make_claim):
    """No W3C feed validator installs from a registry here; these are its Atom must-haves."""
    from datetime import datetime

    from lxml import etree

    claim = make_claim()
    rule(claim.id, "true")
    rule(claim.id, "false")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = etree.fromstring(client.get("/feeds/changes.atom").data)
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    for name in ("id", "title", "updated"):
        assert len(root.findall(f"a:{name}", ns)) == 1, name
    assert root.find("a:author/a:name", ns) is not None
    assert root.find("a:link[@rel='self']", ns).get("href") == "http://localhost/feeds/changes.atom"
    entries = root.findall("a:entry", ns)
    assert len(entries) >= 2
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"a:{name}", ns)) == 1, name
        datetime.fromisoformat(entry.find("a:updated", ns).text)  # RFC 3339
        links = [x for x in entry.findall("a:link", ns) if x.get("rel", "alternate") == "alternate"]
        assert len(links) == 1 and links[0].get("href").startswith("http://localhost/claims/")
        assert entry.find("a:summary", ns) is not None
    assert len({e.find("a:id", ns).text for e in entries}) == len(entries)
