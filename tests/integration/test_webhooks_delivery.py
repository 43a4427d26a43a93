"""Delivery of change notices to a real receiver on loopback, verified with standardwebhooks."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from standardwebhooks.webhooks import WebhookVerificationError
from webhook_receiver import Receiver

from claims.notices.models import Delivery, NoticeEvent
from clock import utcnow
from service.notify import Notifier
from service.settings import Settings

API = "/api/v1"
VERDICTS = ["claim.verdict.published", "claim.verdict.changed"]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver().start()
    yield r
    r.stop()


@pytest.fixture
def settings(tmp_path: Any) -> Settings:
    """Loopback is opened to the receivers through the operator's allowlist, nothing else."""
    return Settings(
        env="test",
        secret_key="test-secret-key-0123456789",
        instance_path=tmp_path,
        jobs_immediate=True,
        private_allowlist="127.0.0.1",
        webhook_timeout=2,
    )


@pytest.fixture
def subscribe(client, auth) -> Callable[..., tuple[int, str]]:
    """``subscribe(url, events=[...], filter={...})`` -> (id, secret), through the API."""

    def make(url: str, **body: Any) -> tuple[int, str]:
        response = client.post(
            f"{API}/subscriptions", json={"url": url, **body}, headers=auth("editor")
        )
        assert response.status_code == 201, response.get_json()
        answer = response.get_json()
        return answer["id"], answer["secret"]

    return make


@pytest.fixture
def rule(client, auth) -> Callable[..., None]:
    """``rule(claim_id, "false")``: an editor's verdict through the API."""

    def give(claim_id: int, rating: str) -> None:
        response = client.post(
            f"{API}/claims/{claim_id}/verdicts",
            json={"rating": rating, "rationale": f"Rated {rating}."},
            headers=auth("editor"),
        )
        assert response.status_code == 201, response.get_json()

    return give


def later(hours: float) -> Callable[[], datetime]:
    return lambda: utcnow() + timedelta(hours=hours)


def deliveries(client, auth, subscription_id: int) -> list[dict[str, Any]]:
    response = client.get(
        f"{API}/subscriptions/{subscription_id}/deliveries", headers=auth("editor")
    )
    assert response.status_code == 200
    data: list[dict[str, Any]] = response.get_json()["data"]
    return data


def subscription(client, auth, subscription_id: int) -> dict[str, Any]:
    response = client.get(f"{API}/subscriptions/{subscription_id}", headers=auth("editor"))
    assert response.status_code == 200
    answer: dict[str, Any] = response.get_json()
    return answer


def test_a_verdict_change_is_delivered_once_signed_with_old_and_new_values(
    receiver, subscribe, rule, make_claim
):
    claim = make_claim()
    _, secret = subscribe(receiver.url, events=VERDICTS)
    rule(claim.id, "mostly_true")
    rule(claim.id, "false")
    got = receiver.accepted()
    assert [r.verified(secret)["type"] for r in got] == VERDICTS
    assert len({r.id for r in got}) == 2 and len(receiver.requests) == 2
    changed = got[1].verified(secret)
    assert changed["data"]["claim"]["id"] == claim.id
    assert changed["data"]["claim"]["url"].endswith(f"/claims/{claim.id}")
    assert changed["data"]["old"]["rating"] == "mostly_true"
    assert changed["data"]["new"]["rating"] == "false"
    assert changed["data"]["actor"] == "token:test-editor"
    assert changed["timestamp"].endswith("Z")
    assert got[1].headers["webhook-signature"].startswith("v1,")
    with pytest.raises(WebhookVerificationError):
        got[1].verified("whsec_" + "QUJD" * 8)  # another secret does not verify


def test_events_are_recorded_in_the_writes_transaction_and_a_rollback_drops_them(
    session, make_claim, editor, table_counts
):
    from claims.schemas import VerdictCreate
    from claims.services import verdicts

    claim = make_claim()
    before = session.scalar(select(func.count()).select_from(NoticeEvent))
    verdicts.add_verdict(
        session=session,
        claim_id=claim.id,
        verdict_in=VerdictCreate(rating="false", rationale="No."),
        actor=editor,
    )
    session.flush()
    assert session.scalar(select(func.count()).select_from(NoticeEvent)) == before + 1
    session.rollback()
    assert session.scalar(select(func.count()).select_from(NoticeEvent)) == before


def test_a_receiver_down_for_a_while_gets_every_event_in_order_per_claim_once(
    receiver, subscribe, rule, make_claim, database, settings
):
    first, second = make_claim(), make_claim(text="The bridge closed in 2019.")
    _, secret = subscribe(receiver.url, events=VERDICTS)
    receiver.stop()  # connections are refused from now on
    rule(first.id, "true")
    rule(second.id, "false")
    rule(first.id, "mixed")
    rule(first.id, "false")
    assert receiver.accepted() == []
    receiver.start()  # back, on the same port
    for hours in (0.5, 2, 5):  # the worker comes back as the retries fall due
        Notifier(database=database, settings=settings, clock=later(hours)).drain()
    got = [r.verified(secret) for r in receiver.accepted()]
    about_first = [g["data"]["new"]["rating"] for g in got if g["data"]["claim"]["id"] == first.id]
    assert about_first == ["true", "mixed", "false"]
    assert [g["data"]["new"]["rating"] for g in got if g["data"]["claim"]["id"] == second.id] == [
        "false"
    ]
    ids = [r.id for r in receiver.accepted()]
    assert len(ids) == len(set(ids)) == 4  # none delivered twice, under any id


def test_events_committed_while_the_queue_is_down_go_out_with_the_next_sweep(
    receiver, subscribe, rule, make_claim, database, settings, app, monkeypatch
):
    from service.jobs import jobs_of

    claim = make_claim()
    _, secret = subscribe(receiver.url, events=VERDICTS)

    def queue_down(*args: Any) -> None:
        raise ConnectionError("redis is down")

    monkeypatch.setattr(jobs_of(app), "enqueue", queue_down)
    rule(claim.id, "false")  # the write succeeds all the same
    assert receiver.requests == []
    monkeypatch.undo()
    report = Notifier(database=database, settings=settings).drain()
    assert report.delivered == 1
    assert receiver.accepted()[0].verified(secret)["type"] == "claim.verdict.published"


def test_a_410_disables_the_subscription_and_nothing_more_is_sent(
    receiver, subscribe, rule, make_claim, client, auth
):
    claim = make_claim()
    subscription_id, _ = subscribe(receiver.url, events=VERDICTS)
    receiver.status = 410
    rule(claim.id, "true")
    shown = subscription(client, auth, subscription_id)
    assert shown["state"] == "disabled"
    assert "410" in shown["state_reason"]
    rule(claim.id, "false")
    assert len(receiver.requests) == 1
    resumed = client.patch(
        f"{API}/subscriptions/{subscription_id}", json={"paused": False}, headers=auth("editor")
    )
    assert resumed.status_code == 422


def test_after_rotation_both_secrets_sign_during_the_grace_period_then_only_the_new(
    receiver, subscribe, rule, make_claim, client, auth
):
    claim = make_claim()
    subscription_id, old = subscribe(receiver.url, events=VERDICTS)
    rotated = client.patch(
        f"{API}/subscriptions/{subscription_id}",
        json={"rotate_secret": True, "grace_hours": 1},
        headers=auth("editor"),
    )
    assert rotated.status_code == 200
    new = rotated.get_json()["secret"]
    assert new.startswith("whsec_") and new != old
    assert rotated.get_json()["previous_secret_until"] is not None
    rule(claim.id, "true")
    during = receiver.accepted()[-1]
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    assert during.verified(old) == during.verified(new)
    again = client.patch(
        f"{API}/subscriptions/{subscription_id}",
        json={"rotate_secret": True, "grace_hours": 0},
        headers=auth("editor"),
    )
    newest = again.get_json()["secret"]
    rule(claim.id, "false")
    after = receiver.accepted()[-1]
    assert after.verified(newest)["type"] == "claim.verdict.changed"
    with pytest.raises(WebhookVerificationError):
        after.verified(new)


def test_a_receiver_that_hangs_times_out_and_the_worker_goes_on_to_the_others(
    subscribe, rule, make_claim, client, auth, database, settings
):
    hung, fine = Receiver(hang=10).start(), Receiver().start()
    try:
        claim = make_claim()
        hung_id, _ = subscribe(hung.url, events=VERDICTS)
        _, secret = subscribe(fine.url, events=VERDICTS)
        fast = settings.model_copy(update={"webhook_timeout": 0.5})
        started = time.monotonic()
        from claims.schemas import VerdictCreate
        from claims.services import verdicts

        with database.session_factory() as session:
            from claims.policy import Actor, Role

            verdicts.add_verdict(
                session=session,
                claim_id=claim.id,
                verdict_in=VerdictCreate(rating="false", rationale="No."),
                actor=Actor(name="ed", role=Role.editor),
            )
            session.info.pop("claimdesk.notices.pending")  # this test drains by itself
            session.commit()
        report = Notifier(database=database, settings=fast).drain()
        assert time.monotonic() - started < 5
        assert report.attempts == 2 and report.delivered == 1
        assert fine.accepted()[0].verified(secret)["type"] == "claim.verdict.published"
        [waiting] = deliveries(client, auth, hung_id)
        assert waiting["state"] == "pending"
        assert "no answer within 0.5 s" in waiting["last_error"]
        assert waiting["history"][0]["duration_ms"] >= 400
    finally:
        hung.stop()
        fine.stop()


def test_retry_after_on_429_and_503_is_honoured(
    receiver, subscribe, rule, make_claim, client, auth
):
    claim = make_claim()
    subscription_id, _ = subscribe(receiver.url, events=VERDICTS)
    receiver.status, receiver.headers = 429, {"Retry-After": "600"}
    before = utcnow()
    rule(claim.id, "true")
    [waiting] = deliveries(client, auth, subscription_id)
    assert waiting["last_status"] == 429
    next_at = datetime.fromisoformat(waiting["next_attempt_at"])
    assert next_at >= before + timedelta(seconds=590)  # not the schedule's 5 seconds


def test_a_delivery_failing_for_a_day_pauses_the_subscription_and_says_why(
    receiver, subscribe, rule, make_claim, client, auth, database, settings
):
    claim = make_claim()
    subscription_id, _ = subscribe(receiver.url, events=VERDICTS)
    receiver.status = 500
    rule(claim.id, "true")
    for hours in (1, 3, 6, 12, 24, 48, 96):  # each past the latest jittered retry
        Notifier(database=database, settings=settings, clock=later(hours)).drain()
    shown = subscription(client, auth, subscription_id)
    assert shown["state"] == "paused"
    assert "failed 8 times" in shown["state_reason"]
    [failed] = deliveries(client, auth, subscription_id)
    assert failed["state"] == "failed" and failed["attempts"] == 8
    assert [a["status"] for a in failed["history"]] == [500] * 8
    # Fixed, resumed and retried by hand: delivered.
    receiver.status = 200
    client.patch(
        f"{API}/subscriptions/{subscription_id}", json={"paused": False}, headers=auth("editor")
    )
    retried = client.post(
        f"{API}/subscriptions/{subscription_id}/deliveries/{failed['id']}/retry",
        headers=auth("editor"),
    )
    assert retried.status_code == 202
    [done] = deliveries(client, auth, subscription_id)
    assert done["state"] == "delivered" and done["attempts"] == 9


def test_loopback_not_on_the_allowlist_is_refused_by_the_ssrf_guard(
    receiver, subscribe, rule, make_claim, client, auth, database, settings
):
    claim = make_claim()
    subscription_id, _ = subscribe(receiver.url, events=VERDICTS)
    closed = settings.model_copy(update={"private_allowlist": "127.0.0.1:1"})
    with database.session_factory() as session:
        from claims.policy import Actor, Role
        from claims.schemas import VerdictCreate
        from claims.services import verdicts

        verdicts.add_verdict(
            session=session,
            claim_id=claim.id,
            verdict_in=VerdictCreate(rating="false", rationale="No."),
            actor=Actor(name="ed", role=Role.editor),
        )
        session.info.pop("claimdesk.notices.pending")
        session.commit()
    Notifier(database=database, settings=closed).drain()
    assert receiver.requests == []
    [refused] = deliveries(client, auth, subscription_id)
    assert "refused" in refused["last_error"] and "loopback" in refused["last_error"]


def test_filters_route_by_claim_claimant_and_tag(
    receiver, subscribe, rule, make_claim, make_claimant, session
):
    ada = make_claimant("Ada Example")
    tagged = make_claim(text="Tagged claim about rivers.", tags=["floods"])
    hers = make_claim(text="Her claim about bridges.", claimant_id=ada.id)
    other = make_claim(text="Another claim entirely.")
    _, by_tag = subscribe(receiver.url, events=VERDICTS, filter={"tag": "Floods"})
    _, by_claimant = subscribe(receiver.url, events=VERDICTS, filter={"claimant_id": ada.id})
    _, by_claim = subscribe(receiver.url, events=VERDICTS, filter={"claim_id": other.id})
    for claim in (tagged, hers, other):
        rule(claim.id, "false")
    got = receiver.accepted()
    assert len(got) == 3
    seen: dict[int, str] = {}
    for request in got:
        for secret, name in ((by_tag, "tag"), (by_claimant, "claimant"), (by_claim, "claim")):
            try:
                seen[request.verified(secret)["data"]["claim"]["id"]] = name
            except WebhookVerificationError:
                continue
    assert seen == {tagged.id: "tag", hers.id: "claimant", other.id: "claim"}
    assert session.scalar(select(func.count()).select_from(Delivery)) == 3


def test_a_withdrawn_verdict_is_announced_and_no_verdict_is_left_in_force(
    receiver, subscribe, rule, make_claim, client, auth, problem
):
    claim = make_claim()
    _, secret = subscribe(receiver.url, events=["claim.verdict.withdrawn"])
    rule(claim.id, "false")
    url = f"{API}/claims/{claim.id}/verdicts/withdraw"
    withdrawn = client.post(
        url, json={"reason": "ruled on the wrong claim"}, headers=auth("editor")
    )
    assert withdrawn.status_code == 200, withdrawn.get_json()
    [got] = [r.verified(secret) for r in receiver.accepted()]
    assert got["type"] == "claim.verdict.withdrawn"
    assert got["data"]["old"]["rating"] == "false" and got["data"]["new"] is None
    assert got["data"]["reason"] == "ruled on the wrong claim"
    assert client.get(f"{API}/claims/{claim.id}").get_json()["verdict"] is None
    problem(
        client.post(url, json={"reason": "again"}, headers=auth("editor")), 409
    )  # nothing left to withdraw: a state clash
    problem(client.post(url, json={"reason": "x"}, headers=auth("contributor")), 403)
