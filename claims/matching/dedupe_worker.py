"""A ``RunIndex`` in a second process, so that a bulk import's duplicate detection runs beside
its writes instead of before them.

Folding a row's text and asking the index costs about as much as parsing, validating and writing
the row (docs/performance-import.md); one process does them one after the other and leaves the
second core idle. Here the importing process sends each batch's raw texts as soon as it has
parsed them, and the worker folds them and answers, in order, with each text's folded form and
the keys of the claims it duplicates. While the importer writes batch *k*, the worker already
works on batch *k + 1*.

The worker cannot know which of its non-duplicate rows the importer will fail to write, so it
assumes each one asked with a key is written, and indexes it under that key. The importer
knows most refusals before it asks (it then asks without a key: answered, never indexed); a
refusal it only learns later (an unusable source URL, a database refusal) means the worker's
later answers may point at a row that was never written, and the importer stops using the
worker and goes on in its own process (``claims.importing.service``). Only texts and keys cross:
the worker needs no database and imports no service code.

The worker is ``python -m claims.matching.dedupe_worker``, talking pickles over its stdin and
stdout, rather than a ``multiprocessing`` child: a spawned child re-imports the parent's main
module, which runs any script that imports claimdesk without a ``__main__`` guard, and a forked one
copies a process holding database connections and threads. A thread feeds its stdin, so that neither
side can block writing while the other blocks writing back.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import queue
import subprocess
import sys
import threading
import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from claims.matching.dedupe import RunIndex
from claims.text import normalise_claim

__all__ = ["Answer", "DedupeWorker", "WorkerLost"]

# One answer per text asked: (its folded form, the keys it duplicates, or None when none).
Answer = tuple[str, list[int] | None]

_PROTOCOL = pickle.HIGHEST_PROTOCOL


class WorkerLost(RuntimeError):
    """The worker process died or failed; its answers cannot be trusted or awaited."""


def answer(index: RunIndex, batch: Sequence[tuple[str, int | None]]) -> list[Answer]:
    """Fold and ask each text in order; index those that duplicate nothing and have a key."""
    answers: list[Answer] = []
    for text, key in batch:
        norm = normalise_claim(text)
        found = index.duplicates(norm)
        if found:
            answers.append((norm, [m.claim_id for m in found]))
            continue
        if key is not None:
            index.add(norm, key)
        answers.append((norm, None))
    return answers


def serve(requests: IO[bytes], replies: IO[bytes]) -> None:
    """The worker's loop: (live texts, threshold) first, then one batch per request, None last."""
    try:
        live, threshold = pickle.load(requests)
        index = RunIndex.of(live, threshold=threshold)
        del live
        gc.freeze()  # the index of the live claims is never garbage: never scan it
        while (batch := pickle.load(requests)) is not None:
            pickle.dump(("ok", answer(index, batch)), replies, _PROTOCOL)
            replies.flush()
    except EOFError:  # the importer went away
        return
    except BaseException:  # any failure is reported; the importer then works alone
        pickle.dump(("error", traceback.format_exc()), replies, _PROTOCOL)
        replies.flush()


class DedupeWorker:
    """A child process holding a ``RunIndex`` over the live claims plus the rows asked so far.

    ``ask`` queues a batch without waiting; ``answers`` returns the oldest batch's answers.
    """

    def __init__(self, live: Mapping[int, str], *, threshold: float | None = None) -> None:
        root = str(Path(__file__).resolve().parents[2])  # where `claims` is importable from
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        self._process = subprocess.Popen(
            [sys.executable, "-m", "claims.matching.dedupe_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        self._outbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._feeder = threading.Thread(
            target=self._feed, name="claimdesk-dedupe-feed", daemon=True
        )
        self._feeder.start()
        self._outbox.put((dict(live), threshold))
        self._asked = 0

    def _feed(self) -> None:
        stdin = self._process.stdin
        assert stdin is not None
        try:
            while (item := self._outbox.get()) is not None:
                pickle.dump(item, stdin, _PROTOCOL)
                stdin.flush()
            pickle.dump(None, stdin, _PROTOCOL)
        except (OSError, ValueError):  # the worker is gone: answers() will say so
            pass
        finally:
            with contextlib.suppress(OSError):  # unflushed bytes for a worker that is gone
                stdin.close()

    def ask(self, batch: Sequence[tuple[str, int | None]]) -> None:
        """Queue (raw claim text, key to index it under if it duplicates nothing, or None)."""
        self._outbox.put(list(batch))
        self._asked += 1

    def answers(self) -> list[Answer]:
        """The oldest unanswered batch's answers, waiting for them; WorkerLost if none will come."""
        if not self._asked:
            raise RuntimeError("no batch was asked")
        stdout = self._process.stdout
        assert stdout is not None
        try:
            status, payload = pickle.load(stdout)
        except (EOFError, OSError, pickle.UnpicklingError) as exc:
            code = self._process.poll()
            raise WorkerLost(f"the duplicate worker exited (code {code}): {exc!r}") from None
        if status != "ok":
            raise WorkerLost(f"the duplicate worker failed:\n{payload}")
        self._asked -= 1
        return list(payload)

    def close(self) -> None:
        """Stop the worker, whatever it was doing; safe to call twice."""
        if self._asked:  # busy with batches no one will read
            self._process.kill()
        self._outbox.put(None)  # the feeder sends it on (an idle worker then exits) and ends
        try:
            self._process.wait(timeout=5.0)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._feeder.join(timeout=5.0)
        if self._process.stdout is not None:
            self._process.stdout.close()
        self._asked = 0

    def __enter__(self) -> DedupeWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


if __name__ == "__main__":
    # Stray prints (a library's warning) must not corrupt the answers on stdout.
    _replies = sys.stdout.buffer
    sys.stdout = sys.stderr
    serve(sys.stdin.buffer, _replies)
