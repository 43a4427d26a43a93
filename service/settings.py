"""Typed settings read from ``CLAIMDESK_*`` environment variables.

Settings are built inside ``create_app`` (never at import time) so tests and the CLI can pass
overrides, and so a production deployment fails fast on an unsafe configuration instead of
running with a guessable secret.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from sources.fetch import FetchPolicy

DEV_SECRET = "dev-only-not-secret"
# Only tests may set these, through Settings(...): no variable, file or secret can reach them.
# fetch_allow_private opens the SSRF guard to loopback and private addresses; jobs_immediate runs
# every job inside the request that queues it.
TEST_ONLY = frozenset({"fetch_allow_private", "jobs_immediate"})


class _WithoutTestOnly(PydanticBaseSettingsSource):
    """A settings source with the test-only fields removed from what it read."""

    def __init__(self, inner: PydanticBaseSettingsSource) -> None:
        super().__init__(inner.settings_cls)
        self._inner = inner

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        """Unused: ``__call__`` delegates to the wrapped source."""
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        return {k: v for k, v in self._inner().items() if k not in TEST_ONLY}


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
    # Who publishes the verdicts (ClaimReview ``author``, social previews): a newsroom publishes
    # under its own name, not the software's.
    publisher_name: str = Field(
        default="claimdesk",
        min_length=1,
        max_length=200,
        description="Name verdicts are published under (ClaimReview author, og:site_name).",
    )
    publisher_url: str | None = Field(
        default=None,
        description="The publishing newsroom's site (ClaimReview author url); default: "
        "claimdesk's own base URL.",
    )
    publisher_logo: str | None = Field(
        default=None,
        description="URL of the newsroom's logo (ClaimReview author logo); default: none.",
    )
    proxy_hops: int = Field(
        default=0,
        ge=0,
        le=5,
        description="Reverse proxies in front of claimdesk whose X-Forwarded-For/-Proto/-Host "
        "headers are trusted; 0 trusts none.",
    )
    cors_origins: str = Field(
        default="*", description="Origins allowed to read the API from a browser."
    )
    card_cache_size: int = Field(
        default=50_000,
        ge=0,
        le=10_000_000,
        description="Claims whose card rows each web worker keeps in memory on PostgreSQL "
        "(about 700 bytes each), emptied on every write (LISTEN/NOTIFY); 0: no cache.",
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
    fetch_connect_timeout: float = Field(
        default=5.0, gt=0, le=120, description="Seconds to connect to a source's server."
    )
    fetch_read_timeout: float = Field(
        default=15.0, gt=0, le=300, description="Seconds to wait for each read of a page."
    )
    fetch_total_timeout: float = Field(
        default=60.0, gt=0, le=600, description="Seconds for a whole fetch, retries included."
    )
    fetch_max_bytes: int = Field(
        default=5 * 1024 * 1024,
        ge=1_024,
        le=100 * 1024 * 1024,
        description="Largest page body read; the download stops there (too_large).",
    )
    recheck_hours: float = Field(
        default=24.0, gt=0, le=24 * 365, description="Hours between two fetches of a source."
    )
    fetch_allow_private: bool = Field(
        default=False,
        exclude=True,
        description="Tests only (never read from the environment): fetch from loopback.",
    )
    jobs_immediate: bool = Field(
        default=False,
        exclude=True,
        description="Tests only (never read from the environment): run jobs when queued.",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Arguments first, then the environment, which can never reach TEST_ONLY."""
        return (
            init_settings,
            _WithoutTestOnly(env_settings),
            _WithoutTestOnly(dotenv_settings),
            _WithoutTestOnly(file_secret_settings),
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
        if self.fetch_allow_private and self.env != "test":
            raise ValueError("fetch_allow_private opens the SSRF guard and is for tests only")
        return self

    def fetch_policy(self, **overrides: Any) -> FetchPolicy:
        """The outbound client's limits from these settings (``overrides`` win)."""
        options: dict[str, Any] = {
            "connect_timeout": self.fetch_connect_timeout,
            "read_timeout": self.fetch_read_timeout,
            "total_timeout": self.fetch_total_timeout,
            "max_bytes": self.fetch_max_bytes,
            "allow_private": self.fetch_allow_private,
        }
        return FetchPolicy(**{**options, **overrides})

    def resolved_database_url(self, instance_path: Path) -> str:
        """The configured URL, or the SQLite file in the instance folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{instance_path / 'claimdesk.sqlite3'}"
