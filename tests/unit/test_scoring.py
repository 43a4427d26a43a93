"""Specifications of claim scoring: independence, contestedness, status and hysteresis."""

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claims.scoring import (
    CONTESTED_MIDPOINT,
    HYSTERESIS_MARGIN,
    KIND_WEIGHTS,
    PRIOR_WEIGHT,
    REFUTED_MIDPOINT,
    SUPPORTED_MIDPOINT,
    VIA_FACTORS,
    Item,
    decide_status,
    score_claim,
)

STATUSES = ["unsourced", "unsettled", "supported", "contested", "refuted"]
TOLERANCE = 1e-12


def item(key, stance="supports", kind="secondary", origin=None, label=None, **extra):
    return Item(
        key=key,
        stance=stance,
        kind=kind,
        origin=origin if origin is not None else f"{key}.example",
        label=label or key,
        **extra,
    )


@st.composite
def item_specs(draw, stances=("supports", "refutes", "mentions")):
    return {
        "stance": draw(st.sampled_from(stances)),
        "kind": draw(st.sampled_from(["primary", "secondary", "tertiary"])),
        # Few origins, so that copies of one origin are common.
        "origin": draw(st.sampled_from(["a.com", "b.com", "c.com", "claimant:1"])),
        "via": draw(st.sampled_from(["evidence", "rebuttal", "support", "qualification"])),
        "multiplier": draw(
            st.one_of(
                st.just(1.0),
                st.floats(0, 1),
                st.floats(-2, 3),
                st.just(math.nan),
                st.just(math.inf),
            )
        ),
        "multiplier_reason": draw(st.one_of(st.none(), st.just("publisher reliability"))),
    }


def build(specs, prefix="item"):
    return [
        Item(key=f"{prefix}:{i:03d}", label=f"Label {i}", **spec) for i, spec in enumerate(specs)
    ]


item_lists = st.lists(item_specs(), max_size=12).map(build)
agreeing_specs = st.lists(item_specs(stances=("supports", "refutes")), min_size=1, max_size=8)
unit = st.floats(0, 1)
# Scores near a boundary are where hysteresis matters; uniform floats rarely land there.
near_boundary = st.sampled_from([CONTESTED_MIDPOINT, SUPPORTED_MIDPOINT, REFUTED_MIDPOINT]).flatmap(
    lambda mid: st.floats(mid - 2 * HYSTERESIS_MARGIN, mid + 2 * HYSTERESIS_MARGIN)
)
score_values = st.one_of(unit, near_boundary)
fraction_of_margin = st.one_of(st.sampled_from([-0.99, 0.99]), st.floats(-0.99, 0.99))


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
        ),
    ]


def test_worked_example_meta_signing_bonuses_is_contested():
    score = score_claim(altman_items())

    assert score.support == pytest.approx(0.6)
    assert score.oppose == pytest.approx(1.0)
    assert score.contestedness == pytest.approx(0.75)
    assert score.lean == pytest.approx((0.6 + PRIOR_WEIGHT) / (1.6 + 2 * PRIOR_WEIGHT))
    assert score.status == "contested"
    ifanr = next(c for c in score.contributions if c.label == "iFanr")
    assert ifanr.counted == 0
    assert ifanr.weight == pytest.approx(0.3)
    assert "evidence:1" in ifanr.reason
    assert score.summary == (
        "contested: 1 independent source supports it (Wired, secondary);"
        " Andrew Bosworth (primary) rebuts it"
    )


@given(agreeing_specs, st.sampled_from(["supports", "refutes"]))
def test_all_agreeing_evidence_has_zero_contestedness(specs, stance):
    items = build([{**spec, "stance": stance} for spec in specs])

    assert score_claim(items).contestedness == 0


def test_contestedness_rises_as_opposing_weight_nears_supporting_weight():
    supports = [item(f"s:{i}", "supports", "primary") for i in range(3)]
    steps = [
        score_claim([*supports, *(item(f"r:{i}", "refutes", "primary") for i in range(n))])
        for n in range(4)
    ]

    values = [s.contestedness for s in steps]
    assert values == sorted(values)
    assert values[0] == 0
    assert values[-1] == pytest.approx(1)
    assert len(set(values)) == 4


@given(st.lists(item_specs(), max_size=8), item_specs(stances=("refutes",)))
def test_contestedness_is_monotone_in_opposing_weight_while_it_stays_below_support(specs, extra):
    before = build(specs)
    after = [*before, Item(key="zz:new", label="new", **{**extra, "origin": "new-origin"})]
    old, new = score_claim(before), score_claim(after)
    if new.oppose > new.support:
        return

    assert new.oppose >= old.oppose
    assert new.contestedness >= old.contestedness - TOLERANCE


@given(st.lists(item_specs(), max_size=8), item_specs(stances=("supports",)))
def test_more_independent_agreement_lowers_contestedness(specs, extra):
    before = build(specs)
    old = score_claim(before)
    if old.support < old.oppose:
        return
    after = [*before, Item(key="zz:new", label="new", **{**extra, "origin": "new-origin"})]

    assert score_claim(after).contestedness <= old.contestedness + TOLERANCE


def test_independent_agreement_strictly_lowers_contestedness_in_an_example():
    base = [item("s:1", "supports", "primary"), item("r:1", "refutes", "secondary")]
    more = [*base, item("s:2", "supports", "secondary")]

    assert score_claim(more).contestedness < score_claim(base).contestedness


@given(st.lists(item_specs(stances=("supports", "refutes")), min_size=1, max_size=10))
def test_copies_from_one_origin_count_once(specs):
    first = specs[0]
    copies = build([{**spec, "origin": "one.com", "stance": first["stance"]} for spec in specs])
    heaviest = max(copies, key=lambda i: score_claim([i]).support + score_claim([i]).oppose)

    many, one = score_claim(copies), score_claim([heaviest])

    assert (many.support, many.oppose, many.lean, many.contestedness, many.status) == (
        one.support,
        one.oppose,
        one.lean,
        one.contestedness,
        one.status,
    )
    assert sum(1 for c in many.contributions if c.counted > 0) <= 1


def test_ten_outlets_repeating_one_report_weigh_one_source():
    copies = [item(f"e:{i}", "supports", "secondary", "wired.com") for i in range(10)]

    score = score_claim(copies)

    assert score.support == pytest.approx(KIND_WEIGHTS["secondary"])
    assert all("same origin as e:0" in c.reason for c in score.contributions[1:])


def test_a_first_hand_rebuttal_weighs_as_primary_evidence_against():
    rebuttal = item("r:1", "refutes", "primary", "claimant:7", via="rebuttal")
    evidence = item("e:1", "refutes", "primary", "claimant:7")

    assert score_claim([rebuttal]).oppose == score_claim([evidence]).oppose == 1.0
    assert score_claim([rebuttal]).status == score_claim([evidence]).status == "refuted"


def test_a_qualification_counts_half_a_rebuttal():
    qualification = item("q:1", "refutes", "primary", "claimant:7", via="qualification")

    assert score_claim([qualification]).oppose == KIND_WEIGHTS["primary"] / 2
    assert VIA_FACTORS["qualification"] == 0.5


def test_a_primary_source_outweighs_a_tertiary_one():
    primary_against = [item("a", "refutes", "primary"), item("b", "supports", "tertiary")]
    primary_for = [item("a", "supports", "primary"), item("b", "refutes", "tertiary")]

    assert score_claim(primary_against).lean < 0.5
    assert score_claim(primary_for).lean > 0.5


def test_support_needs_corroboration_but_one_secondary_refutation_refutes():
    # Constants chosen by cross-validation on Emergent (docs/scoring.md, "Evaluation").
    def supporting(n, kind="secondary"):
        return [item(f"s:{i}", kind=kind) for i in range(n)]

    for kind in ("tertiary", "secondary", "primary"):
        assert score_claim(supporting(1, kind)).status == "unsettled"
    assert score_claim(supporting(3)).status == "unsettled"
    assert score_claim(supporting(4)).status == "supported"
    assert score_claim([item("a", "refutes", kind="tertiary")]).status == "unsettled"
    assert score_claim([item("a", "refutes", kind="secondary")]).status == "refuted"
    assert score_claim([item("a", "refutes", kind="primary")]).status == "refuted"
    assert PRIOR_WEIGHT == 1.5


@given(st.lists(item_specs(), max_size=10).flatmap(lambda s: st.permutations(build(s))))
def test_any_permutation_of_items_gives_an_identical_score(items):
    assert score_claim(items) == score_claim(sorted(items, key=lambda i: i.key))


@given(item_lists, st.sampled_from([None, *STATUSES]))
def test_values_are_always_within_unit_interval(items, previous):
    score = score_claim(items, previous)

    for value in (score.lean, score.contestedness):
        assert 0 <= value <= 1
    for c in score.contributions:
        assert 0 <= c.counted <= c.weight <= 1
    assert score.support >= 0
    assert score.oppose >= 0


@given(item_lists)
def test_explanation_has_one_reasoned_contribution_per_item(items):
    score = score_claim(items)

    assert [c.key for c in score.contributions] == sorted(i.key for i in items)
    assert all(c.reason for c in score.contributions)
    assert score.summary.startswith(f"{score.status}: ")
    json.dumps(score.to_dict(), allow_nan=False)


@given(score_values, score_values, fraction_of_margin, fraction_of_margin)
def test_status_holds_while_scores_move_less_than_the_margin(lean, contested, dl, dc):
    fresh = decide_status(lean, contested, True, True, None)
    moved_lean = min(1.0, max(0.0, lean + dl * HYSTERESIS_MARGIN))
    moved_contested = min(1.0, max(0.0, contested + dc * HYSTERESIS_MARGIN))

    assert decide_status(moved_lean, moved_contested, True, True, previous=fresh) == fresh


@given(score_values, score_values, st.sampled_from(STATUSES))
def test_history_changes_the_status_only_within_the_margin_of_a_boundary(lean, contested, previous):
    with_history = decide_status(lean, contested, True, True, previous)
    fresh = decide_status(lean, contested, True, True, None)
    near = [
        abs(contested - CONTESTED_MIDPOINT),
        abs(lean - SUPPORTED_MIDPOINT),
        abs(lean - REFUTED_MIDPOINT),
    ]

    if with_history != fresh:
        assert min(near) <= HYSTERESIS_MARGIN + 1e-9


def test_a_supported_claim_stays_supported_just_below_the_midpoint():
    assert decide_status(0.66, 0.1, True, True, None) == "unsettled"
    assert decide_status(0.66, 0.1, True, True, "supported") == "supported"
    assert decide_status(0.64, 0.1, True, True, "supported") == "unsettled"
    assert decide_status(0.72, 0.1, True, True, "unsettled") == "unsettled"
    assert decide_status(0.76, 0.1, True, True, "unsettled") == "supported"


def test_a_supported_claim_becomes_contested_once_opposition_enters_the_contested_region():
    assert decide_status(0.66, 0.67, True, True, "supported") == "supported"
    assert decide_status(0.66, 0.73, True, True, "supported") == "contested"


def test_a_contested_claim_stays_contested_until_contestedness_leaves_the_margin():
    assert decide_status(0.5, 0.62, True, True, "contested") == "contested"
    assert decide_status(0.5, 0.58, True, True, "contested") == "unsettled"


def test_mentions_only_are_unsettled():
    score = score_claim([item("m:1", "mentions"), item("m:2", "mentions")])

    assert score.status == "unsettled"
    assert score.lean == 0.5
    assert score.contestedness == 0
    assert all(c.counted == 0 and c.weight == 0 for c in score.contributions)
    assert score.summary == "unsettled: 2 sources mention it"


def test_no_items_is_unsourced():
    score = score_claim([], previous_status="supported")

    assert score.status == "unsourced"
    assert score.contributions == ()
    assert score.summary == "unsourced: no source yet"


def test_multiplier_zero_gives_zero_weight_and_says_why():
    orphan = item("e:1", "supports", "primary", multiplier=0.0, multiplier_reason="orphaned quote")

    score = score_claim([orphan])

    (contribution,) = score.contributions
    assert contribution.weight == 0
    assert contribution.counted == 0
    assert "orphaned quote" in contribution.reason
    assert score.status == "unsettled"


def test_invalid_literal_values_are_refused():
    with pytest.raises(ValueError, match="kind"):
        item("e:1", kind="quaternary")


def test_score_to_dict_is_rounded_and_json_safe():
    data = score_claim(altman_items()).to_dict()

    assert set(data) == {
        "support",
        "oppose",
        "lean",
        "contestedness",
        "status",
        "summary",
        "contributions",
    }
    assert data["lean"] == 0.4565
    assert data["contributions"][1]["counted"] == 0
    json.dumps(data, allow_nan=False)


def test_importing_scoring_imports_no_web_framework_or_database():
    code = (
        "import sys, claims.scoring; "
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
