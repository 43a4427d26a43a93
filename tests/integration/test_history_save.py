"""history.save: the row is written, and its log entry is filed under each claim it hangs on."""

from __future__ import annotations

from sqlmodel import select

from claims.models import Claimant, Relation, Revision
from claims.services import history


def test_a_new_relation_is_logged_once_in_each_of_its_claims_history(session, make_claim, editor):
    subject = make_claim("The bridge opened in 1932.")
    obj = make_claim("The bridge opened in 1931.")
    relation = Relation(
        subject_id=subject.id, object_id=obj.id, kind="rebuts", added_by=editor.name
    )

    history.save(session=session, actor=editor, row=relation, action="create", changes={"a": 1})

    assert relation.id is not None
    for claim in (subject, obj):
        (entry,) = [
            r for r in history.history(session=session, claim_id=claim.id) if r.entity == "relation"
        ]
        assert (entry.entity_id, entry.action, entry.actor, entry.changes) == (
            relation.id,
            "create",
            editor.name,
            {"a": 1},
        )


def test_a_claimant_is_logged_outside_every_claims_history(session, editor):
    claimant = Claimant(name="Ada Example", name_norm="ada example", created_by=editor.name)

    history.save(session=session, actor=editor, row=claimant, action="create")

    entries = session.exec(
        select(Revision).where(Revision.entity == "claimant", Revision.entity_id == claimant.id)
    ).all()
    assert [(e.claim_id, e.action, e.changes) for e in entries] == [(None, "create", {})]
