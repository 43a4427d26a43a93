"""Who may do what."""

from __future__ import annotations

import pytest

from claims.errors import PermissionDenied
from claims.policy import Action, Actor, Role, allowed, require


def test_contributors_add_but_do_not_rule_or_retract() -> None:
    contributor = Actor(name="c", role=Role.contributor)
    assert allowed(contributor, Action.add)
    assert not allowed(contributor, Action.rule)
    with pytest.raises(PermissionDenied):
        require(contributor, Action.retract)


def test_editors_also_give_verdicts_and_retract() -> None:
    editor = Actor(name="e", role=Role.editor)
    assert allowed(editor, Action.rule) and allowed(editor, Action.retract)
    assert not allowed(editor, Action.administer)


def test_admins_may_do_everything() -> None:
    admin = Actor(name="a", role=Role.admin)
    assert all(allowed(admin, action) for action in Action)
