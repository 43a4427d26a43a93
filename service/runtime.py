"""The app's runtime: every long-lived object one app holds, in one place.

``create_app`` builds one ``Runtime`` (``service/app.py``) and keeps it in the app; everything
else reaches it through ``runtime(app)`` or, inside a request or app context,
``current_runtime()``. Nothing of an app's state lives in module globals, in dictionaries keyed
by its Database or in other ``app.extensions`` slots: a test that wants its own builds its own
app with ``create_app(settings, database=...)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from flask import Flask, current_app

if TYPE_CHECKING:
    from claims.matching.service import LiveMatchIndex
    from claims.scoring.model import Model
    from claims.semantic.index import Semantic
    from service.db import Database
    from service.jobs import Jobs
    from service.readmodel import ReadModel
    from service.settings import Settings
    from service.web.ratelimit import Limits

EXTENSION: Final = "claimdesk.runtime"


@dataclass
class Runtime:
    """What one app holds for as long as it runs."""

    settings: Settings
    database: Database  # the engine and the factory of Sessions
    reads: ReadModel  # the status and card answers: their connections and card cache
    match_index: LiveMatchIndex  # the duplicate check, /claims/match and ?q=
    scoring_model: Model  # the scorer's fitted parameters: the shipped ones or a refit
    semantic: Semantic  # cross-lingual matching: the embedder (loaded on first use), the index
    jobs: Jobs  # the queue
    limits: Limits  # rate limits and their counters' store
    openapi: dict[str, Any] | None = field(default=None)  # the API document, built once


def runtime(app: Flask) -> Runtime:
    """The runtime of ``app``."""
    found: Runtime = app.extensions[EXTENSION]
    return found


def current_runtime() -> Runtime:
    """The runtime of the current app (inside a request, a CLI command or an app context)."""
    found: Runtime = current_app.extensions[EXTENSION]
    return found
