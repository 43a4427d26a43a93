"""Rows of import files become valid claims, or are refused with a reason naming the problem."""

from __future__ import annotations

import io
import json

import pytest

from claims.importing.rows import (
    FileError,
    ImportRow,
    RowError,
    liar_row,
    read_rows,
    repair_escapes,
    speaker_name,
)
from claims.matching.dedupe import RunIndex
from claims.models import Rating
from claims.text import normalise_claim

LIAR_LINE = (
    "12134.json\tbarely-true\tWe have less Americans working now than in the 70s.\t"
    "economy,jobs\tvicky-hartzler\tU.S. Representative\tMissouri\trepublican\t1\t0\t1\t0\t0\t"
    "an interview with ABC17 News"
)


def rows(text: str, fmt: str) -> list[ImportRow | RowError]:
    return list(read_rows(io.StringIO(text, newline=""), fmt))  # type: ignore[arg-type]


def only(text: str, fmt: str) -> ImportRow | RowError:
    [row] = rows(text, fmt)
    return row


# ---- CSV ---------------------------------------------------------------------------------


def test_a_full_csv_row_becomes_a_claim_with_claimant_tags_and_verdict() -> None:
    row = only(
        "text,language,claimant,claimant_role,said_on,appeared_in_url,tags,verdict,rationale\n"
        "Taxes doubled,en,Ada Example,Mayor,2024-03,https://news.example/a,Economy; taxes,"
        "mostly_false,They rose 40%.\n",
        "csv",
    )
    assert isinstance(row, ImportRow)
    assert row.line == 2
    assert row.claim.text == "Taxes doubled"
    assert row.claim.language == "en"
    assert row.claim.claimant_name == "Ada Example"
    assert row.claimant_role == "Mayor"
    assert row.claim.said_on == "2024-03"
    assert row.claim.appeared_in_url == "https://news.example/a"
    assert row.claim.tags == ["economy", "taxes"]
    assert row.verdict is not None and row.verdict.rating == Rating.mostly_false
    assert row.verdict.rationale == "They rose 40%."


def test_only_text_is_required_and_blank_cells_mean_absent() -> None:
    row = only("text,claimant,tags,verdict,rationale\nThe sky is green,,,,\n", "csv")
    assert isinstance(row, ImportRow)
    assert row.claim.claimant_name is None and row.claim.tags == [] and row.verdict is None
    assert row.claim.language == "und"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (",en,,,,", "text:"),
        ("Fine,english,,,,", "language:"),
        ("Fine,en,2024-13-45,,,", "said_on:"),
        ("Fine,en,,bad tag!,,", "tag"),
        ("Fine,en,,,maybe,Because.", "verdict:"),
        ("Fine,en,,,false,", "a verdict needs a rationale"),
        ("Fine,en,,,,Because.", "rationale: given without a verdict"),
        ("Fine,en,,,,,extra", "more fields than the header names"),
        ("Fine", "fewer fields than the header names"),
        ("Bell\x07 rings,en,,,,", "control characters"),
    ],
)
def test_each_kind_of_bad_csv_row_is_refused_with_its_line_and_reason(
    line: str, reason: str
) -> None:
    header = "text,language,said_on,tags,verdict,rationale\n"
    row = only(header + line + "\n", "csv")
    assert isinstance(row, RowError)
    assert row.line == 2
    assert reason in row.reason


def test_a_csv_without_a_text_column_or_with_an_unknown_one_is_refused_whole() -> None:
    with pytest.raises(FileError, match="text"):
        rows("claim\nx\n", "csv")
    with pytest.raises(FileError, match="unknown column"):
        rows("text,speaker\nx,y\n", "csv")


def test_line_numbers_count_quoted_newlines_so_they_point_into_the_file() -> None:
    found = rows('text\n"two\nlines"\n\nthird\n', "csv")
    assert [r.line for r in found] == [3, 5]


# ---- JSON Lines ----------------------------------------------------------------------------


def test_json_lines_take_the_same_keys_and_tags_as_a_list() -> None:
    line = json.dumps({"text": "Unemployment fell", "claimant": "Bo", "tags": ["jobs", "Jobs"]})
    row = only(line + "\n", "jsonl")
    assert isinstance(row, ImportRow)
    assert row.claim.tags == ["jobs"] and row.claim.claimant_name == "Bo"


def test_bad_json_lines_are_refused_each_with_its_reason_and_blank_lines_skipped() -> None:
    text = '{"text": "ok"}\n\n{not json\n[1, 2]\n{"txt": "typo"}\n{"text": 5}\n'
    found = rows(text, "jsonl")
    assert isinstance(found[0], ImportRow)
    errors = {r.line: r.reason for r in found if isinstance(r, RowError)}
    assert "not valid JSON" in errors[3]
    assert "JSON object" in errors[4]
    assert "unknown column(s): txt" in errors[5]
    assert errors[6].startswith("text:")


# ---- LIAR ----------------------------------------------------------------------------------


def test_a_liar_record_maps_speaker_job_subjects_and_label_onto_ours() -> None:
    row = liar_row(7, LIAR_LINE.split("\t"))
    assert isinstance(row, ImportRow)
    assert row.claim.text == "We have less Americans working now than in the 70s."
    assert row.claim.claimant_name == "Vicky Hartzler"
    assert row.claimant_role == "U.S. Representative"
    assert row.claim.tags == ["economy", "jobs"]
    assert row.verdict is not None and row.verdict.rating == Rating.mostly_false
    assert "PolitiFact" in row.verdict.rationale and "barely-true" in row.verdict.rationale
    assert "an interview with ABC17 News" in row.verdict.rationale
    assert row.note == "an interview with ABC17 News"


@pytest.mark.parametrize(
    ("label", "rating"),
    [
        ("pants-fire", Rating.false),
        ("false", Rating.false),
        ("barely-true", Rating.mostly_false),
        ("half-true", Rating.mixed),
        ("mostly-true", Rating.mostly_true),
        ("true", Rating.true),
    ],
)
def test_politifact_labels_map_onto_our_scale(label: str, rating: Rating) -> None:
    fields = LIAR_LINE.split("\t")
    fields[1] = label
    row = liar_row(1, fields)
    assert isinstance(row, ImportRow) and row.verdict is not None
    assert row.verdict.rating == rating


def test_a_liar_record_with_an_unknown_label_or_the_wrong_field_count_is_refused() -> None:
    fields = LIAR_LINE.split("\t")
    assert "label" in liar_row(1, [fields[0], "sorta-true", *fields[2:]]).reason  # type: ignore[union-attr]
    short = liar_row(2, fields[:10])
    assert isinstance(short, RowError) and "14 tab-separated fields, found 10" in short.reason


def test_a_liar_record_without_a_speaker_has_no_claimant() -> None:
    fields = LIAR_LINE.split("\t")
    fields[4] = ""
    row = liar_row(1, fields)
    assert isinstance(row, ImportRow) and row.claim.claimant_name is None


def test_liar_is_read_without_quoting_so_quote_marks_stay_in_the_text() -> None:
    line = LIAR_LINE.replace("We have", '"We have')
    row = only(line + "\n", "liar")
    assert isinstance(row, ImportRow) and row.claim.text.startswith('"We have')


@pytest.mark.parametrize(
    ("slug", "name"),
    [
        ("barack-obama", "Barack Obama"),
        ("john-mccain", "John McCain"),
        ("chain-email", "Chain Email"),
        ("rick-perry", "Rick Perry"),
        ("", ""),
    ],
)
def test_speaker_slugs_become_names(slug: str, name: str) -> None:
    assert speaker_name(slug) == name


def test_literal_unicode_escapes_are_repaired_with_or_without_their_backslash() -> None:
    assert repair_escapes(r"\u201CThey don\u2019t\u201D") == "\u201cThey don\u2019t\u201d"
    assert repair_escapes("donu2019t stop") == "don\u2019t stop"
    assert repair_escapes("a menu item for umbrellas") == "a menu item for umbrellas"


# ---- duplicate detection within a run ------------------------------------------------------


def test_the_run_index_finds_a_retyped_claim_and_an_exact_one_but_not_a_different_one() -> None:
    index = RunIndex.of(
        {
            10: normalise_claim("Social Security is a Ponzi scheme that will go broke by 2035"),
            11: normalise_claim("Crime in Texas fell by half over the last decade"),
        }
    )
    retyped = normalise_claim("Social security is a Ponzi sceme that will go broke by 2035")
    assert [m.claim_id for m in index.duplicates(retyped)] == [10]
    assert (
        index.duplicates(normalise_claim("crime in texas fell by half over the last decade"))[
            0
        ].claim_id
        == 11
    )
    assert index.duplicates(normalise_claim("The moon landing was staged in a studio")) == []


def test_the_run_index_can_take_back_a_failed_batch_and_rekey_written_rows() -> None:
    index = RunIndex.of({1: normalise_claim("Wind farms kill more birds than cats do")})
    doc = index.add(normalise_claim("Electric cars pollute more than diesel cars"), -5)
    assert (
        index.duplicates(normalise_claim("Electric cars pollute more than diesel cars"))[0].claim_id
        == -5
    )
    index.rekey(doc, 42)
    assert (
        index.duplicates(normalise_claim("electric cars pollute more than diesel cars"))[0].claim_id
        == 42
    )
    index.truncate(1)
    assert len(index) == 1
    assert index.duplicates(normalise_claim("Electric cars pollute more than diesel cars")) == []
