"""``claimdesk scoring refit``: the scorer fitted to a deployment's own editors' verdicts."""

from __future__ import annotations

from sqlmodel import select

from claims.models import Claim
from claims.scoring.model import load_model, shipped_model
from service.app import create_app
from service.runtime import runtime
from service.settings import Settings


def _rated_claims(make_claim, make_source, make_evidence, make_verdict):
    """Nine rated claims: refuted ones are false, well-backed ones true, lone rumours unknown."""
    for n in range(3):
        claim = make_claim(f"Backed claim number {n} about the bridge.")
        for outlet in ("a", "b", "c"):
            make_evidence(claim, make_source(f"https://{outlet}.example/{n}"))
        make_verdict(claim, rating="true")
        claim = make_claim(f"Denied claim number {n} about the tunnel.")
        make_evidence(claim, make_source(f"https://d.example/{n}"), stance="refutes")
        make_verdict(claim, rating="false")
        claim = make_claim(f"Rumoured claim number {n} about the canal.")
        make_evidence(claim, make_source(f"https://rumour.example/{n}"))
        make_verdict(claim, rating="unverifiable")


def test_refit_fits_the_deployments_verdicts_and_writes_a_model(
    runner, tmp_path, make_claim, make_source, make_evidence, make_verdict
):
    _rated_claims(make_claim, make_source, make_evidence, make_verdict)
    out = tmp_path / "ours.json"

    result = runner.invoke(args=["scoring", "refit", "--out", str(out), "--min-claims", "9"])

    assert result.exit_code == 0, result.output
    model = load_model(out)
    assert model.claims == 9
    assert model.fitted_on == "editors' verdicts: 9 claims"
    assert model.weights["refutes"].base < 0


def test_refit_refuses_to_fit_on_too_few_verdicts(runner, tmp_path, make_claim, make_verdict):
    make_verdict(make_claim("A single rated claim about the port."), rating="true")

    result = runner.invoke(args=["scoring", "refit", "--out", str(tmp_path / "m.json")])

    assert result.exit_code != 0
    assert "1 rated claim(s); at least 30 are needed to fit" in result.output
    assert not (tmp_path / "m.json").exists()


def test_a_deployment_scores_with_its_model_file_once_configured_and_rescores(
    runner, tmp_path, session, database, make_claim, make_source, make_evidence, make_verdict
):
    _rated_claims(make_claim, make_source, make_evidence, make_verdict)
    out = tmp_path / "ours.json"
    assert (
        runner.invoke(args=["scoring", "refit", "--out", str(out), "--min-claims", "9"]).exit_code
        == 0
    )
    settings = Settings(
        env="test",
        secret_key="test-secret-key-0123456789",
        instance_path=tmp_path,
        scoring_model=out,
    )

    app = create_app(settings, database=database)
    try:
        assert runtime(app).scoring_model == load_model(out)
        result = app.test_cli_runner().invoke(args=["scoring", "rescore"])
        assert result.exit_code == 0, result.output
        assert "9 claim(s) rescored" in result.output
        stored = session.exec(select(Claim)).first()
        assert stored is not None
        session.refresh(stored)
        assert stored.explanation["model"] == load_model(out).name
    finally:
        again = create_app(
            Settings(env="test", secret_key="test-secret-key-0123456789", instance_path=tmp_path),
            database=database,
        )
    assert runtime(again).scoring_model == shipped_model()


def test_a_model_file_that_is_not_one_stops_the_app_with_a_clear_error(tmp_path, database):
    import pytest

    from claims.scoring.model import ModelError

    bad = tmp_path / "bad.json"
    bad.write_text('{"name": "x"}')
    settings = Settings(
        env="test",
        secret_key="test-secret-key-0123456789",
        instance_path=tmp_path,
        scoring_model=bad,
    )
    with pytest.raises(ModelError, match="not a scorer model"):
        create_app(settings, database=database)


def test_the_method_page_describes_a_model_with_diminishing_returns_as_it_scores(
    tmp_path, database
):
    import math
    from dataclasses import replace

    from claims.scoring.model import save_model

    model = replace(shipped_model(), name="ours", diminishing=True)
    path = tmp_path / "ours.json"
    save_model(model, path)
    settings = Settings(
        env="test",
        secret_key="test-secret-key-0123456789",
        instance_path=tmp_path,
        scoring_model=path,
    )
    client = create_app(settings, database=database).test_client()

    english = client.get("/method").get_data(as_text=True)
    french = client.get("/method", headers={"Accept-Language": "fr"}).get_data(as_text=True)

    lone = round(model.to_points(model.weights["supports"].base * math.log(2), 100))
    assert f"supports the claim adds +{lone} points" in english
    assert "Each further report on the same side adds fewer points" in english
    assert "Chaque nouvel article du même côté ajoute moins de points" in french
    shipped = create_app(
        Settings(env="test", secret_key="test-secret-key-0123456789", instance_path=tmp_path),
        database=database,
    ).test_client()
    assert "Each further report" not in shipped.get("/method").get_data(as_text=True)
