"""Request and response classes of the one search box (GET /api/v1/search, the search page).

Kept beside ``claims/schemas.py`` rather than in it: the search answer is its own shape
(claims, people and sources, each with the reasons it matched) and changes with the search.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from claims.schemas import NONBLANK, ClaimPublic, ClaimStatusPublic, Input, MatchPublic, _clean_text

__all__ = [
    "ClaimCreatedPublic",
    "ClaimHitPublic",
    "PersonHitPublic",
    "ReasonPublic",
    "SearchPublic",
    "SearchQuery",
    "SourceHitPublic",
]

# The document states the text rule the validator enforces (no control characters), so a
# generated client knows what the service refuses.
SearchText = Annotated[
    str,
    Field(min_length=1, max_length=500, json_schema_extra=NONBLANK),
    AfterValidator(_clean_text),
]


class SearchQuery(Input):
    """Query string of GET /search."""

    q: SearchText = Field(
        description=(
            'Words, "a phrase", a or b, -excluded. Matches claim text, figures (100M = '
            "100 millions de dollars), claimant names and aliases, tags and source titles; "
            "typos are forgiven in a second pass."
        )
    )
    limit: Annotated[int, Field(ge=1, le=50)] = 10


class ReasonPublic(BaseModel):
    """A field of the hit that holds words of the query, with where they are."""

    field: str = Field(description="text, claimant, alias, tag, source, name, role, title or url")
    text: str
    highlights: list[tuple[int, int]] = Field(
        description="[start, end) character offsets of the matched words in text"
    )


class ClaimHitPublic(BaseModel):
    """A claim the box found, how (signals) and why (reasons)."""

    claim: ClaimStatusPublic
    signals: list[str] = Field(
        description="fulltext (the database's index), fuzzy (typos), person (a name close to "
        "the query said it), semantic (same meaning, any language)"
    )
    reasons: list[ReasonPublic]


class PersonHitPublic(BaseModel):
    """A claimant found by name, alias or role."""

    id: int
    name: str
    aliases: list[str]
    signals: list[str]
    reasons: list[ReasonPublic]


class SourceHitPublic(BaseModel):
    """A source found by title or URL."""

    id: int
    url: str
    title: str | None
    reasons: list[ReasonPublic]


class SearchPublic(BaseModel):
    """Everything the box found."""

    q: str
    claims: list[ClaimHitPublic]
    people: list[PersonHitPublic]
    sources: list[SourceHitPublic]


class ClaimCreatedPublic(ClaimPublic):
    """A claim just recorded, with the claims it may repeat in another language."""

    possible_translations: list[MatchPublic] = Field(
        default_factory=list,
        description="Possibly the same claim in another language (by meaning), each with its "
        "verdict. Link one with ?translation_of= so one fact-check serves both; empty when "
        "cross-lingual matching is off, when ?distinct=true or ?translation_of= was given.",
    )
