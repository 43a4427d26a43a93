"""What a quote's anchoring does to its weight, and when a page counts as changed (pure)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from claims.anchoring.weights import (
    ANCHOR_FACTORS,
    CHANGED_AT_SOURCE_FACTOR,
    anchoring_factor,
    combine,
    drifted,
)
from claims.scoring.score import Item, score_claim


@pytest.mark.parametrize("state", ["anchored", "fuzzy", "unanchored"])
def test_a_quote_on_the_page_or_not_yet_checked_keeps_its_weight(state):
    assert anchoring_factor(state, changed_at_source=False) == (1.0, None)


def test_an_orphaned_quote_weighs_half_and_says_why():
    factor, why = anchoring_factor("orphaned", changed_at_source=False)
    assert factor == 0.5 and why is not None and "orphaned" in why


def test_a_quote_changed_at_source_weighs_more_than_one_never_found_and_less_than_a_kept_one():
    factor, why = anchoring_factor("fuzzy", changed_at_source=True)
    assert ANCHOR_FACTORS["orphaned"] < factor == CHANGED_AT_SOURCE_FACTOR < 1.0
    assert why is not None and "changed at source" in why
    assert anchoring_factor("orphaned", changed_at_source=True)[0] == CHANGED_AT_SOURCE_FACTOR


def test_an_unknown_state_is_refused_rather_than_weighed():
    with pytest.raises(ValueError, match="anchor state"):
        anchoring_factor("anchord", changed_at_source=False)


def test_a_factor_of_one_leaves_the_other_reason_as_it_was():
    record = (0.71, "wired.com backed 3 rated claims")
    assert combine(record, (1.0, None)) == record
    assert combine((1.0, "neutral record"), (0.5, "orphaned")) == (0.5, "orphaned")


def test_two_reductions_multiply_and_both_are_named():
    factor, why = combine((0.8, "a weak record"), (0.5, "orphaned quote"))
    assert factor == pytest.approx(0.4)
    assert why == "a weak record (x0.80); orphaned quote (x0.50)"


def test_the_scorer_halves_an_orphaned_quote_and_keeps_why():
    factor, _ = anchoring_factor("orphaned", changed_at_source=False)
    item = Item(
        key="evidence:1",
        stance="refutes",
        kind="secondary",
        origin="a.example",
        label="a.example",
        multiplier=factor,
        multiplier_reason="orphaned",
    )
    whole = score_claim([replace(item, multiplier=1.0)]).contributions[0]
    contribution = score_claim([item]).contributions[0]
    assert contribution.points == round(whole.points / 2)
    assert contribution.factor == 0.5
    assert contribution.factor_reason == "orphaned"


@pytest.mark.parametrize(
    ("before", "now", "changed"),
    [
        (("anchored", "les mots"), ("anchored", "les mots"), False),
        (("anchored", "les mots"), ("anchored", "les Mots"), True),  # exact text changed
        (("anchored", "les mots"), ("fuzzy", "les maux"), True),  # dropped from anchored
        (("anchored", "les mots"), ("orphaned", None), True),  # gone
        (("fuzzy", "les mot"), ("fuzzy", "les mot"), False),
        (("fuzzy", "les mot"), ("fuzzy", "des mots"), True),
        (("fuzzy", "les mot"), ("orphaned", None), True),
        (("orphaned", None), ("orphaned", None), False),  # never found: nothing to change
        (("orphaned", None), ("anchored", "les mots"), False),
        (("unanchored", None), ("fuzzy", "les mots"), False),  # first look at the page
    ],
)
def test_a_page_changed_at_source_when_the_passage_once_found_is_not_said_the_same(
    before, now, changed
):
    assert (
        drifted(before_state=before[0], before_exact=before[1], now_state=now[0], now_exact=now[1])
        is changed
    )
