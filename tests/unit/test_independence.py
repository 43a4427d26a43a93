"""Which evidence items count as one origin."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from claims.scoring.independence import group_origins


def test_items_resting_on_the_same_root_share_an_origin() -> None:
    origins = group_origins(
        {
            "wired": frozenset({"wired.com"}),
            "ifanr": frozenset({"wired.com"}),
            "lemonde": frozenset({"lemonde.fr"}),
        }
    )
    assert origins["wired"] == origins["ifanr"] == "wired.com"
    assert origins["lemonde"] == "lemonde.fr"


def test_a_report_citing_two_roots_joins_both_into_one_origin() -> None:
    origins = group_origins(
        {
            "a": frozenset({"a.com"}),
            "b": frozenset({"b.com"}),
            "both": frozenset({"a.com", "b.com"}),
        }
    )
    assert origins["a"] == origins["b"] == origins["both"]


def test_an_item_without_roots_is_its_own_origin() -> None:
    assert group_origins({"x": frozenset()}) == {"x": "x"}


@given(
    st.dictionaries(
        st.text(min_size=1, max_size=5),
        st.frozensets(st.sampled_from(["a", "b", "c", "d", "e"]), max_size=3),
        max_size=8,
    )
)
def test_items_sharing_any_root_always_share_an_origin(roots: dict[str, frozenset[str]]) -> None:
    origins = group_origins(roots)
    for k1, r1 in roots.items():
        for k2, r2 in roots.items():
            if r1 & r2:
                assert origins[k1] == origins[k2]
