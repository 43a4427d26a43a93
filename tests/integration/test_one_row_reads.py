"""Reading one evidence item or relation by id: found on its own claim, NotFound elsewhere."""

from __future__ import annotations

import pytest

from claims.errors import NotFound
from claims.models import ReviewState
from claims.schemas import ClaimCreate
from claims.services import evidence, ledger, relations


def test_one_evidence_item_is_read_with_its_source(session, make_claim, make_source, make_evidence):
    claim = make_claim("The bridge opened in 1932.")
    source = make_source("https://news.example/bridge")
    item = make_evidence(claim, source, stance="refutes")

    found, its_source = evidence.get_evidence(
        session=session, claim_id=claim.id, evidence_id=item.id
    )

    assert (found.id, found.stance, its_source.id) == (item.id, "refutes", source.id)


def test_evidence_is_not_found_through_another_claim_or_an_unknown_id(
    session, make_claim, make_source, make_evidence
):
    claim = make_claim("The bridge opened in 1932.")
    other = make_claim("The tunnel opened in 1950.")
    item = make_evidence(claim, make_source("https://news.example/bridge"))

    with pytest.raises(NotFound, match=r"^evidence "):
        evidence.get_evidence(session=session, claim_id=other.id, evidence_id=item.id)
    with pytest.raises(NotFound, match=r"^evidence "):
        evidence.get_evidence(session=session, claim_id=claim.id, evidence_id=item.id + 1000)
    with pytest.raises(NotFound, match=r"^claim "):
        evidence.get_evidence(session=session, claim_id=other.id + 1000, evidence_id=item.id)


def test_a_relation_is_read_through_either_of_its_claims_and_no_other(
    session, make_claim, make_relation
):
    subject = make_claim("The bridge opened in 1932.")
    obj = make_claim("The bridge opened in 1931.")
    third = make_claim("The tunnel opened in 1950.")
    link = make_relation(subject, "rebuts", obj)

    for claim in (subject, obj):
        found = relations.get_relation(session=session, claim_id=claim.id, relation_id=link.id)
        assert found.id == link.id
    with pytest.raises(NotFound, match=r"^relation "):
        relations.get_relation(session=session, claim_id=third.id, relation_id=link.id)


def test_nothing_hanging_on_a_claim_in_the_review_queue_can_be_read(session, editor):
    waiting = ledger.create_claim(
        session=session,
        claim_in=ClaimCreate(text="A claim nobody has reviewed yet."),
        actor=editor,
        review_state=ReviewState.submitted,
    )

    with pytest.raises(NotFound, match=r"^claim "):
        evidence.get_evidence(session=session, claim_id=waiting.id, evidence_id=1)
    with pytest.raises(NotFound, match=r"^claim "):
        relations.get_relation(session=session, claim_id=waiting.id, relation_id=1)
