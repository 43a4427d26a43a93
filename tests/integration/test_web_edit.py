"""Correcting and withdrawing from the pages, with the API's rules and its conflict detection."""

from __future__ import annotations

from sqlmodel import select

from claims.models import Claim, Evidence, Relation, Revision

API = "/api/v1"


def test_an_editor_corrects_a_claim_and_the_history_shows_before_and_after(
    signed_in, make_claim, session
) -> None:
    claim = make_claim("The river rose three metres overnight.")
    editor = signed_in("editor", "ed")
    path = f"/claims/{claim.id}/edit"
    form = {
        "text": "The river rose two metres overnight.",
        "claimant": "",
        "said_on": "2025-06",
        "language": "en",
        "tags": "floods, rivers",
        "version": editor.hidden(path, "version"),
    }
    response = editor.post(path, form)
    assert response.status_code == 303, response.get_data(as_text=True)
    session.expire_all()
    stored = session.get(Claim, claim.id)
    assert stored is not None and stored.text == "The river rose two metres overnight."
    assert stored.said_on == "2025-06" and stored.language == "en"
    page = editor.text(f"/claims/{claim.id}")
    assert "Correction" in page and "<del>The river rose three metres overnight.</del>" in page
    assert (
        "<ins>The river rose two metres overnight.</ins>" in page and "<ins>June 2025</ins>" in page
    )
    # Language identification logs its own update when the claim arrived as "und".
    actors = session.exec(select(Revision.actor).where(Revision.action == "update")).all()
    assert [a for a in actors if not a.startswith("claimdesk:")] == ["user:ed"]


def test_a_form_opened_on_a_stale_version_is_refused_and_nothing_is_overwritten(
    signed_in, make_claim, client, auth, session
) -> None:
    claim = make_claim("The river rose three metres overnight.")
    editor = signed_in("editor")
    path = f"/claims/{claim.id}/edit"
    opened = editor.hidden(path, "version")
    current = client.get(f"{API}/claims/{claim.id}")
    changed = client.patch(
        f"{API}/claims/{claim.id}",
        json={"text": "The river rose four metres overnight."},
        headers={**auth("editor"), "If-Match": current.headers["ETag"]},
    )
    assert changed.status_code == 200
    mine = {"text": "The river rose two metres.", "claimant": "", "version": opened}
    refused = editor.post(path, mine)
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert "Someone changed this claim after you opened this form" in page
    assert "The river rose two metres." in page  # what they typed is kept
    assert "The river rose four metres overnight." in page  # and the claim as it is now
    session.expire_all()
    stored = session.get(Claim, claim.id)
    assert stored is not None and stored.text == "The river rose four metres overnight."
    # The refusal carries the current version: saving again, knowingly, goes through.
    again = editor.post(path, {**mine, "version": editor.hidden(path, "version")})
    assert again.status_code == 303
    assert client.get(f"{API}/claims/{claim.id}").get_json()["text"] == "The river rose two metres."


def test_a_correction_without_a_version_or_with_bad_words_is_refused(signed_in, make_claim) -> None:
    claim = make_claim()
    editor = signed_in("editor")
    path = f"/claims/{claim.id}/edit"
    assert editor.post(path, {"text": "New words."}).status_code == 409
    empty = editor.post(path, {"text": "  ", "version": editor.hidden(path, "version")})
    assert empty.status_code == 422
    assert 'id="text-error"' in empty.get_data(as_text=True)


def test_visitors_are_sent_to_sign_in_and_contributors_may_not_withdraw_claims(
    web, signed_in, make_claim
) -> None:
    claim = make_claim()
    assert web.get(f"/claims/{claim.id}/edit").status_code == 302
    contributor = signed_in("contributor")
    assert contributor.get(f"/claims/{claim.id}/retract").status_code == 403
    assert 'name="version"' in contributor.text(f"/claims/{claim.id}/edit")


def test_an_editor_withdraws_a_claim_with_a_reason(signed_in, make_claim, session) -> None:
    claim = make_claim()
    editor = signed_in("editor")
    path = f"/claims/{claim.id}/retract"
    assert editor.post(path, {"reason": ""}).status_code == 422
    assert editor.post(path, {"reason": "Misattributed."}).status_code == 303
    page = editor.text(f"/claims/{claim.id}")
    assert "This claim was withdrawn on" in page and "Misattributed." in page
    assert "Correct this claim" not in page
    # A withdrawn claim cannot be corrected: a state clash (409, as on the API).
    assert editor.get(f"/claims/{claim.id}/edit").status_code == 409


def test_a_contributor_withdraws_evidence_they_added_but_not_someone_elses(
    signed_in, make_claim, make_source, make_evidence, session
) -> None:
    claim = make_claim()
    contributor = signed_in("contributor", "casey")
    added = contributor.post(
        f"/claims/{claim.id}/evidence/new",
        {"source_url": "https://news.example/mine", "stance": "supports", "quote": "Yes."},
    )
    assert added.status_code == 303
    mine = session.exec(select(Evidence).where(Evidence.added_by == "user:casey")).one()
    theirs = make_evidence(claim, make_source("https://news.example/theirs"))
    page = contributor.text(f"/claims/{claim.id}")
    assert f"/evidence/{mine.id}/retract" in page and f"/evidence/{theirs.id}/retract" not in page
    assert contributor.get(f"/claims/{claim.id}/evidence/{theirs.id}/retract").status_code == 403
    refused = contributor.post(
        f"/claims/{claim.id}/evidence/{theirs.id}/retract", {"reason": "Not mine."}
    )
    assert refused.status_code == 403
    done = contributor.post(f"/claims/{claim.id}/evidence/{mine.id}/retract", {"reason": "Typo."})
    assert done.status_code == 303
    session.expire_all()
    assert session.get(Evidence, mine.id).retracted_at is not None
    assert session.get(Evidence, theirs.id).retracted_at is None


def test_an_editor_withdraws_a_counter_statement_and_the_claim_is_rescored(
    signed_in, make_claim, make_relation, client, session
) -> None:
    claim = make_claim("The mayor said the bridge is safe.")
    rebuttal = make_claim("The bridge failed its inspection.")
    relation = make_relation(rebuttal, "rebuts", claim)
    assert client.get(f"{API}/claims/{claim.id}/status").get_json()["counts"]["rebuttals"] == 1
    contributor = signed_in("contributor")
    path = f"/claims/{claim.id}/relations/{relation.id}/retract"
    assert contributor.get(path).status_code == 403
    editor = signed_in("editor")
    assert f"/relations/{relation.id}/retract" in editor.text(f"/claims/{claim.id}")
    assert editor.post(path, {"reason": ""}).status_code == 422
    assert editor.post(path, {"reason": "Wrong claim linked."}).status_code == 303
    assert client.get(f"{API}/claims/{claim.id}/status").get_json()["counts"]["rebuttals"] == 0
    session.expire_all()
    assert session.get(Relation, relation.id).retraction_reason == "Wrong claim linked."


def test_a_verdict_form_opened_before_another_verdict_is_refused(
    signed_in, make_claim, make_verdict, client
) -> None:
    claim = make_claim()
    editor = signed_in("editor")
    path = f"/claims/{claim.id}/verdict/new"
    opened = editor.hidden(path, "version")
    make_verdict(claim, rating="false", rationale="Another editor ruled first.")
    refused = editor.post(path, {"rating": "true", "rationale": "Mine.", "version": opened})
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert "Another verdict was published after you opened this form" in page
    assert "Another editor ruled first." in page
    assert client.get(f"{API}/claims/{claim.id}/status").get_json()["verdict"]["rating"] == "false"
