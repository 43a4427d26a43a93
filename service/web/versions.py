"""Which version of a record a form was opened on, so a stale form is refused, not applied.

A form carries the version it was rendered from in a hidden field; the view compares it with
the record's version now, exactly as the API compares If-Match with the ETag. Today a claim's
version is the ETag of its API representation (the API's own test); when the ledger gains a
version column, only ``claim_version`` changes.
"""

from __future__ import annotations

from claims.schemas import ClaimPublic, VerdictPublic
from service.api.caching import etag_of
from service.api.wording import worded

FIELD = "version"
NO_VERDICT = "none"


def claim_version(claim: ClaimPublic) -> str:
    """The version token of a claim, the one the API sends as its ETag (in English: the API
    accepts the ETag of any language in If-Match)."""
    return etag_of(worded(claim, "en").model_dump_json().encode())


def revision_version(revision: int) -> str:
    """The version token of evidence or a relation: its revision (the API's ETag, unquoted)."""
    return str(revision)


def verdict_version(current: VerdictPublic | None) -> str:
    """The verdict in force when a verdict form was opened (a new verdict supersedes it)."""
    return str(current.id) if current is not None else NO_VERDICT
