"""Tables and API schemas of the source domain: publishers, sources and what they cite.

A source is keyed by its normalised URL so the same article reached through a tracking link is
one record; its publisher is keyed by domain so a publisher's track record can accumulate.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, ConfigDict, field_validator
from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Text
from sqlmodel import Field, SQLModel

from sources.sanitize import has_forbidden_control_chars


def utcnow() -> datetime:
    """Timezone-aware now, so SQLite and PostgreSQL store the same instant."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """The instant as an aware UTC datetime (SQLite hands back naive ones, stored as UTC)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class SourceKind(StrEnum):
    """How close a source is to the claim: the claimant's words, a report, a report of a report."""

    primary = "primary"
    secondary = "secondary"
    tertiary = "tertiary"


def _ts(*, index: bool = False) -> Column[datetime]:
    return Column(DateTime(timezone=True), nullable=False, default=utcnow, index=index)


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


def _clean(value: str | None) -> str | None:
    if value is not None and has_forbidden_control_chars(value):
        raise ValueError("must not contain control characters")
    return value


Clean = AfterValidator(_clean)
# Ids the database can hold (32-bit signed); larger numbers cannot name a record.
SourceId = Annotated[int, Field(ge=1, le=2**31 - 1)]


class _Strict(SQLModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)  # type: ignore[assignment]


class SourceCreate(_Strict):
    """What a client sends to record a source; creation by URL is idempotent."""

    url: str = Field(min_length=1, max_length=4096)
    title: Annotated[str | None, Clean] = Field(default=None, max_length=500)
    author: Annotated[str | None, Clean] = Field(default=None, max_length=300)
    published_on: str | None = Field(
        default=None, description="YYYY, YYYY-MM or YYYY-MM-DD", max_length=10
    )
    kind: SourceKind = SourceKind.secondary
    publisher_name: Annotated[str | None, Clean] = Field(
        default=None, max_length=200, description="Defaults to the URL's domain."
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

    title: Annotated[str | None, Clean] = Field(default=None, max_length=500)
    author: Annotated[str | None, Clean] = Field(default=None, max_length=300)
    published_on: str | None = Field(default=None, max_length=10)
    kind: SourceKind | None = None
    cites: list[SourceId] | None = Field(default=None, max_length=50)


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


class SourcesPublic(SQLModel):
    """A page of sources."""

    data: list[SourcePublic]
    count: int
