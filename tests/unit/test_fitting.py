"""Specifications of fitting the scorer and validating it: the fit, the penalty choice, the
nested cross-validation and its interval."""

import numpy as np
import pytest
from scipy.optimize import check_grad

from claims.scoring.evaluation import bootstrap_interval, macro_f1
from claims.scoring.fitting import (
    SPECS,
    Sample,
    _objective,
    choose_and_fit,
    fit,
    label_of_rating,
    predict,
)
from claims.scoring.score import Item, Track, score_claim
from claims.scoring.validation import held_out_test, nested_cv, specification_of


def report(key, stance="supports", origin=None, track=None):
    return Item(
        key=key, stance=stance, kind="secondary", origin=origin or key, label=key, track=track
    )


def synthetic(n=60):
    """True claims: five good backers; false: one refuter; unknown: five rumour-mongers."""
    claims = {}
    for i in range(n):
        kind = ("true", "false", "unknown")[i % 3]
        if kind == "true":
            items = [report(f"{i}:{j}", track=Track(held=3, failed=0)) for j in range(5)]
        elif kind == "false":
            items = [report(f"{i}:0"), report(f"{i}:1", "refutes")]
        else:
            items = [report(f"{i}:{j}", track=Track(failed=1, unverified=4)) for j in range(5)]
        claims[f"c{i:03d}"] = (kind, items)
    return claims


def test_the_gradient_of_the_objective_is_the_gradient():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(30, 6))
    y = rng.integers(0, 3, size=30)
    weight = np.full(30, 1 / 30)
    params = rng.normal(size=8)
    params[6], params[7] = -0.5, 0.7

    error = check_grad(
        lambda p: _objective(p, x, y, weight, 0.1)[0],
        lambda p: _objective(p, x, y, weight, 0.1)[1],
        params,
    )
    assert error < 1e-5


def test_a_fit_learns_what_separates_true_false_and_unknown():
    claims = synthetic()
    model = fit([Sample(c, tuple(items), label) for c, (label, items) in claims.items()], 0.001)

    predicted = {c: predict(model, items) for c, (_, items) in claims.items()}
    assert macro_f1({c: label for c, (label, _) in claims.items()}, predicted) == 1.0
    assert model.weights["supports"].held > 0
    assert model.weights["refutes"].base < 0


def test_the_fitted_weights_never_point_the_wrong_way():
    # Refutations here only appear on true claims: an unconstrained fit would make them
    # argue for the claim; the bounds keep a refutation pushing towards false (or at 0).
    samples = [
        Sample(f"t{i}", (report(f"t{i}:0", "refutes"), report(f"t{i}:1")), "true")
        for i in range(10)
    ] + [Sample(f"u{i}", (report(f"u{i}:0", "mentions"),), "unknown") for i in range(10)]
    model = fit(samples, 0.001)

    assert model.weights["refutes"].base <= 0
    assert model.weights["supports"].unverified <= 0


def test_the_penalty_is_chosen_on_the_given_claims_and_the_choice_is_repeatable():
    claims = synthetic(30)
    samples = [Sample(c, tuple(items), label) for c, (label, items) in claims.items()]
    seen = []

    first = choose_and_fit(samples, penalties=(0.001, 10.0), progress=seen.append)
    second = choose_and_fit(samples, penalties=(0.001, 10.0))

    assert first == second
    assert first.regularisation == 0.001  # the heavy penalty flattens every weight
    assert len(seen) == 4  # two penalties for each of the two candidate specifications


def test_ratings_read_as_three_labels():
    assert [
        label_of_rating(r) for r in ("mostly_true", "mixed", "mostly_false", "unverifiable")
    ] == [
        "true",
        "unknown",
        "false",
        "unknown",
    ]
    with pytest.raises(ValueError):
        label_of_rating("pants_on_fire")


def test_nested_cross_validation_builds_items_per_fold_without_the_held_out_claims_verdicts():
    claims = synthetic()
    calls = []

    def items_for(rated, held_out):
        calls.append((set(rated), set(held_out)))
        return {c: claims[c][1] for c in [*rated, *held_out]}

    result = nested_cv(
        {c: label for c, (label, _) in claims.items()}, items_for, k=3, penalties=(0.01,)
    )

    assert len(calls) == 3
    assert all(not rated & held for rated, held in calls)
    assert set().union(*(held for _, held in calls)) == set(claims)
    lines = {line.name: line for line in result.lines}
    assert lines["claimdesk"].figures.macro_f1 == 1.0
    assert lines["majority"].figures.macro_f1 < 0.5
    assert lines["claimdesk"].low <= 1.0 <= lines["claimdesk"].high + 1e-12


def test_a_held_out_test_file_is_scored_by_a_model_fitted_on_the_other():
    claims = synthetic()
    train = {c: label for c, (label, _) in claims.items() if c < "c040"}
    test = {c: label for c, (label, _) in claims.items() if c >= "c040"}

    result = held_out_test(
        train, test, lambda r, h: {c: claims[c][1] for c in [*r, *h]}, penalties=(0.01,)
    )

    assert result.claims == len(test)
    assert result.lines[0].figures.macro_f1 == 1.0


def test_the_bootstrap_interval_brackets_the_figure_and_depends_only_on_the_seed():
    truth = {f"c{i}": ("true", "false", "unknown")[i % 3] for i in range(60)}
    predicted = {c: ("true" if i % 4 else "unknown") for i, c in enumerate(truth)}

    low, high = bootstrap_interval(truth, predicted, resamples=500, seed=3)

    assert low < macro_f1(truth, predicted) < high
    assert (low, high) == bootstrap_interval(truth, predicted, resamples=500, seed=3)


def test_a_prediction_is_the_status_of_a_fresh_score():
    claims = synthetic(9)
    model = fit([Sample(c, tuple(items), label) for c, (label, items) in claims.items()], 0.001)
    items = claims["c001"][1]

    assert score_claim(items, model=model).status == "refuted"
    assert predict(model, items) == "false"


def test_the_mentions_specification_learns_that_hedged_reports_mean_unknown():
    """True: three backers; unknown: one backer, or three and three outlets only repeating it."""
    claims = {}
    for i in range(60):
        backers = 1 if i % 3 == 2 else 3
        items = [report(f"{i}:{j}") for j in range(backers)]
        if i % 3 == 1:
            items += [report(f"{i}:{j}", "mentions") for j in range(3, 6)]
        claims[f"c{i:03d}"] = ("true" if i % 3 == 0 else "unknown", items)
    samples = [Sample(c, tuple(items), label) for c, (label, items) in claims.items()]

    shipped, mentions = fit(samples, 0.001), fit(samples, 0.001, spec="mentions")

    assert shipped.mentions == 0 and mentions.mentions < 0
    right = {
        name: sum(predict(model, items) == label for label, items in claims.values())
        for name, model in (("shipped", shipped), ("mentions", mentions))
    }
    # The shipped features cannot tell three backers from three backers and three mentions.
    assert right["mentions"] == 60 and right["shipped"] <= 40
    with pytest.raises(ValueError, match="specification"):
        fit(samples, 0.001, spec="multinomial")


def test_the_command_offers_the_specifications_the_fit_knows():
    from service.commands import SPEC_NAMES

    assert tuple(SPEC_NAMES) == SPECS


def test_the_shipped_procedure_chooses_between_linear_and_diminishing_returns_on_its_claims():
    claims = synthetic(30)
    samples = [Sample(c, tuple(items), label) for c, (label, items) in claims.items()]
    seen = []

    chosen = choose_and_fit(samples, penalties=(0.001, 10.0), progress=seen.append)
    linear = choose_and_fit(samples, penalties=(0.001, 10.0), spec="linear")

    assert [line.split(",")[0] for line in seen] == ["linear"] * 2 + ["diminishing"] * 2
    assert not linear.diminishing
    assert fit(samples, 0.001, spec="diminishing").diminishing
    assert specification_of(chosen) in ("linear", "diminishing")


def test_repeated_cross_validation_reports_the_mean_of_its_splits_and_each_of_them():
    claims = synthetic(30)
    labels = {c: label for c, (label, _) in claims.items()}
    labels.update({c: "unknown" for c in list(labels)[:4]})  # some claims no model gets right
    calls = []

    def items_for(rated, held_out):
        calls.append(frozenset(held_out))
        return {c: claims[c][1] for c in [*rated, *held_out]}

    result = nested_cv(labels, items_for, k=3, repeats=3, penalties=(0.01,), spec="linear")
    single = nested_cv(labels, lambda r, h: items_for(r, h), k=3, penalties=(0.01,), spec="linear")

    assert len(calls) == 3 * 3 + 3 and len(set(calls[:9])) > 3  # three different splits
    line = result.lines[0]
    assert len(line.splits) == 3
    assert line.figures.macro_f1 == pytest.approx(sum(line.splits) / 3)
    assert line.splits[0] == single.lines[0].figures.macro_f1  # the first split is seed 0's
    assert line.low <= line.figures.macro_f1 <= line.high
    assert len(result.specifications) == 9 and len(result.penalties) == 9


def test_the_interval_of_several_splits_is_that_of_their_mean():
    truth = {f"c{i}": ("true", "false", "unknown")[i % 3] for i in range(60)}
    right = dict(truth)
    wrong = {c: "true" for c in truth}

    low, high = bootstrap_interval(truth, right, wrong, resamples=500, seed=3)
    mean = (macro_f1(truth, right) + macro_f1(truth, wrong)) / 2

    assert low < mean < high < 1.0
    assert bootstrap_interval(truth, right, right, resamples=500) == bootstrap_interval(
        truth, right, resamples=500
    )
