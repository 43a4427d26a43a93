"""The duplicate check, /claims/match and ?q= answer from one per-process index, kept current.

Brute force is made to fail (``live_texts`` raises) wherever a test says the index answers, so
a passing test proves the API did not scan every claim.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from claims.matching.service import RECOUNT_EVERY, LiveMatchIndex
from claims.models import Claim, ReviewState
from claims.schemas import ClaimCreate
from claims.services import ledger
from claims.text import normalise_claim
from service.app import create_app
from service.db import Database
from service.runtime import runtime

API = "/api/v1"
PONZI = "Social security is a Ponzi scheme run by Washington."
RETYPED = "« SOCIAL sécurity is a Ponzi scheme ran by Washington »"


@pytest.fixture
def no_brute_force(monkeypatch):
    def refuse(**_kwargs):
        raise AssertionError("brute force: every live claim was read")

    monkeypatch.setattr(ledger, "live_texts", refuse)


def match_ids(client, text):
    response = client.get(f"{API}/claims/match", query_string={"text": text})
    assert response.status_code == 200, response.get_data(as_text=True)
    return [m["claim_id"] for m in response.get_json()["data"]]


def q_ids(client, q):
    response = client.get(f"{API}/claims", query_string={"q": q})
    assert response.status_code == 200, response.get_data(as_text=True)
    return [c["id"] for c in response.get_json()["data"]]


def test_the_app_holds_one_index_for_its_database(app, database):
    index = runtime(app).match_index
    assert isinstance(index, LiveMatchIndex)
    with database.session_factory() as session:
        assert session.info["claimdesk.match_index"] is index


def test_create_match_and_q_answer_from_the_same_index(
    app, client, make_claim, post_claim, problem, no_brute_force
):
    original = make_claim(PONZI)
    index = runtime(app).match_index

    body = problem(post_claim({"text": RETYPED}), 409)
    assert [c["claim_id"] for c in body["candidates"]] == [original.id]
    assert match_ids(client, RETYPED)[:1] == [original.id]
    assert q_ids(client, "ponzi washingtn") == [original.id]
    assert index.rebuilds == 1  # built once, on first use, then kept current


def test_a_claim_created_through_the_api_is_matched_at_once(client, post_claim, problem):
    match_ids(client, "warm the index up")
    created = post_claim({"text": PONZI})
    assert created.status_code == 201
    assert match_ids(client, RETYPED)[:1] == [created.get_json()["id"]]
    assert q_ids(client, "ponzi") == [created.get_json()["id"]]
    problem(post_claim({"text": RETYPED}), 409)


def test_a_retracted_claim_is_never_matched_or_searched(client, make_claim, auth, post_claim):
    claim = make_claim(PONZI)
    assert match_ids(client, RETYPED) == [claim.id]  # indexed while live

    retracted = client.post(
        f"{API}/claims/{claim.id}/retract", json={"reason": "wrong"}, headers=auth("editor")
    )
    assert retracted.status_code == 200
    assert match_ids(client, RETYPED) == []
    assert q_ids(client, "ponzi") == []
    assert post_claim({"text": RETYPED}).status_code == 201


def test_a_submitted_claim_is_never_matched_or_searched(client, session, contributor):
    ledger.create_claim(
        session=session,
        claim_in=ClaimCreate(text=PONZI),
        actor=contributor,
        review_state=ReviewState.submitted,
    )
    session.commit()
    assert match_ids(client, RETYPED) == []
    assert q_ids(client, "ponzi") == []


def test_a_stale_index_never_returns_a_claim_retracted_behind_its_back(
    client, make_claim, connection
):
    claim = make_claim(PONZI)
    assert match_ids(client, RETYPED) == [claim.id]
    # Retracted without touching updated_at, so the watermark does not move: only the
    # check of the answer against the database can catch it.
    connection.execute(
        update(Claim).where(Claim.id == claim.id).values(retracted_at=datetime.now(UTC))
    )
    assert match_ids(client, RETYPED) == []


def test_a_claim_created_by_another_app_instance_is_found(
    client, settings, db_url, engine, connection, auth, problem
):
    # Another worker: its own app, Database and index, on the same database.
    other_app = create_app(settings, database=Database(db_url, engine=engine, bind=connection))
    other = other_app.test_client()
    headers = auth("contributor")
    assert match_ids(client, PONZI) == []  # this worker's index is built, without the claim

    created = other.post(f"{API}/claims", json={"text": PONZI}, headers=headers)
    assert created.status_code == 201

    claim_id = created.get_json()["id"]
    assert match_ids(client, RETYPED) == [claim_id]
    assert q_ids(client, "ponzi") == [claim_id]
    problem(client.post(f"{API}/claims", json={"text": RETYPED}, headers=headers), 409)


def test_an_index_forgets_claims_whose_transaction_rolled_back(app, database, editor):
    with database.session_factory() as session:
        live = runtime(app).match_index
        outer = session.begin_nested()
        ledger.create_claim(session=session, claim_in=ClaimCreate(text=PONZI), actor=editor)
        assert [c.text for c in ledger.duplicates_of(session=session, text=RETYPED)] == [PONZI]
        outer.rollback()

        assert ledger.duplicates_of(session=session, text=RETYPED) == []
        assert live.find_duplicates(session=session, text_norm="social security") == []


def test_each_app_has_its_own_index(settings, db_url, engine, connection):
    first = Database(db_url, engine=engine, bind=connection)
    second = Database(db_url, engine=engine, bind=connection)
    first_app = create_app(settings, database=first)
    second_app = create_app(settings, database=second)
    assert runtime(first_app).match_index is not runtime(second_app).match_index
    with first.session_factory() as a, second.session_factory() as b:
        assert ledger.match(session=a, text="x", limit=1) == []
        assert a.info["claimdesk.match_index"] is runtime(first_app).match_index
        assert b.info["claimdesk.match_index"] is runtime(second_app).match_index


def test_a_row_committed_long_after_its_stamp_is_found_at_the_next_recount(
    db_url, engine, connection, session, make_claim
):
    now = [0.0]
    database = Database(db_url, engine=engine, bind=connection)
    live = LiveMatchIndex(clock=lambda: now[0])  # a clock the test moves
    newest = make_claim("The river rose three metres overnight.")
    assert newest.id is not None
    with database.session_factory() as reader:
        reader.info["claimdesk.match_index"] = live
        assert ledger.duplicates_of(session=reader, text=PONZI) == []
        # A slow transaction's row: an older id and an old stamp, so the watermark never moves.
        old = datetime(2000, 1, 1, tzinfo=UTC)
        late = Claim(
            id=newest.id - 1_000_000, text=PONZI, text_norm=normalise_claim(PONZI), created_by="x"
        )
        late.created_at = late.updated_at = old
        session.add(late)
        session.commit()
        assert ledger.duplicates_of(session=reader, text=RETYPED) == []  # not seen yet

        now[0] += RECOUNT_EVERY
        assert [c.claim_id for c in ledger.duplicates_of(session=reader, text=RETYPED)] == [late.id]
        assert live.rebuilds == 2
