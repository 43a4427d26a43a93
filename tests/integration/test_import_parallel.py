"""Duplicate detection in a second process gives the serial import's report, row for row.

The worker assumes that every row it finds no duplicate for is written; these tests put rows
the importer refuses after asking (an unusable source URL, a database refusal) and a worker
that dies in the middle of a run in the way, and compare the whole report with the serial
path's on the same file.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from claims.importing.rows import read_rows
from claims.importing.service import Importer, Outcome
from claims.matching.dedupe_worker import DedupeWorker
from claims.policy import Actor
from claims.schemas import ClaimantCreate
from claims.services import claimants
from service.import_command import Summary, import_claims

LIAR_VALID = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "liar" / "valid.tsv"


def liar_statements(n: int) -> list[tuple[str, str]]:
    """(statement, speaker) of LIAR's validation set, the first n."""
    with LIAR_VALID.open(encoding="utf-8", newline="") as handle:
        records = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [(r[2], r[4].replace("-", " ").title()) for r in records if "\x90" not in r[2]][:n]


def retyped(text: str) -> str:
    """The statement as someone retypes it: one word dropped, case changed, a typo."""
    words = text.split()
    del words[len(words) // 2]
    out = " ".join(words).upper()
    return out[:5] + ("X" if out[5] != "X" else "Y") + out[6:]


def build_file(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    """LIAR statements with repeats and traps for the worker, and the line of each trap."""
    statements = liar_statements(260)
    rows: list[dict[str, str]] = [{"text": t, "claimant": s} for t, s in statements]
    lines: dict[str, int] = {}

    def add(name: str, row: dict[str, str]) -> None:
        rows.append(row)
        lines[name] = len(rows) + 1  # the header is line 1

    # Repeats of earlier rows: one exact, one retyped, across the small batches below.
    add("exact", {"text": statements[3][0], "claimant": "Someone Else"})
    add("retyped", {"text": retyped(statements[40][0])})
    # A row the worker takes as written but the ledger refuses (its source URL), then a
    # retyped copy of it: the copy must be created, since the refused row never was.
    refused = "Ferry tickets on the northern line cost three times what they did in 2019."
    add("bad_url", {"text": refused, "appeared_in_url": "not a url"})
    add("copy_of_refused", {"text": retyped(refused)})
    # A claimant whose name is an alias of two claimants (refused before the worker is
    # asked: it must never be indexed), then a retyped copy of its text.
    ambiguous = "The county's reservoirs held less water in June than in any June since 1976."
    add("ambiguous", {"text": ambiguous, "claimant": "J. Smith"})
    add("copy_of_ambiguous", {"text": retyped(ambiguous)})
    add("late_repeat", {"text": statements[250][0]})
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["text", "claimant", "appeared_in_url"])
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "mixed.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path, lines


def shape(summary: Summary | Outcome) -> tuple[Any, ...]:
    """The report with claim ids of this run as positions in the created list (ids differ
    between two runs on PostgreSQL, whose sequences do not roll back)."""
    outcome = summary.outcome if isinstance(summary, Summary) else summary
    position = {claim_id: n for n, claim_id in enumerate(outcome.created)}
    matched = [
        (line, [f"row{position[i]}" if i in position else f"id{i}" for i in ids])
        for line, ids in outcome.matched
    ]
    rejected = [(e.line, re.sub(r"\(\d+, \d+\)", "(ids)", e.reason)) for e in outcome.rejected]
    return len(outcome.created), matched, rejected


def run(session: Session, editor: Actor, path: Path, *, parallel: bool) -> Summary:
    """A dry run (rolled back, with what was arranged) of the file, with two claimants who
    share an alias."""
    for name in ("John Smith", "Jane Smith"):
        claimants.create_claimant(
            session=session,
            # The second one is a different person who shares the alias, as an editor says.
            claimant_in=ClaimantCreate(
                name=name, aliases=["J. Smith"], homonym=name == "Jane Smith"
            ),
            actor=editor,
        )
    return import_claims(
        session=session,
        path=path,
        fmt="csv",
        actor=editor,
        batch_size=50,
        dry_run=True,
        parallel=parallel,
    )


def test_the_worker_gives_the_serial_report_with_rows_refused_after_it_was_asked(
    session: Session, editor: Actor, tmp_path: Path
) -> None:
    path, lines = build_file(tmp_path)
    serial = run(session, editor, path, parallel=False)
    parallel = run(session, editor, path, parallel=True)
    assert shape(parallel) == shape(serial)
    created, matched, rejected = shape(serial)
    by_line = dict(matched)
    assert by_line[lines["exact"]] == ["row3"]
    assert by_line[lines["retyped"]] == ["row40"]
    assert lines["copy_of_refused"] not in by_line
    assert lines["copy_of_ambiguous"] not in by_line
    assert [line for line, _ in rejected] == [lines["bad_url"], lines["ambiguous"]]
    assert created == 262  # 260 statements (with LIAR's own repeats) + the two copies
    # LIAR's validation set repeats some statements: the serial report is the reference.
    assert len(matched) >= 3


def test_a_worker_that_dies_mid_run_hands_over_to_the_serial_path(
    session: Session, editor: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _ = build_file(tmp_path)
    serial = run(session, editor, path, parallel=False)
    calls = {"n": 0}
    original = DedupeWorker.answers

    def dying(self: DedupeWorker) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:  # two batches answered, then the process is killed
            self._process.kill()
            self._process.wait()
        return original(self)

    monkeypatch.setattr(DedupeWorker, "answers", dying)
    parallel = run(session, editor, path, parallel=True)
    # Answers already written before the kill may still be read; then none is awaited.
    assert 3 <= calls["n"] < 6
    assert shape(parallel) == shape(serial)


def test_a_batch_the_database_refuses_is_replayed_in_this_process(
    session: Session, editor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    statements = [t for t, _ in liar_statements(30)]
    text = "text,appeared_in_url\n" + "".join(
        f'"{t.replace(chr(34), chr(39))}",https://news.example/{n}\n'
        for n, t in enumerate(statements)
    )
    text += f'"{retyped(statements[7])}",\n'  # matches row 7 only if row 7 was written
    rows = list(read_rows(text.splitlines(keepends=True), "csv"))

    def attempt(worker: bool) -> Outcome:
        importer = Importer(session=session, actor=editor, worker=worker)
        original = importer._source

        def source(row):  # type: ignore[no-untyped-def]
            if (row.claim.appeared_in_url or "").endswith("/7"):  # the database refuses row 7
                session.connection().exec_driver_sql("INSERT INTO claimant (id) VALUES (NULL)")
            return original(row)

        monkeypatch.setattr(importer, "_source", source)
        try:
            importer.ask(rows)
            outcome = importer.write(rows)
        finally:
            importer.close()
        session.rollback()
        return outcome

    serial, parallel = attempt(False), attempt(True)
    assert shape(parallel) == shape(serial)
    assert [e.line for e in serial.rejected] == [9]  # row 7 of the statements, on line 9
    assert shape(serial)[1] == []  # the retyped copy is not matched to the refused row
    assert len(serial.created) == 30


def test_an_import_leaves_the_garbage_collector_as_it_found_it(
    session: Session, editor: Actor, tmp_path: Path
) -> None:
    import gc

    path = tmp_path / "few.csv"
    path.write_text("text\nThe tram line opened in 1998.\n", encoding="utf-8")
    threshold = gc.get_threshold()
    import_claims(session=session, path=path, fmt="csv", actor=editor, dry_run=True)
    assert (gc.get_threshold(), gc.get_freeze_count()) == (threshold, 0)
    gc.freeze()  # as a pre-forking server does: what it froze stays frozen
    try:
        import_claims(session=session, path=path, fmt="csv", actor=editor, dry_run=True)
        assert gc.get_freeze_count() > 0  # not unfrozen (a few frozen objects may have died)
    finally:
        gc.unfreeze()
