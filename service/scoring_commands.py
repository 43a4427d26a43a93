"""``claimdesk scoring``: fit the scorer's weights to verdicts and write them to a model file.

``fit-emergent`` makes the shipped defaults (`claims/scoring/scoring_model.json`) from the shared
Emergent claims; ``refit`` fits the same model to a deployment's own editors' verdicts. A
deployment uses its file by setting ``CLAIMDESK_SCORING_MODEL`` to its path, then
``claimdesk scoring rescore`` brings every stored score up to date. docs/scoring.md has the
procedure and the figures.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import click
from flask.cli import AppGroup, with_appcontext
from sqlmodel import col, select

from claims.models import Claim, Verdict
from claims.scoring import service as scores
from claims.scoring.fitting import Sample, choose_and_fit, label_of_rating
from claims.scoring.model import Model, save_model
from service.db import database

scoring_group = AppGroup("scoring", help="Fit the scorer to verdicts (model files).")


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


@scoring_group.command("fit-emergent")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--seed", default=0, show_default=True, type=int)
def fit_emergent(file: Path, out: Path, seed: int) -> None:
    """Fit the shipped defaults on an Emergent CSV (every claim rated) and write them to OUT."""
    from service import evaluation

    try:
        claims = evaluation.read_emergent(file)
    except (evaluation.DataError, UnicodeDecodeError) as exc:
        raise click.ClickException(str(exc)) from exc
    skipped: list[str] = []
    items = evaluation.items_through_service(claims, sorted(claims), [], skipped=skipped)
    labels = evaluation.labels_of(claims)
    samples = [Sample(c, tuple(items[c]), labels[c]) for c in sorted(claims)]
    model = choose_and_fit(
        samples,
        seed=seed,
        name=f"emergent-{_today()}",
        progress=lambda m: click.echo(m, err=True),
    )
    _write(model_out=out, model=model, fitted_on=f"{file.name}: {len(samples)} claims")


@scoring_group.command("refit")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--min-claims", default=30, show_default=True, type=click.IntRange(3, None))
@with_appcontext
def refit(out: Path, seed: int, min_claims: int) -> None:
    """Fit the scorer on this deployment's rated claims and write the model to OUT."""
    with database().session_factory() as session:
        rated = session.exec(
            select(Claim.id, Verdict.rating)
            .join(Verdict, col(Verdict.claim_id) == Claim.id)
            .where(col(Claim.retracted_at).is_(None), col(Verdict.superseded_at).is_(None))
            .order_by(col(Claim.id))
        ).all()
        if len(rated) < min_claims:
            raise click.ClickException(
                f"{len(rated)} rated claim(s); at least {min_claims} are needed to fit"
            )
        # items_for leaves each claim's own verdict out of the records it is scored with.
        samples = [
            Sample(
                str(claim_id),
                tuple(scores.items_for(session=session, claim_id=claim_id)),
                label_of_rating(rating),
            )
            for claim_id, rating in rated
            if claim_id is not None
        ]
    model = choose_and_fit(
        samples, seed=seed, name=f"refit-{_today()}", progress=lambda m: click.echo(m, err=True)
    )
    _write(model_out=out, model=model, fitted_on=f"editors' verdicts: {len(samples)} claims")


@scoring_group.command("rescore")
@with_appcontext
def rescore() -> None:
    """Score every live claim again with the model in use (after changing the model file)."""
    with database().session_factory() as session:
        ids = session.exec(select(Claim.id).where(col(Claim.retracted_at).is_(None))).all()
        scores.recompute_many(session=session, claim_ids=[i for i in ids if i is not None])
        session.commit()
    click.echo(f"{len(ids)} claim(s) rescored")


def _write(*, model_out: Path, model: Model, fitted_on: str) -> None:
    model = replace(model, fitted_on=fitted_on)
    try:
        save_model(model, model_out)
    except OSError as exc:
        raise click.ClickException(f"cannot write {model_out}: {exc}") from exc
    click.echo(f"penalty {model.regularisation:g}; model written to {model_out}")
