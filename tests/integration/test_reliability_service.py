"""Publishers' learned reliability in the ledger: weights, explanations, updates, API."""

from __future__ import annotations

from sqlmodel import Session

from claims.models import Claim


def _contributions(client, claim_id):
    explanation = client.get(f"/api/v1/claims/{claim_id}").json["explanation"]
    return {c["key"]: c for c in explanation["contributions"]}


def test_a_publisher_backing_claims_rated_false_loses_weight_elsewhere(
    client, make_claim, make_source, make_evidence, make_verdict
):
    tabloid = make_source("https://tabloid.example/rumour-1")
    for n in range(4):
        rumour = make_claim(text=f"Rumour number {n} about a celebrity wedding.")
        make_evidence(rumour, make_source(f"https://tabloid.example/r{n}"), stance="supports")
        make_verdict(rumour, rating="false")
    fresh = make_claim(text="A brand new rumour about a royal baby.")
    item = make_evidence(fresh, tabloid, stance="supports")
    contribution = _contributions(client, fresh.id)[f"evidence:{item.id}"]
    assert contribution["points"] == 0  # its record takes all its weight away
    assert contribution["record"] == {"held": 0.0, "failed": 4.0, "unverified": 0}


def test_an_unrated_publisher_keeps_full_weight(client, make_claim, make_source, make_evidence):
    claim = make_claim(text="The council approved the budget.")
    item = make_evidence(claim, make_source("https://paper.example/budget"), stance="supports")
    part = _contributions(client, claim.id)[f"evidence:{item.id}"]
    assert part["points"] == part["stance_points"] > 0
    assert part["record_points"] == 0


def test_a_verdict_rescores_other_claims_resting_on_the_same_publishers(
    client, make_claim, make_source, make_evidence, make_verdict, session: Session
):
    rated = make_claim(text="The mayor resigned on Monday.")
    make_evidence(rated, make_source("https://gossip.example/mayor"), stance="supports")
    other = make_claim(text="The mayor bought a yacht.")
    item = make_evidence(other, make_source("https://gossip.example/yacht"), stance="supports")
    before = _contributions(client, other.id)[f"evidence:{item.id}"]["points"]
    make_verdict(rated, rating="false")
    after = _contributions(client, other.id)[f"evidence:{item.id}"]["points"]
    assert before > 0 and after < before
    make_verdict(rated, rating="true")  # the editor changes their mind: the record follows
    assert _contributions(client, other.id)[f"evidence:{item.id}"]["points"] > before
    assert session.get(Claim, other.id) is not None


def test_a_claims_own_verdict_never_weighs_its_own_evidence(
    client, make_claim, make_source, make_evidence, make_verdict
):
    claim = make_claim(text="The stadium will seat 80,000 people.")
    item = make_evidence(claim, make_source("https://sport.example/stadium"), stance="supports")
    make_verdict(claim, rating="false")
    part = _contributions(client, claim.id)[f"evidence:{item.id}"]
    assert part["points"] == part["stance_points"] > 0
    assert part["record_points"] == 0


def test_the_api_shows_each_publishers_reliability_with_its_record(
    client, make_claim, make_source, make_evidence, make_verdict
):
    claim = make_claim(text="A dam burst upstream.")
    make_evidence(claim, make_source("https://wire.example/dam"), stance="refutes")
    make_verdict(claim, rating="false")
    listing = client.get("/api/v1/publishers", query_string={"domain": "wire.example"}).json
    (publisher,) = listing["data"]
    assert publisher["record"]["disputed"] == {
        "claims": 1,
        "right": 1.0,
        "wrong": 0.0,
        "unverifiable": 0,
    }
    assert publisher["disputing_weight"] == 1.0 and publisher["value"] > 0.5
    assert "wire.example disputed 1 rated claim: 1 right, 0 wrong" in publisher["reason"]
    one = client.get(f"/api/v1/publishers/{publisher['id']}")
    assert one.status_code == 200 and one.json == publisher
    assert client.get("/api/v1/publishers/999999").status_code == 404


def test_the_publisher_page_shows_its_reliability_and_record_and_sources_link_to_it(
    client, make_claim, make_source, make_evidence, make_verdict
):
    claim = make_claim(text="The zoo's panda had twins.")
    source = make_source("https://herald.example/panda")
    make_evidence(claim, source, stance="supports")
    make_verdict(claim, rating="false")
    publisher_id = client.get(f"/api/v1/sources/{source.id}").json["publisher"]["id"]
    assert f'href="/publishers/{publisher_id}"' in client.get(f"/sources/{source.id}").text
    page = client.get(f"/publishers/{publisher_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "herald.example" in html
    assert "1 rated claim: 0 right, 1 wrong, 0 never verified" in html  # singular: one claim
    assert "weight ×0.5" in html
    assert client.get("/publishers/999999").status_code == 404
