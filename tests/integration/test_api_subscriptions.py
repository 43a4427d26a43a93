"""The subscriptions API: who may subscribe, what is shown once, what every bad input gets."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from claims.notices.models import NoticeEvent

API = "/api/v1"
HOOK = "https://hooks.example/claimdesk"


def create(client, auth, role: str = "editor", **body: Any):
    return client.post(f"{API}/subscriptions", json={"url": HOOK, **body}, headers=auth(role))


def test_an_editor_subscribes_and_sees_the_secret_only_in_the_answer(client, auth):
    response = create(client, auth, events=["claim.verdict.changed"], description="Desk")
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["secret"].startswith("whsec_") and len(body["secret"]) > 40
    assert (
        body["state"] == "active" and body["filter"] == {} and body["owner"] == "token:test-editor"
    )
    assert response.headers["Location"].endswith(f"/subscriptions/{body['id']}")
    shown = client.get(f"{API}/subscriptions/{body['id']}", headers=auth("editor")).get_json()
    assert "secret" not in shown and body["secret"] not in str(shown)
    listed = client.get(f"{API}/subscriptions", headers=auth("editor")).get_json()
    assert listed["count"] == 1 and "secret" not in listed["data"][0]


def test_contributors_and_anonymous_callers_cannot_subscribe(client, auth, problem):
    problem(create(client, auth, role="contributor"), 403)
    problem(client.post(f"{API}/subscriptions", json={"url": HOOK}), 401)
    problem(client.get(f"{API}/subscriptions"), 401)


def test_an_editor_sees_only_their_own_subscriptions_and_an_admin_sees_all(client, auth, problem):
    mine = create(client, auth).get_json()["id"]
    theirs = create(client, auth, role="admin").get_json()["id"]
    assert [
        s["id"]
        for s in client.get(f"{API}/subscriptions", headers=auth("editor")).get_json()["data"]
    ] == [mine]
    assert {
        s["id"]
        for s in client.get(f"{API}/subscriptions", headers=auth("admin")).get_json()["data"]
    } == {mine, theirs}
    problem(client.get(f"{API}/subscriptions/{theirs}", headers=auth("editor")), 404)
    problem(client.delete(f"{API}/subscriptions/{theirs}", headers=auth("editor")), 404)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://hooks.example/x"}, "url"),
        ({"url": "https://user:pw@hooks.example/x"}, "url"),
        ({"url": "not a url"}, "url"),
        ({"url": HOOK, "events": ["claim.exploded"]}, "events"),
        ({"url": HOOK, "filter": {"claim_id": 1, "tag": "x"}}, "filter"),
        ({"url": HOOK, "filter": {"tag": "<script>"}}, "filter"),
        ({"url": HOOK, "filter": {"claim_id": 0}}, "filter"),
        ({"url": HOOK, "secret": "whsec_mine"}, "secret"),
        ({"url": HOOK, "description": "x" * 201}, "description"),
        ({"url": "https://hooks.example:99999/x"}, "url"),
        ({"url": "http://169.254.169.254/latest/meta-data"}, "url"),
        ({"url": "http://127.0.0.1:8080/hooks"}, "url"),
        ({"url": "http://[::1]/hooks"}, "url"),
    ],
    ids=str,
)
def test_bad_subscriptions_get_a_problem_naming_the_field(client, auth, problem, body, field):
    answer = problem(client.post(f"{API}/subscriptions", json=body, headers=auth("editor")), 422)
    assert any(e["field"].split(".")[0] == field for e in answer["errors"]), answer


def test_a_filter_on_a_claim_or_claimant_that_does_not_exist_is_refused(client, auth, problem):
    answer = problem(create(client, auth, filter={"claim_id": 999999}), 422)
    assert answer["errors"][0]["field"] == "filter.claim_id"
    answer = problem(create(client, auth, filter={"claimant_id": 999999}), 422)
    assert answer["errors"][0]["field"] == "filter.claimant_id"


def test_patch_changes_events_and_filter_pauses_and_resumes(client, auth, make_claim):
    claim = make_claim()
    sid = create(client, auth).get_json()["id"]
    url = f"{API}/subscriptions/{sid}"
    changed = client.patch(
        url,
        json={"events": ["claim.retracted"], "filter": {"claim_id": claim.id}},
        headers=auth("editor"),
    ).get_json()
    assert changed["events"] == ["claim.retracted"]
    assert changed["filter"] == {"claim_id": claim.id}
    assert changed["secret"] is None
    paused = client.patch(url, json={"paused": True}, headers=auth("editor")).get_json()
    assert paused["state"] == "paused" and "token:test-editor" in paused["state_reason"]
    resumed = client.patch(url, json={"paused": False}, headers=auth("editor")).get_json()
    assert resumed["state"] == "active" and resumed["state_reason"] is None


def test_patch_refuses_unknown_fields_and_out_of_range_grace(client, auth, problem):
    sid = create(client, auth).get_json()["id"]
    url = f"{API}/subscriptions/{sid}"
    problem(client.patch(url, json={"owner": "me"}, headers=auth("editor")), 422)
    problem(
        client.patch(
            url, json={"rotate_secret": True, "grace_hours": 10_000}, headers=auth("editor")
        ),
        422,
    )
    problem(
        client.patch(url, data="{", headers={**auth("editor"), "Content-Type": "application/json"}),
        400,
    )


def test_delete_is_soft_and_the_subscription_is_gone_for_its_owner(client, auth, problem, session):
    from claims.notices.models import Subscription

    sid = create(client, auth).get_json()["id"]
    assert client.delete(f"{API}/subscriptions/{sid}", headers=auth("editor")).status_code == 204
    problem(client.get(f"{API}/subscriptions/{sid}", headers=auth("editor")), 404)
    problem(client.get(f"{API}/subscriptions/{sid}/deliveries", headers=auth("editor")), 404)
    assert client.get(f"{API}/subscriptions", headers=auth("editor")).get_json()["count"] == 0
    kept = session.get(Subscription, sid)
    assert kept is not None and kept.deleted_at is not None


def test_deliveries_of_an_unknown_subscription_or_delivery_are_404(client, auth, problem):
    sid = create(client, auth).get_json()["id"]
    problem(
        client.post(f"{API}/subscriptions/{sid}/deliveries/12345/retry", headers=auth("editor")),
        404,
    )
    problem(
        client.get(f"{API}/subscriptions/{sid}/deliveries?state=lost", headers=auth("editor")), 422
    )
    problem(client.get(f"{API}/subscriptions/99999/deliveries", headers=auth("editor")), 404)


def events_of(session, claim_id: int) -> list[NoticeEvent]:
    return list(
        session.scalars(
            select(NoticeEvent).where(NoticeEvent.claim_id == claim_id).order_by(NoticeEvent.id)
        )
    )


def test_every_change_records_its_event_type_with_a_small_payload(
    client, auth, session, make_claim, make_source, make_evidence
):
    claim = make_claim()
    rebuttal = make_claim(text="The river did not rise at all.")
    make_evidence(claim, make_source(), stance="supports")
    client.post(
        f"{API}/claims/{rebuttal.id}/relations",
        json={"kind": "rebuts", "object_id": claim.id},
        headers=auth("editor"),
    )
    client.post(
        f"{API}/claims/{claim.id}/verdicts",
        json={"rating": "false", "rationale": "No."},
        headers=auth("editor"),
    )
    client.post(
        f"{API}/claims/{claim.id}/retract", json={"reason": "misquoted"}, headers=auth("editor")
    )
    types = [e.type for e in events_of(session, claim.id)]
    assert types[0] == "claim.status.changed"  # unsourced -> something, from the evidence
    assert "claim.relation.added" in types
    assert "claim.verdict.published" in types
    assert types[-1] == "claim.retracted"
    relation = next(e for e in events_of(session, claim.id) if e.type == "claim.relation.added")
    assert relation.data["subject"]["id"] == rebuttal.id
    assert relation.data["relation"]["kind"] == "rebuts"
    status = events_of(session, claim.id)[0]
    assert status.data["old"] == "unsourced" and status.data["new"] != "unsourced"
    assert status.actor == "system"
    retracted = events_of(session, claim.id)[-1]
    assert retracted.data["reason"] == "misquoted" and retracted.actor == "token:test-editor"
    assert all(len(str(e.data)) < 2000 for e in events_of(session, claim.id))


def test_claims_waiting_in_the_review_queue_announce_nothing(web, session, make_claimant):
    from claims.models import Claim

    before = session.scalar(select(NoticeEvent.id).order_by(NoticeEvent.id.desc()).limit(1))
    response = web.post("/claims/new", {"text": "A submitted claim nobody has reviewed."})
    assert response.status_code in (200, 303)
    submitted = session.scalar(select(Claim).where(Claim.review_state == "submitted"))
    assert submitted is not None
    assert events_of(session, submitted.id) == []
    after = session.scalar(select(NoticeEvent.id).order_by(NoticeEvent.id.desc()).limit(1))
    assert after == before
