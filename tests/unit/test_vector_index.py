"""The shared vector index: one writer replaces the file whole, every reader maps it again."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("usearch", reason="cross-lingual matching is off: usearch is not installed")

from claims.semantic.vectors import SharedVectorIndex, write_index


def _unit(rows: list[list[float]]) -> np.ndarray:
    array = np.asarray(rows, dtype=np.float32)
    return array / np.linalg.norm(array, axis=1, keepdims=True)


def test_a_reader_finds_the_nearest_keys_with_their_cosine(tmp_path: Path) -> None:
    path = tmp_path / "v.usearch"
    write_index(path, dim=3, keys=[1, 2], vectors=_unit([[1, 0, 0], [0, 1, 0]]))
    reader = SharedVectorIndex(path)
    [(key, cosine), _] = reader.search(_unit([[0.9, 0.1, 0]])[0], 2)
    assert key == 1 and cosine == pytest.approx(0.994, abs=0.01)


def test_a_replaced_file_is_seen_by_a_reader_already_holding_the_old_one(tmp_path: Path) -> None:
    path = tmp_path / "v.usearch"
    write_index(path, dim=3, keys=[1], vectors=_unit([[1, 0, 0]]))
    reader = SharedVectorIndex(path)
    assert len(reader) == 1
    size = write_index(path, dim=3, keys=[2, 1], vectors=_unit([[0, 0, 1], [0, 1, 0]]), base=path)
    assert size == 2 and len(reader) == 2
    assert reader.search(_unit([[0, 1, 0]])[0], 1)[0][0] == 1  # key 1 was re-embedded


def test_dropped_keys_leave_the_index(tmp_path: Path) -> None:
    path = tmp_path / "v.usearch"
    write_index(path, dim=3, keys=[1, 2], vectors=_unit([[1, 0, 0], [0, 1, 0]]))
    assert (
        write_index(path, dim=3, keys=[], vectors=_unit([[1, 0, 0]])[:0], base=path, drop=[2]) == 1
    )


def test_no_file_means_no_answer_not_an_error(tmp_path: Path) -> None:
    reader = SharedVectorIndex(tmp_path / "missing.usearch")
    assert reader.search(_unit([[1, 0, 0]])[0], 5) == [] and reader.memory_bytes() == 0
