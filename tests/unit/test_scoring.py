"""Specifications of claim scoring: points that add up, independence, interested parties,
status and hysteresis. A hand-made model keeps the arithmetic checkable; the shipped one is
checked for what it must promise whatever the data said."""

import dataclasses
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claims.scoring.model import Model, ModelError, SideWeights, shipped_model
from claims.scoring.score import (
    CONTESTED_MIDPOINT,
    HYSTERESIS_MARGIN,
    HYSTERESIS_POINTS,
    SCALE,
    Item,
    Track,
    claim_features,
    decide_status,
    score_claim,
)

STATUSES = ["unsourced", "unsettled", "supported", "contested", "refuted"]
# z = 0.2 per neutral supporting report, -0.8 per refuting one; cut points -0.5 and 1.5:
# centre 0.5, half-width 1.0, so a report is 20 / -80 points and a claim starts at -50.
MODEL = Model(
    name="test",
    weights={
        "supports": SideWeights(base=0.2, held=0.5, unverified=-0.1),
        "refutes": SideWeights(base=-0.8, held=-0.4, unverified=0.3),
    },
    cut_false=-0.5,
    cut_true=1.5,
)


def item(key, stance="supports", kind="secondary", origin=None, label=None, **extra):
    return Item(
        key=key,
        stance=stance,
        kind=kind,
        origin=origin if origin is not None else f"{key}.example",
        label=label or key,
        **extra,
    )


def score(items, previous=None):
    return score_claim(items, previous_status=previous, model=MODEL)


@st.composite
def item_specs(draw, stances=("supports", "refutes", "mentions")):
    stance = draw(st.sampled_from(stances))
    via = draw(
        st.sampled_from(
            {
                "supports": ["evidence", "support"],
                "refutes": ["evidence", "rebuttal", "qualification"],
            }.get(stance, ["evidence"])
        )
    )
    return {
        "stance": stance,
        "via": via,
        "kind": draw(st.sampled_from(["primary", "secondary", "tertiary"])),
        "origin": draw(st.sampled_from(["a.com", "b.com", "c.com", "claimant:1"])),
        "multiplier": draw(st.one_of(st.just(1.0), st.floats(0, 1), st.just(math.nan))),
        "track": draw(
            st.one_of(
                st.none(),
                st.builds(Track, st.integers(0, 9), st.integers(0, 9), st.integers(0, 9)),
            )
        ),
        "interested": draw(st.booleans()),
    }


def build(specs, prefix="item"):
    return [
        Item(key=f"{prefix}:{i:03d}", label=f"Label {i}", **spec) for i, spec in enumerate(specs)
    ]


item_lists = st.lists(item_specs(), max_size=12).map(build)


def altman_items():
    return [
        item("evidence:1", "supports", "secondary", "wired.com", "Wired"),
        item("evidence:2", "supports", "tertiary", "wired.com", "iFanr"),
        item(
            "relation:1",
            "refutes",
            "primary",
            "claimant:bosworth",
            "Andrew Bosworth",
            via="rebuttal",
            interested=True,
        ),
    ]


def test_a_claim_starts_at_the_models_intercept_and_each_report_adds_its_points():
    result = score([item("e:1"), item("e:2")])

    assert result.start == -50
    assert [c.points for c in result.contributions] == [20, 20]
    assert result.total == -10
    assert result.status == "unsettled"


@given(item_lists)
def test_the_figure_shown_is_exactly_the_start_plus_every_contribution(items):
    result = score(items)

    assert result.total == result.start + sum(c.points for c in result.contributions)
    for c in result.contributions:
        assert c.alone == c.stance_points + c.record_points


def test_enough_independent_reports_make_a_claim_supported_and_one_refutation_refutes():
    assert score([item(f"e:{i}") for i in range(7)]).status == "unsettled"  # -50 + 140 = 90
    assert score([item(f"e:{i}") for i in range(8)]).status == "supported"  # 110
    assert score([item("e:1", "refutes")]).status == "refuted"  # -130


def test_a_publisher_whose_backing_held_up_weighs_more_and_one_backing_rumours_less():
    good = score([item("e:1", track=Track(held=4, failed=0))]).contributions[0]
    poor = score([item("e:1", track=Track(held=0, failed=4, unverified=6))]).contributions[0]

    # 0.2 + 0.5 log(5/1) - 0.1 log(1/5): the record held up and shows no rumours
    assert good.points == round(100 * (0.2 + 0.6 * math.log(5)))
    assert good.record_points > 0
    assert poor.points == 0  # its record takes all its weight, never more
    assert poor.record_points == -20


def test_a_refuting_source_never_pushes_towards_true_whatever_its_record():
    weak = score([item("e:1", "refutes", track=Track(held=0, failed=9, unverified=9))])

    assert weak.contributions[0].points == 0
    assert weak.total == weak.start


def test_copies_from_one_origin_count_once_and_name_the_item_that_carries_them():
    result = score([item(f"e:{i}", origin="wire.com", label=f"Outlet {i}") for i in range(10)])

    assert [c.points for c in result.contributions] == [20] + [0] * 9
    assert {c.same_as_label for c in result.contributions[1:]} == {"Outlet 0"}
    assert result.total == -30


def test_the_heaviest_copy_carries_its_origin():
    result = score(
        [item("e:1", kind="tertiary", origin="o"), item("e:2", kind="primary", origin="o")]
    )

    assert [c.points for c in result.contributions] == [0, 33]


def test_an_interested_partys_denial_counts_but_cannot_outweigh_independent_evidence():
    result = score(altman_items())
    wired, _, bosworth = result.contributions

    assert bosworth.alone == -133  # a primary denial alone: 1/0.6 x -80
    assert bosworth.capped and bosworth.interested
    assert bosworth.points == -10  # at most half of Wired's 20
    assert wired.points + bosworth.points > 0
    assert result.status == "unsettled"
    assert result.contestedness == 0  # an interested party's denial is no independent dispute
    assert "interested_party_capped" in result.reasons


def test_an_interested_party_alone_cannot_refute_a_claim():
    denial = item("r:1", "refutes", "primary", via="rebuttal", interested=True)
    result = score([denial])

    assert result.total <= -SCALE
    assert result.status == "unsettled"
    assert result.reasons == ("refuted_needs_independent_evidence",)


def test_the_same_denial_from_an_independent_party_refutes():
    assert score([item("r:1", "refutes", "primary", via="rebuttal")]).status == "refuted"


def test_a_qualification_counts_half_a_rebuttal_and_is_coded_as_a_qualification():
    result = score([item("q:1", "refutes", via="qualification")])

    assert result.contributions[0].points == -40
    assert result.contributions[0].code == "qualification"
    assert result.counts["qualification"] == 1
    assert result.counts["source_refutes"] == 0


def test_counts_name_each_kind_of_item():
    result = score(
        [*altman_items(), item("m:1", "mentions"), item("q:1", "refutes", via="qualification")]
    )

    assert result.counts["source_supports"] == 2
    assert result.counts["rebuttal"] == 1
    assert result.counts["qualification"] == 1
    assert result.counts["source_mentions"] == 1
    assert result.counts["interested"] == 1


def test_split_independent_evidence_in_the_middle_is_contested():
    items = [item(f"e:{i}", kind="primary") for i in range(3)] + [
        item("r:1", "refutes", kind="tertiary"),
    ]
    result = score(items)  # -50 + 99 - 40 = 9; contestedness 80/139

    assert result.total == 9
    assert result.status == "unsettled"
    items.append(item("r:2", "refutes", kind="tertiary", origin="other"))  # 99 vs 80
    result = score(items)
    assert result.contestedness == pytest.approx(2 * 80 / 179)
    assert result.status == "contested"


@given(item_lists)
def test_any_permutation_of_items_gives_an_identical_score(items):
    assert score(items) == score(list(reversed(items)))


@given(item_lists, st.sampled_from([None, *STATUSES]))
def test_values_stay_in_range_and_the_explanation_is_json(items, previous):
    result = score(items, previous)

    assert 0 <= result.lean <= 1
    assert 0 <= result.contestedness <= 1
    assert len(result.contributions) == len(items)
    json.dumps(result.to_dict(), allow_nan=False)


totals = st.one_of(
    st.integers(-300, 300),
    st.sampled_from([-SCALE, SCALE]).flatmap(lambda t: st.integers(t - 25, t + 25)),
)
contested_values = st.one_of(
    st.floats(0, 1), st.floats(CONTESTED_MIDPOINT - 0.1, CONTESTED_MIDPOINT + 0.1)
)


@given(
    totals,
    contested_values,
    st.integers(-HYSTERESIS_POINTS + 1, HYSTERESIS_POINTS - 1),
    st.floats(-0.99, 0.99),
)
def test_status_holds_while_the_score_moves_less_than_the_margin(total, contested, dt, dc):
    fresh = decide_status(total, contested, has_items=True, has_weight=True)
    moved = min(1.0, max(0.0, contested + dc * HYSTERESIS_MARGIN))

    assert (
        decide_status(total + dt, moved, has_items=True, has_weight=True, previous=fresh) == fresh
    )


@given(totals, contested_values, st.sampled_from(STATUSES))
def test_history_changes_the_status_only_within_the_margin_of_a_boundary(
    total, contested, previous
):
    fresh = decide_status(total, contested, has_items=True, has_weight=True)
    sticky = decide_status(total, contested, has_items=True, has_weight=True, previous=previous)
    if sticky != fresh:
        near_total = min(abs(total - SCALE), abs(total + SCALE)) <= HYSTERESIS_POINTS
        near_contested = abs(contested - CONTESTED_MIDPOINT) <= HYSTERESIS_MARGIN + 1e-9
        assert near_total or near_contested


def test_a_supported_claim_stays_supported_just_below_the_boundary():
    assert (
        decide_status(95, 0.0, has_items=True, has_weight=True, previous="supported") == "supported"
    )
    assert decide_status(95, 0.0, has_items=True, has_weight=True) == "unsettled"


def test_mentions_only_are_unsettled_and_no_items_unsourced():
    assert score([item("m:1", "mentions")]).status == "unsettled"
    assert score([]).status == "unsourced"
    assert score([], previous="supported").status == "unsourced"


def test_an_orphaned_quote_keeps_its_reason_code_and_half_its_points():
    result = score([item("e:1", "refutes", multiplier=0.5, multiplier_reason="orphaned")])

    assert result.contributions[0].points == -40
    assert result.contributions[0].factor_reason == "orphaned"


def test_invalid_values_are_refused():
    with pytest.raises(ValueError, match="kind"):
        item("e:1", kind="quaternary")
    with pytest.raises(ValueError, match="rebuttal"):
        item("e:1", "supports", via="rebuttal")


def test_features_are_what_the_scorer_counts():
    items = [*altman_items(), item("e:9", track=Track(held=1, failed=0))]

    features = claim_features(items)
    assert features[0] == pytest.approx(2.0)  # Wired and e:9 (iFanr is Wired's copy)
    assert features[1] == pytest.approx(math.log(2))
    assert features[3] == pytest.approx(1 / 0.6)  # a primary denial: the weights give the sign


def test_the_shipped_model_is_the_fitted_one_and_reads_the_right_way():
    model = shipped_model()

    assert model.claims == 240 and "emergent" in model.fitted_on
    assert model.weights["supports"].base >= 0 >= model.weights["refutes"].base
    assert model.weights["supports"].held >= 0 >= model.weights["refutes"].held
    assert score_claim([item("r:1", "refutes")]).status == "refuted"


def test_a_model_file_with_missing_or_disordered_values_is_refused():
    with pytest.raises(ModelError):
        Model.from_dict({"name": "x"})
    with pytest.raises(ModelError):
        Model.from_dict({**MODEL.to_dict(), "cut_true": -1.0})
    assert Model.from_dict(json.loads(json.dumps(MODEL.to_dict()))) == MODEL


def test_importing_scoring_imports_no_web_framework_or_database():
    code = (
        "import sys, claims.scoring.score; "
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


def test_under_a_model_that_weighs_mentions_they_take_points_but_never_refute():
    weighing = Model.from_dict({**MODEL.to_dict(), "mentions": -0.5})
    items = [
        item("m:1", "mentions"),
        item("m:2", "mentions", origin="m:1.example"),
        item("m:3", "mentions"),
    ]

    result = score_claim(items, model=weighing)

    by_key = {c.key: c for c in result.contributions}
    assert by_key["m:1"].points < 0 and by_key["m:2"].points == 0
    assert by_key["m:2"].same_as == "m:1"
    assert result.total == result.start + sum(c.points for c in result.contributions)
    assert result.status == "unsettled" and result.contestedness == 0
    assert score_claim(items, model=MODEL).total == MODEL.start_points(100)
    assert claim_features(items)[6] == pytest.approx(2.0)
    with pytest.raises(ModelError):
        Model.from_dict({**MODEL.to_dict(), "mentions": 0.5})


DIMINISHING = dataclasses.replace(MODEL, name="test-diminishing", diminishing=True)


def test_under_diminishing_returns_each_further_report_on_a_side_adds_less():
    result = score_claim([item(f"e:{i}") for i in range(4)], model=DIMINISHING)

    points = [c.points for c in result.contributions]
    # 20 points per unit of log(1 + k): log 2, log 3/2, log 4/3, log 5/4
    assert points == [round(20 * math.log((k + 2) / (k + 1))) for k in range(4)]
    assert points == sorted(points, reverse=True)
    assert result.total == result.start + sum(points)


def test_under_diminishing_returns_the_heaviest_report_comes_first_and_a_copy_adds_nothing():
    items = [
        item("e:1", kind="tertiary", origin="digest.example"),
        item("e:2", kind="primary", origin="agency.example"),
        item("e:3", kind="tertiary", origin="agency.example"),  # the agency's copy
    ]
    contributions = {c.key: c for c in score_claim(items, model=DIMINISHING).contributions}

    primary = 1 / 0.6
    assert contributions["e:2"].points == round(20 * math.log1p(primary))
    assert contributions["e:1"].points == round(
        20 * (math.log1p(primary + 0.5) - math.log1p(primary))
    )
    assert contributions["e:3"].points == 0 and contributions["e:3"].same_as == "e:2"
    # what the copy would add in its carrier's place
    assert contributions["e:3"].alone == round(20 * math.log1p(0.5))


@given(item_lists)
def test_under_diminishing_returns_the_figure_is_still_the_sum_of_its_parts(items):
    result = score_claim(items, model=DIMINISHING)

    assert result.total == result.start + sum(c.points for c in result.contributions)
    for c in result.contributions:
        assert c.alone == c.stance_points + c.record_points
    assert result == score_claim(list(reversed(items)), model=DIMINISHING)


def test_diminishing_features_add_up_to_the_log_of_each_sides_total():
    items = [*altman_items(), item("e:9"), item("e:10", kind="tertiary")]

    linear, diminishing = claim_features(items), claim_features(items, diminishing=True)
    assert diminishing[0] == pytest.approx(math.log1p(linear[0]))
    assert diminishing[3] == pytest.approx(math.log1p(linear[3]))
    assert diminishing[1:3] == linear[1:3] and diminishing[4:] == linear[4:]


def test_a_model_file_says_diminishing_returns_only_as_a_json_boolean():
    data = DIMINISHING.to_dict()
    assert data["diminishing"] is True and "diminishing" not in MODEL.to_dict()
    assert Model.from_dict(json.loads(json.dumps(data))) == DIMINISHING
    with pytest.raises(ModelError, match="diminishing"):
        Model.from_dict({**data, "diminishing": "false"})
