"""``/healthz``: which dependency is up, for load balancers and for the people on call.

The database decides the status code: without it nothing works, so 503 takes the host out of
rotation. Redis (rate limits, the job queue) and the job backlog only make the answer
``degraded``: reads and writes go on without them, jobs wait in the outbox. Every check is
bounded in time, so a hung dependency cannot hang the health check either.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from flask import Flask, Response, jsonify
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from claims.services import outbox
from service import db
from service.retry import DOWN_RETRY_AFTER_S
from service.settings import Settings

REDIS_TIMEOUT_S: Final = 1.0
BACKLOG_WARN_S: Final = 300.0  # jobs waiting longer than this: is a worker running?


def _database() -> dict[str, Any]:
    try:
        session = db.get_session()
        session.execute(text("SELECT 1"))
        backlog = outbox.backlog(session=session)
    except DBAPIError as exc:
        db.discard_session()
        return {"status": "down", "detail": type(getattr(exc, "orig", exc)).__name__}
    age = 0.0
    oldest = backlog["oldest"]
    if oldest is not None:
        stamp = oldest if oldest.tzinfo else oldest.replace(tzinfo=UTC)
        age = max(0.0, (datetime.now(UTC) - stamp).total_seconds())
    lagging = age >= BACKLOG_WARN_S or backlog["failed"]
    jobs = {
        "status": "lagging" if lagging else "ok",
        "waiting": backlog["pending"],
        "running": backlog["running"],
        "failed": backlog["failed"],
        "oldest_s": round(age, 1),
    }
    return {"status": "ok", "jobs": jobs}


def _redis(url: str | None) -> dict[str, Any]:
    if not url:
        return {"status": "not_configured"}
    import redis

    client = redis.Redis.from_url(
        url, socket_timeout=REDIS_TIMEOUT_S, socket_connect_timeout=REDIS_TIMEOUT_S
    )
    try:
        client.ping()
    except (redis.RedisError, OSError) as exc:
        return {"status": "down", "detail": type(exc).__name__}
    finally:
        client.close()
    return {"status": "ok"}


def install(app: Flask, *, settings: Settings) -> None:
    """Register ``/healthz``."""

    @app.get("/healthz")
    def healthz() -> Response:
        """Each dependency's state; 503 when the database cannot be reached."""
        database = _database()
        jobs = database.pop("jobs", {"status": "unknown"})
        checks = {"database": database, "redis": _redis(settings.redis_url), "jobs": jobs}
        if database["status"] != "ok":
            status = "down"
        elif checks["redis"]["status"] == "down" or jobs["status"] != "ok":
            status = "degraded"
        else:
            status = "ok"
        response = jsonify(status=status, checks=checks)
        response.headers["Cache-Control"] = "no-store"
        if status == "down":
            response.status_code = 503
            response.headers["Retry-After"] = str(DOWN_RETRY_AFTER_S)
        return response
