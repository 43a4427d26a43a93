"""Specifications of publisher reliability learned from editors' verdicts."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claims.scoring.reliability import (
    NEUTRAL_VALUE,
    PRIOR_COUNT,
    Record,
    Tally,
    credit,
    learn_reliability,
    multiplier_for,
    neutral,
    posterior_mean,
    weight_of,
)
from claims.scoring.score import Item, Track, score_claim

RATINGS = ["true", "mostly_true", "mixed", "mostly_false", "false", "unverifiable"]
PUBLISHERS = ["a.com", "b.com", "c.com"]
CLAIMS = [f"c{i}" for i in range(8)]

stance_triples = st.lists(
    st.tuples(
        st.sampled_from(PUBLISHERS),
        st.sampled_from(CLAIMS),
        st.sampled_from(["supports", "refutes", "mentions"]),
    ),
    max_size=30,
)
verdict_maps = st.dictionaries(st.sampled_from(CLAIMS), st.sampled_from(RATINGS), max_size=8)
tallies = st.builds(
    Tally,
    right=st.integers(0, 60).map(float),
    wrong=st.integers(0, 60).map(float),
    unverifiable=st.integers(0, 60),
)


def backed(publisher, ratings):
    """One publisher backing one claim per rating."""
    stances = [(publisher, f"c{i}", "supports") for i in range(len(ratings))]
    return learn_reliability(stances, {f"c{i}": r for i, r in enumerate(ratings)})[publisher]


def test_a_publisher_backing_claims_rated_false_loses_weight():
    dubious = backed("dailymail.co.uk", ["false"] * 9)

    weight, reason = multiplier_for(dubious, "supports")

    assert dubious.value < NEUTRAL_VALUE
    assert weight < 0.01
    assert reason == "dailymail.co.uk backed 9 rated claims: 0 right, 9 wrong"
    assert "dailymail.co.uk backed 9 rated claims: 0 right, 9 wrong: weight 0.00" in dubious.reason


@given(tallies, st.sampled_from(["false", "unverifiable"]))
def test_backing_one_more_claim_that_did_not_hold_up_lowers_the_estimate_and_never_the_weight_up(
    tally, rating
):
    one = learn_reliability([("x.com", "new", "supports")], {"new": rating})["x.com"].record.backed
    combined = Tally(
        right=tally.right + one.right,
        wrong=tally.wrong + one.wrong,
        unverifiable=tally.unverifiable + one.unverifiable,
    )

    assert posterior_mean(combined) < posterior_mean(tally)
    assert weight_of(combined) <= weight_of(tally)


@given(tallies)
def test_weight_is_full_unless_the_record_leans_wrong_and_always_within_unit_interval(tally):
    weight = weight_of(tally)

    assert 0 <= weight <= 1
    assert (weight == 1.0) == (tally.right >= tally.misses)


@given(st.sampled_from(RATINGS), st.sampled_from(["supports", "refutes"]))
def test_one_verdict_moves_a_new_publisher_only_a_little(rating, stance):
    one = learn_reliability([("new.com", "c1", stance)], {"c1": rating})["new.com"]

    weight, _ = multiplier_for(one, stance)

    # Beta(1, 1): one claim moves the estimate by at most 1/6 and can at most halve the weight.
    assert abs(one.value - NEUTRAL_VALUE) <= 1 / (2 * (2 * PRIOR_COUNT + 1)) + 1e-12
    assert weight >= 0.5


@given(tallies, st.sampled_from(RATINGS))
def test_one_more_verdict_moves_the_estimate_by_at_most_one_over_the_count(tally, rating):
    extra = credit("supports", rating)
    assert extra is not None
    unverified = rating == "unverifiable"
    more = Tally(
        right=tally.right + (0 if unverified else extra),
        wrong=tally.wrong + (0 if unverified else 1 - extra),
        unverifiable=tally.unverifiable + unverified,
    )

    shift = abs(posterior_mean(more) - posterior_mean(tally))

    assert shift <= 1 / (tally.claims + 2 * PRIOR_COUNT + 1) + 1e-12


@given(stance_triples, verdict_maps, st.randoms(use_true_random=False))
def test_the_order_of_stances_and_verdicts_does_not_change_the_final_state(stances, verdicts, rnd):
    shuffled = list(stances) + list(stances[:3])  # repeats count once
    rnd.shuffle(shuffled)
    reordered = dict(rnd.sample(sorted(verdicts.items()), len(verdicts)))

    assert learn_reliability(shuffled, reordered) == learn_reliability(stances, verdicts)


@given(stance_triples, verdict_maps, st.sampled_from(CLAIMS), st.sampled_from(RATINGS))
def test_verdicts_applied_one_at_a_time_reach_the_same_state_as_all_at_once(
    stances, verdicts, changed, rating
):
    # An editor rates claims one by one and then changes one rating: recomputing after each
    # step ends where recomputing once from the final verdicts does.
    state = {}
    applied: dict[str, str] = {}
    for claim, value in [*verdicts.items(), (changed, rating)]:
        applied[claim] = value
        state = learn_reliability(stances, applied)

    assert state == learn_reliability(stances, {**verdicts, changed: rating})


def test_an_unseen_publisher_is_neutral_and_keeps_its_full_weight():
    learned = learn_reliability([("a.com", "c1", "supports")], {"c1": "false"})
    unseen = learned.get("b.com") or neutral("b.com")

    assert unseen.value == NEUTRAL_VALUE
    assert multiplier_for(unseen, "supports")[0] == 1.0
    assert multiplier_for(unseen, "refutes")[0] == 1.0
    assert unseen.reason == (
        "b.com has not backed any rated claim yet: full weight;"
        " b.com has not disputed any rated claim yet: full weight"
    )


def test_stances_on_claims_without_a_verdict_teach_nothing():
    learned = learn_reliability([("a.com", "c1", "supports"), ("b.com", "c2", "refutes")], {})

    assert learned == {}


def test_mentions_are_recorded_but_move_nothing():
    only = learn_reliability([("a.com", "c1", "mentions")], {"c1": "false"})["a.com"]

    assert only.record == Record(mentioned=1)
    assert only.value == NEUTRAL_VALUE
    assert multiplier_for(only, "mentions")[0] == 1.0


def test_backing_and_disputing_are_separate_records():
    # A tabloid that prints rumours is a poor backer, but its debunkings can still be right.
    stances = [("tabloid.com", f"r{i}", "supports") for i in range(6)]
    stances += [("tabloid.com", f"d{i}", "refutes") for i in range(3)]
    verdicts = {f"r{i}": "unverifiable" for i in range(6)} | {f"d{i}": "false" for i in range(3)}

    tabloid = learn_reliability(stances, verdicts)["tabloid.com"]

    assert multiplier_for(tabloid, "supports")[0] < 0.1
    assert multiplier_for(tabloid, "refutes") == (
        1.0,
        "tabloid.com disputed 3 rated claims: 3 right, 0 wrong",
    )
    assert "6 never verified" in multiplier_for(tabloid, "supports")[1]


def test_graded_ratings_count_in_proportion():
    assert credit("supports", "mostly_true") == 0.75
    assert credit("refutes", "mostly_true") == 0.25
    assert credit("supports", "mixed") == credit("refutes", "mixed") == 0.5
    assert credit("supports", "unverifiable") == credit("refutes", "unknown") == 0.0
    assert credit("mentions", "false") is None
    harsher = backed("x.com", ["false"]).backing_weight
    milder = backed("x.com", ["mostly_false"]).backing_weight
    assert harsher < milder < 1.0


def test_unknown_ratings_and_stances_are_refused():
    with pytest.raises(ValueError, match="rating"):
        learn_reliability([("a.com", "c1", "supports")], {"c1": "pants_on_fire"})
    with pytest.raises(ValueError, match="stance"):
        learn_reliability([("a.com", "c1", "backs")], {"c1": "true"})


def test_the_reason_names_the_record_and_reaches_the_claims_explanation():
    tabloid = backed("tabloid.com", ["true", "false", "false", "unverifiable"])
    _, why = multiplier_for(tabloid, "supports")
    tally = tabloid.record.backed
    item = Item(
        key="evidence:1",
        stance="supports",
        kind="secondary",
        origin="tabloid.com",
        label="tabloid.com",
        track=Track(held=tally.right, failed=tally.wrong, unverified=tally.unverifiable),
    )

    (contribution,) = score_claim([item]).contributions

    assert why == "tabloid.com backed 4 rated claims: 1 right, 2 wrong, 1 never verified"
    assert contribution.to_dict()["record"] == {"held": 1.0, "failed": 2.0, "unverified": 1}
    assert contribution.record_points < 0  # a record of misses takes weight away


def test_reliability_to_dict_is_json_safe_and_shows_the_record():
    data = backed("x.com", ["true", "mostly_false"]).to_dict()

    assert data["record"]["backed"] == {
        "claims": 2,
        "right": 1.25,
        "wrong": 0.75,
        "unverifiable": 0,
    }
    assert data["backing_weight"] == 1.0
    json.dumps(data, allow_nan=False)


def test_importing_reliability_imports_no_web_framework_or_database():
    code = (
        "import sys, claims.scoring.reliability; "
        "print(sorted(m for m in ('flask', 'sqlmodel', 'sqlalchemy') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )

    assert result.stdout.strip() == "[]"
