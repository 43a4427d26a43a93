"""Errors of the source domain; ``service/`` maps each to an HTTP answer in one place."""

from __future__ import annotations


class SourceError(Exception):
    """Base of every source-domain error."""


class SourceNotFound(SourceError):
    """No source with that id."""

    def __init__(self, source_id: int) -> None:
        super().__init__(f"source {source_id} does not exist")
        self.source_id = source_id


class InvalidSource(SourceError):
    """A source cannot be recorded as given (bad URL, citation cycle, unknown upstream)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
