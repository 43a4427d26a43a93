"""Near-duplicate detection across one bulk import, without rescanning every claim per row.

``ledger.duplicates_of`` answers one API request: from the process's ``LiveMatchIndex``, which
checks the database for changes before every question (two queries), or by scoring every live
claim. Neither suits an import asking 100,000 times, and neither sees the rows of a batch not
yet written. ``RunIndex`` holds the normalised texts of the live claims (read once) plus the rows
imported so far, and answers from memory in two steps:

1. the same normalised text -> that claim, at once (a dict lookup);
2. otherwise ``MatchIndex.find_duplicates`` (``claims/matching/index.py``): blocking on the
   query's rarest words and on length, then the service's own scorer and threshold
   (``matching.find_duplicates``) over the few candidates.

Texts are held under their position in the run ("doc"), mapped to a claim id once the row is
written (``rekey``), so a row can match an earlier row of the same, not yet written, batch; and
entries can be taken back (``truncate``) so that a batch whose write fails leaves no trace.
"""

from __future__ import annotations

from collections.abc import Mapping

from claims.matching import fuzzy as matching
from claims.matching.index import MatchIndex


class RunIndex:
    """Normalised claim texts of one import run, keyed by claim id (or a provisional key)."""

    def __init__(self, *, threshold: float | None = None) -> None:
        self.threshold = matching.DUPLICATE_THRESHOLD if threshold is None else threshold
        self._index = MatchIndex(keep_sorted_words=True, keep_char_counts=True)
        self._keys: list[int] = []
        self._exact: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._keys)

    @classmethod
    def of(cls, texts: Mapping[int, str], *, threshold: float | None = None) -> RunIndex:
        """An index over ``{claim_id: normalised text}`` (the ledger's live claims)."""
        index = cls(threshold=threshold)
        for key, text in texts.items():
            index.add(text, key)
        return index

    def add(self, text_norm: str, key: int) -> int:
        """Index a normalised text under ``key``; returns its position (for ``rekey``)."""
        doc = len(self._keys)
        self._keys.append(key)
        self._exact.setdefault(text_norm, doc)
        self._index.add(doc, text_norm)
        return doc

    def rekey(self, doc: int, key: int) -> None:
        """Give an indexed text its final key (the claim id known once the row is written)."""
        self._keys[doc] = key

    def truncate(self, size: int) -> None:
        """Forget every text added after the index held ``size`` of them."""
        while len(self._keys) > size:
            doc = len(self._keys) - 1
            self._keys.pop()
            text = self._index.text(doc)
            if text is not None and self._exact.get(text) == doc:
                del self._exact[text]
            self._index.remove(doc)

    def duplicates(self, text_norm: str, *, limit: int = 5) -> list[matching.Match]:
        """Indexed claims the text nearly duplicates, best first, by key."""
        exact = self._exact.get(text_norm)
        if exact is not None:
            return [matching.Match(self._keys[exact], 100.0, True)]
        found = self._index.find_duplicates(text_norm, limit=limit, threshold=self.threshold)
        return [matching.Match(self._keys[m.claim_id], m.score, True) for m in found]
