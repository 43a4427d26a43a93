"""Source operations check who asks in the service, whichever door the request came through."""

from __future__ import annotations

import pytest
from sqlmodel import select

from claims.errors import PermissionDenied
from claims.models import Claim, OutboxJob
from claims.policy import ANONYMOUS
from claims.services import sources as recording
from sources.models import Source, SourceCreate, SourceKind, SourceUpdate


def test_recording_a_source_needs_the_add_permission(session):
    with pytest.raises(PermissionDenied):
        recording.record_source(
            session=session,
            source_in=SourceCreate(url="https://news.example/refused"),
            actor=ANONYMOUS,
        )

    assert session.exec(select(Source)).all() == []


def test_recording_a_source_is_idempotent_and_names_the_actor(session, contributor):
    first, created = recording.record_source(
        session=session,
        source_in=SourceCreate(url="https://news.example/a?utm_source=x"),
        actor=contributor,
    )
    again, created_again = recording.record_source(
        session=session, source_in=SourceCreate(url="https://news.example/a"), actor=contributor
    )

    assert (created, created_again) == (True, False)
    assert again.id == first.id
    assert first.created_by == contributor.name


def test_correcting_a_source_needs_the_edit_permission(session, make_source):
    source = make_source("https://news.example/kept", kind="secondary")

    with pytest.raises(PermissionDenied):
        recording.correct_source(
            session=session,
            source_id=source.id,
            source_in=SourceUpdate(kind=SourceKind.primary),
            actor=ANONYMOUS,
        )

    session.refresh(source)
    assert source.kind == "secondary"


def test_correcting_a_source_rescores_the_claims_resting_on_it(
    session, make_claim, make_source, make_evidence, contributor
):
    claim = make_claim("The harbour handled a record tonnage.")
    statement = make_source("https://port-authority.example/tonnage", kind="primary")
    make_evidence(claim, statement, stance="refutes")
    session.refresh(claim)
    before = claim.lean

    recording.correct_source(
        session=session,
        source_id=statement.id,
        source_in=SourceUpdate(kind=SourceKind.tertiary),
        actor=contributor,
    )

    rescored = session.get(Claim, claim.id)
    assert rescored is not None
    assert rescored.lean > before


def test_fetching_again_needs_the_add_permission_and_queues_one_fetch(
    session, make_source, contributor
):
    source = make_source("https://news.example/again")

    with pytest.raises(PermissionDenied):
        recording.fetch_again(session=session, source_id=source.id, actor=ANONYMOUS)
    recording.fetch_again(session=session, source_id=source.id, actor=contributor)
    recording.fetch_again(session=session, source_id=source.id, actor=contributor)
    session.flush()

    keys = [j.key for j in session.exec(select(OutboxJob)).all() if j.name == "fetch_source"]
    assert keys == [f"fetch_source:{source.id}"]
