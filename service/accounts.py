"""People's accounts for the web forms: who they are, their role, and a slow password hash.

Accounts are the web's counterpart of API tokens: a person signs in with a password, and what
they do is recorded as ``user:<username>`` in the revision log. Passwords are hashed with
scrypt (werkzeug's default, a memory-hard current algorithm); the plaintext is never stored.
Like the ledger's services, these functions add and flush and leave the commit to the caller.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from sqlalchemy import Boolean, Column, DateTime, String
from sqlmodel import Field as SQLField
from sqlmodel import Session, SQLModel, select
from werkzeug.security import check_password_hash, generate_password_hash

from claims.policy import ACCOUNT_ROLES, Actor, Role
from clock import utcnow

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,39}$")
MIN_PASSWORD = 10
HASH_METHOD = "scrypt"


class User(SQLModel, table=True):
    """A person who signs in to the web interface."""

    __tablename__ = "user_account"
    id: int | None = SQLField(default=None, primary_key=True)
    username: str = SQLField(sa_column=Column(String(40), nullable=False, unique=True))
    password_hash: str = SQLField(sa_column=Column(String(255), nullable=False))
    role: str = SQLField(sa_column=Column(String(16), nullable=False))
    created_at: datetime = SQLField(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    disabled: bool = SQLField(default=False, sa_column=Column(Boolean, nullable=False))


def _username(value: str) -> str:
    value = value.lower()
    if not USERNAME_RE.match(value):
        raise ValueError("2-40 lowercase letters, digits, '.', '_' or '-', starting with one")
    return value


def _account_role(value: Role) -> Role:
    if value not in ACCOUNT_ROLES:
        raise ValueError("role must be contributor, editor or admin")
    return value


class UserCreate(BaseModel):
    """A new account as the command line asks for it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    username: Annotated[str, AfterValidator(_username)]
    # Not stripped: a password is taken exactly as typed.
    password: Annotated[str, Field(min_length=MIN_PASSWORD, max_length=1024)]
    role: Annotated[Role, AfterValidator(_account_role)] = Role.contributor


class LoginIn(BaseModel):
    """What the sign-in form sends."""

    model_config = ConfigDict(extra="forbid")
    username: Annotated[str, Field(min_length=1, max_length=40)]
    password: Annotated[str, Field(min_length=1, max_length=1024)]


@cache
def _dummy_hash() -> str:
    """Checked when the username is unknown, so a failed sign-in takes as long either way and
    its timing does not reveal which usernames exist (computed once, on first use)."""
    return generate_password_hash("claimdesk-timing-equaliser", method=HASH_METHOD)


def actor_for(user: User) -> Actor:
    """The actor a signed-in person acts as; the revision log names them ``user:<name>``."""
    return Actor(name=f"user:{user.username}", role=Role(user.role))


def find_user(*, session: Session, username: str) -> User | None:
    """The account with that username (case-insensitive), if any."""
    return session.exec(select(User).where(User.username == username.strip().lower())).first()


def get_active_user(*, session: Session, user_id: int) -> User | None:
    """The account with that id unless it is gone or disabled (its sessions then stop working)."""
    user = session.get(User, user_id)
    if user is None or user.disabled:
        return None
    return user


def create_user(*, session: Session, user_in: UserCreate) -> User:
    """Create an account; ValueError if the username is taken."""
    if find_user(session=session, username=user_in.username) is not None:
        raise ValueError(f"a user named {user_in.username!r} already exists")
    user = User(
        username=user_in.username,
        password_hash=generate_password_hash(user_in.password, method=HASH_METHOD),
        role=user_in.role.value,
    )
    session.add(user)
    session.flush()
    return user


def set_disabled(*, session: Session, username: str, disabled: bool) -> User:
    """Disable (or re-enable) an account; a disabled account cannot sign in."""
    user = find_user(session=session, username=username)
    if user is None:
        raise ValueError(f"no user named {username!r}")
    user.disabled = disabled
    session.add(user)
    session.flush()
    return user


def authenticate_user(*, session: Session, login: LoginIn) -> User | None:
    """The active account these credentials open, or None (unknown, wrong or disabled alike)."""
    user = find_user(session=session, username=login.username)
    if user is None:
        check_password_hash(_dummy_hash(), login.password)
        return None
    if not check_password_hash(user.password_hash, login.password) or user.disabled:
        return None
    return user
