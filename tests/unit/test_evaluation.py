"""Folds, metrics and baselines of the evaluation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claims.scoring.evaluation import any_refuting, folds, label_of_status, majority, metrics


@given(st.sets(st.text(min_size=1, max_size=6), max_size=40), st.integers(2, 7), st.integers())
def test_folds_partition_the_ids_and_depend_only_on_the_seed(ids, k, seed):
    split = folds(ids, k, seed)
    assert len(split) == k
    assert sorted(i for fold in split for i in fold) == sorted(ids)
    assert folds(list(reversed(sorted(ids))), k, seed) == split


def test_statuses_read_as_verdicts():
    assert label_of_status("supported") == "true"
    assert label_of_status("refuted") == "false"
    for status in ("contested", "unsettled", "unsourced"):
        assert label_of_status(status) == "unknown"


def test_metrics_on_a_hand_checked_example():
    truth = {"a": "true", "b": "false", "c": "unknown", "d": "false"}
    predicted = {"a": "true", "b": "unknown", "c": "unknown", "d": "false"}
    figures = metrics(truth, predicted)
    assert figures.accuracy == pytest.approx(0.75)
    # F1: true 1.0; false 2*1/(1+2)=0.667; unknown 2*1/(2+1)=0.667
    assert figures.macro_f1 == pytest.approx((1 + 2 / 3 + 2 / 3) / 3)
    assert figures.tf_accuracy == pytest.approx(2 / 3)
    assert figures.line("claimdesk") == (
        "claimdesk     accuracy=0.750  macro_f1=0.778  tf_accuracy=0.667"
    )


def test_majority_predicts_the_commonest_rated_verdict():
    assert majority(["false", "false", "true"], ["x", "y"]) == {"x": "false", "y": "false"}


def test_any_refuting_source_makes_false_else_any_supporting_makes_true():
    assert any_refuting(
        {"a": ["supports", "refutes"], "b": ["mentions", "supports"], "c": ["mentions"]}
    ) == {"a": "false", "b": "true", "c": "unknown"}
