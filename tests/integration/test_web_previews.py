"""What a shared link, a search engine and an editor's queue see: previews, JSON-LD, /ns."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from lxml import html

from service.app import create_app
from service.settings import Settings

FRENCH = {"Accept-Language": "fr"}


def _bonus_id(client) -> int:
    found = client.get("/api/v1/claims", query_string={"q": "prime signature 100 millions"})
    return next(c["id"] for c in found.json["data"] if c["claimant"]["name"] == "Sam Altman")


def _meta(page: str) -> dict[str, str]:
    doc = html.fromstring(page)
    tags = {m.get("property") or m.get("name"): m.get("content") for m in doc.xpath("//meta")}
    tags["canonical"] = doc.xpath("//link[@rel='canonical']/@href")[0]
    tags["icon"] = doc.xpath("//link[@rel='icon']/@href")[0]
    tags["h1"] = doc.xpath("string(//h1)")
    return tags


def _jsonld(page: str) -> list[dict[str, Any]]:
    doc = html.fromstring(page)
    return [json.loads(s.text) for s in doc.xpath("//script[@type='application/ld+json']")]


def test_a_shared_claim_link_previews_the_claim_who_said_it_and_the_verdict(client, demo) -> None:
    demo()
    claim_id = _bonus_id(client)
    page = client.get(f"/claims/{claim_id}").get_data(as_text=True)
    tags = _meta(page)
    assert tags["og:type"] == "article" and tags["twitter:card"] == "summary"
    assert tags["og:title"].startswith("Sam Altman: “Meta a utilisé une prime")
    assert tags["twitter:title"] == tags["og:title"]
    # The demo claim's evidence is unsettled (one interested party's denial settles nothing).
    assert tags["description"].startswith("Editor's verdict: Mixed. Status: Unsettled.")
    assert "2 sources support it" in tags["og:description"]
    assert tags["canonical"] == tags["og:url"] == f"http://localhost/claims/{claim_id}"
    assert tags["og:site_name"] == "claimdesk" and tags["og:locale"] == "en_US"
    assert "Meta a utilisé une prime à la signature" in tags["h1"]
    icon = client.get(tags["icon"])
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    icon.close()
    french = _meta(client.get(f"/claims/{claim_id}", headers=FRENCH).get_data(as_text=True))
    assert french["description"].startswith(
        "Verdict de la rédaction\u00a0: Mitigé. Statut\u00a0: Indécis."
    )
    assert french["og:locale"] == "fr_FR"


def test_every_page_has_a_canonical_link_a_description_and_a_favicon(client, demo) -> None:
    demo()
    for path in ("/", "/search?q=meta", "/login", "/ns"):
        tags = _meta(client.get(path).get_data(as_text=True))
        assert tags["canonical"] == "http://localhost" + path.split("?")[0], path
        assert tags["description"] and tags["icon"], path


def test_the_claim_review_names_the_newsroom_and_links_to_the_evidence_block(
    demo, database, tmp_path
) -> None:
    settings = Settings(
        env="test",
        secret_key="test-secret-key-0123456789",
        instance_path=tmp_path,
        jobs_immediate=True,
        publisher_name="Le Desk",
        publisher_url="https://desk.example/",
        publisher_logo="https://desk.example/logo.png",
    )
    client = create_app(settings, database=database).test_client()
    demo()
    claim_id = _bonus_id(client)
    review, block = _jsonld(
        client.get(f"/claims/{claim_id}", headers=FRENCH).get_data(as_text=True)
    )
    assert review["author"] == {
        "@type": "Organization",
        "name": "Le Desk",
        "url": "https://desk.example/",
        "logo": {"@type": "ImageObject", "url": "https://desk.example/logo.png"},
    }
    assert review["reviewRating"]["alternateName"] == "Mitigé"  # the page's language
    assert review["@id"] == f"http://localhost/claims/{claim_id}#claimreview"
    assert block["about"]["@id"] == review["itemReviewed"]["@id"]
    assert block["@context"]["cd"] == "http://localhost/ns#"
    # The language-free export keeps the English names.
    exported = client.get(f"/claims/{claim_id}.jsonld").json
    assert exported[0]["reviewRating"]["alternateName"] == "Mixed"


@pytest.mark.parametrize("headers", [{}, FRENCH])
def test_the_vocabulary_page_documents_every_term_the_evidence_block_uses(
    client, demo, headers
) -> None:
    demo()
    claim_id = _bonus_id(client)
    page = client.get(f"/claims/{claim_id}").get_data(as_text=True)
    used = set(re.findall(r'"cd:(\w+)"', json.dumps(_jsonld(page))))
    assert used >= {"ClaimEvidence", "Evidence", "RelatedClaim", "stance", "quote", "relation"}
    vocabulary = html.fromstring(client.get("/ns", headers=headers).get_data(as_text=True))
    documented = {dt.get("id") for dt in vocabulary.xpath("//dt[@id]")}
    assert used <= documented
    for term in used:
        assert vocabulary.xpath(f"string(//dt[@id='{term}']/following-sibling::dd[1])").strip()


def test_the_review_queue_shows_similar_claims_with_their_words_and_scores(
    signed_in, web, demo, client
) -> None:
    demo()
    submitted = web.post(
        "/claims/new",
        {"text": "Meta a utilisé une prime à la signature de 100 millions pour débaucher."},
    )
    assert submitted.status_code in (200, 303)
    if submitted.status_code == 200:  # the duplicate warning: say it is distinct
        text = "Meta a utilisé une prime à la signature de 100 millions pour débaucher."
        submitted = web.post("/claims/new", {"text": text, "confirm_distinct": text})
    assert submitted.status_code == 303
    queue = signed_in("editor").text("/review")
    similar = html.fromstring(queue).xpath("//ul[@class='similar']/li")
    assert similar, queue
    first = similar[0].text_content()
    assert "Meta a utilisé une prime à la signature de 100 millions de dollars" in first
    assert "similarity" in first and "contestedness 0%" in first and "verdict: Mixed" in first


def test_the_claim_page_leads_with_the_claim_who_said_it_the_verdict_and_the_evidence_state(
    client, demo
) -> None:
    demo()
    page = client.get(f"/claims/{_bonus_id(client)}").get_data(as_text=True)
    order = [
        page.index('<h1 id="claim-text"'),
        page.index('class="said-by"'),
        page.index('id="verdict"'),
        page.index('id="status"'),
        page.index('id="evidence"'),
        page.index('id="counter-statements"'),
        page.index('id="history"'),
    ]
    assert order == sorted(order)
    doc = html.fromstring(page)
    assert doc.xpath("string(//p[@class='said-by'])").strip().startswith("Sam Altman")
    assert doc.xpath("string(//section[@id='verdict']//strong)") == "Mixed"
