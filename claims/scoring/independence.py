"""Deciding which pieces of evidence are independent of each other.

Each item rests on a set of roots (the publisher domains at the top of its citation chain).
Items that share any root, directly or through a chain of other items, form one origin: the
scorer then counts that origin once, however many outlets repeated it.
"""

from __future__ import annotations

from collections.abc import Mapping


def group_origins(roots: Mapping[str, frozenset[str]]) -> dict[str, str]:
    """Map each item key to its origin: the smallest root of its connected component."""
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            low, high = sorted((ra, rb))
            parent[high] = low

    for item_roots in roots.values():
        ordered = sorted(item_roots)
        for other in ordered[1:]:
            union(ordered[0], other)
    return {key: find(min(item_roots)) if item_roots else key for key, item_roots in roots.items()}
