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


class FetchError(SourceError):
    """Fetching a source's page failed; ``reason`` is the code the source records.

    One class for every failure of the outbound HTTP client (``sources/fetch.py``), so callers
    handle one exception and read why from its fields rather than from a zoo of ``requests``
    exceptions. ``stage`` says where it failed (resolve, connect, redirect, read, status,
    type), ``reason`` is a stable code (``unreachable``, ``blocked``, ``too_large``,
    ``unsupported_type``, ``timeout``, ``too_many_redirects``, ``http_404``...; the full list
    is ``sources.fetch.REASONS``), ``status`` the HTTP status when an answer was received, and
    ``hop_url`` the URL of the hop that failed when a redirect led there.
    """

    def __init__(
        self,
        url: str,
        *,
        stage: str,
        reason: str,
        status: int | None = None,
        hop_url: str | None = None,
        detail: str = "",
    ) -> None:
        where = f" (at {hop_url})" if hop_url and hop_url != url else ""
        answer = f", HTTP {status}" if status is not None else ""
        more = f": {detail}" if detail else ""
        super().__init__(f"fetching {url}{where} failed at {stage}: {reason}{answer}{more}")
        self.url = url
        self.stage = stage
        self.reason = reason
        self.status = status
        self.hop_url = hop_url or url
        self.detail = detail


class SnapshotNotFound(SourceError):
    """No snapshot with that id on that source."""

    def __init__(self, source_id: int, snapshot_id: int) -> None:
        super().__init__(f"snapshot {snapshot_id} of source {source_id} does not exist")
        self.source_id = source_id
        self.snapshot_id = snapshot_id
