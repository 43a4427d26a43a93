"""API tokens: only a hash is stored, the token itself is shown once when created.

Tokens are 256-bit random strings, so a plain SHA-256 is a sufficient, constant-cost key: there
is no low-entropy secret for a slow password hash to protect.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import Column, DateTime, String
from sqlmodel import Field, Session, SQLModel, col, select

from claims.policy import Actor, Role
from clock import utcnow

TOKEN_PREFIX = "cd_"


class ApiToken(SQLModel, table=True):
    """A named bearer token with a role."""

    __tablename__ = "api_token"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(100), nullable=False, unique=True))
    role: str = Field(sa_column=Column(String(16), nullable=False))
    token_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    revoked_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )


def hash_token(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(*, session: Session, name: str, role: Role) -> tuple[ApiToken, str]:
    """Create a token; returns the record and the one-time plaintext."""
    if session.exec(select(ApiToken).where(ApiToken.name == name)).first() is not None:
        raise ValueError(f"a token named {name!r} already exists")
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=name, role=role.value, token_hash=hash_token(plaintext))
    session.add(token)
    session.flush()
    return token, plaintext


def revoke_token(*, session: Session, name: str) -> ApiToken:
    """Revoke a token by name; it stops working at once."""
    token = session.exec(select(ApiToken).where(ApiToken.name == name)).first()
    if token is None:
        raise ValueError(f"no token named {name!r}")
    token.revoked_at = utcnow()
    session.add(token)
    session.flush()
    return token


def authenticate(*, session: Session, presented: str) -> Actor | None:
    """The actor a presented token stands for, or None if it is unknown or revoked."""
    if not presented or len(presented) > 200:
        return None
    token = session.exec(
        select(ApiToken).where(
            ApiToken.token_hash == hash_token(presented), col(ApiToken.revoked_at).is_(None)
        )
    ).first()
    if token is None:
        return None
    return Actor(name=f"token:{token.name}", role=Role(token.role))
