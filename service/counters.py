"""Rate-limit counters in the database, shared by every worker when no Redis is configured.

Counters kept in each worker's memory let 37 of 40 wrong passwords through within a minute
against a documented 10 per minute: every worker had its own allowance. The database is the one
store every worker already shares, so it holds the counters by default; Redis, when configured,
holds them instead (``service/web/ratelimit.py``).

A hit is one statement, ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``: the database counts
and answers the new total atomically, so concurrent attempts can never all read "9 so far" and
all go through. Each counter is a fixed window: its key, the window's start (Unix seconds) and
the hits in it. Finished windows are deleted as new hits arrive.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Integer, String, text
from sqlmodel import Field, Session, SQLModel

BUCKET_MAX = 200


class RateLimitCounter(SQLModel, table=True):
    """How many attempts one client made of one kind in one fixed window."""

    __tablename__ = "rate_limit_counter"
    bucket: str = Field(sa_column=Column(String(BUCKET_MAX), primary_key=True))
    window_start: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    hits: int = Field(sa_column=Column(Integer, nullable=False))
    expires_at: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))


_HIT = text(
    "INSERT INTO rate_limit_counter (bucket, window_start, hits, expires_at) "
    "VALUES (:bucket, :window_start, 1, :expires_at) "
    "ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limit_counter.hits + 1 "
    "RETURNING hits"
)
_REFUND = text(
    "UPDATE rate_limit_counter SET hits = hits - 1 "
    "WHERE bucket = :bucket AND window_start = :window_start AND hits > 0"
)
_SWEEP = text("DELETE FROM rate_limit_counter WHERE expires_at <= :now")


def hit(*, session: Session, bucket: str, window_start: int, window: int, now: int) -> int:
    """Count one attempt in this window and return the window's total, this one included.

    Commits on ``session``, which must be the counter's own: the count has to stand whatever
    becomes of the request that made the attempt.
    """
    connection = session.connection()
    connection.execute(_SWEEP, {"now": now})
    total = connection.execute(
        _HIT,
        {
            "bucket": bucket[:BUCKET_MAX],
            "window_start": window_start,
            "expires_at": window_start + window,
        },
    ).scalar_one()
    session.commit()
    return int(total)


def refund(*, session: Session, bucket: str, window_start: int) -> None:
    """Take back one attempt counted by ``hit`` (it turned out not to count); commits."""
    session.connection().execute(
        _REFUND, {"bucket": bucket[:BUCKET_MAX], "window_start": window_start}
    )
    session.commit()
