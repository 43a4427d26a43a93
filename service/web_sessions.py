"""Sign-in sessions kept on the server, so that signing out really ends one.

The browser's signed cookie used to hold the account id alone: a copy of the cookie taken
before signing out kept opening ``/review`` afterwards, since nothing on the server knew the
session had ended. Now signing in records a session row and the cookie carries a random
session token; only the token's SHA-256 is stored (as with API tokens), and signing out
deletes the row, which ends that session on every copy of its cookie at once. Disabling an
account still ends all its sessions (the account is read on every request).

Like the ledger's services, these functions add and flush and leave the commit to the caller.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, delete
from sqlmodel import Field, Session, SQLModel, col, select

from clock import as_utc, utcnow
from service.accounts import User, get_active_user

TOKEN_BYTES = 32


class WebSession(SQLModel, table=True):
    """One signed-in browser session of an account."""

    __tablename__ = "web_session"
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    expires_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, index=True)
    )


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(*, session: Session, user: User, lifetime: timedelta) -> str:
    """Record a new session for ``user`` and return its token (kept only in the cookie).

    Sessions past their end are deleted on the way: signing in is rare enough to pay for it.
    """
    now = utcnow()
    session.exec(delete(WebSession).where(col(WebSession.expires_at) <= now))
    assert user.id is not None
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(WebSession(token_hash=_digest(token), user_id=user.id, expires_at=now + lifetime))
    session.flush()
    return token


def session_user(*, session: Session, token: str) -> User | None:
    """The active account of the live session this token opens, or None."""
    found = session.exec(select(WebSession).where(WebSession.token_hash == _digest(token))).first()
    if found is None or as_utc(found.expires_at) <= utcnow():
        return None
    return get_active_user(session=session, user_id=found.user_id)


def end_session(*, session: Session, token: str) -> None:
    """Delete the session this token opens (nothing if it is already gone)."""
    session.exec(delete(WebSession).where(col(WebSession.token_hash) == _digest(token)))
    session.flush()
