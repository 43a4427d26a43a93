"""The commands of ``claimdesk``: migrate, load the demo, manage tokens, serve.

They are registered on ``app.cli`` by ``create_app`` (so ``app.test_cli_runner()`` sees them)
and reached through the ``claimdesk`` entry point in ``service/cli.py``. Each command that
writes is one unit of work and commits once at its end.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from claims.policy import ACCOUNT_ROLES, Role
from service import migrate
from service.db import database, get_session
from service.runtime import current_runtime

db_group = AppGroup("db", help="Database schema (Alembic migrations).")
token_group = AppGroup("token", help="API tokens.")
eval_group = AppGroup("eval", help="Measure the computed status against labelled claims.")


_TEST_OPTION = click.option(
    "--test",
    "test_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Score this file's claims once, fitted on FILE's (no cross-validation).",
)

# claims.scoring.fitting.SPECS, spelled out so that starting the app does not import scipy
# (tests/unit/test_fitting.py holds the two equal).
SPEC_NAMES = ["shipped", "linear", "diminishing", "mentions"]
_SPEC_OPTION = click.option(
    "--spec",
    type=click.Choice(SPEC_NAMES),
    default="shipped",
    show_default=True,
    help="Model specification to validate: shipped (the inner cross-validation chooses linear"
    " or diminishing) or one fixed (docs/scoring.md, 'Specifications tried').",
)

_REPEATS_OPTION = click.option(
    "--repeats",
    default=5,
    show_default=True,
    type=click.IntRange(1, 50),
    help="Splits into folds (seeds SEED, SEED+1, ...); the figures are their mean.",
)


@eval_group.command("emergent")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_TEST_OPTION
@click.option("--folds", default=5, show_default=True, type=click.IntRange(2, 20))
@click.option("--seed", default=0, show_default=True, type=int)
@_REPEATS_OPTION
@_SPEC_OPTION
@click.option(
    "--record",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the figures as JSON (claims/scoring/scoring_evaluation.json feeds /method).",
)
def eval_emergent(
    file: Path,
    test_file: Path | None,
    folds: int,
    seed: int,
    repeats: int,
    spec: str,
    record: Path | None,
) -> None:
    """Nested cross-validation on an Emergent CSV, repeated over several splits (or fit on
    FILE, score --test).

    Prints each method's accuracy, macro-F1 with its 95% bootstrap interval and tf_accuracy
    (means over the splits), and each split's macro-F1.
    """
    from service import evaluation

    _evaluate(evaluation.read_emergent, file, test_file, folds, seed, repeats, spec, record)


@eval_group.command("threads")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_TEST_OPTION
@click.option("--folds", default=5, show_default=True, type=click.IntRange(2, 20))
@click.option("--seed", default=0, show_default=True, type=int)
@_REPEATS_OPTION
@_SPEC_OPTION
def eval_threads(
    file: Path, test_file: Path | None, folds: int, seed: int, repeats: int, spec: str
) -> None:
    """The same on a file of social-media threads (JSON layout: service/evaluation_threads.py)."""
    from service import evaluation_threads

    _evaluate(evaluation_threads.read_threads, file, test_file, folds, seed, repeats, spec)


def _evaluate(
    read: Any,
    file: Path,
    test_file: Path | None,
    folds: int,
    seed: int,
    repeats: int,
    spec: str = "shipped",
    record: Path | None = None,
) -> None:
    from service import evaluation

    try:
        train = read(file)
        test = read(test_file) if test_file else None
        if test is None and len(train) < folds:
            raise evaluation.DataError(f"{len(train)} claim(s): fewer than the {folds} folds")
        report = evaluation.evaluate(
            train,
            test,
            k=folds,
            seed=seed,
            repeats=repeats,
            spec=spec,
            progress=lambda m: click.echo(m, err=True),
        )
    except (evaluation.DataError, UnicodeDecodeError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    if report.skipped:
        click.echo(f"skipped {len(report.skipped)} row(s); first: {report.skipped[0]}", err=True)
    click.echo(f"{report.claims} claims scored")
    if test_file is None and repeats > 1:
        click.echo(f"{repeats} splits into {folds} folds (seeds {seed} to {seed + repeats - 1})")
    click.echo("penalty chosen per fold: " + ", ".join(f"{p:g}" for p in report.penalties))
    counted = Counter(report.specifications)
    click.echo(
        "specification chosen per fold: "
        + ", ".join(f"{name} {counted[name]}" for name in sorted(counted))
    )
    for line in report.lines():
        click.echo(line)
    if record is not None:
        from claims.scoring.validation import record as as_record

        figures = as_record(
            report.methods,
            claims=report.claims,
            data=file.name if test_file is None else f"{file.name} -> {test_file.name}",
            folds=folds if test_file is None else 0,
            seed=seed,
            spec=spec,
            repeats=repeats if test_file is None else 1,
            chosen=report.specifications,
        )
        record.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n", encoding="utf-8")


user_group = AppGroup("user", help="Accounts for the web interface.")
import_group = AppGroup("import", help="Bulk imports.")


def register(app: Flask) -> None:
    """Attach every claimdesk command to ``app.cli``."""
    from service.scoring_commands import scoring_group

    app.cli.add_command(eval_group)
    app.cli.add_command(scoring_group)
    app.cli.add_command(db_group)
    app.cli.add_command(token_group)
    app.cli.add_command(user_group)
    app.cli.add_command(import_group)
    app.cli.add_command(demo_command)
    app.cli.add_command(serve)
    app.cli.add_command(worker)


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
    type=click.Choice([r.value for r in ACCOUNT_ROLES]),
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


@user_group.command("create")
@click.option("--username", required=True)
@click.option(
    "--role",
    type=click.Choice([r.value for r in ACCOUNT_ROLES]),
    default=Role.contributor.value,
    show_default=True,
)
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input (for scripts) instead of prompting.",
)
@with_appcontext
def user_create(username: str, role: str, password_stdin: bool) -> None:
    """Create a web account; the password is prompted for (twice) or read from stdin."""
    from pydantic import ValidationError

    from service.accounts import UserCreate, create_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user_in = UserCreate(username=username, password=password, role=Role(role))
    except ValidationError as exc:
        problems = "; ".join(f"{e['loc'][0]}: {e['msg']}" for e in exc.errors())
        raise click.ClickException(problems) from exc
    session = get_session()
    try:
        create_user(session=session, user_in=user_in)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    session.commit()
    click.echo(f"user {user_in.username!r} ({role}) created")


@user_group.command("disable")
@click.option("--username", required=True)
@click.option("--enable", is_flag=True, help="Re-enable a disabled account instead.")
@with_appcontext
def user_disable(username: str, enable: bool) -> None:
    """Disable an account (its sessions stop working at once), or re-enable it."""
    from service.accounts import set_disabled

    session = get_session()
    try:
        set_disabled(session=session, username=username, disabled=not enable)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    session.commit()
    click.echo(f"user {username!r} {'enabled' if enable else 'disabled'}")


@import_group.command("claims")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "jsonl", "liar"]),
    default="csv",
    show_default=True,
    help="CSV with a header, JSON Lines, or LIAR's TSV layout.",
)
@click.option("--actor", default="import", show_default=True, help="Name in the revision log.")
@click.option("--distinct", is_flag=True, help="Skip duplicate detection: create every row.")
@click.option("--dry-run", is_flag=True, help="Check and report, but write nothing.")
@click.option(
    "--single-process",
    is_flag=True,
    help="Find duplicates in this process, not in a second one beside the writes (the default "
    "for files of 1 MiB or more on two cores or more; the report is the same).",
)
@with_appcontext
def import_claims(
    fmt: str, file: Path, actor: str, distinct: bool, dry_run: bool, single_process: bool
) -> None:
    """Import claims (with claimants, tags and verdicts) from FILE; see the README for columns.

    A row that nearly duplicates a claim on record or an earlier row is reported as matched,
    not created. A bad row is reported by line number and never stops the others.
    """
    from claims.importing.rows import FileError
    from claims.policy import Actor
    from service.import_command import count_lines
    from service.import_command import import_claims as run

    session = get_session()
    total = count_lines(file)
    try:
        with click.progressbar(
            length=total, label=f"importing {file.name}", file=sys.stderr
        ) as bar:
            summary = run(
                session=session,
                path=file,
                fmt=fmt,  # type: ignore[arg-type]
                actor=Actor(name=actor, role=Role.editor),
                distinct=distinct,
                duplicate_threshold=current_runtime().settings.duplicate_threshold,
                dry_run=dry_run,
                progress=bar.update,
                parallel=False if single_process else None,
            )
    except (FileError, UnicodeDecodeError) as exc:
        session.rollback()
        raise click.ClickException(f"{file}: {exc}") from exc
    for line in summary.lines():
        click.echo(line)


@import_group.command("claimreview")
@click.argument("source")
@click.option("--actor", default="import", show_default=True, help="Name in the revision log.")
@with_appcontext
def import_claimreview(source: str, actor: str) -> None:
    """Import fact-checks published as ClaimReview from SOURCE: a page or feed URL, or a file.

    A URL is fetched (SSRF-safe) and read for JSON-LD, microdata and RDFa; a file holds
    ClaimReview JSON (one object, a list, a feed) or a saved page. Each review creates or
    matches its claim and records the fact-check as evidence; one that cannot be recorded is
    listed as rejected, with its reason, and never stops the others.
    """
    from claims.claimreview.service import import_reviews
    from claims.policy import Actor
    from service import claimreview_sources as claimreviews
    from sources.errors import FetchError

    settings = current_runtime().settings
    try:
        if source.lower().startswith(("http://", "https://")):
            reviews = claimreviews.from_url(source, settings=settings)
        else:
            reviews = claimreviews.from_file(Path(source))
    except (FetchError, claimreviews.DocumentError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    session = get_session()
    summary = import_reviews(
        session=session,
        reviews=reviews,
        actor=Actor(name=actor, role=Role.contributor),
        duplicate_threshold=settings.duplicate_threshold,
    )
    session.commit()
    for line in summary.lines():
        click.echo(line)


@click.command("worker")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@with_appcontext
def worker(workers: int) -> None:
    """Run the job consumer: fetch sources' pages, re-anchor quotes, recheck sources."""
    import logging

    from service.jobs import DRAIN_POLL_S, jobs_of, queue_stale_rescore

    jobs = jobs_of()
    if jobs.huey.immediate:
        raise click.ClickException("jobs run as they are queued here: there is nothing to consume")
    if queue_stale_rescore(database()):
        click.echo("claimdesk worker: stored scores from an older scorer queued for rescoring")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    import threading

    click.echo(
        f"claimdesk worker: {workers} thread(s) on {type(jobs.huey).__name__}"
        f" queue {jobs.huey.name!r}, handing over the outbox every {DRAIN_POLL_S} s"
    )
    stop = threading.Event()
    drainer = threading.Thread(
        target=jobs.drain_forever, args=(stop,), name="claimdesk-outbox", daemon=True
    )
    drainer.start()
    try:
        jobs.huey.create_consumer(workers=workers, worker_type="thread", periodic=True).run()
    finally:
        stop.set()


@click.command("serve")
@click.option("--demo", is_flag=True, help="Load the worked example before serving.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--no-worker",
    "no_worker",
    is_flag=True,
    help="Do not start the job worker here (deployments that run `claimdesk worker` apart).",
)
@with_appcontext
def serve(demo: bool, host: str, port: int, workers: int, no_worker: bool) -> None:
    """Migrate the database, start the job worker in its own process, serve under gunicorn.

    Without a worker, sources stay "not fetched yet" and quotes "not checked yet" for ever, so
    the first command a newcomer runs starts one; ``--no-worker`` leaves it to a separate
    ``claimdesk worker``.
    """
    url = database().url
    migrate.upgrade(url)
    from service.jobs import queue_stale_rescore

    queue_stale_rescore(database())  # a new model or format: the worker rescores what it wrote
    if demo:
        from service.demo import load_demo

        session = get_session()
        click.echo(load_demo(session=session))
        session.commit()
    settings = current_runtime().settings
    database().engine.dispose()  # workers open their own connections after the fork
    worker_process = None
    # A SIGTERM that arrives before gunicorn installs its own handlers must still stop the
    # worker: turn it into SystemExit, so the ``finally`` below runs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        if no_worker:
            where = "not started here (--no-worker): run `claimdesk worker` apart"
        elif _jobs_run_inline():
            where = "none needed: jobs run as they are queued (test settings)"
        else:
            worker_process = _start_worker()
            where = (
                f"process {worker_process.pid} (`claimdesk worker`, queue: {_queue_of(settings)})"
            )
        click.echo(f"claimdesk on http://{host}:{port}/ (database: {_redact(url)})")
        click.echo(f"job worker: {where}")
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        _Gunicorn(
            {
                "bind": f"{host}:{port}",
                "workers": workers,
                # gunicorn's sync worker, answering the requests it refuses itself (a
                # request line over 4 KB...) as problem+json like the app does.
                "worker_class": "service.serving.ProblemSyncWorker",
                "accesslog": "-",
                "timeout": 60,
                # gunicorn 27's control socket lives at one path per user: a second ``serve``
                # on the same host would take it over (and remove it on exit).
                "control_socket_disable": True,
                # In the master, before the fork: the workers share the model's pages.
                "on_starting": lambda _arbiter: _preload_model(app),
            },
            settings,
        ).run()
    finally:
        if worker_process is not None:
            _stop(worker_process)


def _preload_model(app: Flask) -> None:
    from service.semantic import preload

    with app.app_context():
        try:
            click.echo(preload(app))
        except Exception as exc:  # the workers still load it on first use
            click.echo(f"cross-lingual model not loaded before the fork ({exc})", err=True)


def _jobs_run_inline() -> bool:
    from service.jobs import jobs_of

    return bool(jobs_of().huey.immediate)


def _start_worker() -> subprocess.Popen[bytes]:
    """The job worker in its own process, through its own command, with this environment."""
    return subprocess.Popen(
        [sys.executable, "-m", "service.cli", "worker"],
        env=dict(os.environ),
        preexec_fn=_die_with_parent,
    )


def _die_with_parent() -> None:
    """In the worker's process: be sent SIGTERM if ``serve`` dies without stopping it (Linux)."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the worker with the server (it finishes the job in hand), killing it if it hangs."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _queue_of(settings: Any) -> str:
    """Where the worker takes its jobs from, for the startup line (no password shown)."""
    if settings.redis_url:
        return f"Redis {_redact(settings.redis_url)}"
    from service.jobs import jobs_of

    filename = getattr(jobs_of().huey.storage, "filename", "")
    return f"SQLite {filename}"


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
