"""The claims' embeddings as one usearch HNSW index in a file that every process maps.

Why usearch: its ``Index.restore(path, view=True)`` memory-maps the saved index instead of
loading it, so every gunicorn worker on a machine reads the same pages of the page cache: one
copy of the vectors and graph however many workers there are (faiss and hnswlib load a private
copy per process; voyager has no view mode). It stores float16 (half of float32's room),
searches by cosine with SIMD, and ships as a wheel with no other dependency.

One writer (the job worker) rebuilds or extends the index and replaces the file atomically
(write beside it, then ``os.replace``); readers notice the new file by its inode and size and
map it again. A reader never sees a half-written file. Pure: no Session, no Flask.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["SharedVectorIndex", "write_index"]

Vectors = npt.NDArray[np.float32]


def _new_index(dim: int) -> Any:
    from usearch.index import Index

    return Index(ndim=dim, metric="cos", dtype="f16")


def write_index(
    path: Path,
    *,
    dim: int,
    keys: Sequence[int],
    vectors: Vectors,
    base: Path | None = None,
    drop: Sequence[int] = (),
) -> int:
    """Write the index of ``keys``/``vectors`` to ``path`` (added to ``base``'s, if given,
    after removing ``drop``); returns how many vectors the new file holds."""
    from usearch.index import Index

    index = Index.restore(str(base)) if base is not None and base.exists() else None
    if index is None:
        index = _new_index(dim)
    for key in drop:
        if index.contains(key):
            index.remove(key)
    if len(keys):
        keys_array = np.asarray(keys, dtype=np.uint64)
        present = [k for k in keys if index.contains(k)]
        for key in present:
            index.remove(key)
        index.add(keys_array, np.asarray(vectors, dtype=np.float32))
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    index.save(str(partial))
    os.replace(partial, path)
    return len(index)


class SharedVectorIndex:
    """A read-only view of the index file, mapped again whenever the file is replaced."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._view: Any = None
        self._stamp: tuple[int, int, int] | None = None

    def _current(self) -> Any:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            self._view, self._stamp = None, None
            return None
        stamp = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        if stamp != self._stamp:
            from usearch.index import Index

            self._view = Index.restore(str(self.path), view=True)
            self._stamp = stamp
        return self._view

    def search(self, vector: Vectors, count: int) -> list[tuple[int, float]]:
        """The ``count`` nearest keys with their cosine similarity, best first."""
        with self._lock:
            view = self._current()
            if view is None or len(view) == 0:
                return []
            found = view.search(np.asarray(vector, dtype=np.float32), min(count, len(view)))
        return [(int(k), 1.0 - float(d)) for k, d in zip(found.keys, found.distances, strict=True)]

    def __len__(self) -> int:
        with self._lock:
            view = self._current()
            return 0 if view is None else len(view)

    def memory_bytes(self) -> int:
        """Bytes of the mapped file (shared by every process that maps it)."""
        with self._lock:
            view = self._current()
            return 0 if view is None else self.path.stat().st_size
