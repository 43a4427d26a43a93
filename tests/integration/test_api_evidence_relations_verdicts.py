"""What hangs on a claim, through the app: evidence, relations, verdicts and the history."""

from __future__ import annotations

from unittest.mock import ANY

import pytest

API = "/api/v1"


def evidence_url(claim_id: int) -> str:
    return f"{API}/claims/{claim_id}/evidence"


def relations_url(claim_id: int) -> str:
    return f"{API}/claims/{claim_id}/relations"


def verdicts_url(claim_id: int) -> str:
    return f"{API}/claims/{claim_id}/verdicts"


def status_of(client, claim_id: int) -> dict:
    response = client.get(f"{API}/claims/{claim_id}/status")
    assert response.status_code == 200
    return response.get_json()


# ---- evidence -----------------------------------------------------------------------------


def test_evidence_by_source_id_is_recorded_and_listed(client, make_claim, make_source, auth):
    claim = make_claim("The bakery sells 900 loaves a day.")
    source = make_source("https://bread.example/report", title="Bread report")

    response = client.post(
        evidence_url(claim.id),
        json={
            "source_id": source.id,
            "stance": "supports",
            "quote": "  nine hundred loaves, every single day  ",
            "note": "Page 2.",
        },
        headers=auth(),
    )

    assert response.status_code == 201, response.get_data(as_text=True)
    item = response.get_json()
    assert item["claim_id"] == claim.id
    assert item["source"] == {
        "id": source.id,
        "url": "https://bread.example/report",
        "title": "Bread report",
        "kind": "secondary",
        "publisher": "bread.example",
        "fetch_state": ANY,  # whatever the page's fetch made of it: not this test's subject
        "dead_since": ANY,
    }
    assert item["stance"] == "supports"
    assert item["quote"] == "nine hundred loaves, every single day"
    assert item["note"] == "Page 2."
    assert item["added_by"] == "token:test-contributor"
    assert item["retracted_at"] is None
    listed = client.get(evidence_url(claim.id)).get_json()
    assert listed["count"] == 1
    assert listed["data"] == [item]
    assert status_of(client, claim.id)["counts"]["supporting"] == 1


def test_evidence_by_url_records_the_source_once_whatever_the_tracking(
    client, make_claim, auth, table_counts
):
    claim = make_claim("The canal reopens in April.")
    before = table_counts()["source"]

    first = client.post(
        evidence_url(claim.id),
        json={
            "source_url": "https://Canal.example/news/reopening",
            "source_kind": "primary",
            "stance": "supports",
            "quote": "reopens in April",
        },
        headers=auth(),
    )
    second = client.post(
        evidence_url(claim.id),
        json={
            "source_url": "https://canal.example/news/reopening?utm_source=tw&utm_medium=x#para3",
            "stance": "mentions",
            "quote": "April",
        },
        headers=auth(),
    )

    assert (first.status_code, second.status_code) == (201, 201)
    one, two = first.get_json()["source"], second.get_json()["source"]
    assert one["id"] == two["id"]
    assert one["url"] == "https://canal.example/news/reopening"
    assert one["kind"] == "primary"
    assert table_counts()["source"] == before + 1


def test_a_primary_refutation_against_a_secondary_report_refutes_a_claim(
    client, make_claim, make_source, auth
):
    claim = make_claim("The minister resigned on Tuesday.")
    report = make_source("https://tabloid.example/minister", kind="secondary")
    statement = make_source("https://ministry.example/statement", kind="primary")

    supported = client.post(
        evidence_url(claim.id),
        json={"source_id": report.id, "stance": "supports", "quote": "resigned Tuesday"},
        headers=auth(),
    ).get_json()
    # One report is not corroboration (docs/scoring.md, PRIOR_WEIGHT).
    assert status_of(client, claim.id)["status"] == "unsettled"
    refuted = client.post(
        evidence_url(claim.id),
        json={"source_id": statement.id, "stance": "refutes", "quote": "has not resigned"},
        headers=auth(),
    ).get_json()

    body = client.get(f"{API}/claims/{claim.id}").get_json()
    # A denial by an independent primary source far outweighs one report (docs/scoring.md).
    assert body["status"] == "refuted"
    assert body["counts"] == {
        "supporting": 1,
        "refuting": 1,
        "mentioning": 0,
        "rebuttals": 0,
        "qualifications": 0,
        "backings": 0,
    }
    parts = {c["key"]: c for c in body["explanation"]["contributions"]}
    assert parts[f"evidence:{supported['id']}"]["code"] == "source_supports"
    assert parts[f"evidence:{refuted['id']}"]["code"] == "source_refutes"
    assert (
        parts[f"evidence:{refuted['id']}"]["points"]
        < -parts[f"evidence:{supported['id']}"]["points"]
    )
    explanation = body["explanation"]
    assert explanation["total"] == explanation["start"] + sum(p["points"] for p in parts.values())


def test_evidence_copied_from_one_origin_counts_once(client, make_claim, make_source, auth):
    claim = make_claim("The airport handled 30 million passengers.")
    wire = make_source("https://wire.example/airport")
    copies = [make_source(f"https://outlet{n}.example/airport", cites=[wire.id]) for n in range(3)]

    for source in [wire, *copies]:
        client.post(
            evidence_url(claim.id),
            json={"source_id": source.id, "stance": "supports", "quote": "30 million"},
            headers=auth(),
        )

    explanation = client.get(f"{API}/claims/{claim.id}").get_json()["explanation"]
    counted = [c for c in explanation["contributions"] if c["points"] > 0]
    assert len(counted) == 1
    assert explanation["support"] == counted[0]["points"]
    assert {c["same_as"] for c in explanation["contributions"] if c is not counted[0]} == {
        counted[0]["key"]
    }
    assert len(explanation["contributions"]) == 4


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"source_id": 2_000_000_000, "stance": "supports", "quote": "q"}, "source_id"),
        ({"source_url": "ftp://files.example/x", "stance": "supports", "quote": "q"}, "source_url"),
        ({"source_url": "https://x.example/a", "stance": "agrees", "quote": "q"}, "stance"),
        ({"source_url": "https://x.example/a", "stance": "supports"}, "quote"),
        ({"source_url": "https://x.example/a", "stance": "supports", "quote": "   "}, "quote"),
        (
            {
                "source_url": "https://x.example/a",
                "source_kind": "quaternary",
                "stance": "supports",
                "quote": "q",
            },
            "source_kind",
        ),
    ],
)
def test_invalid_evidence_gets_422_naming_the_field_and_writes_nothing(
    client, make_claim, auth, problem, table_counts, body, field
):
    claim = make_claim("The zoo has two pandas.")
    before = table_counts()

    answer = problem(client.post(evidence_url(claim.id), json=body, headers=auth()), 422)

    assert table_counts() == before
    assert field in [e["field"] for e in answer["errors"]]


@pytest.mark.parametrize(
    "body",
    [
        {"stance": "supports", "quote": "q"},
        {"source_id": 1, "source_url": "https://x.example/a", "stance": "supports", "quote": "q"},
    ],
)
def test_evidence_names_exactly_one_source(client, make_claim, auth, problem, table_counts, body):
    claim = make_claim("The zoo has three pandas.")
    before = table_counts()

    problem(client.post(evidence_url(claim.id), json=body, headers=auth()), 422)

    assert table_counts() == before


def test_evidence_on_an_unknown_claim_gets_404_and_writes_nothing(
    client, auth, problem, table_counts
):
    before = table_counts()

    problem(
        client.post(
            evidence_url(2_000_000_000),
            json={"source_url": "https://new.example/a", "stance": "supports", "quote": "q"},
            headers=auth(),
        ),
        404,
    )

    assert table_counts() == before
    problem(client.get(evidence_url(2_000_000_000)), 404)


def test_evidence_on_a_retracted_claim_gets_409_and_records_no_source(
    client, make_claim, auth, problem, table_counts
):
    claim = make_claim("The pier will be rebuilt.")
    client.post(f"{API}/claims/{claim.id}/retract", json={"reason": "x"}, headers=auth("editor"))
    before = table_counts()

    problem(
        client.post(
            evidence_url(claim.id),
            json={"source_url": "https://pier.example/a", "stance": "supports", "quote": "q"},
            headers=auth(),
        ),
        409,
    )

    assert table_counts() == before


def test_adding_evidence_needs_a_token(client, make_claim, make_source, problem, table_counts):
    claim = make_claim("The tower is 300 metres tall.")
    source = make_source("https://tower.example/facts")
    before = table_counts()

    response = client.post(
        evidence_url(claim.id), json={"source_id": source.id, "stance": "supports", "quote": "q"}
    )

    problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert table_counts() == before


def test_an_editor_retracts_evidence_and_the_claim_is_rescored(
    client, make_claim, make_source, make_evidence, auth
):
    claim = make_claim("The lake froze in March.")
    kept = make_evidence(claim, make_source("https://weather.example/lake"), stance="supports")
    wrong = make_evidence(
        claim, make_source("https://almanac.example/lake", kind="primary"), stance="refutes"
    )
    assert status_of(client, claim.id)["status"] == "refuted"

    response = client.post(
        f"{evidence_url(claim.id)}/{wrong.id}/retract",
        json={"reason": "Wrong lake."},
        headers=auth("editor"),
    )

    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["retracted_at"] is not None
    assert response.get_json()["retraction_reason"] == "Wrong lake."
    status = status_of(client, claim.id)
    assert status["status"] == "unsettled"
    assert status["contestedness"] == 0.0
    assert status["counts"]["refuting"] == 0
    listed = client.get(evidence_url(claim.id)).get_json()["data"]
    assert [(e["id"], e["retracted_at"] is None) for e in listed] == [
        (kept.id, True),
        (wrong.id, False),
    ]
    keys = [
        c["key"]
        for c in client.get(f"{API}/claims/{claim.id}").get_json()["explanation"]["contributions"]
    ]
    assert keys == [f"evidence:{kept.id}"]


def test_a_contributor_may_not_retract_evidence(
    client, make_claim, make_source, make_evidence, auth, problem, table_counts
):
    claim = make_claim("The lake froze in April.")
    item = make_evidence(claim, make_source("https://weather.example/april"))
    before = table_counts()

    problem(
        client.post(
            f"{evidence_url(claim.id)}/{item.id}/retract",
            json={"reason": "no"},
            headers=auth("contributor"),
        ),
        403,
    )

    assert table_counts() == before


def test_retracting_evidence_twice_gets_409(
    client, make_claim, make_source, make_evidence, auth, problem
):
    claim = make_claim("The lake froze in May.")
    item = make_evidence(claim, make_source("https://weather.example/may"))
    url = f"{evidence_url(claim.id)}/{item.id}/retract"
    assert client.post(url, json={"reason": "one"}, headers=auth("editor")).status_code == 200

    problem(client.post(url, json={"reason": "two"}, headers=auth("editor")), 409)


def test_evidence_of_another_claim_cannot_be_retracted_through_this_one(
    client, make_claim, make_source, make_evidence, auth, problem
):
    claim = make_claim("The lake froze in June.")
    other = make_claim("The river froze in June.")
    item = make_evidence(other, make_source("https://weather.example/june"))

    problem(
        client.post(
            f"{evidence_url(claim.id)}/{item.id}/retract",
            json={"reason": "x"},
            headers=auth("editor"),
        ),
        404,
    )


# ---- relations ----------------------------------------------------------------------------


@pytest.fixture
def bonus_and_rebuttal(make_claim, make_claimant, make_source, make_evidence):
    """Altman's claim backed by a secondary report, and Bosworth's rebuttal, not yet linked."""
    altman = make_claimant("Sam Altman", aliases=["Ultraman"])
    bosworth = make_claimant("Andrew Bosworth", aliases=["Boz"])
    bonus = make_claim(
        "Meta used 100 million dollar signing bonuses to poach talent.", claimant_id=altman.id
    )
    make_evidence(bonus, make_source("https://wired.example/offers"), stance="supports")
    rebuttal = make_claim(
        "The 100 million dollar signing bonus claim is an exaggeration.", claimant_id=bosworth.id
    )
    return bonus, rebuttal


def test_a_first_hand_rebuttal_makes_the_rebutted_claim_contested(client, bonus_and_rebuttal, auth):
    bonus, rebuttal = bonus_and_rebuttal
    assert status_of(client, bonus.id)["status"] == "unsettled"

    response = client.post(
        relations_url(rebuttal.id),
        json={"kind": "rebuts", "object_id": bonus.id, "first_hand": True, "note": "CTO"},
        headers=auth(),
    )

    assert response.status_code == 201, response.get_data(as_text=True)
    relation = response.get_json()
    assert (relation["subject_id"], relation["object_id"]) == (rebuttal.id, bonus.id)
    assert (relation["kind"], relation["direction"], relation["first_hand"]) == (
        "rebuts",
        "outgoing",
        True,
    )
    assert relation["other_claim"]["id"] == bonus.id
    # First-hand: Meta's CTO on Meta's offers, an interested party. It counts, capped at half
    # of the independent evidence for the claim, and cannot settle the claim on its own.
    assert relation["other_claim"]["status"] == "unsettled"
    assert relation["added_by"] == "token:test-contributor"
    body = client.get(f"{API}/claims/{bonus.id}").get_json()
    assert body["status"] == "unsettled"
    assert body["counts"]["rebuttals"] == 1
    rebuttal_part = [
        c for c in body["explanation"]["contributions"] if c["key"] == f"relation:{relation['id']}"
    ]
    (part,) = rebuttal_part
    assert (part["label"], part["code"], part["kind"], part["interested"]) == (
        "Andrew Bosworth",
        "rebuttal",
        "primary",
        True,
    )
    assert part["capped"] and part["points"] < 0
    assert part["alone"] < part["points"]
    assert status_of(client, rebuttal.id)["status"] == "unsourced"


def test_a_relation_is_listed_from_both_claims_with_its_direction(client, bonus_and_rebuttal, auth):
    bonus, rebuttal = bonus_and_rebuttal
    created = client.post(
        relations_url(bonus.id),
        json={"kind": "rebuts", "subject_id": rebuttal.id, "first_hand": True},
        headers=auth(),
    ).get_json()

    from_subject = client.get(relations_url(rebuttal.id)).get_json()
    from_object = client.get(relations_url(bonus.id)).get_json()

    assert created["direction"] == "incoming"
    assert from_subject["count"] == from_object["count"] == 1
    outgoing, incoming = from_subject["data"][0], from_object["data"][0]
    assert outgoing["id"] == incoming["id"] == created["id"]
    assert (outgoing["direction"], outgoing["other_claim"]["id"]) == ("outgoing", bonus.id)
    assert (incoming["direction"], incoming["other_claim"]["id"]) == ("incoming", rebuttal.id)
    assert (incoming["subject_id"], incoming["object_id"]) == (rebuttal.id, bonus.id)


def test_a_claim_cannot_relate_to_itself(client, make_claim, auth, problem, table_counts):
    claim = make_claim("Self-reference is forbidden.")
    before = table_counts()

    body = problem(
        client.post(
            relations_url(claim.id),
            json={"kind": "supports", "object_id": claim.id},
            headers=auth(),
        ),
        422,
    )

    assert table_counts() == before
    assert [e["field"] for e in body["errors"]] == ["object_id"]


def test_the_same_relation_twice_gets_409(client, bonus_and_rebuttal, auth, problem, table_counts):
    bonus, rebuttal = bonus_and_rebuttal
    body = {"kind": "rebuts", "object_id": bonus.id}
    assert client.post(relations_url(rebuttal.id), json=body, headers=auth()).status_code == 201
    before = table_counts()

    problem(client.post(relations_url(rebuttal.id), json=body, headers=auth()), 409)

    assert table_counts() == before


@pytest.mark.parametrize("side", ["object_id", "subject_id"])
def test_a_relation_to_an_unknown_claim_gets_422_naming_the_field(
    client, make_claim, auth, problem, table_counts, side
):
    claim = make_claim("Related to nothing.")
    before = table_counts()

    body = problem(
        client.post(
            relations_url(claim.id), json={"kind": "supports", side: 2_000_000_000}, headers=auth()
        ),
        422,
    )

    assert table_counts() == before
    assert [e["field"] for e in body["errors"]] == [side]


def test_a_relation_on_an_unknown_claim_gets_404(client, make_claim, auth, problem):
    other = make_claim("A real claim.")
    problem(
        client.post(
            relations_url(2_000_000_000),
            json={"kind": "rebuts", "object_id": other.id},
            headers=auth(),
        ),
        404,
    )
    problem(client.get(relations_url(2_000_000_000)), 404)


def test_a_relation_to_a_retracted_claim_gets_422(client, make_claim, auth, problem):
    claim = make_claim("Live claim.")
    gone = make_claim("Withdrawn claim.")
    client.post(f"{API}/claims/{gone.id}/retract", json={"reason": "x"}, headers=auth("editor"))

    problem(
        client.post(
            relations_url(claim.id), json={"kind": "rebuts", "object_id": gone.id}, headers=auth()
        ),
        422,
    )


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "contradicts", "object_id": 1},
        {"kind": "rebuts"},
        {"kind": "rebuts", "object_id": 1, "subject_id": 2},
        {"kind": "rebuts", "object_id": 1, "first_hand": "very"},
    ],
)
def test_a_malformed_relation_gets_422(client, make_claim, auth, problem, table_counts, body):
    claim = make_claim("Shapes of relations.")
    before = table_counts()

    problem(client.post(relations_url(claim.id), json=body, headers=auth()), 422)

    assert table_counts() == before


def test_an_editor_retracts_a_relation_and_the_object_is_rescored(
    client, bonus_and_rebuttal, make_relation, auth
):
    bonus, rebuttal = bonus_and_rebuttal
    relation = make_relation(rebuttal, "rebuts", bonus)
    assert client.get(f"{API}/claims/{bonus.id}").get_json()["explanation"]["oppose"] > 0

    response = client.post(
        f"{relations_url(rebuttal.id)}/{relation.id}/retract",
        json={"reason": "Misquoted."},
        headers=auth("editor"),
    )

    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["retracted_at"] is not None
    status = status_of(client, bonus.id)
    assert status["status"] == "unsettled"
    assert status["contestedness"] == 0.0
    assert status["counts"]["rebuttals"] == 0
    listed = client.get(relations_url(bonus.id)).get_json()["data"]
    assert [r["retracted_at"] is not None for r in listed] == [True]


def test_qualifications_and_backings_are_counted_as_such_until_retracted(
    client, bonus_and_rebuttal, make_claim, auth
):
    bonus, rebuttal = bonus_and_rebuttal
    backing = make_claim("Several researchers confirmed receiving 100 million dollar offers.")
    added = {}
    for subject, kind in ((rebuttal, "qualifies"), (backing, "supports")):
        response = client.post(
            relations_url(subject.id), json={"kind": kind, "object_id": bonus.id}, headers=auth()
        )
        assert response.status_code == 201, response.get_data(as_text=True)
        added[kind] = response.get_json()["id"]

    counts = status_of(client, bonus.id)["counts"]
    assert counts == {
        "supporting": 1,
        "refuting": 0,
        "mentioning": 0,
        "rebuttals": 0,
        "qualifications": 1,
        "backings": 1,
    }
    assert client.get(f"{API}/claims/{bonus.id}").get_json()["counts"] == counts
    for kind, field in (("qualifies", "qualifications"), ("supports", "backings")):
        response = client.post(
            f"{relations_url(bonus.id)}/{added[kind]}/retract",
            json={"reason": "Wrong claim."},
            headers=auth("editor"),
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        counts[field] = 0
        assert status_of(client, bonus.id)["counts"] == counts


def test_a_contributor_may_not_retract_a_relation(
    client, bonus_and_rebuttal, make_relation, auth, problem, table_counts
):
    bonus, rebuttal = bonus_and_rebuttal
    relation = make_relation(rebuttal, "rebuts", bonus)
    before = table_counts()

    problem(
        client.post(
            f"{relations_url(bonus.id)}/{relation.id}/retract",
            json={"reason": "x"},
            headers=auth("contributor"),
        ),
        403,
    )

    assert table_counts() == before


def test_retracting_a_relation_twice_gets_409(
    client, bonus_and_rebuttal, make_relation, auth, problem
):
    bonus, rebuttal = bonus_and_rebuttal
    relation = make_relation(rebuttal, "rebuts", bonus)
    url = f"{relations_url(bonus.id)}/{relation.id}/retract"
    assert client.post(url, json={"reason": "one"}, headers=auth("editor")).status_code == 200

    problem(client.post(url, json={"reason": "two"}, headers=auth("editor")), 409)


def test_a_relation_cannot_be_retracted_through_an_unrelated_claim(
    client, bonus_and_rebuttal, make_claim, make_relation, auth, problem
):
    bonus, rebuttal = bonus_and_rebuttal
    relation = make_relation(rebuttal, "rebuts", bonus)
    stranger = make_claim("Unrelated claim.")

    problem(
        client.post(
            f"{relations_url(stranger.id)}/{relation.id}/retract",
            json={"reason": "x"},
            headers=auth("editor"),
        ),
        404,
    )


# ---- verdicts -----------------------------------------------------------------------------


def test_an_editor_gives_a_verdict_shown_beside_the_computed_status(
    client, make_claim, make_source, make_evidence, auth
):
    claim = make_claim("The metro carries a million riders a day.")
    make_evidence(claim, make_source("https://metro.example/stats", kind="primary"))

    response = client.post(
        verdicts_url(claim.id),
        json={"rating": "false", "rationale": "Ridership is 600,000."},
        headers=auth("editor"),
    )

    assert response.status_code == 201, response.get_data(as_text=True)
    verdict = response.get_json()
    assert verdict["rating"] == "false"
    assert (verdict["rating_value"], verdict["alternate_name"]) == (1, "False")
    assert verdict["rationale"] == "Ridership is 600,000."
    assert verdict["editor"] == "token:test-editor"
    assert verdict["superseded_at"] is None
    claim_view = client.get(f"{API}/claims/{claim.id}").get_json()
    assert claim_view["verdict"]["id"] == verdict["id"]
    # One primary source leaves the score unsettled; a "false" verdict does not overwrite it.
    assert claim_view["status"] == "unsettled"
    assert claim_view["lean"] < 0.5
    assert status_of(client, claim.id)["verdict"]["rating"] == "false"
    assert status_of(client, claim.id)["headline"] == "verdict"  # the ruling leads


def test_a_new_verdict_supersedes_the_last_and_both_are_kept(client, make_claim, auth):
    claim = make_claim("The bridge is 2 km long.")
    first = client.post(
        verdicts_url(claim.id),
        json={"rating": "mostly_true", "rationale": "1.9 km"},
        headers=auth("editor"),
    ).get_json()
    second = client.post(
        verdicts_url(claim.id),
        json={"rating": "true", "rationale": "2.0 km"},
        headers=auth("editor"),
    ).get_json()

    listed = client.get(verdicts_url(claim.id)).get_json()

    assert listed["count"] == 2
    newest, oldest = listed["data"]
    assert (newest["id"], oldest["id"]) == (second["id"], first["id"])
    assert newest["superseded_at"] is None
    assert oldest["superseded_at"] is not None
    assert oldest["rating"] == "mostly_true"
    assert client.get(f"{API}/claims/{claim.id}").get_json()["verdict"]["rating"] == "true"
    assert status_of(client, claim.id)["verdict"]["id"] == second["id"]


def test_an_unverifiable_verdict_carries_no_rating_value(client, make_claim, auth):
    claim = make_claim("Aliens built the pyramids.")
    verdict = client.post(
        verdicts_url(claim.id),
        json={"rating": "unverifiable", "rationale": "No record."},
        headers=auth("editor"),
    ).get_json()
    assert (verdict["rating_value"], verdict["alternate_name"]) == (None, "Unverifiable")


def test_a_contributor_may_not_give_a_verdict(client, make_claim, auth, problem, table_counts):
    claim = make_claim("Contributors do not rule.")
    before = table_counts()

    problem(
        client.post(
            verdicts_url(claim.id),
            json={"rating": "true", "rationale": "x"},
            headers=auth("contributor"),
        ),
        403,
    )

    assert table_counts() == before
    assert client.get(verdicts_url(claim.id)).get_json() == {"data": [], "count": 0}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rating": "pants_on_fire", "rationale": "x"}, "rating"),
        ({"rating": "true"}, "rationale"),
        ({"rating": "true", "rationale": ""}, "rationale"),
        ({"rating": "true", "rationale": "x", "score": 5}, "score"),
    ],
)
def test_an_invalid_verdict_gets_422(client, make_claim, auth, problem, table_counts, body, field):
    claim = make_claim("Rulings need a scale.")
    before = table_counts()

    answer = problem(client.post(verdicts_url(claim.id), json=body, headers=auth("editor")), 422)

    assert table_counts() == before
    assert field in [e["field"] for e in answer["errors"]]


def test_a_verdict_on_a_retracted_claim_gets_409(client, make_claim, auth, problem, table_counts):
    claim = make_claim("Withdrawn before ruling.")
    client.post(f"{API}/claims/{claim.id}/retract", json={"reason": "x"}, headers=auth("editor"))
    before = table_counts()

    problem(
        client.post(
            verdicts_url(claim.id),
            json={"rating": "true", "rationale": "x"},
            headers=auth("editor"),
        ),
        409,
    )

    assert table_counts() == before


def test_verdicts_of_an_unknown_claim_get_404(client, auth, problem):
    problem(client.get(verdicts_url(2_000_000_000)), 404)
    problem(
        client.post(
            verdicts_url(2_000_000_000),
            json={"rating": "true", "rationale": "x"},
            headers=auth("editor"),
        ),
        404,
    )


# ---- history ------------------------------------------------------------------------------


def test_the_history_lists_every_change_in_order_with_its_actor(
    client, make_source, post_claim, auth
):
    claim_id = post_claim({"text": "The festival draws 50,000 visitors."}).get_json()["id"]
    other_id = post_claim({"text": "Attendance is closer to 20,000."}).get_json()["id"]
    etag = client.get(f"{API}/claims/{claim_id}").headers["ETag"]
    client.patch(
        f"{API}/claims/{claim_id}",
        json={"language": "en-GB"},
        headers={**auth(), "If-Match": etag},
    )
    source = make_source("https://festival.example/figures")
    item = client.post(
        evidence_url(claim_id),
        json={"source_id": source.id, "stance": "supports", "quote": "50,000"},
        headers=auth(),
    ).get_json()
    relation = client.post(
        relations_url(other_id), json={"kind": "rebuts", "object_id": claim_id}, headers=auth()
    ).get_json()
    verdict = client.post(
        verdicts_url(claim_id),
        json={"rating": "mixed", "rationale": "Counts differ."},
        headers=auth("editor"),
    ).get_json()
    client.post(
        f"{evidence_url(claim_id)}/{item['id']}/retract",
        json={"reason": "dup"},
        headers=auth("editor"),
    )
    client.post(f"{API}/claims/{claim_id}/retract", json={"reason": "done"}, headers=auth("editor"))

    response = client.get(f"{API}/claims/{claim_id}/history")

    assert response.status_code == 200
    history = response.get_json()
    entries = [(e["entity"], e["entity_id"], e["action"], e["actor"]) for e in history["data"]]
    contributor, editor = "token:test-contributor", "token:test-editor"
    identified = "claimdesk:language-id"  # it arrived as und: language identification said en
    assert entries == [
        ("claim", claim_id, "create", contributor),
        ("claim", claim_id, "update", identified),
        ("claim", claim_id, "update", contributor),
        ("evidence", item["id"], "create", contributor),
        ("relation", relation["id"], "create", contributor),
        ("verdict", verdict["id"], "create", editor),
        ("evidence", item["id"], "retract", editor),
        ("claim", claim_id, "retract", editor),
    ]
    assert history["count"] == 8
    assert history["data"][1]["changes"] == {"language": ["und", "en"]}
    assert history["data"][2]["changes"] == {"language": ["en", "en-GB"]}
    assert history["data"][0]["changes"]["text"] == "The festival draws 50,000 visitors."
    times = [e["at"] for e in history["data"]]
    assert times == sorted(times)
    other = client.get(f"{API}/claims/{other_id}/history").get_json()["data"]
    assert [(e["entity"], e["action"], e["actor"]) for e in other] == [
        ("claim", "create", contributor),
        ("claim", "update", identified),
        ("relation", "create", contributor),
    ]


def test_the_history_of_an_unknown_claim_gets_404(client, problem):
    problem(client.get(f"{API}/claims/2000000000/history"), 404)


# ---- correcting evidence and relations (PATCH with If-Match) -----------------------------


def patch_evidence(client, claim_id: int, evidence_id: int, body: dict, headers: dict):
    return client.patch(f"{evidence_url(claim_id)}/{evidence_id}", json=body, headers=headers)


def test_an_editor_corrects_the_stance_of_evidence_and_the_claim_is_rescored(
    client, make_claim, make_source, make_evidence, auth
):
    claim = make_claim("The pier is 300 metres long.")
    item = make_evidence(
        claim, make_source("https://pier.example/survey", kind="primary"), stance="supports"
    )
    assert status_of(client, claim.id)["counts"]["supporting"] == 1

    response = patch_evidence(
        client,
        claim.id,
        item.id,
        {"stance": "refutes", "note": "The survey says 280 m."},
        {**auth("editor"), "If-Match": '"1"'},
    )

    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["stance"], body["note"], body["revision"]) == (
        "refutes",
        "The survey says 280 m.",
        2,
    )
    assert response.headers["ETag"] == '"2"'
    counts = status_of(client, claim.id)["counts"]
    assert (counts["supporting"], counts["refuting"]) == (0, 1)
    listed = client.get(evidence_url(claim.id)).get_json()["data"]
    assert listed == [body]
    assert client.get(f"{evidence_url(claim.id)}/{item.id}").get_json() == body
    last = client.get(f"{API}/claims/{claim.id}/history").get_json()["data"][-1]
    assert (last["entity"], last["entity_id"], last["action"]) == ("evidence", item.id, "update")
    assert last["changes"] == {
        "stance": ["supports", "refutes"],
        "note": [None, "The survey says 280 m."],
    }


def test_correcting_evidence_needs_if_match_and_a_stale_one_changes_nothing(
    client, make_claim, make_source, make_evidence, auth, problem, table_counts
):
    claim = make_claim("The pier is 400 metres long.")
    item = make_evidence(claim, make_source("https://pier.example/400"), stance="supports")
    url = f"{evidence_url(claim.id)}/{item.id}"
    headers = auth("editor")
    problem(client.patch(url, json={"stance": "refutes"}, headers=headers), 428)
    first = client.patch(
        url, json={"quote": "four hundred"}, headers={**headers, "If-Match": '"1"'}
    )
    assert first.status_code == 200
    before = table_counts()

    # A second editor still holding revision 1.
    problem(
        client.patch(url, json={"stance": "refutes"}, headers={**headers, "If-Match": '"1"'}), 412
    )

    assert table_counts() == before
    assert client.get(evidence_url(claim.id)).get_json()["data"][0]["stance"] == "supports"


def test_a_weak_entity_tag_never_satisfies_if_match(
    client, make_claim, make_source, make_evidence, auth, problem, table_counts
):
    """RFC 9110 13.1.1: If-Match compares strongly; W/"1" only claims an equivalent version."""
    claim = make_claim("The pier is 450 metres long.")
    item = make_evidence(claim, make_source("https://pier.example/450"), stance="supports")
    url = f"{evidence_url(claim.id)}/{item.id}"
    before = table_counts()

    problem(
        client.patch(
            url, json={"stance": "refutes"}, headers={**auth("editor"), "If-Match": 'W/"1"'}
        ),
        412,
    )
    assert table_counts() == before
    etag = client.get(f"{API}/claims/{claim.id}").headers["ETag"]
    problem(
        client.patch(
            f"{API}/claims/{claim.id}",
            json={"text": "The pier is 451 metres long."},
            headers={**auth(), "If-Match": f"W/{etag}"},
        ),
        412,
    )
    # Listed beside the strong tag, the weak one does not spoil it.
    response = client.patch(
        url, json={"stance": "refutes"}, headers={**auth("editor"), "If-Match": 'W/"1", "1"'}
    )
    assert response.status_code == 200


def test_of_two_writers_holding_the_same_evidence_revision_only_one_gets_through(
    session, make_claim, make_source, make_evidence, editor
):
    from claims.errors import StaleRevision
    from claims.schemas import EvidenceUpdate
    from claims.services import evidence as evidence_service

    claim = make_claim("The pier is 500 metres long.")
    item = make_evidence(claim, make_source("https://pier.example/500"), stance="supports")
    evidence_service.update_evidence(
        session=session,
        claim_id=claim.id,
        evidence_id=item.id,
        evidence_in=EvidenceUpdate(note="first"),
        actor=editor,
        expected_revision=1,
    )

    with pytest.raises(StaleRevision):
        evidence_service.update_evidence(
            session=session,
            claim_id=claim.id,
            evidence_id=item.id,
            evidence_in=EvidenceUpdate(note="second"),
            actor=editor,
            expected_revision=1,
        )


def test_a_contributor_corrects_their_own_evidence_but_not_someone_elses(
    client, make_claim, make_source, make_evidence, auth, problem
):
    claim = make_claim("The pier is 600 metres long.")
    source = make_source("https://pier.example/600")
    mine = client.post(
        evidence_url(claim.id),
        json={"source_id": source.id, "stance": "supports", "quote": "six hundred"},
        headers=auth(),
    ).get_json()
    theirs = make_evidence(claim, make_source("https://pier.example/other"), stance="supports")
    headers = {**auth(), "If-Match": '"1"'}

    ok = patch_evidence(client, claim.id, mine["id"], {"quote": "600 metres"}, headers)
    assert ok.status_code == 200, ok.get_data(as_text=True)
    assert ok.get_json()["quote"] == "600 metres"
    problem(patch_evidence(client, claim.id, theirs.id, {"quote": "no"}, headers), 403)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"stance": None}, "stance"),
        ({"quote": None}, "quote"),
        ({"stance": "maybe"}, "stance"),
        ({"quote": " "}, "quote"),
        ({"source_id": 1, "source_url": "https://x.example/"}, None),
        ({"claim_id": 2}, "claim_id"),
    ],
)
def test_an_invalid_evidence_correction_gets_422(
    client, make_claim, make_source, make_evidence, auth, problem, table_counts, body, field
):
    claim = make_claim("The pier is 700 metres long.")
    item = make_evidence(claim, make_source("https://pier.example/700"))
    before = table_counts()

    found = problem(
        patch_evidence(client, claim.id, item.id, body, {**auth("editor"), "If-Match": '"1"'}),
        422,
    )

    assert table_counts() == before
    if field is not None:
        assert field in str(found)


def test_retracted_evidence_cannot_be_corrected(
    client, make_claim, make_source, make_evidence, auth, problem
):
    claim = make_claim("The pier is 800 metres long.")
    item = make_evidence(claim, make_source("https://pier.example/800"))
    client.post(
        f"{evidence_url(claim.id)}/{item.id}/retract", json={"reason": "x"}, headers=auth("editor")
    )

    problem(
        patch_evidence(
            client, claim.id, item.id, {"note": "late"}, {**auth("editor"), "If-Match": "*"}
        ),
        409,
    )


def test_a_corrected_quote_or_source_is_anchored_again(
    client, session, make_claim, make_source, make_evidence, auth
):
    from sources import snapshots

    claim = make_claim("The pier is 900 metres long.")
    page = make_source("https://pier.example/900")
    snapshots.record_page(
        session=session,
        source_id=page.id,
        body=b"<html><body><p>The new pier runs for nine hundred metres into the bay.</p>"
        b"</body></html>",
        media_type="text/html",
    )
    session.commit()
    item = client.post(
        evidence_url(claim.id),
        json={"source_id": page.id, "stance": "supports", "quote": "a thousand metres"},
        headers=auth("editor"),
    ).get_json()
    assert item["anchor"]["state"] == "orphaned"

    response = patch_evidence(
        client,
        claim.id,
        item["id"],
        {"quote": "runs for nine hundred metres"},
        {**auth("editor"), "If-Match": '"1"'},
    )

    assert response.status_code == 200, response.get_data(as_text=True)
    anchor = client.get(evidence_url(claim.id)).get_json()["data"][0]["anchor"]
    assert anchor["state"] == "anchored"
    assert anchor["exact"] == "runs for nine hundred metres"
    other = make_source("https://elsewhere.example/pier")
    moved = patch_evidence(
        client,
        claim.id,
        item["id"],
        {"source_id": other.id},
        {**auth("editor"), "If-Match": '"2"'},
    ).get_json()
    assert moved["source"]["id"] == other.id
    assert moved["anchor"]["state"] == "unanchored"  # the new page is not on file


def test_an_editor_corrects_a_relation_and_the_object_is_rescored(
    client, bonus_and_rebuttal, make_relation, auth
):
    bonus, rebuttal = bonus_and_rebuttal
    relation = make_relation(rebuttal, "rebuts", bonus)
    assert status_of(client, bonus.id)["counts"]["rebuttals"] == 1

    response = client.patch(
        f"{relations_url(bonus.id)}/{relation.id}",
        json={"kind": "qualifies", "note": "Only partly."},
        headers={**auth("editor"), "If-Match": '"1"'},
    )

    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["kind"], body["note"], body["revision"], body["direction"]) == (
        "qualifies",
        "Only partly.",
        2,
        "incoming",
    )
    assert response.headers["ETag"] == '"2"'
    assert client.get(f"{relations_url(bonus.id)}/{relation.id}").get_json() == body
    seen_from_subject = client.get(f"{relations_url(rebuttal.id)}/{relation.id}").get_json()
    assert seen_from_subject["direction"] == "outgoing"
    unrelated = relations_url(bonus.id + rebuttal.id + 99)
    assert client.get(f"{unrelated}/{relation.id}").status_code == 404
    counts = status_of(client, bonus.id)["counts"]
    assert (counts["rebuttals"], counts["qualifications"]) == (0, 1)  # counted as what it is now
    history = client.get(f"{API}/claims/{rebuttal.id}/history").get_json()["data"]
    assert history[-1]["action"] == "update"
    assert history[-1]["changes"]["kind"] == ["rebuts", "qualifies"]


def test_correcting_a_relation_is_refused_when_stale_forbidden_or_a_repeat(
    client, bonus_and_rebuttal, make_relation, auth, problem, table_counts
):
    bonus, rebuttal = bonus_and_rebuttal
    relation = make_relation(rebuttal, "rebuts", bonus)
    make_relation(rebuttal, "qualifies", bonus)
    url = f"{relations_url(bonus.id)}/{relation.id}"
    editor = auth("editor")
    before = table_counts()

    problem(client.patch(url, json={"note": "x"}, headers=editor), 428)
    problem(client.patch(url, json={"note": "x"}, headers={**editor, "If-Match": '"7"'}), 412)
    problem(client.patch(url, json={"note": "x"}, headers={**auth(), "If-Match": '"1"'}), 403)
    problem(
        client.patch(url, json={"kind": "qualifies"}, headers={**editor, "If-Match": '"1"'}), 409
    )
    problem(client.patch(url, json={"kind": None}, headers={**editor, "If-Match": '"1"'}), 422)
    problem(
        client.patch(url, json={"object_id": bonus.id}, headers={**editor, "If-Match": '"1"'}),
        422,
    )

    assert table_counts() == before
