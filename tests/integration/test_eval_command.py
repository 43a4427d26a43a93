"""``claimdesk eval emergent`` runs end to end on a slice of the real file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

EMERGENT = Path(__file__).resolve().parents[2].parent / "shared/data/emergent/emergent-train.csv"
FIGURE = r"[01]\.\d{3}"
LINE = re.compile(
    rf"^(\S+)\s+accuracy={FIGURE}\s+macro_f1=({FIGURE}) \[({FIGURE}), ({FIGURE})\]"
    rf"\s+tf_accuracy={FIGURE}(?:  splits=({FIGURE}(?:,{FIGURE})*))?$"
)


@pytest.fixture
def emergent_slice(tmp_path: Path) -> tuple[Path, Path]:
    """Two files of real Emergent claims (about 12 and 6 claims), split by claim."""
    if not EMERGENT.exists():
        pytest.skip("Emergent data set not available")
    lines = EMERGENT.read_text(encoding="utf-8").splitlines(keepends=True)
    header, rows = lines[0], lines[1:]
    claim_ids: list[str] = []
    for row in rows:
        if row.split(",", 1)[0] not in claim_ids:
            claim_ids.append(row.split(",", 1)[0])
    train_ids, test_ids = set(claim_ids[:12]), set(claim_ids[12:18])
    train, test = tmp_path / "train.csv", tmp_path / "test.csv"
    train.write_text(header + "".join(r for r in rows if r.split(",", 1)[0] in train_ids))
    test.write_text(header + "".join(r for r in rows if r.split(",", 1)[0] in test_ids))
    return train, test


def _method_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if LINE.match(line)]


def test_cross_validation_prints_claimdesk_then_both_baselines(runner, emergent_slice):
    train, _ = emergent_slice
    result = runner.invoke(args=["eval", "emergent", str(train), "--repeats", "2"])
    assert result.exit_code == 0, result.output
    names = [LINE.match(line).group(1) for line in _method_lines(result.stdout)]
    assert names == ["claimdesk", "majority", "any-refuting"]
    assert "12 claims scored" in result.stdout
    assert "2 splits into 5 folds (seeds 0 to 1)" in result.stdout
    assert len(re.search(r"penalty chosen per fold: (.*)", result.stdout)[1].split(", ")) == 10
    chosen = re.search(r"specification chosen per fold: (.*)", result.stdout)[1]
    assert sum(int(part.split()[1]) for part in chosen.split(", ")) == 10
    for line in _method_lines(result.stdout):
        match = LINE.match(line)
        figure, low, high = (float(g) for g in match.groups()[1:4])
        splits = [float(x) for x in match.group(5).split(",")]
        assert low <= figure <= high
        assert len(splits) == 2 and abs(figure - sum(splits) / 2) < 0.0011


def test_a_separate_test_file_is_scored_with_verdicts_learned_from_the_first(
    runner, emergent_slice
):
    train, test = emergent_slice
    result = runner.invoke(args=["eval", "emergent", str(train), "--test", str(test)])
    assert result.exit_code == 0, result.output
    assert len(_method_lines(result.stdout)) == 3
    assert "6 claims scored" in result.stdout


def test_a_file_in_another_layout_is_refused_clearly(runner, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,text\n1,hello\n")
    result = runner.invoke(args=["eval", "emergent", str(bad)])
    assert result.exit_code != 0
    assert "missing column(s)" in result.output


def test_fitting_the_defaults_writes_a_model_file_the_app_can_use(runner, emergent_slice, tmp_path):
    from claims.scoring.model import load_model

    train, _ = emergent_slice
    out = tmp_path / "model.json"
    result = runner.invoke(args=["scoring", "fit-emergent", str(train), "--out", str(out)])
    assert result.exit_code == 0, result.output
    model = load_model(out)
    assert model.claims == 12
    assert model.fitted_on == "train.csv: 12 claims"
    assert model.weights["refutes"].base <= 0 <= model.weights["supports"].base
