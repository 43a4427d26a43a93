"""Quotes in their page's context on the claim page, and source alerts on the widget.

Pages come from the local web server (loopback only); jobs run as they are queued.
"""

from __future__ import annotations

import re

import pytest

from service.settings import Settings

API = "/api/v1"
QUOTE = "Meta a tenté de recruter un chercheur senior d'OpenAI au poste de directeur scientifique"
CLAIM = "Meta tried to hire a senior OpenAI researcher as chief scientist."

pytestmark = pytest.mark.usefixtures("app")  # its job queue exists before any commit


@pytest.fixture
def settings(loopback_settings: Settings) -> Settings:
    return loopback_settings


@pytest.fixture
def quoted(client, auth, site, article_html, make_claim):
    """A claim with one supporting quote from the seed article served at /lettre."""
    url = site.serve("/lettre", article_html)
    claim = make_claim(CLAIM)
    response = client.post(
        f"{API}/claims/{claim.id}/evidence",
        json={"source_url": url, "stance": "supports", "quote": QUOTE},
        headers=auth(),
    )
    assert response.status_code == 201
    source_id = response.get_json()["source"]["id"]
    return claim.id, source_id


def anchor_block(html: str) -> str:
    found = re.search(
        r'<div class="anchor anchor-(\w+)" data-anchor="\w+">(.*?)\n</div>', html, re.S
    )
    assert found, "no anchor block on the page"
    return found.group(0)


def test_the_claim_page_shows_the_quote_in_its_context_with_the_match_marked(client, quoted):
    claim_id, _ = quoted
    block = anchor_block(client.get(f"/claims/{claim_id}").get_data(as_text=True))
    assert 'data-anchor="anchored"' in block
    assert "✔" in block and "Found on the page" in block  # a word and a shape, not colour
    mark = re.search(r"…(.*?)<mark>(.*?)</mark>(.*?)…", block, re.S)
    assert mark is not None
    assert mark.group(2).startswith("Meta a tenté de recruter un chercheur senior d’OpenAI")
    assert mark.group(1) and mark.group(3)  # the words around it, from the page


def test_the_claim_page_is_in_french_too(client, quoted):
    claim_id, _ = quoted
    html = client.get(f"/claims/{claim_id}", headers={"Accept-Language": "fr"}).get_data(
        as_text=True
    )
    assert "Trouvée sur la page" in html and "Sur la page\u00a0:" in html


def test_a_changed_page_shows_both_versions_for_a_person_to_compare(
    client, auth, site, article_html, quoted
):
    claim_id, source_id = quoted
    edited = article_html.decode().replace("chercheur senior", "ingénieur junior").encode()
    site.serve("/lettre", edited)
    client.post(f"{API}/sources/{source_id}/fetch", headers=auth())
    block = anchor_block(client.get(f"/claims/{claim_id}").get_data(as_text=True))
    assert 'data-anchor="changed"' in block and "⚠" in block and "Changed at source" in block
    assert "What the page said when it was quoted" in block and "What the page says now" in block
    marks = re.findall(r"<mark>(.*?)</mark>", block, re.S)
    assert len(marks) == 2
    assert "chercheur senior" in marks[0] and "ingénieur junior" in marks[1]


def test_a_dead_page_says_so_beside_the_quote_it_still_proves(client, auth, site, quoted):
    claim_id, source_id = quoted
    site.serve("/lettre", "gone", status=410)
    client.post(f"{API}/sources/{source_id}/fetch", headers=auth())
    block = anchor_block(client.get(f"/claims/{claim_id}").get_data(as_text=True))
    assert 'data-anchor="anchored"' in block  # the kept copy still proves it
    assert "⊘" in block and "The page is gone (dead link since" in block
    source_page = client.get(f"/sources/{source_id}").get_data(as_text=True)
    assert 'data-fetch-state="dead"' in source_page and "page removed" in source_page


def test_markup_in_a_page_and_in_a_quote_is_shown_as_text(client, auth, site, make_claim):
    page = (
        "<html><body><article><p>Le maire a écrit &lt;script&gt;alert(1)&lt;/script&gt; dans "
        "son courrier adressé au conseil municipal.</p></article></body></html>"
    )
    url = site.serve("/xss", page)
    claim = make_claim("The mayor wrote a script tag.")
    client.post(
        f"{API}/claims/{claim.id}/evidence",
        json={
            "source_url": url,
            "stance": "mentions",
            "quote": "a écrit <script>alert(1)</script>",
        },
        headers=auth(),
    )
    html = client.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    block = anchor_block(html)
    assert "<mark>a écrit &lt;script&gt;alert(1)&lt;/script&gt;</mark>" in block


def test_an_orphaned_quote_says_it_was_not_found_and_weighs_less(
    client, auth, site, article_html, make_claim
):
    url = site.serve("/orphan", article_html)
    claim = make_claim(CLAIM)
    client.post(
        f"{API}/claims/{claim.id}/evidence",
        json={"source_url": url, "stance": "supports", "quote": "Rien de tout cela ne figure ici."},
        headers=auth(),
    )
    block = anchor_block(client.get(f"/claims/{claim.id}").get_data(as_text=True))
    assert 'data-anchor="orphaned"' in block and "✘" in block and "Not found on the page" in block
    assert "half as much" in block


def test_a_quote_from_a_page_not_fetched_yet_says_it_was_not_checked(client, demo):
    demo()
    found = client.get(f"{API}/claims", query_string={"q": "directeur scientifique"}).get_json()
    claim_id = found["data"][0]["id"]
    html = client.get(f"/claims/{claim_id}").get_data(as_text=True)
    assert 'data-anchor="unanchored"' in html and "Not checked yet" in html
    assert 'data-anchor="anchored"' in html  # the iFanr quote, from the shipped snapshot


def test_the_widget_card_says_how_many_sources_died_and_quotes_changed(
    client, auth, site, article_html, quoted, make_claim
):
    claim_id, source_id = quoted
    card = client.get(f"/embed/claims/{claim_id}").get_data(as_text=True)
    assert "source dead" not in card and "changed at source" not in card
    site.serve("/lettre", article_html.decode().replace("chercheur senior", "stagiaire").encode())
    client.post(f"{API}/sources/{source_id}/fetch", headers=auth())
    card = client.get(f"/embed/claims/{claim_id}").get_data(as_text=True)
    assert "1 quote changed at source" in card
    site.serve("/lettre", "gone", status=404)
    client.post(f"{API}/sources/{source_id}/fetch", headers=auth())
    response = client.get(f"/embed/claims/{claim_id}", query_string={"lang": "fr"})
    card = response.get_data(as_text=True)
    assert "1 source disparue" in card and "1 citation modifiée à la source" in card
    assert len(response.data) < 10_000


def test_evidence_added_through_the_form_is_fetched_and_anchored(
    signed_in, site, article_html, make_claim
):
    url = site.serve("/form", article_html)
    claim = make_claim(CLAIM)
    browser = signed_in("contributor", "casey")
    response = browser.post(
        f"/claims/{claim.id}/evidence/new",
        {"source_url": url, "source_kind": "secondary", "stance": "supports", "quote": QUOTE},
    )
    assert response.status_code == 303
    block = anchor_block(browser.text(f"/claims/{claim.id}"))
    assert 'data-anchor="anchored"' in block and "<mark>" in block
