"""Typed settings read from ``CLAIMDESK_*`` environment variables.

Settings are built inside ``create_app`` (never at import time) so tests and the CLI can pass
overrides, and so a production deployment fails fast on an unsafe configuration instead of
running with a guessable secret.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from sources.fetch import FetchPolicy
from sources.ssrf import PrivateAllowlist

DEV_SECRET = "dev-only-not-secret"
# Only tests may set these, through Settings(...): no variable, file or secret can reach them.
# fetch_allow_private opens the SSRF guard to loopback and private addresses; jobs_immediate runs
# every job inside the request that queues it.
TEST_ONLY = frozenset({"fetch_allow_private", "jobs_immediate"})
# The port a database URL means when it names none (``Settings.deployment_key``).
DEFAULT_PORTS = {"postgresql": 5432, "mysql": 3306, "mariadb": 3306}


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
    scoring_model: Path | None = Field(
        default=None,
        description="A model file from `claimdesk scoring refit`; default: the shipped one.",
    )
    public_url: str | None = Field(
        default=None,
        description="Base URL others reach claimdesk at (widget, oEmbed, JSON-LD and problem "
        "type links); default: the URL of the request (development and tests only).",
    )
    trusted_hosts: str = Field(
        default="",
        description="Comma-separated host names this claimdesk answers to (a leading dot "
        "admits subdomains); the public URL's host is always one. Other Host headers get 400. "
        "Production needs this or the public URL.",
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
        description="Redis URL for rate-limit counters and jobs; default: the database.",
    )
    queue_name: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_.:-]{1,100}$",
        description="Name of the job queue; default: derived from the database URL, so two "
        "deployments sharing one Redis never run each other's jobs.",
    )
    job_lease_seconds: int = Field(
        default=180,
        ge=10,
        le=86_400,
        description="Seconds a job handed to the queue may take to finish before the worker "
        "hands it over again (a queue that lost it, a worker that died with it).",
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
    private_allowlist: str = Field(
        default="",
        max_length=4000,
        description="Private or loopback destinations that source fetches and webhooks may "
        "reach (hosts, host:port or CIDRs, comma-separated); default: none.",
    )
    webhook_timeout: float = Field(
        default=10.0, gt=0, le=60, description="Seconds a webhook receiver has to answer."
    )
    webhook_concurrency: int = Field(
        default=8, ge=1, le=64, description="Receivers the worker sends to at the same time."
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

    @field_validator("private_allowlist")
    @classmethod
    def _an_allowlist(cls, value: str) -> str:
        PrivateAllowlist.parse(value)
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
        if self.env == "production" and not (self.public_url or self.trusted_hosts.strip()):
            # Links in widgets, oEmbed and JSON-LD would otherwise follow whatever Host header
            # a request carries ("Host: evil.example" in an embed snippet, then in caches).
            raise ValueError(
                "set CLAIMDESK_PUBLIC_URL (or CLAIMDESK_TRUSTED_HOSTS) in production: "
                "links must not follow the request's Host header"
            )
        return self

    @field_validator("public_url")
    @classmethod
    def _an_absolute_http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{value!r} is not an absolute http(s) URL")
        if parts.query or parts.fragment:
            raise ValueError(f"{value!r}: a base URL has no query or fragment")
        return value.rstrip("/")

    def allowed_hosts(self) -> list[str] | None:
        """The Host names requests may carry, or None when any host is answered.

        None only without a public URL and a trusted-hosts list (development and tests): then
        links follow each request's host, and the answers built from it vary on it.
        """
        hosts = [h.strip().lower() for h in self.trusted_hosts.split(",") if h.strip()]
        if self.public_url:
            public_host = urlsplit(self.public_url).hostname
            if public_host and public_host not in hosts:
                hosts.insert(0, public_host)
        return hosts or None

    def fetch_policy(self, **overrides: Any) -> FetchPolicy:
        """The outbound client's limits from these settings (``overrides`` win)."""
        options: dict[str, Any] = {
            "connect_timeout": self.fetch_connect_timeout,
            "read_timeout": self.fetch_read_timeout,
            "total_timeout": self.fetch_total_timeout,
            "max_bytes": self.fetch_max_bytes,
            "allow_private": self.fetch_allow_private,
            "private_allowlist": self.allowlist(),
        }
        return FetchPolicy(**{**options, **overrides})

    def resolved_queue_name(self, instance_path: Path) -> str:
        """The configured queue name, or the deployment's key (``deployment_key``)."""
        return self.queue_name or self.deployment_key(instance_path)

    def deployment_key(self, instance_path: Path) -> str:
        """A name for this deployment on shared services (the job queue's default name, the
        rate-limit counters' prefix in Redis): ``claimdesk-`` and a digest of its database.

        Every process of one deployment shares its database, and two deployments never do, so
        the database tells them apart; it is identified by what names it, not by how its URL is
        spelled: the backend without its driver, the user, the host in lower case, the port
        (the backend's default when none is given), the database; for SQLite, the file's
        resolved path. ``postgresql://db/x`` and ``postgresql+psycopg://DB:5432/x`` are one
        deployment; the password and the query string are not part of it.
        """
        from sqlalchemy.engine import make_url

        url = make_url(self.resolved_database_url(instance_path))
        backend = url.get_backend_name()
        if backend == "sqlite":
            where = url.database or ""
            name = where if where in ("", ":memory:") else str(Path(where).resolve())
            identity = f"sqlite:{name}"
        else:
            port = url.port or DEFAULT_PORTS.get(backend)
            host = (url.host or "").lower()
            identity = f"{backend}://{url.username or ''}@{host}:{port or ''}/{url.database or ''}"
        digest = hashlib.sha256(identity.encode()).hexdigest()
        return f"claimdesk-{digest[:12]}"

    def allowlist(self) -> PrivateAllowlist:
        """The operator's private destinations, parsed (validated when the settings load)."""
        return PrivateAllowlist.parse(self.private_allowlist)

    def resolved_database_url(self, instance_path: Path) -> str:
        """The configured URL, or the SQLite file in the instance folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{instance_path / 'claimdesk.sqlite3'}"
