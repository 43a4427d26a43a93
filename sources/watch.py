"""How a fetch outcome moves a source's fetch state: the rules of link-rot watching.

Pure functions over plain values, so the rules can be read and tested without a database.
A failed fetch is not all alike:

- **dead**: the page answers 404 or 410, or its host name no longer resolves. The publisher
  removed it (or the domain lapsed); a person should look for an archived copy. Evidence
  keeps its snapshot and stays valid: the page said it when it was cited.
- **blocked**: the address is not public (the SSRF guard). Retrying will not help, and a
  person must look at where the URL leads.
- **transient** (timeouts, 5xx, a refused or broken connection, a TLS failure): the page may be
  back in a minute, so a page that was live (or already dead) keeps its state and only the
  reason is recorded; one that was never fetched becomes ``error`` until a fetch succeeds.
- anything else (too large, not HTML or text, another 4xx, too many redirects...): ``error``.
"""

from __future__ import annotations

from typing import Final

from sources.errors import FetchError
from sources.models import FetchState

DEAD_REASONS: Final = frozenset({"http_404", "http_410"})
TRANSIENT_REASONS: Final = frozenset({"timeout", "http_5xx", "unreachable", "tls_error"})


def is_dead(error: FetchError) -> bool:
    """The page is gone: 404/410, or its host does not resolve any more."""
    if error.reason in DEAD_REASONS:
        return True
    return error.reason == "unreachable" and error.stage == "resolve"


def state_after_failure(error: FetchError, *, current: FetchState) -> FetchState:
    """The source's state once a fetch failed with ``error`` (see the module docstring)."""
    if is_dead(error):
        return FetchState.dead
    if error.reason == "blocked":
        return FetchState.blocked
    if error.reason in TRANSIENT_REASONS:
        return current if current in (FetchState.live, FetchState.dead) else FetchState.error
    return FetchState.error
