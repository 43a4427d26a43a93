"""Rows of a bulk-import file -> validated claims, or the reason a row is refused.

Pure: no Session, no Flask. Every row is validated with the same ``ClaimCreate`` and
``VerdictCreate`` classes the API uses, so a file cannot put into the ledger anything a client
could not, and the database layer only ever sees rows that are already known to be valid.

Three layouts: CSV with a header, JSON Lines (one object per line, the same keys), and LIAR's
TSV (no header, no quoting, 14 fields). LIAR's fields are mapped onto ours (see ``liar_row``).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError

from claims.models import Rating
from claims.schemas import ClaimCreate, VerdictCreate
from sources.sanitize import has_forbidden_control_chars

Format = Literal["csv", "jsonl", "liar"]
FORMATS: tuple[Format, ...] = ("csv", "jsonl", "liar")

# The documented columns (CSV header) and keys (JSON Lines); only ``text`` is required.
COLUMNS: tuple[str, ...] = (
    "text",
    "language",
    "claimant",
    "claimant_role",
    "said_on",
    "appeared_in_url",
    "tags",
    "verdict",
    "rationale",
)
ROLE_MAX = 300

# PolitiFact's six labels on our five-point scale; "pants on fire" is still just false.
LIAR_RATINGS: dict[str, Rating] = {
    "pants-fire": Rating.false,
    "false": Rating.false,
    "barely-true": Rating.mostly_false,
    "half-true": Rating.mixed,
    "mostly-true": Rating.mostly_true,
    "true": Rating.true,
}
LIAR_FIELDS = 14

# LIAR's text holds JSON-style escapes ("\u2019") written out literally, and a few with the
# backslash lost ("donu2019t"). The bare form is repaired only for General Punctuation
# (U+2010-U+202F: quotes, dashes, ellipsis), which no English word spells.
_ESCAPED = re.compile(r"\\u([0-9a-fA-F]{4})|(?<!\\)u(20[12][0-9a-fA-F])")


class FileError(ValueError):
    """The file as a whole cannot be read in the layout asked for (e.g. a missing column)."""


@dataclass(frozen=True)
class ImportRow:
    """One valid row: the claim, the claimant's role if the claimant is new, a verdict."""

    line: int
    claim: ClaimCreate
    claimant_role: str | None = None
    verdict: VerdictCreate | None = None
    note: str | None = None  # where it was said (LIAR's context), kept in the revision log


@dataclass(frozen=True)
class RowError:
    """A refused row and why, by its line number in the file."""

    line: int
    reason: str


def repair_escapes(text: str) -> str:
    """Turn literal "\\u2019"-style escapes (and bare "u2019") back into their characters."""
    if "u" not in text:
        return text
    return _ESCAPED.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


def speaker_name(slug: str) -> str:
    """LIAR's speaker slug as a name ("barack-obama" -> "Barack Obama"), for claimant lookup."""
    words = []
    for word in slug.replace("_", "-").split("-"):
        if not word:
            continue
        word = word[:1].upper() + word[1:]
        if len(word) > 2 and word.startswith("Mc"):
            word = "Mc" + word[2].upper() + word[3:]
        words.append(word)
    return " ".join(words)


def build_row(line: int, values: Mapping[str, Any]) -> ImportRow | RowError:
    """Validate one row given under our column names; every problem is named in the reason."""
    unknown = sorted(k for k in values if k not in COLUMNS)
    if unknown:
        return RowError(line, f"unknown column(s): {', '.join(unknown)}")
    fields = {k: _blank_to_none(v) for k, v in values.items()}
    tags = fields.get("tags")
    if isinstance(tags, str):
        tags = [t for t in (part.strip() for part in tags.split(";")) if t]
    try:
        claim = ClaimCreate(
            text=fields.get("text") or "",
            language=fields.get("language") or "und",
            claimant_name=fields.get("claimant"),
            said_on=fields.get("said_on"),
            appeared_in_url=fields.get("appeared_in_url"),
            tags=tags or [],
        )
    except ValidationError as exc:
        return RowError(line, _reasons(exc, rename={"claimant_name": "claimant"}))
    role = fields.get("claimant_role")
    if role is not None:
        if not isinstance(role, str) or len(role) > ROLE_MAX:
            return RowError(line, f"claimant_role: a text of at most {ROLE_MAX} characters")
        if has_forbidden_control_chars(role):
            return RowError(line, "claimant_role: must not contain control characters")
    verdict = None
    rating, rationale = fields.get("verdict"), fields.get("rationale")
    if rating is None and rationale is not None:
        return RowError(line, "rationale: given without a verdict")
    if rating is not None:
        if rationale is None:
            return RowError(line, "rationale: a verdict needs a rationale")
        try:
            verdict = VerdictCreate(rating=rating, rationale=rationale)
        except ValidationError as exc:
            return RowError(line, _reasons(exc, rename={"rating": "verdict"}))
    return ImportRow(line=line, claim=claim, claimant_role=role, verdict=verdict)


def liar_row(line: int, fields: list[str]) -> ImportRow | RowError:
    """Map one LIAR record: statement -> text, speaker -> claimant, label -> a verdict.

    speaker_job becomes the claimant's role (when the claimant is new), subjects the tags, and
    context (where it was said; it names no URL, so it cannot be a source) goes into the
    verdict's rationale and the revision log. state, party and the five credit-history counts
    are not imported: the counts include the statement's own label.
    """
    if len(fields) != LIAR_FIELDS:
        return RowError(line, f"expected {LIAR_FIELDS} tab-separated fields, found {len(fields)}")
    ident, label, statement, subjects, speaker, job = fields[:6]
    context = fields[13].strip()
    rating = LIAR_RATINGS.get(label.strip())
    if rating is None:
        return RowError(line, f"label: {label!r} is not one of {', '.join(LIAR_RATINGS)}")
    where = f" Said in {repair_escapes(context)}." if context else ""
    row = build_row(
        line,
        {
            "text": repair_escapes(statement),
            "claimant": speaker_name(speaker.strip()) or None,
            "claimant_role": job.strip() or None,
            "tags": ";".join(subjects.split(",")),
            "verdict": rating.value,
            "rationale": (
                f'PolitiFact rated this statement "{label.strip()}" (LIAR data set, '
                f"W. Y. Wang 2017, record {ident.strip()}).{where}"
            ),
        },
    )
    if isinstance(row, ImportRow) and context:
        return ImportRow(row.line, row.claim, row.claimant_role, row.verdict, note=context)
    return row


def read_rows(lines: Iterable[str], fmt: Format) -> Iterator[ImportRow | RowError]:
    """Every row of a file's lines (newlines kept) in the given layout, valid or not."""
    if fmt == "csv":
        yield from _read_csv(lines)
    elif fmt == "jsonl":
        yield from _read_jsonl(lines)
    elif fmt == "liar":
        reader = csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
        for fields in reader:
            if fields:
                yield liar_row(reader.line_num, fields)
    else:
        raise FileError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def _read_csv(lines: Iterable[str]) -> Iterator[ImportRow | RowError]:
    reader = csv.DictReader(lines)
    header = reader.fieldnames or []
    if "text" not in header:
        raise FileError("the CSV header must name a 'text' column")
    unknown = [c for c in header if c not in COLUMNS]
    if unknown:
        raise FileError(f"unknown column(s) {', '.join(unknown)}; known: {', '.join(COLUMNS)}")
    for values in reader:
        if None in values:
            yield RowError(reader.line_num, "more fields than the header names")
        elif any(v is None for v in values.values()):
            yield RowError(reader.line_num, "fewer fields than the header names")
        else:
            yield build_row(reader.line_num, values)


def _read_jsonl(lines: Iterable[str]) -> Iterator[ImportRow | RowError]:
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            value = json.loads(text)
        except ValueError as exc:
            yield RowError(number, f"not valid JSON: {exc}")
            continue
        if not isinstance(value, dict):
            yield RowError(number, "each line must be a JSON object")
            continue
        yield build_row(number, value)


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _reasons(exc: ValidationError, *, rename: Mapping[str, str]) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"]) or "row"
        head = where.split(".")[0]
        where = where.replace(head, rename.get(head, head), 1)
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)
