"""Who may submit, publish and review claims."""

from __future__ import annotations

from claims.policy import ACCOUNT_ROLES, ANONYMOUS, Action, Actor, Role, allowed


def test_visitors_without_an_account_may_only_submit_claims_for_review() -> None:
    assert allowed(ANONYMOUS, Action.submit)
    assert [a for a in Action if allowed(ANONYMOUS, a)] == [Action.submit]


def test_everyone_with_an_account_may_submit_and_publish() -> None:
    for role in ACCOUNT_ROLES:
        actor = Actor(name="x", role=role)
        assert allowed(actor, Action.submit) and allowed(actor, Action.add)


def test_editors_review_the_queue_and_contributors_do_not() -> None:
    assert allowed(Actor(name="e", role=Role.editor), Action.review)
    assert allowed(Actor(name="a", role=Role.admin), Action.review)
    assert not allowed(Actor(name="c", role=Role.contributor), Action.review)


def test_no_token_or_account_can_hold_the_anonymous_role() -> None:
    assert Role.anonymous not in ACCOUNT_ROLES
