"""The duplicate worker answers as the same ``RunIndex`` in this process does, and says so
when it cannot answer at all."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from claims.matching.dedupe import RunIndex
from claims.matching.dedupe_worker import DedupeWorker, WorkerLost, answer
from claims.text import normalise_claim

LIAR_VALID = Path(__file__).resolve().parents[2].parent / "shared/data/liar/valid.tsv"


def liar_texts() -> list[str]:
    if not LIAR_VALID.exists():
        pytest.skip("LIAR data set not available")
    with LIAR_VALID.open(encoding="utf-8", newline="") as handle:
        return [r[2] for r in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)]


def batches() -> list[list[tuple[str, int | None]]]:
    """LIAR statements, some asked twice or retyped, some without a key, in batches of 97."""
    texts, rng = liar_texts(), random.Random(9)
    asked: list[tuple[str, int | None]] = []
    for n, text in enumerate(texts[:600]):
        asked.append((text, None if n % 13 == 0 else -(n + 1)))
        if n % 17 == 0:  # a repeat of an earlier statement, upper-cased, one word dropped
            words = rng.choice(texts[: n + 1]).upper().split()
            del words[rng.randrange(len(words))]
            asked.append((" ".join(words), -(10_000 + n)))
    return [asked[i : i + 97] for i in range(0, len(asked), 97)]


def test_the_worker_answers_as_the_index_in_this_process() -> None:
    live = {7: normalise_claim(liar_texts()[700]), 8: normalise_claim(liar_texts()[5])}
    here = RunIndex.of(live)
    expected = [answer(here, batch) for batch in batches()]
    with DedupeWorker(live) as worker:
        for batch in batches():  # all asked before any answer is read
            worker.ask(batch)
        got = [worker.answers() for _ in batches()]
    assert got == expected
    flat = [a for batch in expected for a in batch]
    assert any(keys == [8] for _, keys in flat)  # a live claim is found
    assert sum(keys is not None for _, keys in flat) >= 30  # and the repeats


def test_a_worker_that_fails_reports_its_error_instead_of_hanging() -> None:
    with DedupeWorker({}) as worker:
        worker.ask([(42, None)])  # type: ignore[list-item]  # not a text: the fold fails
        with pytest.raises(WorkerLost, match="failed"):
            worker.answers()


def test_a_killed_worker_is_reported_lost_and_close_is_safe_twice() -> None:
    worker = DedupeWorker({})
    worker.ask([("the river rose three metres", -1)])
    assert worker.answers() == [("the river rose three metres", None)]
    worker._process.kill()
    worker.ask([("the river rose three metres", -2)])
    with pytest.raises(WorkerLost, match="exited"):
        worker.answers()
    worker.close()
    worker.close()


def test_closing_a_busy_worker_stops_it() -> None:
    worker = DedupeWorker({})
    for batch in batches():
        worker.ask(batch)
    worker.close()  # nothing read: the worker is killed, not waited for
    assert worker._process.poll() is not None
