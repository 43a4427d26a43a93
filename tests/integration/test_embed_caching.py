"""The card's ETag is decided before rendering, so it must cover everything the page shows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from claims.models import Claim


def _recently_changed(make_claim, session) -> Claim:
    claim = make_claim(text="The ferry will run all winter.")
    now = datetime.now(UTC)
    claim.created_at = now - timedelta(days=30)
    claim.status, claim.previous_status = "contested", "supported"
    claim.status_changed_at = now - timedelta(days=1)
    session.add(claim)
    session.commit()
    return claim


def test_the_card_etag_changes_when_its_what_changed_notice_expires(
    client, make_claim, session, monkeypatch
):
    from service.embed import card

    claim = _recently_changed(make_claim, session)
    url = f"/embed/claims/{claim.id}"
    before = client.get(url)
    assert "was: Supported" in before.get_data(as_text=True)
    later = datetime.now(UTC) + card.CHANGE_NOTICE + timedelta(days=1)
    monkeypatch.setattr(card, "utcnow", lambda: later)
    after = client.get(url, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert "was:" not in after.get_data(as_text=True)
    assert after.headers["ETag"] != before.headers["ETag"]


def test_the_card_etag_changes_when_a_recent_verdict_is_given(client, make_claim, make_verdict):
    claim = make_claim(text="The library doubles its opening hours.")
    make_verdict(claim, rating="true")
    url = f"/embed/claims/{claim.id}"
    first = client.get(url).headers["ETag"]
    make_verdict(claim, rating="mostly_false")
    second = client.get(url, headers={"If-None-Match": first})
    assert second.status_code == 200
    assert "verdict was: True" in second.get_data(as_text=True)


def test_each_option_has_its_own_etag_and_a_304_only_answers_the_same_options(client, make_claim):
    claim = make_claim(text="The stadium seats eighty thousand.")
    url = f"/embed/claims/{claim.id}"
    english = client.get(url).headers["ETag"]
    french = client.get(url, query_string={"lang": "fr"}).headers["ETag"]
    assert english != french
    assert client.get(url, headers={"If-None-Match": english}).status_code == 304
    cross = client.get(url, query_string={"lang": "fr"}, headers={"If-None-Match": english})
    assert cross.status_code == 200


def test_a_304_card_carries_the_headers_of_the_200_and_no_body(client, make_claim):
    claim = make_claim(text="The tram line reaches the airport.")
    url = f"/embed/claims/{claim.id}"
    full = client.get(url)
    cached = client.get(url, headers={"If-None-Match": full.headers["ETag"]})
    assert cached.status_code == 304 and cached.data == b""
    for header in (
        "ETag",
        "Cache-Control",
        "Access-Control-Allow-Origin",
        "Content-Security-Policy",
        "Referrer-Policy",
        "X-Content-Type-Options",
    ):
        assert cached.headers[header] == full.headers[header], header


def test_the_same_card_rendered_twice_keeps_its_etag(client, make_claim):
    claim = make_claim(text="The harbour is dredged every spring.")
    url = f"/embed/claims/{claim.id}"
    assert client.get(url).headers["ETag"] == client.get(url).headers["ETag"]


def test_the_card_shows_the_source_alert_counts_and_its_etag_follows(
    client, make_claim, make_source, make_evidence, session
):
    from claims.scoring import service as scores
    from claims.services import alerts

    claim = make_claim(text="The canal freezes every January.")
    evidence = make_evidence(claim, make_source("https://one.example/canal"), stance="supports")
    make_evidence(claim, make_source("https://two.example/canal"), stance="mentions")
    url = f"/embed/claims/{claim.id}"
    before = client.get(url)
    assert "quote changed" not in before.get_data(as_text=True)
    evidence.changed_at_source = True  # what re-anchoring finds, then it rescores the claim
    session.add(evidence)
    scores.recompute(session=session, claim=claim)
    session.commit()
    after = client.get(url, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    html = after.get_data(as_text=True)
    dead, changed = alerts.source_alerts(session=session, claim_id=claim.id)
    assert changed == 1 and "1 quote changed at source" in html
    assert (f"{dead} source dead" if dead == 1 else f"{dead} sources dead") in html or dead == 0
