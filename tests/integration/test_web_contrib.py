"""Forms on a claim: evidence, counter-statements, retracting evidence, and verdicts."""

from __future__ import annotations

from sqlmodel import Session, select

from claims.models import Claim, Evidence, Relation, Revision, Verdict

API = "/api/v1"
PRIMARY = "https://www.meta.example/newsroom/offers"


def _status(client, claim_id: int) -> dict:
    return client.get(f"{API}/claims/{claim_id}/status").get_json()


def test_a_contributor_adds_a_source_with_a_quote_and_the_claim_is_rescored(
    signed_in, make_claim, client, session: Session
) -> None:
    claim = make_claim("Meta made at least ten such offers.")
    browser = signed_in("contributor", "casey")
    form = browser.text(f"/claims/{claim.id}/evidence/new")
    assert "Meta made at least ten such offers." in form
    response = browser.post(
        f"/claims/{claim.id}/evidence/new",
        {
            "source_url": PRIMARY,
            "source_kind": "primary",
            "stance": "supports",
            "quote": "We made ten offers.",
            "note": "Company statement.",
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/claims/{claim.id}#evidence")
    status = _status(client, claim.id)
    assert status["counts"]["supporting"] == 1 and status["status"] != "unsourced"
    page = browser.text(f"/claims/{claim.id}")
    assert "We made ten offers." in page and "Added by casey" in page
    item = session.exec(select(Evidence).where(Evidence.claim_id == claim.id)).one()
    assert item.added_by == "user:casey"


def test_evidence_without_stance_or_quote_is_refused_beside_each_field(
    signed_in, make_claim
) -> None:
    claim = make_claim()
    browser = signed_in("contributor")
    response = browser.post(
        f"/claims/{claim.id}/evidence/new", {"source_url": PRIMARY, "note": "kept note"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="stance-error"' in page and 'id="quote-error"' in page
    assert f'value="{PRIMARY}"' in page and "kept note" in page


def test_evidence_with_an_unusable_address_is_refused_beside_the_address(
    signed_in, make_claim, table_counts
) -> None:
    claim = make_claim()
    before = table_counts()
    browser = signed_in("contributor")
    response = browser.post(
        f"/claims/{claim.id}/evidence/new",
        {"source_url": "not a url", "stance": "supports", "quote": "q"},
    )
    assert response.status_code == 422
    assert 'id="source_url-error"' in response.get_data(as_text=True)
    after = table_counts()
    assert {k: v for k, v in after.items() if k != "revision"} == {
        k: v for k, v in before.items() if k != "revision"
    }


def test_visitors_without_an_account_are_sent_to_sign_in_before_adding_evidence(
    web, make_claim
) -> None:
    claim = make_claim()
    response = web.get(f"/claims/{claim.id}/evidence/new")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next=/claims/{claim.id}/evidence/new"
    posted = web.post(
        f"/claims/{claim.id}/evidence/new",
        {"source_url": PRIMARY, "stance": "supports", "quote": "q"},
    )
    assert posted.status_code == 302


def test_bosworths_rebuttal_as_a_new_claim_counts_as_an_interested_partys_denial(
    signed_in, make_claim, make_claimant, make_source, make_evidence, client, session
) -> None:
    altman = make_claimant("Sam Altman", aliases=["Ultraman"])
    make_claimant("Andrew Bosworth", aliases=["Boz"])
    claim = make_claim("Meta used $100M signing bonuses to poach talent.", claimant_id=altman.id)
    make_evidence(claim, make_source(PRIMARY, kind="primary"), stance="supports")
    assert _status(client, claim.id)["status"] != "contested"
    browser = signed_in("contributor", "casey")
    response = browser.post(
        f"/claims/{claim.id}/counter/new",
        {
            "mode": "new",
            "kind": "rebuts",
            "first_hand": "1",
            "text": "Altman's claim about a $100M signing bonus is an exaggeration.",
            "claimant": "Boz",
            "said_on": "2025-06",
            "language": "en",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    status = _status(client, claim.id)
    assert status["status"] == "unsettled" and status["counts"]["rebuttals"] == 1
    relation = session.exec(select(Relation).where(Relation.object_id == claim.id)).one()
    assert relation.first_hand and relation.added_by == "user:casey"
    page = browser.text(f"/claims/{claim.id}")
    assert "Andrew Bosworth" in page and 'data-status="unsettled"' in page
    assert "an interested party" in page


def test_a_counter_statement_can_link_an_existing_claim_by_number_or_address(
    signed_in, make_claim, session
) -> None:
    claim, answer = make_claim("The offers were real."), make_claim("The offers were lies.")
    browser = signed_in("contributor")
    response = browser.post(
        f"/claims/{claim.id}/counter/new",
        {"mode": "existing", "kind": "rebuts", "other_claim": f"http://x/claims/{answer.id}"},
    )
    assert response.status_code == 303
    relation = session.exec(select(Relation).where(Relation.object_id == claim.id)).one()
    assert relation.subject_id == answer.id
    answered = browser.text(f"/claims/{answer.id}")
    assert "What this claim answers" in answered and "The offers were real." in answered


def test_a_counter_statement_naming_no_existing_claim_is_refused_beside_the_field(
    signed_in, make_claim
) -> None:
    claim = make_claim()
    browser = signed_in("contributor")
    for other in ("", "424242", str(claim.id)):
        response = browser.post(
            f"/claims/{claim.id}/counter/new",
            {"mode": "existing", "kind": "rebuts", "other_claim": other},
        )
        assert response.status_code == 422, other
        assert 'id="other_claim-error"' in response.get_data(as_text=True), other


def test_a_new_counter_statement_needs_its_words(signed_in, make_claim, session) -> None:
    claim = make_claim()
    response = signed_in("contributor").post(
        f"/claims/{claim.id}/counter/new", {"mode": "new", "kind": "rebuts", "text": ""}
    )
    assert response.status_code == 422
    assert 'id="text-error"' in response.get_data(as_text=True)
    assert session.exec(select(Relation)).first() is None


def test_a_counter_statement_repeating_a_claim_offers_to_link_it_instead(
    signed_in, make_claim, session
) -> None:
    claim = make_claim("The river rose three metres.")
    existing = make_claim("The river never rose at all, say the gauges.")
    browser = signed_in("contributor")
    warned = browser.post(
        f"/claims/{claim.id}/counter/new",
        {"mode": "new", "kind": "rebuts", "text": "The river never rose at all, say the gauges"},
    )
    page = warned.get_data(as_text=True)
    assert f"This looks like claim #{existing.id}" in page
    assert f'name="link_existing" value="{existing.id}"' in page
    linked = browser.post(
        f"/claims/{claim.id}/counter/new",
        {"mode": "new", "kind": "rebuts", "text": "whatever", "link_existing": existing.id},
    )
    assert linked.status_code == 303
    relation = session.exec(select(Relation).where(Relation.object_id == claim.id)).one()
    assert relation.subject_id == existing.id
    assert session.exec(select(Claim).where(Claim.text == "whatever")).first() is None


def test_an_editor_retracts_evidence_with_a_reason_and_the_claim_is_rescored(
    signed_in, make_claim, make_source, make_evidence, client, session
) -> None:
    claim = make_claim()
    item = make_evidence(claim, make_source(PRIMARY, kind="primary"), stance="supports")
    assert _status(client, claim.id)["counts"]["supporting"] == 1
    editor = signed_in("editor", "ed")
    path = f"/claims/{claim.id}/evidence/{item.id}/retract"
    assert "as quoted" in editor.text(path)
    refused = editor.post(path, {"reason": " "})
    assert refused.status_code == 422 and 'id="reason-error"' in refused.get_data(as_text=True)
    assert editor.post(path, {"reason": "Misquoted."}).status_code == 303
    status = _status(client, claim.id)
    assert status["status"] == "unsourced" and status["counts"]["supporting"] == 0
    logged = session.exec(
        select(Revision).where(Revision.entity == "evidence", Revision.action == "retract")
    ).one()
    assert logged.actor == "user:ed"
    assert "Retracted evidence (1)" in editor.text(f"/claims/{claim.id}")


def test_contributors_cannot_retract_evidence(
    signed_in, make_claim, make_source, make_evidence
) -> None:
    claim = make_claim()
    item = make_evidence(claim, make_source())
    browser = signed_in("contributor")
    path = f"/claims/{claim.id}/evidence/{item.id}/retract"
    assert browser.get(path).status_code == 403
    refused = browser.post(path, {"reason": "no"})
    assert refused.status_code == 403
    assert "You may not do this" in refused.get_data(as_text=True)


def test_retracting_evidence_of_another_claim_is_not_found(
    signed_in, make_claim, make_source, make_evidence
) -> None:
    item = make_evidence(make_claim("One."), make_source())
    other = make_claim("Two different words.")
    assert (
        signed_in("editor").get(f"/claims/{other.id}/evidence/{item.id}/retract").status_code == 404
    )


def test_an_editor_gives_a_verdict_and_a_second_one_supersedes_it(
    signed_in, make_claim, client, session
) -> None:
    claim = make_claim()
    editor = signed_in("editor", "ed")
    path = f"/claims/{claim.id}/verdict/new"
    assert 'name="rating"' in editor.text(path)
    version = editor.hidden(path, "version")
    first = editor.post(path, {"rating": "mixed", "rationale": "Partly right.", "version": version})
    assert first.status_code == 303 and first.headers["Location"].endswith("#verdict")
    second = {"rating": "false", "rationale": "Wrong after all."}
    assert (
        editor.post(path, {**second, "version": editor.hidden(path, "version")}).status_code == 303
    )
    assert _status(client, claim.id)["verdict"]["rating"] == "false"
    page = editor.text(f"/claims/{claim.id}")
    assert "Wrong after all." in page and "Earlier verdicts (1)" in page
    verdicts = session.exec(select(Verdict).where(Verdict.claim_id == claim.id)).all()
    assert {v.editor for v in verdicts} == {"user:ed"}


def test_a_verdict_without_rating_or_rationale_is_refused_beside_each_field(
    signed_in, make_claim
) -> None:
    claim = make_claim()
    editor = signed_in("editor")
    path = f"/claims/{claim.id}/verdict/new"
    response = editor.post(
        path, {"rating": "sort of", "rationale": "", "version": editor.hidden(path, "version")}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="rating-error"' in page and 'id="rationale-error"' in page


def test_contributors_cannot_give_verdicts(signed_in, make_claim, session) -> None:
    claim = make_claim()
    browser = signed_in("contributor")
    assert browser.get(f"/claims/{claim.id}/verdict/new").status_code == 403
    refused = browser.post(
        f"/claims/{claim.id}/verdict/new", {"rating": "true", "rationale": "I say so."}
    )
    assert refused.status_code == 403
    assert session.exec(select(Verdict)).first() is None
    assert "Give a verdict" not in browser.text(f"/claims/{claim.id}")


def test_forms_on_a_claim_waiting_for_review_are_not_found(web, signed_in, session) -> None:
    web.post("/claims/new", {"text": "A claim nobody has reviewed yet."})
    claim = session.exec(select(Claim).where(Claim.review_state == "submitted")).one()
    editor = signed_in("editor")
    for path in ("evidence/new", "counter/new", "verdict/new"):
        assert editor.get(f"/claims/{claim.id}/{path}").status_code == 404, path
