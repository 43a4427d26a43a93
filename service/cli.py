"""The ``claimdesk`` entry point: Flask's command group over ``create_app``."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup

from service.app import create_app


def _make_app() -> Flask:
    return create_app()


@click.group(cls=FlaskGroup, create_app=_make_app, add_default_commands=False)
def main() -> None:
    """claimdesk: claims, sources, evidence and contestedness."""


if __name__ == "__main__":  # ``python -m service.cli``: how ``serve`` starts its job worker
    main()
