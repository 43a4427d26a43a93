"""The application factory: everything is built here, nothing at import time."""

from __future__ import annotations

import os
from pathlib import Path
from typing import cast

from flask import Flask, request
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from claims.matching import service as match_index
from claims.scoring import model as scoring_model
from claims.scoring.model import load_model, shipped_model
from service import (
    bodies,
    card_cache,
    commands,
    cors,
    db,
    embed,
    feeds,
    health,
    hosts,
    hot,
    jobs,
    notify,
    problems,
    readmodel,
    retry,
    runtime,
    semantic,
    web,
)
from service.api import API_PREFIX, load_routes
from service.api.wording import StatusWords
from service.embed.views import Widgets
from service.sessions import LazyCookieSessionInterface
from service.settings import Settings
from service.web import errors as web_errors
from service.web import ratelimit

# Ids beyond a 32-bit signed integer cannot exist; refusing them in the router turns
# /claims/99999999999999999999 into a 404 instead of a database overflow error.
MAX_ID = 2**31 - 1


def _at_most(limit: int) -> str:
    """A regex matching the decimal integers 1..limit written without leading zeros."""
    digits = str(limit)
    width = len(digits)
    options = [rf"[1-9]\d{{0,{width - 2}}}"] if width > 1 else []
    for i, digit in enumerate(digits):
        low = 1 if i == 0 else 0
        if int(digit) > low:
            options.append(rf"{digits[:i]}[{low}-{int(digit) - 1}]\d{{{width - i - 1}}}")
    options.append(digits)
    return "(?:" + "|".join(options) + ")"


class BoundedInt(IntegerConverter):
    """``<int:...>`` limited to ids the database can hold.

    The bound is in the regex, not in ``max``: werkzeug checks ``max`` only after it has
    picked a rule, and when the path also has a rule for another method it then answers 405
    (POST /claims/99999999999999999999/evidence would be "method not allowed"). A path the
    regex refuses matches no rule at all, so every method gets 404.
    """

    regex = _at_most(MAX_ID)


def create_app(settings: Settings | None = None, *, database: db.Database | None = None) -> Flask:
    """Build the app from settings (environment by default) and an optional database."""
    settings = settings or Settings()
    instance_path = str(settings.instance_path) if settings.instance_path else None
    app = Flask("service", instance_path=instance_path, instance_relative_config=True)
    app.url_map.converters["int"] = BoundedInt
    app.session_interface = LazyCookieSessionInterface()  # cookie-less reads skip its setup
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        JSON_SORT_KEYS=False,
        # Production serves over HTTPS: the session cookie must never travel in clear.
        SESSION_COOKIE_SECURE=settings.env == "production",
        # Requests for any other Host get 400 (Flask checks it before routing).
        TRUSTED_HOSTS=settings.allowed_hosts(),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if database is None:
        database = db.Database(settings.resolved_database_url(Path(app.instance_path)))
    db.init_app(app)
    held = build_runtime(app, settings, database)
    app.extensions[runtime.EXTENSION] = held

    def is_api() -> bool:
        return request.path.startswith(API_PREFIX)

    problems.register(app, is_api=is_api, html=web_errors.render)
    retry.install(app)
    app.register_blueprint(load_routes())
    embed.install(app)
    app.register_blueprint(feeds.bp)
    web.init_app(app, settings)
    cors.install(app, settings, is_api)
    commands.register(app)
    bodies.install(app, max_bytes=settings.max_body_bytes)  # chunked bodies meet the limit too
    hot.install(app, held.reads)
    hosts.install(app, hosts=settings.allowed_hosts(), public_url=settings.public_url)
    if settings.proxy_hops:
        # Outermost, so every layer (the hot read path included) sees the client's scheme,
        # host and address rather than the proxy's: rate limits count readers, links point home.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app,
            x_for=settings.proxy_hops,
            x_proto=settings.proxy_hops,
            x_host=settings.proxy_hops,
        )

    health.install(app, settings=settings)

    return app


def build_runtime(app: Flask, settings: Settings, database: db.Database) -> runtime.Runtime:
    """Everything the app holds while it runs (``service/runtime.py``), wired to its Database."""
    queue = jobs.install(app, settings=settings, database=database)
    notify.install(queue, settings=settings, database=database)
    connections: readmodel.Connections = (
        readmodel.JoinedConnection(database.connection)
        if database.connection is not None
        else readmodel.ThreadConnections(database.engine)
    )
    reads = readmodel.ReadModel(
        engine=database.engine,
        connections=connections,
        cache=card_cache.for_database(database, size=settings.card_cache_size),
        widgets=Widgets(app, settings),
        words=StatusWords(app),
        origins=cors.allowed_origins(settings),
    )
    # The duplicate check, /claims/match and ?q= share it (built lazily on first use); the
    # ledger reaches it through each Session's ``info``. One per Database: apps sharing one
    # (workers of a test) share its index; no index ever sees another database's claims.
    factory = cast("sessionmaker[Session]", database.session_factory)
    info = factory.kw.get("info", {})
    index = info.get(match_index.SESSION_KEY) or match_index.LiveMatchIndex()
    # The scorer's model: a deployment's refit (CLAIMDESK_SCORING_MODEL) or the shipped one;
    # ``recompute`` finds it on the Session, like the index.
    model = load_model(settings.scoring_model) if settings.scoring_model else shipped_model()
    factory.configure(
        info={**info, match_index.SESSION_KEY: index, scoring_model.SESSION_KEY: model}
    )
    return runtime.Runtime(
        settings=settings,
        database=database,
        reads=reads,
        match_index=index,
        scoring_model=model,
        semantic=semantic.install(app, database=database),
        jobs=queue,
        limits=ratelimit.build(
            settings, deployment=settings.deployment_key(Path(app.instance_path))
        ),
    )


def wsgi() -> Flask:
    """Entry point for gunicorn: ``gunicorn 'service.app:wsgi()'``."""
    os.environ.setdefault("CLAIMDESK_ENV", "development")
    return create_app()
