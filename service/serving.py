"""The gunicorn worker ``claimdesk serve`` runs: errors gunicorn answers itself are problems too.

Some requests never reach the app: gunicorn refuses a request line over 4 KB (414), headers
too many or too large (431), a malformed request line (400) or an unknown transfer coding (501)
with a small HTML page of its own. An API client reading problem+json everywhere else then
met HTML. This worker keeps gunicorn's decisions (the status, the reason, the logging) and
writes the answer as RFC 9457 problem details instead.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from gunicorn import util
from gunicorn.workers.sync import SyncWorker

from service.problem_types import slug_for_status

PROBLEM_JSON = "application/problem+json"
WORKER_CLASS = "service.serving.ProblemSyncWorker"


def problem_bytes(status: int, reason: str, detail: str) -> bytes:
    """A complete HTTP/1.1 answer carrying a problem for a request the app never saw.

    Its ``type`` is a relative reference to the page explaining the status (``/problems/...``,
    resolved against the request's own URL): nothing better is known before a request exists.
    """
    body = json.dumps(
        {
            "type": f"/problems/{slug_for_status(status)}",
            "title": reason,
            "status": status,
            "detail": detail or reason,
        }
    ).encode("utf-8")
    head = (
        f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n"
        f"Content-Type: {PROBLEM_JSON}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


def _write_problem(sock: Any, status_int: int, reason: str, mesg: str) -> None:
    """``gunicorn.util.write_error``'s signature, writing problem+json."""
    util.write_nonblock(sock, problem_bytes(status_int, reason, mesg))


@contextmanager
def _problems() -> Iterator[None]:
    # gunicorn's handle_error decides the status and logs, then calls util.write_error; a sync
    # worker handles one request at a time, so swapping it for that call affects nothing else.
    original = util.write_error
    util.write_error = _write_problem
    try:
        yield
    finally:
        util.write_error = original


class ProblemSyncWorker(SyncWorker):  # type: ignore[misc]
    """gunicorn's sync worker, answering its own refusals as problem+json."""

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        """gunicorn's handling, with the answer written as a problem."""
        with _problems():
            super().handle_error(req, client, addr, exc)
