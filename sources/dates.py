"""Partial dates: when a claim was said or a source published is often known only to the month.

Stored as canonical zero-padded ISO strings ("2025", "2025-06", "2025-06-30"), which sort
chronologically as text (a vaguer date before its refinements) and need no fake day filled in.
Lives in ``sources/`` because both domains need it and ``sources/`` may not import ``claims/``.
"""

from __future__ import annotations

import datetime as _dt
import re

_PARTIAL_DATE = re.compile(
    r"(?P<year>\d{4})(?:-(?P<month>\d{1,2})(?:-(?P<day>\d{1,2}))?)?", re.ASCII
)


def parse_partial_date(value: str) -> str:
    """Validate "YYYY", "YYYY-MM" or "YYYY-MM-DD" and return it in canonical zero-padded form."""
    if not isinstance(value, str):
        raise ValueError(f"a partial date must be a string, not {type(value).__name__}")
    match = _PARTIAL_DATE.fullmatch(value.strip())
    if match is None:
        raise ValueError(f"{value!r} is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD")
    year = int(match["year"])
    if not 1000 <= year <= 9999:
        raise ValueError(f"{value!r}: the year must be between 1000 and 9999")
    if match["month"] is None:
        return f"{year:04d}"
    month = int(match["month"])
    if not 1 <= month <= 12:
        raise ValueError(f"{value!r}: the month must be between 01 and 12")
    if match["day"] is None:
        return f"{year:04d}-{month:02d}"
    day = int(match["day"])
    try:
        _dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"{value!r}: {year:04d}-{month:02d} has no day {day}") from None
    return f"{year:04d}-{month:02d}-{day:02d}"


def parse_partial_date_or_none(value: str | None) -> str | None:
    """Like parse_partial_date, passing None through."""
    return None if value is None else parse_partial_date(value)


def date_part_or_none(value: str | None) -> str | None:
    """The date of a timestamp someone else published ("2025-07-02T10:00:00Z" -> "2025-07-02"),
    or None when it does not start with one: metadata from the web is a hint, never an error."""
    if not value:
        return None
    try:
        return parse_partial_date(value[:10])
    except ValueError:
        return None
