"""Partial dates: canonical forms and refusals with a reason."""

from __future__ import annotations

import pytest

from sources.dates import date_part_or_none, parse_partial_date, parse_partial_date_or_none


@pytest.mark.parametrize(
    ("value", "canonical"),
    [
        ("2024", "2024"),
        ("2024-03", "2024-03"),
        ("2024-03-07", "2024-03-07"),
        ("2024-3-7", "2024-03-07"),
        (" 2024-02-29 ", "2024-02-29"),
        ("1000", "1000"),
        ("9999-12-31", "9999-12-31"),
    ],
)
def test_partial_dates_are_returned_in_canonical_form(value, canonical):
    assert parse_partial_date(value) == canonical


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2023-02-29", "has no day 29"),
        ("2024-04-31", "has no day 31"),
        ("2024-13", "month"),
        ("2024-00", "month"),
        ("0999", "year"),
        ("999", "YYYY"),
        ("10000", "YYYY"),
        ("2024/03/07", "YYYY"),
        ("2024-03-07T10:00", "YYYY"),
        ("", "YYYY"),
        ("March 2024", "YYYY"),
        ("２０２４", "YYYY"),  # full-width digits are not ASCII digits
    ],
)
def test_impossible_or_malformed_partial_dates_are_refused_with_a_reason(value, message):
    with pytest.raises(ValueError, match=message):
        parse_partial_date(value)


def test_no_date_stays_no_date():
    assert parse_partial_date_or_none(None) is None


@pytest.mark.parametrize(
    ("published", "date"),
    [
        ("2025-07-02T09:00:00+02:00", "2025-07-02"),
        ("2025-07", "2025-07"),
        ("July 2, 2025", None),
        ("2025-13-01", None),
        ("", None),
        (None, None),
    ],
)
def test_a_timestamp_from_the_web_gives_its_date_or_nothing(published, date):
    assert date_part_or_none(published) == date
