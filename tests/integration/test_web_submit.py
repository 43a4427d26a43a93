"""Submitting a claim through the web form: signed in it is published, anonymous it is queued."""

from __future__ import annotations

import html

from sqlmodel import Session, select

from claims.models import Claim, Revision

API = "/api/v1"
TEXT = "The bridge was closed for three weeks in March."


def _claim(session: Session, text: str) -> Claim:
    session.expire_all()
    return session.exec(select(Claim).where(Claim.text == text)).one()


def test_a_contributor_submits_a_claim_and_lands_on_its_published_page(
    signed_in, session, make_claimant
) -> None:
    make_claimant("Sam Altman", aliases=["Ultraman"])
    browser = signed_in("contributor", "casey")
    response = browser.post(
        "/claims/new",
        {"text": TEXT, "claimant": "Ultraman", "said_on": "2025-06", "language": "en"},
    )
    assert response.status_code == 303
    claim = _claim(session, TEXT)
    assert response.headers["Location"].endswith(f"/claims/{claim.id}")
    assert claim.review_state == "published"
    page = browser.text(f"/claims/{claim.id}")
    assert "Sam Altman" in page and f"Claim #{claim.id} recorded." in page
    created = session.exec(select(Revision).where(Revision.claim_id == claim.id)).first()
    assert created is not None and created.actor == "user:casey"


def test_an_empty_text_is_refused_beside_its_field_and_the_other_input_is_kept(web) -> None:
    response = web.post("/claims/new", {"text": "   ", "said_on": "2025-06", "tags": "a, b"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="text-error"' in page and "This field is required." in page
    assert 'aria-invalid="true"' in page
    assert 'value="2025-06"' in page and 'value="a, b"' in page


def test_an_impossible_date_is_refused_beside_the_date_field(web) -> None:
    response = web.post("/claims/new", {"text": TEXT, "said_on": "2025-13-45"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="said_on-error"' in page
    assert html.escape(TEXT, quote=True) in page


def test_a_bad_language_code_is_refused_beside_the_language_field(web) -> None:
    response = web.post("/claims/new", {"text": TEXT, "language": "english please"})
    assert response.status_code == 422
    assert 'id="language-error"' in response.get_data(as_text=True)


def test_a_near_duplicate_is_shown_and_the_submitter_can_still_continue(
    signed_in, make_claim, session
) -> None:
    existing = make_claim("Meta offered a 100 million dollar signing bonus to OpenAI staff.")
    browser = signed_in("contributor")
    text = "Meta offered a $100 million signing bonus to OpenAI staff"
    warned = browser.post("/claims/new", {"text": text})
    assert warned.status_code == 200
    page = warned.get_data(as_text=True)
    assert f"This looks like claim #{existing.id}" in page
    assert f'href="/claims/{existing.id}"' in page
    assert session.exec(select(Claim).where(Claim.text == text)).first() is None
    confirmed = browser.post("/claims/new", {"text": text, "confirm_distinct": text})
    assert confirmed.status_code == 303
    assert _claim(session, text).id != existing.id


def test_a_confirmation_given_for_other_words_does_not_skip_the_duplicate_check(
    signed_in, make_claim
) -> None:
    existing = make_claim("Meta offered a 100 million dollar signing bonus to OpenAI staff.")
    browser = signed_in("contributor")
    response = browser.post(
        "/claims/new",
        {
            "text": "Meta offered a $100 million signing bonus to OpenAI staff",
            "confirm_distinct": "something I confirmed earlier",
        },
    )
    assert f"This looks like claim #{existing.id}" in response.get_data(as_text=True)


def test_an_ambiguous_claimant_name_offers_the_candidates_to_pick_from(
    signed_in, make_claimant, session
) -> None:
    first = make_claimant("Alex Martin", aliases=["AM"])
    second = make_claimant("Alexandra Moreau", aliases=["AM"], homonym=True)
    browser = signed_in("contributor")
    response = browser.post("/claims/new", {"text": TEXT, "claimant": "AM"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="claimant-error"' in page
    assert f'name="claimant_id" value="{first.id}"' in page
    assert f'name="claimant_id" value="{second.id}"' in page
    picked = browser.post("/claims/new", {"text": TEXT, "claimant": "AM", "claimant_id": second.id})
    assert picked.status_code == 303
    assert _claim(session, TEXT).claimant_id == second.id


def test_an_anonymous_claim_waits_in_the_queue_invisible_to_the_public_web_and_api(
    web, client, session
) -> None:
    response = web.post("/claims/new", {"text": TEXT, "language": "en"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/")
    claim = _claim(session, TEXT)
    assert claim.review_state == "submitted"
    assert "will appear once an editor has reviewed it" in web.text("/")
    for path in (
        f"/claims/{claim.id}",
        f"{API}/claims/{claim.id}",
        f"{API}/claims/{claim.id}/status",
        f"{API}/claims/{claim.id}/history",
        f"{API}/claims/{claim.id}/evidence",
    ):
        assert client.get(path).status_code == 404, path
    listed = client.get(f"{API}/claims").get_json()
    assert claim.id not in [c["id"] for c in listed["data"]]
    matched = client.get(f"{API}/claims/match", query_string={"text": TEXT}).get_json()
    assert claim.id not in [m["claim_id"] for m in matched["data"]]
    assert TEXT not in web.text("/search?q=bridge+closed")
    assert TEXT not in web.text("/")
    created = session.exec(select(Revision).where(Revision.claim_id == claim.id)).one()
    assert created.actor == "anonymous"


def test_an_editor_sees_the_queue_and_accepting_publishes_the_claim(
    web, signed_in, client, session
) -> None:
    web.post("/claims/new", {"text": TEXT})
    claim = _claim(session, TEXT)
    editor = signed_in("editor", "ed")
    queue = editor.text("/review")
    assert html.escape(TEXT) in queue
    assert editor.get(f"/claims/{claim.id}").status_code == 200  # editors may open it
    accepted = editor.post(f"/review/{claim.id}/accept")
    assert accepted.status_code == 303
    assert html.escape(TEXT) not in editor.text("/review")
    assert client.get(f"{API}/claims/{claim.id}/status").status_code == 200
    assert web.get(f"/claims/{claim.id}").status_code == 200
    actions = [
        (r.action, r.actor)
        for r in session.exec(select(Revision).where(Revision.claim_id == claim.id)).all()
    ]
    assert ("accept", "user:ed") in actions


def test_rejecting_needs_a_reason_and_keeps_the_claim_unpublished(
    web, signed_in, client, session
) -> None:
    web.post("/claims/new", {"text": TEXT})
    claim = _claim(session, TEXT)
    editor = signed_in("editor")
    refused = editor.post(f"/review/{claim.id}/reject", {"reason": ""})
    assert refused.status_code == 422
    assert f'id="reason-{claim.id}-error"' in refused.get_data(as_text=True)
    rejected = editor.post(f"/review/{claim.id}/reject", {"reason": "Spam."})
    assert rejected.status_code == 303
    assert html.escape(TEXT) not in editor.text("/review")
    assert client.get(f"{API}/claims/{claim.id}").status_code == 404
    assert _claim(session, TEXT).retraction_reason == "Spam."


def test_contributors_and_visitors_cannot_open_the_review_queue(web, signed_in) -> None:
    assert web.get("/review").status_code == 302
    assert signed_in("contributor").get("/review").status_code == 403


def test_without_an_account_only_claimants_and_pages_on_record_can_be_named(
    web, make_claimant, make_source, session
) -> None:
    unknown = web.post("/claims/new", {"text": TEXT, "claimant": "Nobody Known"})
    assert unknown.status_code == 422
    assert 'id="claimant-error"' in unknown.get_data(as_text=True)
    new_page = web.post(
        "/claims/new", {"text": TEXT, "appeared_in_url": "https://unknown.example/a"}
    )
    assert new_page.status_code == 422
    assert 'id="appeared_in_url-error"' in new_page.get_data(as_text=True)
    person = make_claimant("Andrew Bosworth", aliases=["Boz"])
    source = make_source("https://news.example/known")
    ok = web.post(
        "/claims/new",
        {"text": TEXT, "claimant": "Boz", "appeared_in_url": "https://news.example/known"},
    )
    assert ok.status_code == 303
    claim = _claim(session, TEXT)
    assert (claim.claimant_id, claim.appeared_in_id) == (person.id, source.id)
