"""The reading pages: home, claim, claimant, source, search, and the error pages."""

from __future__ import annotations

import re

from markupsafe import escape

API = "/api/v1"


def _attr(page: str, name: str) -> str:
    found = re.search(rf'id="status"[^>]*\b{name}="([^"]*)"', page, re.S)
    assert found, name
    return found.group(1)


def test_the_claim_page_shows_the_same_status_contestedness_and_counts_as_the_api(
    web, client, demo
) -> None:
    demo()
    listing = client.get(f"{API}/claims", query_string={"claimant": "Ultraman", "q": "prime"})
    bonus = listing.get_json()["data"][0]
    api = client.get(f"{API}/claims/{bonus['id']}/status").get_json()
    page = web.text(f"/claims/{bonus['id']}")
    # Bosworth's first-hand denial is an interested party's: it cannot outweigh Wired alone.
    assert _attr(page, "data-status") == api["status"] == "unsettled"
    assert float(_attr(page, "data-contestedness")) == api["contestedness"]
    assert float(_attr(page, "data-lean")) == api["lean"]
    for name in ("supporting", "refuting", "mentioning", "rebuttals", "qualifications", "backings"):
        assert int(_attr(page, f"data-count-{name}")) == api["counts"][name], name
    assert (api["counts"]["rebuttals"], api["counts"]["qualifications"]) == (2, 1)
    assert "Unsettled" in page and 'class="icon" aria-hidden="true">◐' in page  # word + shape
    verdict = page[page.index('id="verdict"') : page.index('id="status"')]
    assert "Editor's verdict" in verdict and ">Mixed</strong>" in verdict  # the verdict leads
    assert "State of the evidence on record: Unsettled" in page
    assert "2 rebuttals" in page and "1 qualification" in page  # not listed as refuting
    assert "2 sources support it" in page and "1 independent origin for it" in page
    assert "independent origin against it" not in page  # Bosworth is an interested party
    assert (
        "Andrew Bosworth, Directeur technique (CTO) de Meta denies it (an interested party:"
        " this counts, but cannot outweigh"
        " independent evidence on its own)." in page
    )
    assert "wired.com supports it." in page or "Wired supports it." in page


def test_the_claim_page_shows_claimant_alias_evidence_counter_statements_verdict_and_history(
    web, client, demo
) -> None:
    demo()
    bonus = client.get(f"{API}/claims", query_string={"claimant": "Ultraman", "q": "prime"})
    claim_id = bonus.get_json()["data"][0]["id"]
    page = web.text(f"/claims/{claim_id}")
    assert "Sam Altman" in page and "also known as" in page and "Ultraman, Altman" in page
    assert "June 2025" in page
    assert "Sources that support it" in page and "wired.com" in page
    assert "Added by demo" in page
    assert "What answers this claim" in page and "Andrew Bosworth" in page and "rebuts" in page
    assert "Mixed" in page  # the demo's verdict
    assert (
        "Revision history" in page
        and '<strong translate="no">demo</strong>: Creation · claim no. ' in page
    )
    assert 'id="embed-snippet"' in page
    assert str(escape(f'<blockquote class="claimdesk-claim" data-claim="{claim_id}">')) in page


def test_the_home_page_lists_recent_and_contested_claims_with_badges(web, demo) -> None:
    demo()
    page = web.text("/")
    assert "Recently changed" in page and "Most contested" in page
    assert 'data-status="unsettled"' in page  # the demo's claims, each with its badge
    assert 'role="search"' in page


def test_claim_text_is_shown_as_text_never_as_markup(web, make_claim) -> None:
    claim = make_claim('<script>alert(1)</script> "onmouseover=alert(2) <b>bold</b>')
    page = web.text(f"/claims/{claim.id}")
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &#34;onmouseover=alert(2)" in page
    assert "<b>bold</b>" not in page
    assert "script-src 'self'" in web.get(f"/claims/{claim.id}").headers["Content-Security-Policy"]
    assert "<script>alert(1)" not in web.text("/")


def test_the_claimant_page_lists_their_claims_and_aliases(web, make_claimant, make_claim) -> None:
    person = make_claimant("Andrew Bosworth", aliases=["Boz"])
    make_claim("It was an exaggeration.", claimant_id=person.id)
    make_claim("Someone else said this.")
    page = web.text(f"/claimants/{person.id}")
    assert "Andrew Bosworth" in page and "Boz" in page
    assert "It was an exaggeration." in page and "Someone else said this." not in page


def test_the_source_page_lists_every_claim_citing_it_with_its_stance(
    web, make_claim, make_source, make_evidence
) -> None:
    source = make_source("https://news.example/a", title="The report")
    first, second = make_claim("Prices doubled."), make_claim("Wages fell sharply.")
    make_evidence(first, source, stance="supports", quote="prices doubled")
    make_evidence(second, source, stance="refutes", quote="wages rose")
    page = web.text(f"/sources/{source.id}")
    assert "The report" in page and "news.example" in page
    assert "Prices doubled." in page and "Supports" in page
    assert "Wages fell sharply." in page and "Refutes" in page


def test_search_is_fuzzy_and_filters_by_status_claimant_and_language(
    web, make_claim, make_claimant
) -> None:
    person = make_claimant("Sam Altman", aliases=["Ultraman"])
    make_claim("Meta offered huge signing bonuses.", claimant_id=person.id, language="en")
    make_claim("Meta a offert des primes énormes.", language="fr")
    page = web.text("/search?q=sigining+bonusses")
    assert "Meta offered huge <mark>signing</mark> <mark>bonuses</mark>." in page  # why: marked
    by_claimant = web.text("/search?q=meta&claimant=Ultraman")
    assert "signing bonuses" in by_claimant and "primes" not in by_claimant
    by_language = web.text("/search?q=meta&language=fr")
    assert "primes" in by_language and "signing bonuses" not in by_language
    by_status = web.text("/search?q=meta&status=contested")
    assert "0 claims found" in by_status


def test_search_refuses_a_bad_filter_beside_its_field(web) -> None:
    response = web.get("/search?q=x&status=wobbly")
    page = response.get_data(as_text=True)
    assert 'id="status-error"' in page and "claims found" not in page
    assert 'id="language-error"' in web.text("/search?q=x&language=not+a+language")


def test_unknown_pages_and_claims_get_an_html_404_page(web) -> None:
    for path in ("/no/such/page", "/claims/424242", "/claimants/424242", "/sources/424242"):
        response = web.get(path)
        assert response.status_code == 404, path
        assert response.mimetype == "text/html"
        assert "Page not found" in response.get_data(as_text=True)
    api = web.get(f"{API}/claims/424242")
    assert api.mimetype == "application/problem+json"


def test_a_forged_cursor_is_a_clear_error_page_not_a_crash(web, make_claimant) -> None:
    person = make_claimant("Ada")
    response = web.get(f"/claimants/{person.id}?cursor=forged")
    assert response.status_code == 422
    assert response.mimetype == "text/html"


def test_pages_use_only_claimdesk_assets_and_refuse_framing(web) -> None:
    response = web.get("/")
    page = response.get_data(as_text=True)
    # The canonical link names this page's own public address: the one absolute URL allowed.
    canonical = re.search(r'<link rel="canonical" href="([^"]*)">', page)
    assert canonical and canonical.group(1) == "http://localhost/"
    page = page.replace(canonical.group(0), "")
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    for asset in ("/static/claimdesk.css", "/static/claimdesk.js", "/static/favicon.svg"):
        with web.get(asset) as response:
            assert response.status_code == 200, asset
