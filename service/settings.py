"""Typed settings read from ``CLAIMDESK_*`` environment variables.

Settings are built inside ``create_app`` (never at import time) so tests and the CLI can pass
overrides, and so a production deployment fails fast on an unsafe configuration instead of
running with a guessable secret.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-only-not-secret"


class Settings(BaseSettings):
    """Every knob of claimdesk; the README lists each with its variable and default."""

    model_config = SettingsConfigDict(env_prefix="CLAIMDESK_", extra="ignore")

    env: Literal["development", "production", "test"] = Field(
        default="development",
        description="development allows the built-in secret key; production refuses it.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default: claimdesk.sqlite3 in the instance folder.",
    )
    secret_key: str = Field(default=DEV_SECRET, description="Signs sessions and CSRF tokens.")
    instance_path: Path | None = Field(
        default=None, description="Folder for the SQLite file and other local state."
    )
    max_body_bytes: int = Field(
        default=1_000_000, ge=1_024, description="Largest accepted request body (413 beyond)."
    )
    duplicate_threshold: float | None = Field(
        default=None,
        ge=0,
        le=100,
        description="Override of the duplicate-match threshold (0-100); default: the scorer's.",
    )
    public_url: str | None = Field(
        default=None,
        description="Base URL others reach claimdesk at (widget, oEmbed and JSON-LD links); "
        "default: the URL of the request.",
    )
    cors_origins: str = Field(
        default="*", description="Origins allowed to read the API from a browser."
    )
    redis_url: str | None = Field(
        default=None,
        description="Redis URL for rate-limit counters shared by every worker; default: memory.",
    )
    anon_submit_limit: str = Field(
        default="5 per hour",
        description="Claims one client may submit without an account (flask-limiter syntax).",
    )
    login_limit: str = Field(
        default="10 per minute", description="Sign-in attempts per client (flask-limiter syntax)."
    )

    @field_validator("anon_submit_limit", "login_limit")
    @classmethod
    def _a_rate(cls, value: str) -> str:
        from limits import parse_many

        try:
            parse_many(value)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a rate such as '5 per hour'") from exc
        return value

    @model_validator(mode="after")
    def _refuse_default_secret_outside_development(self) -> Settings:
        if self.env != "development" and self.secret_key == DEV_SECRET:
            raise ValueError(
                "CLAIMDESK_SECRET_KEY must be set to a real secret unless CLAIMDESK_ENV=development"
            )
        if self.env == "production" and len(self.secret_key) < 16:
            raise ValueError("CLAIMDESK_SECRET_KEY must be at least 16 characters in production")
        return self

    def resolved_database_url(self, instance_path: Path) -> str:
        """The configured URL, or the SQLite file in the instance folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{instance_path / 'claimdesk.sqlite3'}"
