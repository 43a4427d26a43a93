"""The unit of work behind ``claimdesk import claims``: read, write in batches, commit, report.

This is the boundary (like a CLI command): it owns the commits. Each batch of rows is written by
``claims.importing.service.Importer`` inside a SAVEPOINT and committed, so an interrupted import
keeps every batch before the interruption and nothing of the batch in flight. ``bench/import.py``
times this same function.

Duplicate detection runs in a second process for files of PARALLEL_FROM_BYTES or more on a
machine with two cores or more: each batch is sent to it (``Importer.ask``) before the previous
one is written, so the two overlap. Smaller files are not worth the worker's start (about
0.1 s to import its code, and the live claims to send it); the answers are the same either way.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from sqlmodel import Session

from claims.importing.rows import Format, ImportRow, RowError, read_rows
from claims.importing.service import Importer, Outcome
from claims.policy import Actor
from claims.search.batch import deferred_search_index

BATCH_SIZE = 1_000
PARALLEL_FROM_BYTES = 1 << 20  # about 4,000 LIAR rows


@dataclass
class Summary:
    """What an import did, for the person who ran it."""

    rows: int = 0
    outcome: Outcome = field(default_factory=Outcome)
    dry_run: bool = False

    def lines(self) -> list[str]:
        """The report: counts first, then each matched and each refused row by line number."""
        o = self.outcome
        verb = "would create" if self.dry_run else "created"
        out = [
            f"{self.rows} rows: {verb} {len(o.created)}, matched {len(o.matched)} as "
            f"duplicates, rejected {len(o.rejected)}"
            + (" (dry run: nothing was written)" if self.dry_run else "")
        ]
        for line, ids in o.matched:
            out.append(f"line {line}: matched claim {', '.join(str(i) for i in ids)}")
        for error in o.rejected:
            out.append(f"line {error.line}: rejected: {error.reason}")
        return out


def count_lines(path: Path) -> int:
    """Lines in the file, for the progress bar (cheap next to importing them)."""
    with path.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


# Allocations between young-generation collections during an import (CPython's default: 700).
IMPORT_GC_THRESHOLD = 50_000


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Collect cyclic garbage rarely while an import runs, as it was before, afterwards.

    An import allocates millions of short-lived, acyclic containers (rows, models, parameter
    tuples) that reference counting frees; with the default thresholds they set off a dozen
    full collections over every object of the process (the session, its caches, the run's
    maps): 10% of a 100,000-row import's time. What existed before the import is frozen
    (never scanned) until the end, unless the process froze objects itself (a pre-forking
    server does), which are then left as they were.
    """
    threshold = gc.get_threshold()
    freezing = gc.get_freeze_count() == 0
    if freezing:
        gc.freeze()
    gc.set_threshold(max(threshold[0], IMPORT_GC_THRESHOLD), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        if freezing:
            gc.unfreeze()


def _batches(
    rows: Iterator[ImportRow | RowError], size: int
) -> Iterator[list[ImportRow | RowError]]:
    while batch := list(islice(rows, size)):
        yield batch


def import_claims(
    *,
    session: Session,
    path: Path,
    fmt: Format,
    actor: Actor,
    distinct: bool = False,
    duplicate_threshold: float | None = None,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
    parallel: bool | None = None,
) -> Summary:
    """Import a file's rows, committing every ``batch_size`` rows (never, on a dry run).

    ``progress`` is called with the number of lines read after each batch. FileError (from
    ``claims.importing.rows``) and UnicodeDecodeError propagate: the file as a whole is unreadable.
    ``parallel`` asks duplicates of a second process (None: for a large file, given two cores).
    """
    summary = Summary(dry_run=dry_run)
    if parallel is None:
        parallel = (os.cpu_count() or 1) >= 2 and path.stat().st_size >= PARALLEL_FROM_BYTES
    importer = Importer(
        session=session,
        actor=actor,
        distinct=distinct,
        duplicate_threshold=duplicate_threshold,
        worker=parallel and not distinct,
    )
    last_line = 0

    def finish(batch: list[ImportRow | RowError]) -> None:
        nonlocal last_line
        # SQLite: the batch's new documents are indexed in one pass at its end
        # (claims/search/batch.py).
        with deferred_search_index(session):
            summary.outcome.extend(importer.write(batch, origin=path.name))
        if not dry_run:
            session.commit()
        if progress is not None:
            line = batch[-1].line
            progress(line - last_line)
            last_line = line

    try:
        with _fewer_collections(), path.open(encoding="utf-8", newline="") as handle:
            previous: list[ImportRow | RowError] | None = None
            for batch in _batches(read_rows(handle, fmt), batch_size):
                summary.rows += len(batch)
                importer.ask(batch)  # the worker folds and checks it while `previous` is written
                if previous is not None:
                    finish(previous)
                previous = batch
            if previous is not None:
                finish(previous)
    finally:
        importer.close()
    if dry_run:
        session.rollback()
    return summary
