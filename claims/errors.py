"""Errors of the claim domain; ``service/`` maps each to an HTTP answer in one place."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class ClaimError(Exception):
    """Base of every claim-domain error."""


class NotFound(ClaimError):
    """A record the caller named does not exist (or is not visible)."""

    def __init__(self, entity: str, entity_id: int | str, *, field: str | None = None) -> None:
        super().__init__(f"{entity} {entity_id} does not exist")
        self.entity = entity
        self.entity_id = entity_id
        self.field = field


class InvalidRequest(ClaimError):
    """The request is well-formed but cannot be carried out as asked."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class Conflict(ClaimError):
    """The request clashes with the current state (already retracted, relation exists...)."""


class StaleRevision(ClaimError):
    """The client edited a version of the record that is no longer current."""


@dataclass(frozen=True)
class Candidate:
    """An existing claim that a new one nearly duplicates."""

    claim_id: int
    text: str
    score: float


class DuplicateClaim(ClaimError):
    """A new claim nearly duplicates existing ones; the client may insist it is distinct."""

    def __init__(self, candidates: Sequence[Candidate]) -> None:
        super().__init__(f"claim nearly duplicates {len(candidates)} existing claim(s)")
        self.candidates = list(candidates)


class PermissionDenied(ClaimError):
    """The actor's role does not allow this action."""
