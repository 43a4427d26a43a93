"""Widgets: the claim card, the badge, the loader, oEmbed, JSON-LD, and their HTTP behaviour."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from service.embed.script import CARD_SCRIPT

XSS = '<img src=x onerror=alert(1)> "onmouseover=alert(2)'


@pytest.fixture
def bonus(demo, client):
    """The demo's $100M signing-bonus claim (unsettled: the denial is Meta's), with its verdict."""
    demo()
    found = client.get("/api/v1/claims", query_string={"q": "prime signature 100 millions"})
    return next(c for c in found.json["data"] if c["claimant"]["name"] == "Sam Altman")


def test_the_card_shows_words_claimant_status_gauge_counts_verdict_and_link(client, bonus):
    response = client.get(f"/embed/claims/{bonus['id']}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Meta a utilisé une prime à la signature" in html
    assert "Sam Altman" in html
    assert "Unsettled" in html
    assert "contestedness 0%" in html
    assert "2 supporting · 0 refuting · 2 rebuttals" in html
    assert "Editor&#39;s verdict" in html and "Mixed" in html
    assert f'href="http://localhost/claims/{bonus["id"]}"' in html


def test_the_card_is_self_contained_and_small(client, bonus):
    response = client.get(f"/embed/claims/{bonus['id']}")
    html = response.get_data(as_text=True)
    assert len(response.data) < 10_000
    assert not re.search(r"<(link|img|iframe)\b|\bsrc=|url\(", html)
    assert "Set-Cookie" not in response.headers


def test_the_card_may_be_framed_by_anyone_and_runs_only_its_own_script(client, bonus):
    response = client.get(f"/embed/claims/{bonus['id']}")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors *" in csp
    assert "default-src 'none'" in csp
    assert "X-Frame-Options" not in response.headers
    assert CARD_SCRIPT in response.get_data(as_text=True)


def test_other_pages_refuse_to_be_framed(client):
    for path in ("/api/v1/claims", "/api/v1/docs", "/healthz"):
        response = client.get(path)
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Frame-Options"] == "DENY"


def test_embed_answers_are_public_cacheable_and_cors_enabled(client, bonus):
    for path in (
        f"/embed/claims/{bonus['id']}",
        f"/embed/claims/{bonus['id']}.svg",
        f"/api/v1/claims/{bonus['id']}/status",
    ):
        response = client.get(path)
        assert response.headers["Cache-Control"] == (
            "public, max-age=60, stale-while-revalidate=300"
        ), path
        assert response.headers["Access-Control-Allow-Origin"] == "*", path
        assert response.headers["ETag"].startswith('"'), path


def test_a_current_etag_gets_304_and_a_change_makes_a_new_one(
    client, bonus, make_source, make_evidence, session
):
    from claims.models import Claim

    url = f"/embed/claims/{bonus['id']}"
    etag = client.get(url).headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    claim = session.get(Claim, bonus["id"])
    make_evidence(claim, make_source("https://lemonde.example/a"), stance="refutes")
    fresh = client.get(url, headers={"If-None-Match": etag})
    assert fresh.status_code == 200
    assert fresh.headers["ETag"] != etag


def test_options_change_theme_size_and_language(client, bonus):
    dark = client.get(f"/embed/claims/{bonus['id']}?theme=dark").get_data(as_text=True)
    assert "--bg:#16181c" in dark
    compact = client.get(f"/embed/claims/{bonus['id']}?size=compact").get_data(as_text=True)
    assert "supporting ·" not in compact
    french = client.get(f"/embed/claims/{bonus['id']}?lang=fr").get_data(as_text=True)
    assert "Incertain" in french and "Mitigé" in french and 'lang="fr"' in french


def test_options_are_read_as_a_query_string_is_meant(client, bonus):
    url = f"/embed/claims/{bonus['id']}"
    first_wins = client.get(f"{url}?lang=fr&lang=en&utm_source=cms")
    assert 'lang="fr"' in first_wins.get_data(as_text=True)  # unknown parameters are ignored
    encoded = client.get(f"{url}?theme=%64ark")  # percent-encoded "dark"
    assert "--bg:#16181c" in encoded.get_data(as_text=True)
    variants = {client.get(f"{url}?{q}").headers["ETag"] for q in ("", "theme=dark", "lang=fr")}
    assert len(variants) == 3  # each look of the card revalidates on its own
    assert client.get(f"{url}?lang=").status_code == 400  # an empty value is not the default


def test_an_unknown_option_value_gets_a_small_400_card(client, bonus):
    response = client.get(f"/embed/claims/{bonus['id']}?theme=<script>")
    assert response.status_code == 400
    body = response.get_data(as_text=True).split("<body>")[1]
    assert body.count("<script>") == 1 and f"<script>{CARD_SCRIPT}</script>" in body  # its own
    assert "&lt;script&gt;" not in body and 'data-claim="0"' not in response.get_data(as_text=True)
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]


def test_unknown_and_retracted_claims_get_a_small_404_card_and_badge(
    client, make_claim, session, editor
):
    from claims.services import ledger

    claim = make_claim(text="A claim that will be withdrawn.")
    ledger.retract_claim(session=session, claim_id=claim.id, reason="mistake", actor=editor)
    session.commit()
    for claim_id in (claim.id, 999_999):
        card = client.get(f"/embed/claims/{claim_id}")
        assert card.status_code == 404
        assert "This claim is not available." in card.get_data(as_text=True)
        assert "frame-ancestors *" in card.headers["Content-Security-Policy"]
        badge = client.get(f"/embed/claims/{claim_id}.svg")
        assert badge.status_code == 404 and badge.mimetype == "image/svg+xml"


def test_hostile_claim_text_is_escaped_in_card_badge_oembed_and_jsonld(
    client, make_claim, make_verdict
):
    claim = make_claim(text=XSS)
    make_verdict(claim, rating="false")
    card = client.get(f"/embed/claims/{claim.id}").get_data(as_text=True)
    assert "<img" not in card and "&lt;img src=x onerror=alert(1)&gt;" in card
    badge = client.get(f"/embed/claims/{claim.id}.svg").get_data(as_text=True)
    assert "<img" not in badge and "&lt;img" in badge
    oembed = client.get(f"/oembed?url=http://localhost/claims/{claim.id}").json
    assert oembed["title"] == XSS
    assert "<img" not in oembed["html"]
    graph = client.get(f"/claims/{claim.id}.jsonld").json
    assert graph[0]["claimReviewed"] == XSS


def test_the_badge_leads_with_the_verdict_and_keeps_the_evidence_state_in_its_title(
    client, bonus, make_claim
):
    response = client.get(f"/embed/claims/{bonus['id']}.svg")
    svg = response.get_data(as_text=True)
    assert response.mimetype == "image/svg+xml"
    assert ">claim</text>" in svg and ">editor's verdict: mixed</text>" in svg
    assert "Unsettled" in svg  # the state of the evidence, in the accessible title
    unruled = client.get(f"/embed/claims/{make_claim('No ruling yet.').id}.svg")
    assert ">unsourced</text>" in unruled.get_data(as_text=True)
    assert "<title>claimdesk: Meta a utilisé" in svg
    assert 'role="img"' in svg


def test_the_loader_script_never_writes_html_into_the_host_page(client):
    response = client.get("/embed.js")
    script = response.get_data(as_text=True)
    assert response.mimetype == "text/javascript"
    assert "claimdesk-claim" in script
    # The one message it sends carries no data: it asks a card to measure. The card runs in
    # an opaque origin (sandboxed without allow-same-origin), which only "*" reaches.
    assert script.count("postMessage(") == 1
    assert 'postMessage({ type: "claimdesk:measure" }, "*")' in script
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script
    assert "event.origin !== origin" in script


def test_oembed_answers_a_rich_iframe_for_a_claim_page(client, bonus):
    response = client.get(
        "/oembed",
        query_string={"url": f"http://localhost/claims/{bonus['id']}", "maxwidth": "300"},
    )
    body = response.json
    assert response.status_code == 200
    assert body["version"] == "1.0" and body["type"] == "rich"
    assert body["provider_name"] == "claimdesk"
    assert body["width"] == 300 and body["height"] > 0
    assert f'src="http://localhost/embed/claims/{bonus["id"]}"' in body["html"]


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"url": "http://localhost/claims/1", "format": "xml"}, 501),
        ({"url": "http://elsewhere.example/claims/1"}, 404),
        ({"url": "http://localhost/sources/1"}, 404),
        ({"url": "javascript:alert(1)"}, 404),
        ({"url": "http://localhost/claims/999999"}, 404),
        ({"url": "http://localhost/claims/1", "maxwidth": "wide"}, 400),
        ({}, 400),
    ],
)
def test_oembed_refuses_what_it_cannot_embed(client, bonus, query, status):
    assert client.get("/oembed", query_string=query).status_code == status


def test_jsonld_export_has_one_claim_review_and_our_evidence_block(client, bonus):
    response = client.get(f"/claims/{bonus['id']}.jsonld")
    assert response.mimetype == "application/ld+json"
    graph = response.json
    reviews = [node for node in graph if node["@type"] == "ClaimReview"]
    assert len(reviews) == 1
    assert reviews[0]["reviewRating"]["alternateName"] == "Mixed"
    assert reviews[0]["itemReviewed"]["author"]["name"] == "Sam Altman"
    (block,) = [node for node in graph if node["@type"] == "cd:ClaimEvidence"]
    assert {e["cd:stance"] for e in block["cd:evidence"]} == {"supports", "mentions"}
    assert {r["cd:relation"] for r in block["cd:related"]} == {"rebutted by", "qualified by"}


def test_a_claim_without_verdict_exports_only_the_evidence_block(client, make_claim):
    claim = make_claim(text="Nobody has ruled on this yet.")
    graph = client.get(f"/claims/{claim.id}.jsonld").json
    assert [node["@type"] for node in graph] == ["cd:ClaimEvidence"]


def test_the_card_says_what_changed_when_the_status_changed_recently(
    client, make_claim, make_source, make_evidence, make_relation, make_claimant, session
):
    claim = make_claim(text="The bridge will open in May.")
    claim.created_at = datetime.now(UTC) - timedelta(days=3)  # recorded days ago
    session.add(claim)
    session.commit()
    # Nine primary sources: enough to enter "supported" (+110, the boundary and the margin).
    for paper in ("north", "south", "east", "west", "city", "coast", "valley", "harbour", "hill"):
        source = make_source(f"https://{paper}.example/bridge", kind="primary")
        make_evidence(claim, source, stance="supports")
    assert client.get(f"/api/v1/claims/{claim.id}/status").json["status"] == "supported"
    mayor = make_claimant("The Mayor")
    denial = make_claim(text="The bridge will not open before autumn.", claimant_id=mayor.id)
    make_relation(denial, "rebuts", claim, first_hand=True)
    card = client.get(f"/embed/claims/{claim.id}").get_data(as_text=True)
    assert re.search(r"was: Supported, since \d+ \w+ \d{4}: Unsettled", card)


def test_the_card_says_when_the_verdict_changed(client, make_claim, make_verdict):
    claim = make_claim(text="The budget doubled.")
    make_verdict(claim, rating="true")
    make_verdict(claim, rating="mostly_false")
    card = client.get(f"/embed/claims/{claim.id}").get_data(as_text=True)
    assert re.search(r"verdict was: True, since \d+ \w+ \d{4}: Mostly false", card)


def test_the_status_json_stays_parseable_for_a_script(client, bonus):
    assert json.loads(client.get(f"/api/v1/claims/{bonus['id']}/status").data)["id"] == bonus["id"]


def test_the_claim_page_carries_exactly_one_claim_review_that_extruct_reads(client, bonus):
    import extruct

    page = client.get(f"/claims/{bonus['id']}")
    assert page.status_code == 200
    data = extruct.extract(
        page.get_data(as_text=True),
        base_url=f"http://localhost/claims/{bonus['id']}",
        syntaxes=["json-ld", "microdata", "rdfa"],
        uniform=True,
    )
    found = [
        node
        for syntax in ("json-ld", "microdata", "rdfa")
        for node in data[syntax]
        if node.get("@type") in ("ClaimReview", "http://schema.org/ClaimReview")
    ]
    assert len(found) == 1
    review = found[0]
    for field in ("claimReviewed", "reviewRating", "url", "author", "datePublished"):
        assert review.get(field), field
    rating = review["reviewRating"]
    assert (rating["ratingValue"], rating["bestRating"], rating["worstRating"]) == (3, 5, 1)
    assert rating["alternateName"] == "Mixed"
    item = review["itemReviewed"]
    assert item["@type"] == "Claim" and item["author"]["name"] == "Sam Altman"
    assert item["firstAppearance"]["url"] and item["appearance"]


def test_a_claim_page_without_verdict_has_no_claim_review_but_links_oembed(client, make_claim):
    claim = make_claim(text="The tunnel will be finished next year.")
    html = client.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert '"ClaimReview"' not in html
    assert 'type="application/json+oembed"' in html
    assert f"url=http%3A%2F%2Flocalhost%2Fclaims%2F{claim.id}" in html


def test_hostile_text_cannot_break_out_of_the_claim_pages_json_ld(client, make_claim, make_verdict):
    claim = make_claim(text="</script><script>alert(1)</script>")
    make_verdict(claim, rating="false")
    html = client.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "<script>alert(1)" not in html


def test_moves_while_a_new_claim_is_being_sourced_are_not_announced(
    client, make_claim, make_source, make_evidence
):
    claim = make_claim(text="The museum reopens on Sunday.")
    make_evidence(claim, make_source("https://gazette.example/museum"), stance="mentions")
    official = make_source("https://museum.example/news", kind="primary")
    make_evidence(claim, official, stance="refutes")
    status = client.get(f"/api/v1/claims/{claim.id}/status").json
    assert status["previous_status"] == "unsettled" and status["status"] == "refuted"
    card = client.get(f"/embed/claims/{claim.id}").get_data(as_text=True)
    assert "was:" not in card


def test_the_card_is_sandboxed_without_same_origin_wherever_it_is_framed(client, bonus):
    # allow-scripts with allow-same-origin lets the framed page lift its own sandbox.
    wanted = "allow-scripts allow-popups allow-popups-to-escape-sandbox"
    oembed = client.get(
        "/oembed", query_string={"url": f"http://localhost/claims/{bonus['id']}"}
    ).json["html"]
    assert f'sandbox="{wanted}"' in oembed
    script = client.get("/embed.js").get_data(as_text=True)
    assert f'"sandbox", "{wanted}"' in script
    assert "allow-same-origin" not in oembed + script
    csp = client.get(f"/embed/claims/{bonus['id']}").headers["Content-Security-Policy"]
    assert f"sandbox {wanted}" in csp and "allow-same-origin" not in csp


def test_a_missing_claims_card_reports_its_own_height_for_its_frame(client):
    response = client.get("/embed/claims/987654")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert 'data-claim="987654"' in page and f"<script>{CARD_SCRIPT}</script>" in page


def test_the_card_counts_rebuttals_with_the_right_plural_in_each_language(
    client, bonus, make_claim
):
    lone = make_claim(text="A claim nobody has answered.")
    assert "0 rebuttals" in client.get(f"/embed/claims/{lone.id}").get_data(as_text=True)
    french = client.get(f"/embed/claims/{lone.id}?lang=fr").get_data(as_text=True)
    assert "0 démenti<" in french
    two = client.get(f"/embed/claims/{bonus['id']}?lang=fr").get_data(as_text=True)
    assert "2 démentis" in two and "Verdict de la rédaction\u00a0:" in two
    assert "«\u00a0Meta a utilisé" in two and "contestation 0\u00a0%" in two


def test_oembed_names_the_newsroom_and_offers_the_badge_as_thumbnail(client, bonus):
    body = client.get(
        "/oembed", query_string={"url": f"http://localhost/claims/{bonus['id']}"}
    ).json
    assert body["author_name"] == "claimdesk" and body["author_url"] == "http://localhost/"
    assert body["thumbnail_url"] == f"http://localhost/embed/claims/{bonus['id']}.svg"
    svg = client.get(body["thumbnail_url"]).get_data(as_text=True)
    assert f'width="{body["thumbnail_width"]}" height="{body["thumbnail_height"]}"' in svg


def test_the_card_and_the_page_count_a_qualification_as_such_in_each_language(
    client, make_claim, make_relation
):
    claim = make_claim(text="The ferry crossing takes forty minutes.")
    plain = client.get(f"/embed/claims/{claim.id}").get_data(as_text=True)
    assert "qualification" not in plain  # nothing to say when there is none
    make_relation(make_claim(text="Only in calm weather."), "qualifies", claim)

    english = client.get(f"/embed/claims/{claim.id}").get_data(as_text=True)
    french = client.get(f"/embed/claims/{claim.id}?lang=fr").get_data(as_text=True)
    page = client.get(f"/claims/{claim.id}").get_data(as_text=True)

    assert "0 rebuttals · 1 qualification<" in english
    assert "0 démenti · 1 nuance<" in french
    assert "0 rebuttals, 1 qualification." in page
