"""Who may do what: the one place permissions are decided.

Both the API and the web forms call the ledger's services, and the services call ``require``,
so no view can forget a check and no two views can disagree about one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from claims.errors import PermissionDenied


class Role(StrEnum):
    """Roles, each allowed everything the one before it is."""

    anonymous = "anonymous"  # someone without an account, submitting through the web forms
    contributor = "contributor"
    editor = "editor"
    admin = "admin"


class Action(StrEnum):
    """Things an actor may ask the ledger to do."""

    submit = "submit"  # propose a claim for the review queue (it stays hidden until accepted)
    add = "add"  # claims, claimants, sources, evidence, relations
    edit = "edit"  # correct claims, claimants and sources
    rule = "rule"  # give verdicts
    retract = "retract"  # withdraw claims, evidence and relations
    review = "review"  # see submitted claims and accept them onto the public record
    subscribe = "subscribe"  # be sent signed change notices (webhooks) about the record
    administer = "administer"  # tokens and accounts


_ALLOWED: dict[Role, frozenset[Action]] = {
    Role.anonymous: frozenset({Action.submit}),
    Role.contributor: frozenset({Action.submit, Action.add, Action.edit}),
    Role.editor: frozenset(
        {
            Action.submit,
            Action.add,
            Action.edit,
            Action.rule,
            Action.retract,
            Action.review,
            Action.subscribe,
        }
    ),
    Role.admin: frozenset(Action),
}


@dataclass(frozen=True)
class Actor:
    """Someone acting on the ledger; ``name`` is what the revision log records."""

    name: str
    role: Role


SYSTEM = Actor(name="system", role=Role.admin)
ANONYMOUS = Actor(name="anonymous", role=Role.anonymous)
# Roles a token or an account can hold; "anonymous" is what having neither means.
ACCOUNT_ROLES: tuple[Role, ...] = (Role.contributor, Role.editor, Role.admin)


def allowed(actor: Actor, action: Action) -> bool:
    """Whether ``actor`` may perform ``action``."""
    return action in _ALLOWED[actor.role]


def require(actor: Actor, action: Action) -> None:
    """Raise PermissionDenied unless ``actor`` may perform ``action``."""
    if not allowed(actor, action):
        raise PermissionDenied(f"{actor.role.value} may not {action.value}")


def may_retract(actor: Actor, *, added_by: str) -> bool:
    """Whether ``actor`` may withdraw a record ``added_by`` someone.

    Editors withdraw anything; a contributor may withdraw what they added themselves (a
    mistaken source, a wrong link), since taking back one's own addition judges no one else.
    """
    return allowed(actor, Action.retract) or (
        allowed(actor, Action.add) and actor.role != Role.anonymous and added_by == actor.name
    )


def require_retract(actor: Actor, *, added_by: str) -> None:
    """Raise PermissionDenied unless ``actor`` may withdraw a record ``added_by`` someone."""
    if not may_retract(actor, added_by=added_by):
        raise PermissionDenied(f"{actor.role.value} may not retract what someone else added")


def may_correct(actor: Actor, *, added_by: str) -> bool:
    """Whether ``actor`` may correct evidence or a relation ``added_by`` someone.

    The same rule as withdrawing it: editors correct anything, a contributor what they added
    (correcting someone else's quote or link would put words in their name).
    """
    return may_retract(actor, added_by=added_by)


def require_correct(actor: Actor, *, added_by: str) -> None:
    """Raise PermissionDenied unless ``actor`` may correct a record ``added_by`` someone."""
    if not may_correct(actor, added_by=added_by):
        raise PermissionDenied(f"{actor.role.value} may not correct what someone else added")
