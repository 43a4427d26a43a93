"""The one clock: aware UTC instants, for every floor (sources, claims, service) alike.

It lives below the domains because time belongs to none of them: ``sources/`` may import nothing
of ours but this, and a test can freeze it by patching ``clock.utcnow`` where it is used.
"""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["as_utc", "as_utc_or_none", "utcnow"]


def utcnow() -> datetime:
    """Timezone-aware now, so SQLite and PostgreSQL store the same instant."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """The instant as an aware UTC datetime (SQLite hands back naive ones, stored as UTC)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def as_utc_or_none(value: datetime | None) -> datetime | None:
    """``as_utc`` of an optional instant."""
    return as_utc(value) if value is not None else None
