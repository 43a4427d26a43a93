"""What recording a claim writes, built in one place for both ways of writing it.

``ledger.create_claim`` (one claim, through the ORM) and the bulk importer
(``claims.importing.service``: a batch, through ``executemany``) write the same rows: the claim,
its tags, a new claimant, a verdict, and the revision-log entry of each. Both build them with
these functions, so an import file and the API can never put different rows in the ledger;
only how the rows reach the database differs. Pure: plain values in, column values out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from claims.models import RATING_SCALE, ClaimantKind, Rating, ReviewState
from claims.policy import Actor
from claims.search.figures import figure_terms
from claims.text import normalise_claim, normalise_name


def claim_values(
    *,
    text: str,
    language: str,
    said_on: str | None,
    claimant_id: int | None,
    appeared_in_id: int | None,
    text_norm: str | None = None,
) -> dict[str, Any]:
    """A new claim's own columns (``text_norm`` if already folded, else folded here)."""
    return {
        "text": text,
        "text_norm": normalise_claim(text) if text_norm is None else text_norm,
        "figures": figure_terms(text, language),
        "language": language,
        "claimant_id": claimant_id,
        "said_on": said_on,
        "appeared_in_id": appeared_in_id,
    }


def authored(*, actor: Actor, review_state: ReviewState) -> dict[str, Any]:
    """The columns every claim one actor records in one go shares: who, and where it stands."""
    return {"created_by": actor.name, "review_state": review_state.value}


def claim_created(
    values: dict[str, Any], *, tags: Sequence[str], review_state: ReviewState
) -> dict[str, Any]:
    """The revision-log entry of a new claim with these ``claim_values``."""
    return {
        "text": values["text"],
        "language": values["language"],
        "claimant_id": values["claimant_id"],
        "said_on": values["said_on"],
        "appeared_in_id": values["appeared_in_id"],
        "tags": list(tags),
        "review_state": review_state.value,
    }


def tag_values(claim_id: int, tags: Sequence[str]) -> list[dict[str, Any]]:
    """A claim's tag rows."""
    return [{"claim_id": claim_id, "tag": tag} for tag in tags]


def claimant_values(
    *, name: str, kind: ClaimantKind, role: str | None, actor: Actor, name_norm: str | None = None
) -> dict[str, Any]:
    """A new claimant's columns (``name_norm`` if already folded, else folded here)."""
    return {
        "name": name,
        "name_norm": normalise_name(name) if name_norm is None else name_norm,
        "kind": kind.value,
        "role": role,
        "created_by": actor.name,
    }


def claimant_created(
    *,
    name: str,
    kind: ClaimantKind,
    role: str | None,
    aliases: Sequence[str] = (),
    homonym: bool = False,
) -> dict[str, Any]:
    """The revision-log entry of a new claimant (what ``ClaimantCreate`` said, as JSON)."""
    return {
        "name": name,
        "kind": kind.value,
        "role": role,
        "aliases": list(aliases),
        "homonym": homonym,
    }


def name_values(*, claimant_id: int, key: str, homonym: bool = False) -> dict[str, Any]:
    """A folded name's row in the register that keeps names unique (``homonym``: shared on
    purpose, as an editor said)."""
    return {"claimant_id": claimant_id, "key": key, "homonym": homonym}


def verdict_values(
    *, claim_id: int, rating: Rating, rationale: str, actor: Actor, at: datetime
) -> dict[str, Any]:
    """A new verdict's columns, its rating placed on the scale."""
    value, name = RATING_SCALE[rating]
    return {
        "claim_id": claim_id,
        "rating": rating.value,
        "rating_value": value,
        "alternate_name": name,
        "rationale": rationale,
        "editor": actor.name,
        "created_at": at,
    }


def verdict_created(values: dict[str, Any], *, supersedes: int | None) -> dict[str, Any]:
    """The revision-log entry of a new verdict with these ``verdict_values``."""
    return {"rating": values["rating"], "rationale": values["rationale"], "supersedes": supersedes}
