"""Tables and API schemas of the source domain: publishers, sources, what they cite, snapshots.

A source is keyed by its normalised URL so the same article reached through a tracking link is
one record; its publisher is keyed by domain so a publisher's track record can accumulate.
A snapshot is one version of the page as claimdesk fetched it, keyed per source by the SHA-256
of the body, so an unchanged page adds nothing and a changed one adds a version beside the old.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, ConfigDict, field_validator
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlmodel import Field, SQLModel

from sources.sanitize import TEXT_PATTERN, has_forbidden_control_chars


def utcnow() -> datetime:
    """Timezone-aware now, so SQLite and PostgreSQL store the same instant."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """The instant as an aware UTC datetime (SQLite hands back naive ones, stored as UTC)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def as_utc_or_none(value: datetime | None) -> datetime | None:
    """``as_utc`` of an optional instant."""
    return as_utc(value) if value is not None else None


class SourceKind(StrEnum):
    """How close a source is to the claim: the claimant's words, a report, a report of a report."""

    primary = "primary"
    secondary = "secondary"
    tertiary = "tertiary"


class FetchState(StrEnum):
    """Where claimdesk stands with a source's page; ``fetch_reason`` says why when not live."""

    pending = "pending"  # never fetched yet (queued, or not watched)
    live = "live"  # the last fetch succeeded, or failed in a way that may pass (timeout, 5xx)
    dead = "dead"  # the page answers 404/410 or its host no longer resolves
    blocked = "blocked"  # the address is not public: the SSRF guard refused it
    error = "error"  # any other failure (too large, unsupported type, other 4xx...)


# Descriptive fields a first snapshot may fill when no person set them.
DESCRIPTIVE_FIELDS = ("title", "author", "published_on")


def _ts(*, index: bool = False) -> Column[datetime]:
    return Column(DateTime(timezone=True), nullable=False, default=utcnow, index=index)


def _ts_or_none() -> Any:
    return Column(DateTime(timezone=True), nullable=True)


class Publisher(SQLModel, table=True):
    """An organisation that publishes sources, keyed by its domain."""

    id: int | None = Field(default=None, primary_key=True)
    domain: str = Field(sa_column=Column(String(253), nullable=False, unique=True))
    name: str = Field(sa_column=Column(String(200), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())


class SourceCite(SQLModel, table=True):
    """Source ``source_id`` relies on upstream source ``cites_id`` (a report of a report)."""

    __tablename__ = "source_cite"
    source_id: int = Field(
        sa_column=Column(Integer, ForeignKey("source.id"), primary_key=True, nullable=False)
    )
    cites_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("source.id"), primary_key=True, nullable=False, index=True
        )
    )


class Source(SQLModel, table=True):
    """A page or document that claims appear in or that takes a stance toward claims."""

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(sa_column=Column(String(2048), nullable=False, unique=True))
    original_url: str = Field(sa_column=Column(String(4096), nullable=False))
    title: str | None = Field(default=None, sa_column=Column(String(500)))
    author: str | None = Field(default=None, sa_column=Column(String(300)))
    published_on: str | None = Field(default=None, sa_column=Column(String(10)))
    kind: str = Field(
        default=SourceKind.secondary.value, sa_column=Column(String(16), nullable=False)
    )
    publisher_id: int = Field(
        sa_column=Column(Integer, ForeignKey("publisher.id"), nullable=False, index=True)
    )
    created_by: str = Field(sa_column=Column(String(120), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    notes: str | None = Field(default=None, sa_column=Column(Text))
    # Which of DESCRIPTIVE_FIELDS a person set: a snapshot never overwrites their words.
    set_by_person: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )
    # Fetching and watching the page (see docs/sources.md).
    watched: bool = Field(
        default=True, sa_column=Column(Boolean, nullable=False, server_default=true())
    )
    fetch_state: str = Field(
        default=FetchState.pending.value,
        sa_column=Column(
            String(16), nullable=False, index=True, server_default=FetchState.pending.value
        ),
    )
    fetch_reason: str | None = Field(default=None, sa_column=Column(String(32)))
    last_fetched_at: datetime | None = Field(default=None, sa_column=_ts_or_none())
    dead_since: datetime | None = Field(default=None, sa_column=_ts_or_none())
    # The hash of the version the page showed at the last successful fetch (a Snapshot's).
    current_sha256: str | None = Field(default=None, sa_column=Column(String(64)))


class Snapshot(SQLModel, table=True):
    """One version of a source's page: what was fetched, and the text quotes are anchored in.

    Rows are written once and never updated: ``text`` is the extractor's output stored
    verbatim, because every anchor's offsets point into it.
    """

    __table_args__ = (UniqueConstraint("source_id", "sha256"),)
    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(
        sa_column=Column(Integer, ForeignKey("source.id"), nullable=False, index=True)
    )
    sha256: str = Field(sa_column=Column(String(64), nullable=False))
    final_url: str = Field(sa_column=Column(String(4096), nullable=False))
    http_status: int | None = Field(default=None, sa_column=Column(Integer))
    headers: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    media_type: str = Field(sa_column=Column(String(100), nullable=False))
    fetched_at: datetime = Field(default_factory=utcnow, sa_column=_ts())
    text: str = Field(sa_column=Column(Text, nullable=False))
    title: str | None = Field(default=None, sa_column=Column(String(500)))
    author: str | None = Field(default=None, sa_column=Column(String(300)))
    published_on: str | None = Field(default=None, sa_column=Column(String(10)))
    site_name: str | None = Field(default=None, sa_column=Column(String(200)))
    language: str | None = Field(default=None, sa_column=Column(String(35)))
    method: str = Field(sa_column=Column(String(16), nullable=False))


def _clean(value: str | None) -> str | None:
    if value is not None and has_forbidden_control_chars(value):
        raise ValueError("must not contain control characters")
    return value


Clean = AfterValidator(_clean)


# The rule Clean enforces, as the OpenAPI document states it (sources/sanitize.py).
def _string_pattern(pattern: str) -> Callable[[dict[str, Any]], None]:
    """Put ``pattern`` on the string branch of an optional field's schema (beside null, not
    above it: a pattern over ``anyOf`` reads to some tools as a rule null breaks)."""

    def apply(schema: dict[str, Any]) -> None:
        for branch in schema.get("anyOf", [schema]):
            if branch.get("type") == "string":
                branch["pattern"] = pattern

    return apply


CLEAN_SCHEMA = {"json_schema_extra": _string_pattern(TEXT_PATTERN)}
# "YYYY", "YYYY-MM" or "YYYY-MM-DD" as the document describes it (days 29-31 left out: the
# pattern cannot know the month's length; sources/dates.py checks the real calendar).
PARTIAL_DATE_PATTERN = r"^[1-9][0-9]{3}(-(0[1-9]|1[0-2])(-(0[1-9]|1[0-9]|2[0-8]))?)?$"
# A URL as the OpenAPI document describes it (claims/schemas.py's URL_SCHEMA says the same;
# sources/urls.py checks further: a public host, 2,048 characters once normalised).
URL_PATTERN = (
    r"^https?://[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}"
    r"(/[A-Za-z0-9._~%!$&'()*+,;=:@/-]*)?$"
)


def _not_null(schema: dict[str, Any]) -> None:
    """Document a field that may be left out but never sent as null: its type without null
    (``claims/schemas.py``'s ``not_null``, which ``sources/`` may not import)."""
    branches = schema.pop("anyOf", None)
    if branches:
        schema.update(next(b for b in branches if b.get("type") != "null"))
    schema.pop("default", None)


# Ids the database can hold (32-bit signed); larger numbers cannot name a record.
SourceId = Annotated[int, Field(ge=1, le=2**31 - 1)]


class _Strict(SQLModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)  # type: ignore[assignment]


class SourceCreate(_Strict):
    """What a client sends to record a source; creation by URL is idempotent."""

    url: str = Field(
        min_length=1,
        max_length=4096,
        schema_extra={"json_schema_extra": {"maxLength": 2048, "pattern": URL_PATTERN}},
    )
    title: Annotated[str | None, Clean] = Field(
        default=None, max_length=500, schema_extra=CLEAN_SCHEMA
    )
    author: Annotated[str | None, Clean] = Field(
        default=None, max_length=300, schema_extra=CLEAN_SCHEMA
    )
    published_on: str | None = Field(
        default=None,
        description="YYYY, YYYY-MM or YYYY-MM-DD",
        max_length=10,
        schema_extra={"json_schema_extra": _string_pattern(PARTIAL_DATE_PATTERN)},
    )
    kind: SourceKind = SourceKind.secondary
    publisher_name: Annotated[str | None, Clean] = Field(
        default=None,
        max_length=200,
        description="Defaults to the URL's domain.",
        schema_extra=CLEAN_SCHEMA,
    )
    cites: list[SourceId] = Field(
        default_factory=list, max_length=50, description="Ids of upstream sources it relies on."
    )

    @field_validator("cites")
    @classmethod
    def _positive_ids(cls, value: list[int]) -> list[int]:
        if any(i < 1 for i in value):
            raise ValueError("source ids are positive integers")
        return sorted(set(value))


class SourceUpdate(_Strict):
    """Fields a person may correct on a source; every field optional."""

    title: Annotated[str | None, Clean] = Field(
        default=None, max_length=500, schema_extra=CLEAN_SCHEMA
    )
    author: Annotated[str | None, Clean] = Field(
        default=None, max_length=300, schema_extra=CLEAN_SCHEMA
    )
    published_on: str | None = Field(
        default=None,
        max_length=10,
        schema_extra={"json_schema_extra": _string_pattern(PARTIAL_DATE_PATTERN)},
    )
    # null refused: absent means unchanged (no null, and no null default, in the document)
    kind: SourceKind | None = Field(default=None, schema_extra={"json_schema_extra": _not_null})
    cites: list[SourceId] | None = Field(default=None, max_length=50)

    @field_validator("kind", mode="before")
    @classmethod
    def _kind_not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("kind cannot be null; leave it out to keep it")
        return value


class PublisherPublic(SQLModel):
    """A publisher as the API shows it."""

    id: int
    domain: str
    name: str


class SourcePublic(SQLModel):
    """A source as the API shows it."""

    id: int
    url: str
    original_url: str
    title: str | None
    author: str | None
    published_on: str | None
    kind: SourceKind
    publisher: PublisherPublic
    cites: list[int]
    created_by: str
    created_at: datetime
    updated_at: datetime
    watched: bool = Field(description="Whether claimdesk fetches and rechecks the page.")
    fetch_state: FetchState
    fetch_reason: str | None = Field(
        description="Why the last fetch failed: unreachable, blocked, too_large, "
        "unsupported_type, http_404, timeout..."
    )
    last_fetched_at: datetime | None
    dead_since: datetime | None
    current_snapshot_id: int | None = Field(
        description="The snapshot matching what the page showed at the last successful fetch."
    )
    snapshots: int = Field(description="How many versions of the page are kept.")


class SourcesPublic(SQLModel):
    """A page of sources."""

    data: list[SourcePublic]
    count: int


class SnapshotPublic(SQLModel):
    """One kept version of a source's page (its text is on the snapshot's own route)."""

    id: int
    source_id: int
    sha256: str
    final_url: str
    http_status: int | None
    headers: dict[str, str]
    media_type: str
    fetched_at: datetime
    title: str | None
    author: str | None
    published_on: str | None
    site_name: str | None
    language: str | None
    method: str = Field(description="How the text was extracted: trafilatura, baseline, ...")
    text_length: int
    current: bool = Field(description="The page showed this version at the last fetch.")


class SnapshotTextPublic(SnapshotPublic):
    """A version of the page with its extracted text, which quote offsets point into."""

    text: str


class SnapshotsPublic(SQLModel):
    """Every kept version of a source's page, oldest first."""

    data: list[SnapshotPublic]
    count: int
