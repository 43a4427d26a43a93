"""One search box over claims, people and sources, answered by the database's own full-text
engine (PostgreSQL tsvector, SQLite FTS5) kept current by triggers, with a fuzzy second pass."""

from __future__ import annotations

from typing import Any

import pytest

from claims.schemas import ClaimantUpdate, ClaimUpdate
from claims.services import claimants, ledger
from sources.models import SourceUpdate
from sources.service import update_source

API = "/api/v1"


def _search(client, q: str, **params: Any) -> dict[str, Any]:
    response = client.get(f"{API}/search", query_string={"q": q, **params})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _claim_ids(found: dict[str, Any]) -> list[int]:
    return [h["claim"]["id"] for h in found["claims"]]


def _marked(reason: dict[str, Any]) -> list[str]:
    return [reason["text"][s:e] for s, e in reason["highlights"]]


def test_an_alias_finds_the_claims_of_whoever_goes_by_it(client, make_claimant, make_claim):
    altman = make_claimant("Sam Altman", aliases=["Ultraman"])
    said = make_claim("Meta offered huge signing bonuses.", claimant_id=altman.id, language="en")
    make_claim("The canal froze in May.")
    found = _search(client, "ultraman")
    assert _claim_ids(found) == [said.id]
    assert "fulltext" in found["claims"][0]["signals"]
    [alias] = [r for r in found["claims"][0]["reasons"] if r["field"] == "alias"]
    assert _marked(alias) == ["Ultraman"]
    assert [p["name"] for p in found["people"]] == ["Sam Altman"]


@pytest.mark.parametrize("q", ["100M", "$100 million", "100 millions de dollars", "100 000 000 $"])
def test_a_figure_is_found_whatever_its_spelling(client, make_claim, q):
    french = make_claim("Meta a offert des primes de 100 millions de dollars.", language="fr")
    english = make_claim("Meta offered $100M signing bonuses.", language="en")
    make_claim("Meta offered $300M over four years.", language="en")
    assert set(_claim_ids(_search(client, q))) == {french.id, english.id}


def test_decimal_commas_and_points_are_one_figure(client, make_claim):
    claim = make_claim("Satya Nadella a reçu 79,1 millions de dollars en 2024.", language="fr")
    found = _search(client, "79.1 million")
    assert _claim_ids(found) == [claim.id]
    [text] = [r for r in found["claims"][0]["reasons"] if r["field"] == "text"]
    assert _marked(text) == ["79,1 millions de dollars"]


def test_french_and_english_stems_and_accents_are_forgiven(client, make_claim):
    french = make_claim("La rémunération totale des dirigeants a doublé.", language="fr")
    english = make_claim("Meta offered signing bonuses to researchers.", language="en")
    assert _claim_ids(_search(client, "remunerations")) == [french.id]
    assert _claim_ids(_search(client, "bonus offers")) == [english.id]


def test_a_typo_is_caught_by_the_fuzzy_second_pass(client, make_claimant, make_claim):
    altman = make_claimant("Sam Altman", aliases=["Ultraman"])
    said = make_claim("Meta offered huge signing bonuses.", claimant_id=altman.id)
    typo = _search(client, "ultramn")
    assert _claim_ids(typo) == [said.id]
    assert typo["claims"][0]["signals"] == ["person"]
    assert [p["name"] for p in typo["people"]] == ["Sam Altman"]
    assert typo["people"][0]["signals"] == ["fuzzy"]
    text_typo = _search(client, "sigining bonuses")
    assert _claim_ids(text_typo) == [said.id]
    assert "fuzzy" in text_typo["claims"][0]["signals"]


def test_tags_and_source_titles_are_searched_and_sources_are_found(
    client, make_claim, make_source, make_evidence
):
    tagged = make_claim("The canal froze in May.", tags=["climate"])
    cited = make_claim("Wages rose by a tenth.")
    source = make_source("https://wired.example/offers", title="What Zuckerberg is offering")
    make_evidence(cited, source)
    assert _claim_ids(_search(client, "climate")) == [tagged.id]
    found = _search(client, "zuckerberg")
    assert _claim_ids(found) == [cited.id]
    assert found["claims"][0]["reasons"][0]["field"] == "source"
    assert [s["id"] for s in found["sources"]] == [source.id]


def test_the_index_follows_every_write_through_the_database_triggers(
    client, session, editor, make_claimant, make_claim, make_source, make_evidence
):
    person = make_claimant("Sam Altman")
    claim = make_claim("The canal froze in May.", claimant_id=person.id)
    assert _search(client, "ultraman")["claims"] == []
    claimants.update_claimant(
        session=session,
        claimant_id=person.id,
        claimant_in=ClaimantUpdate(aliases=["Ultraman"]),
        actor=editor,
    )
    session.commit()
    assert _claim_ids(_search(client, "ultraman")) == [claim.id]

    ledger.update_claim(
        session=session,
        claim_id=claim.id,
        claim_in=ClaimUpdate(text="The harbour flooded twice.", tags=["weather"]),
        actor=editor,
    )
    session.commit()
    assert _search(client, "canal")["claims"] == []
    assert _claim_ids(_search(client, "harbour weather")) == [claim.id]

    source = make_source("https://news.example/story")
    make_evidence(claim, source)
    assert _search(client, "gazette")["claims"] == []
    update_source(session=session, source_id=source.id, source_in=SourceUpdate(title="Gazette"))
    session.commit()
    assert _claim_ids(_search(client, "gazette")) == [claim.id]


def test_retracted_claims_are_not_found(client, session, editor, make_claim):
    claim = make_claim("The canal froze in May.")
    ledger.retract_claim(session=session, claim_id=claim.id, reason="wrong", actor=editor)
    session.commit()
    assert _search(client, "canal")["claims"] == []
    listed = client.get(f"{API}/claims", query_string={"q": "canal", "include_retracted": "true"})
    assert [c["id"] for c in listed.get_json()["data"]] == [claim.id]


def test_the_claim_list_q_filter_uses_the_same_search(client, make_claimant, make_claim):
    altman = make_claimant("Sam Altman", aliases=["Ultraman"])
    said = make_claim("Meta a offert 100 millions de dollars.", claimant_id=altman.id)
    make_claim("The canal froze in May.")
    for q in ("Ultraman", "100M", "ultramn"):
        listed = client.get(f"{API}/claims", query_string={"q": q}).get_json()
        assert [c["id"] for c in listed["data"]] == [said.id], q


@pytest.mark.parametrize(
    "q", ['"', "*", "NEAR(", "-", "a OR", "OR OR", "(((", "'", "\\", ":", "^x", "ü" * 400]
)
def test_any_box_is_answered_never_a_500(client, make_claim, q):
    make_claim("The canal froze in May.")
    found = _search(client, q)
    assert found["q"] == q


@pytest.mark.parametrize(
    ("params", "field"), [({"q": ""}, "q"), ({"q": "x", "limit": "0"}, "limit")]
)
def test_bad_search_parameters_are_a_422_problem(client, problem, params, field):
    body = problem(client.get(f"{API}/search", query_string=params), 422)
    assert field in str(body)


def test_the_search_page_marks_why_each_hit_matched_and_escapes_it(web, make_claimant, make_claim):
    altman = make_claimant("Sam Altman", aliases=["Ultra<b>man</b>"])
    make_claim("Meta offered <script>x</script> 100 millions.", claimant_id=altman.id)
    page = web.text("/search", query_string={"q": "ultra 100M"})
    assert "<mark>100 millions</mark>" in page
    assert "<mark>Ultra</mark>&lt;b&gt;man&lt;/b&gt;" in page
    assert "<script>x</script>" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page


def test_people_and_sources_are_listed_on_the_search_page(web, make_claimant, make_source):
    person = make_claimant("Sam Altman", aliases=["Ultraman"])
    source = make_source("https://wired.example/a", title="Ultraman memo")
    page = web.text("/search", query_string={"q": "Ultraman"})
    assert f'href="/claimants/{person.id}"' in page
    assert f'href="/sources/{source.id}"' in page


@pytest.mark.parametrize("path", ["/", "/search", "/claims/new", "/login"])
def test_every_page_has_the_search_box(web, path):
    page = web.text(path)
    assert 'class="site-search"' in page and 'name="q"' in page
