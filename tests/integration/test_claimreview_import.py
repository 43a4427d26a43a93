"""Importing fact-checks others published (ClaimReview), through the API and the CLI.

Fact-checkers' pages are served by the local web server (loopback only); these tests let the
fetcher reach it (``fetch_allow_private``, test-only) and run jobs as they are queued.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from service.settings import Settings

API = "/api/v1"
IMPORT = f"{API}/imports/claimreview"


pytestmark = pytest.mark.usefixtures("app")  # its job queue exists before any commit


@pytest.fixture
def settings(loopback_settings: Settings) -> Settings:
    return loopback_settings


def review(
    claim: str,
    url: str,
    *,
    rating: str | None = "False",
    claimant: str | None = "Ada Example",
    value: Any = None,
    **extra: Any,
) -> dict[str, Any]:
    """A ClaimReview as a fact-checker publishes it."""
    node: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": url,
        "claimReviewed": claim,
        "datePublished": "2025-07-02T09:00:00+02:00",
        "author": {"@type": "Organization", "name": "Fact Example"},
        "itemReviewed": {"@type": "Claim", "datePublished": "2025-06"},
        "reviewRating": {"@type": "Rating", "bestRating": 5, "worstRating": 1},
    }
    if claimant:
        node["itemReviewed"]["author"] = {"@type": "Person", "name": claimant}
    if rating:
        node["reviewRating"]["alternateName"] = rating
    if value is not None:
        node["reviewRating"]["ratingValue"] = value
    node.update(extra)
    return node


def json_ld_page(*nodes: dict[str, Any], text: str = "") -> str:
    scripts = "".join(f'<script type="application/ld+json">{json.dumps(n)}</script>' for n in nodes)
    return (
        f"<!DOCTYPE html><html><head>{scripts}</head><body><article>{text}</article></body></html>"
    )


def post(client, auth, body: dict[str, Any], role: str = "contributor"):
    return client.post(IMPORT, json=body, headers=auth(role))


def test_a_fact_check_page_with_json_ld_creates_the_claim_its_claimant_and_the_evidence(
    client, auth, server
):
    url = server.url_for("/checks/river")
    claim_text = "The river rose three metres overnight."
    server.expect_request("/checks/river").respond_with_data(
        json_ld_page(review(claim_text, url, rating="Pants on Fire"), text=claim_text),
        content_type="text/html",
    )
    response = post(client, auth, {"url": url})
    assert response.status_code == 200, response.get_data(as_text=True)
    summary = response.get_json()
    assert (summary["created"], summary["matched"], summary["rejected"]) == (1, 0, 0)
    item = summary["items"][0]
    assert (item["rating"], item["stance"], item["rating_text"]) == (
        "false",
        "refutes",
        "Pants on Fire",
    )
    claim = client.get(f"{API}/claims/{item['claim_id']}").get_json()
    assert claim["text"] == claim_text and claim["claimant"]["name"] == "Ada Example"
    assert claim["said_on"] == "2025-06" and claim["lean"] < 0.5  # one refutation counted
    evidence = client.get(f"{API}/claims/{item['claim_id']}/evidence").get_json()["data"][0]
    assert evidence["stance"] == "refutes" and evidence["source"]["url"] == url
    assert evidence["source"]["publisher"] == "127.0.0.1"
    assert "“Pants on Fire”" in evidence["note"] and "false (label)" in evidence["note"]
    # the fact-check's page is a source like any other: fetched, kept, the quote anchored
    assert evidence["anchor"]["state"] == "anchored"


def test_a_fact_check_page_with_microdata_is_imported(client, auth, server):
    url = server.url_for("/checks/bridge")
    server.expect_request("/checks/bridge").respond_with_data(
        f"""<!DOCTYPE html><html><body>
        <div itemscope itemtype="https://schema.org/ClaimReview">
          <link itemprop="url" href="{url}">
          <h1 itemprop="claimReviewed">Le pont est resté fermé dix ans.</h1>
          <div itemprop="itemReviewed" itemscope itemtype="https://schema.org/Claim">
            <span itemprop="author" itemscope itemtype="https://schema.org/Person">
              <span itemprop="name">Jean Dupont</span></span>
            <meta itemprop="inLanguage" content="fr"></div>
          <div itemprop="author" itemscope itemtype="https://schema.org/Organization">
            <span itemprop="name">Vérif</span></div>
          <div itemprop="reviewRating" itemscope itemtype="https://schema.org/Rating">
            <span itemprop="alternateName">Plutôt vrai</span></div>
        </div></body></html>""",
        content_type="text/html",
    )
    summary = post(client, auth, {"url": url}).get_json()
    assert summary["created"] == 1
    item = summary["items"][0]
    assert (item["rating"], item["stance"]) == ("mostly_true", "supports")
    claim = client.get(f"{API}/claims/{item['claim_id']}").get_json()
    assert (claim["language"], claim["claimant"]["name"]) == ("fr", "Jean Dupont")


def test_a_review_of_a_claim_on_record_matches_it_and_its_claimant_by_alias(
    client, auth, make_claimant, make_claim
):
    person = make_claimant("Sam Altman", aliases=["Ultraman"])
    existing = make_claim(
        "Meta offered $100M signing bonuses to OpenAI staff.", claimant_id=person.id
    )
    document = {
        "claimReviews": [
            review(
                "Meta offered $100M signing bonuses to OpenAI staff",
                "https://checks.example/bonus",
                rating="Half True",
                claimant="Ultraman",
            ),
            review(
                "A claim nobody recorded yet.", "https://checks.example/new", claimant="Ultraman"
            ),
        ]
    }
    summary = post(client, auth, {"document": document}).get_json()
    matched, created = summary["items"]
    assert (matched["status"], matched["claim_id"], matched["stance"]) == (
        "matched",
        existing.id,
        "mentions",
    )
    assert created["status"] == "created"
    new = client.get(f"{API}/claims/{created['claim_id']}").get_json()
    assert new["claimant"]["id"] == person.id  # found by alias, not a new person


def test_importing_the_same_review_twice_records_it_once(client, auth):
    document = [review("The tram line opened in 1901.", "https://checks.example/tram")]
    first = post(client, auth, {"document": document}).get_json()
    second = post(client, auth, {"document": document}).get_json()
    assert (first["created"], second["matched"]) == (1, 1)
    assert "already recorded" in second["items"][0]["reason"]
    claim_id = first["items"][0]["claim_id"]
    assert client.get(f"{API}/claims/{claim_id}/evidence").get_json()["count"] == 1


def test_a_numeric_rating_is_normalised_when_the_label_is_unknown(client, auth):
    document = review(
        "Bread prices doubled in a year.",
        "https://checks.example/bread",
        rating="Two Pinocchios?",
        value=4,
    )
    item = post(client, auth, {"document": document}).get_json()["items"][0]
    assert (item["rating"], item["stance"], item["rating_text"]) == (
        "mostly_true",
        "supports",
        "Two Pinocchios?",
    )


def test_one_bad_review_is_rejected_with_its_reason_and_never_stops_the_others(
    client, auth, table_counts
):
    before = table_counts()
    document = {
        "@graph": [
            review("A fine claim about the harbour.", "https://checks.example/harbour"),
            review("", "https://checks.example/empty"),
            review("x" * 2500, "https://checks.example/long"),
            # fails after its claim was created (the source URL has no host): rolled back whole
            review("A claim whose review has a broken address.", "https://:80/"),
            review("Another fine claim about the harbour lights.", "https://checks.example/lights"),
        ]
    }
    summary = post(client, auth, {"document": document}).get_json()
    statuses = [i["status"] for i in summary["items"]]
    assert statuses == ["created", "rejected", "rejected", "rejected", "created"]
    reasons = [i["reason"] for i in summary["items"]]
    assert reasons[1].startswith("no claimReviewed")
    assert "2000 characters" in reasons[2]
    assert "url" in reasons[3].lower()
    after = table_counts()
    assert after["claim"] - before["claim"] == 2  # nothing of the rejected ones was kept
    assert after["evidence"] - before["evidence"] == 2
    assert after["source"] - before["source"] == 2


def test_broken_and_hostile_markup_imports_nothing_and_fails_nothing(client, auth, server):
    hostile = (
        '<script type="application/ld+json">{"@type": "ClaimReview", "claimReviewed": </script>'
        '<script type="application/ld+json">' + "[" * 50_000 + "</script>"
        + "<div>" * 20_000
        + '<div itemscope itemtype="https://schema.org/ClaimReview"><span itemprop="name">x'
    )  # fmt: skip
    server.expect_request("/hostile").respond_with_data(hostile, content_type="text/html")
    response = post(client, auth, {"url": server.url_for("/hostile")})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["created"] == response.get_json()["matched"] == 0


def test_user_text_in_a_review_is_stored_as_text_and_escaped_on_the_claim_page(client, auth):
    document = review(
        "<script>alert('x')</script> The mayor cut the budget.",
        "https://checks.example/xss",
        rating="<img src=x onerror=alert(1)>",
    )
    item = post(client, auth, {"document": document}).get_json()["items"][0]
    html = client.get(f"/claims/{item['claim_id']}").get_data(as_text=True)
    assert "<script>alert('x')</script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html


def test_a_page_that_answers_404_is_a_502_and_writes_nothing(
    client, auth, server, problem, table_counts
):
    before = table_counts()
    server.expect_request("/missing").respond_with_data("no", status=404)
    body = problem(post(client, auth, {"url": server.url_for("/missing")}), 502)
    assert (body["reason"], body["upstream_status"]) == ("http_404", 404)
    assert table_counts() == before


@pytest.mark.parametrize(
    "body",
    [{}, {"url": "https://a.example", "document": {}}, {"document": "text"}, {"extra": 1}],
)
def test_the_request_names_exactly_one_origin(client, auth, problem, body):
    problem(post(client, auth, body), 422)


def test_importing_needs_a_contributor(client, auth):
    assert client.post(IMPORT, json={"document": []}).status_code == 401
    assert post(client, auth, {"document": []}, role="contributor").status_code == 200


def test_the_cli_imports_a_feed_file_and_prints_the_summary(runner, tmp_path: Path):
    feed = tmp_path / "feed.json"
    feed.write_text(
        json.dumps(
            {
                "claimReviews": [
                    review(
                        "The ferry sank in 1953.", "https://checks.example/ferry", rating="Faux"
                    ),
                    {"@type": "ClaimReview", "url": "https://checks.example/none"},
                ]
            }
        ),
        encoding="utf-8",
    )
    result = runner.invoke(args=["import", "claimreview", str(feed)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "1 created, 0 matched, 1 rejected"
    assert "(false, refutes)" in lines[1] and "no claimReviewed" in lines[2]


def test_the_cli_says_why_a_page_could_not_be_fetched(runner, server):
    server.expect_request("/gone").respond_with_data("no", status=410)
    result = runner.invoke(args=["import", "claimreview", server.url_for("/gone")])
    assert result.exit_code != 0 and "http_410" in result.output


def test_a_rejected_review_leaves_no_claim_behind_for_the_next_one_to_match(client, auth):
    text = "The lighthouse was rebuilt in 1902 after the storm."
    document = [review(text, "https://:80/"), review(text, "https://checks.example/lighthouse")]
    items = post(client, auth, {"document": document}).get_json()["items"]
    assert [i["status"] for i in items] == ["rejected", "created"]
    found = client.get(f"{API}/claims", query_string={"q": "lighthouse rebuilt"}).get_json()
    assert [c["id"] for c in found["data"]] == [items[1]["claim_id"]]
