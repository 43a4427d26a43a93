"""The commands of ``claimdesk``: migrate, load the demo, manage tokens, serve.

They are registered on ``app.cli`` by ``create_app`` (so ``app.test_cli_runner()`` sees them)
and reached through the ``claimdesk`` entry point in ``service/cli.py``. Each command that
writes is one unit of work and commits once at its end.
"""

from __future__ import annotations

from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from claims.policy import Role
from service import migrate
from service.db import database, get_session

db_group = AppGroup("db", help="Database schema (Alembic migrations).")
token_group = AppGroup("token", help="API tokens.")


def register(app: Flask) -> None:
    """Attach every claimdesk command to ``app.cli``."""
    app.cli.add_command(db_group)
    app.cli.add_command(token_group)
    app.cli.add_command(demo_command)
    app.cli.add_command(serve)


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Apply migrations to the configured database."""
    migrate.upgrade(database().url, revision)
    click.echo(f"database at {migrate.current(database().url)}")


@db_group.command("downgrade")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION (``base`` empties the database)."""
    migrate.downgrade(database().url, revision)
    click.echo(f"database at {migrate.current(database().url)}")


@db_group.command("current")
@with_appcontext
def db_current() -> None:
    """Print the database's migration revision."""
    click.echo(migrate.current(database().url) or "empty (no migration applied)")


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load the worked example (the seed article's claims); loading twice changes nothing."""
    from service.demo import load_demo

    migrate.upgrade(database().url)
    session = get_session()
    report = load_demo(session=session)
    session.commit()
    click.echo(report)


@token_group.command("create")
@click.option("--name", required=True, help="Who or what the token is for.")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default=Role.contributor.value,
    show_default=True,
)
@with_appcontext
def token_create(name: str, role: str) -> None:
    """Create a token; it is printed once, alone on the last line, and only its hash is kept."""
    from service.tokens import create_token

    session = get_session()
    try:
        _, plaintext = create_token(session=session, name=name, role=Role(role))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    session.commit()
    click.echo(f"token {name!r} ({role}) created; store it now, it is not shown again:", err=True)
    click.echo(plaintext)


@token_group.command("revoke")
@click.option("--name", required=True)
@with_appcontext
def token_revoke(name: str) -> None:
    """Revoke a token by name."""
    from service.tokens import revoke_token

    session = get_session()
    try:
        revoke_token(session=session, name=name)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    session.commit()
    click.echo(f"token {name!r} revoked")


@click.command("serve")
@click.option("--demo", is_flag=True, help="Load the worked example before serving.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@with_appcontext
def serve(demo: bool, host: str, port: int, workers: int) -> None:
    """Migrate the database, then serve the app under gunicorn."""
    url = database().url
    migrate.upgrade(url)
    if demo:
        from service.demo import load_demo

        session = get_session()
        click.echo(load_demo(session=session))
        session.commit()
    settings = current_app.config["CLAIMDESK"]
    database().engine.dispose()  # workers open their own connections after the fork
    click.echo(f"claimdesk on http://{host}:{port}/ (database: {_redact(url)})")
    _Gunicorn(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": "sync",
            "accesslog": "-",
            "timeout": 60,
        },
        settings,
    ).run()


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


class _Gunicorn:
    """gunicorn's programmatic entry, building the app in each worker (after the fork)."""

    def __init__(self, options: dict[str, Any], settings: Any) -> None:
        from gunicorn.app.base import BaseApplication

        outer_settings = settings

        class App(BaseApplication):  # type: ignore[misc]
            def load_config(self) -> None:
                for key, value in options.items():
                    self.cfg.set(key, value)

            def load(self) -> Flask:
                from service.app import create_app

                return create_app(outer_settings)

        self._app = App()

    def run(self) -> None:
        self._app.run()
