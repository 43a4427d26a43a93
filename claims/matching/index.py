"""An in-memory index answering the matcher's three questions without scanning every claim.

Brute force costs one rapidfuzz pass per claim per scorer: about 0.3 s per duplicate check at
100,000 claims and several seconds at 1,000,000 (docs/performance-matching.md). A claim scoring
at least the duplicate threshold against a query differs from it by a few characters, so it
shares almost all of the query's words, and in particular most of its *rarest* words. Blocking
on those words keeps the candidates to the few claims that could possibly score high, and the
exact scorer of `claims.matching.fuzzy` then ranks only them: the index changes which claims are
scored, never how.

- Duplicates and similar claims: candidates share at least MIN_SHARED of the query's
  RARE_TOKENS rarest known words (one word in WORDS_PER_RARE for long queries, which can score
  >= 88 with several words changed; one if the query knows a single word), and have a length that
  can reach the score floor at all (`ratio` <= 200 * shorter / (sum of lengths)). Candidates go
  through `matching.find_duplicates`/`similar` unchanged, so scores and tie order are theirs.
  A retyped query keeps its rare words apart from one typo (an unknown word is skipped, since
  it has no postings) and one dropped word, so its original still shares 2 of them.
- Search (the `q` filter): a word -> claims inverted index; each query word is looked up in the
  vocabulary (exact, prefix by bisection in the sorted words, `fuzz.ratio` only over words of a
  length that can reach the cutoff) with the semantics of `matching.search`.

Postings are `array('i')` per word (4 bytes a claim a word), counted with Python sets when short
and numpy when long; a text-length table by id (4 bytes an id) drops candidates of the wrong
length without reading their texts.
The texts are held too, since scoring needs them. Pure: no Session, no Flask.

An index asked many times in a row (a bulk import's) can also hold, per claim, its sorted-word
form (the token_sort pass becomes a plain ratio) and its character counts: both scorers are
200 * LCS / (sum of lengths), and two texts cannot have a longer common subsequence than the
characters they have in common, so a candidate whose counts cannot reach the floor is dropped
before rapidfuzz. On the synthetic import's claims, which share whole half-sentences, that
drops about 9 candidates in 10 (docs/performance-import.md).
"""

from __future__ import annotations

import bisect
import sys
from array import array
from collections.abc import Collection, Iterable, Mapping

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from claims.matching import fuzzy as matching
from claims.matching.fuzzy import (
    DUPLICATE_THRESHOLD,
    FUZZY_MIN_LENGTH,
    PREFIX_MIN_LENGTH,
    PREFIX_SCORE,
    SEARCH_CUTOFF,
    SIMILAR_FLOOR,
    Match,
)

__all__ = ["MIN_SHARED", "RARE_TOKENS", "MatchIndex", "char_counts"]

RARE_TOKENS = 4
WORDS_PER_RARE = 4
MIN_SHARED = 2
_ID = np.intc  # array('i') is a C int: claim ids are below 2**31 (ledger.MAX_ID)

IntArray = npt.NDArray[np.intc]


def _length_bounds(length: int, floor: float) -> tuple[float, float]:
    """Lengths a text may have to score >= floor with `ratio` or `token_sort_ratio`.

    Both are 200 * LCS / (a + b) over strings of the texts' lengths (token_sort only reorders
    words of a single-spaced text), so score >= floor needs shorter / longer >= floor / (200 -
    floor). A hair of slack keeps float rounding from dropping a claim exactly at the floor.
    """
    if floor <= 0:
        return 0.0, float("inf")
    ratio = floor / (200.0 - floor) - 1e-9
    return length * ratio, length / ratio


# Character buckets for the count bound: each letter, digit, the space and the dot its own;
# every other code point shares one of ten by value (sharing only loosens the bound). Code
# points past the BMP share the last bucket of the table.
_OWN_BUCKETS = "abcdefghijklmnopqrstuvwxyz0123456789 ."
BUCKETS = len(_OWN_BUCKETS) + 10
_COUNT_MAX = np.iinfo(np.uint16).max


def _bucket_table() -> npt.NDArray[np.uint8]:
    table = (len(_OWN_BUCKETS) + np.arange(0x10000) % 10).astype(np.uint8)
    for bucket, char in enumerate(_OWN_BUCKETS):
        table[ord(char)] = bucket
    return table


_BUCKET_OF = _bucket_table()


def char_counts(text: str) -> npt.NDArray[np.uint16]:
    """How many characters of each bucket a text holds (saturated: see ``_bounded_candidates``)."""
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    buckets = _BUCKET_OF[np.minimum(points, 0xFFFF)]
    counts = np.bincount(buckets, minlength=BUCKETS)
    return np.minimum(counts, _COUNT_MAX).astype(np.uint16)


# Below this many postings in all, counting shared ids with Python sets beats numpy, whose
# concatenate + sort + compare costs 7-12 us before the first id (the crossover, measured on
# the synthetic import's own queries, is in docs/performance-import.md).
PURE_COUNT_BELOW = 64


def _shared(lists: list[array[int]], total: int) -> list[int]:
    """Ids in at least MIN_SHARED of ``lists`` (each without repeats), ascending."""
    if MIN_SHARED == 2 and total < PURE_COUNT_BELOW:
        return _shared_pure(lists)
    return _shared_numpy(lists)


def _shared_pure(lists: list[array[int]]) -> list[int]:
    """``_shared`` for MIN_SHARED == 2 with sets: an id seen before is shared."""
    seen = set(lists[0])
    shared: set[int] = set()
    for postings in lists[1:]:
        shared.update(seen.intersection(postings))
        seen.update(postings)
    return sorted(shared)


def _shared_numpy(lists: list[array[int]]) -> list[int]:
    """``_shared`` with numpy; the ids found (tens) are deduplicated in Python."""
    return list(dict.fromkeys(_shared_repeated(lists).tolist()))


def _shared_repeated(lists: list[array[int]]) -> IntArray:
    """Ids in at least MIN_SHARED of ``lists``, sorted, an id once per list beyond the first
    that holds it: sorted, an id held MIN_SHARED times spans MIN_SHARED places.

    Few numpy calls, since each costs 1-4 us whatever its size.
    """
    ids: IntArray = np.sort(np.frombuffer(b"".join(lists), dtype=_ID))
    span = MIN_SHARED - 1
    if span:
        ids = ids[span:][ids[span:] == ids[:-span]]
    return ids


class MatchIndex:
    """Normalised claim texts by id, with word postings for blocking and word search."""

    def __init__(
        self,
        texts: Mapping[int, str] | None = None,
        *,
        keep_sorted_words: bool = False,
        keep_char_counts: bool = False,
    ) -> None:
        """``keep_sorted_words`` also holds each text's ``matching.sort_words`` form, and
        ``keep_char_counts`` its character counts by bucket (96 bytes a claim).

        The first makes a duplicate check's second scorer pass about six times cheaper (no
        split, sort and join of every candidate per query) for about the texts' memory again;
        the second drops most candidates before any scoring. Worth it for an import asking
        100,000 times in a row, not for the process-wide index, where memory counts more.
        """
        self._texts: dict[int, str] = {}
        self._sorted_words: dict[int, str] | None = {} if keep_sorted_words else None
        # Rows by id, as the length table; with them, lengths (+ 1, 0: none) as a numpy array,
        # so that candidates are filtered in a few numpy calls (``_bounded_candidates``).
        self._counts: npt.NDArray[np.uint16] | None = (
            np.zeros((0, BUCKETS), dtype=np.uint16) if keep_char_counts else None
        )
        self._sizes: npt.NDArray[np.uint32] = np.zeros(0, dtype=np.uint32)
        # The last query's counts, and its words' postings as of `_changes` changes: an import
        # adds the text it just asked about, without counting and looking its words up again.
        self._asked: tuple[str, npt.NDArray[np.uint16]] | None = None
        self._asked_words: tuple[str, int, dict[str, array[int] | None]] | None = None
        self._changes = 0
        self._postings: dict[str, array[int]] = {}
        # Text length + 1 by id (0: none), for ids from 0 to about twice the count held (a
        # run's positions, a database's claim ids): candidates of the wrong length are dropped
        # without reading their texts, each a likely cache miss at 100,000 claims. Ids outside
        # it (negative, far beyond) are counted in _off_table; while any is held, the texts
        # are read.
        self._length: array[int] = array("I")
        self._off_table = 0
        # Vocabulary views for search, built on first search and then kept up to date.
        self._sorted: list[str] | None = None
        self._by_length: dict[int, list[str]] | None = None
        for claim_id, text in (texts or {}).items():
            self._insert(claim_id, text)

    # ---- content ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._texts)

    def __contains__(self, claim_id: object) -> bool:
        return claim_id in self._texts

    def text(self, claim_id: int) -> str | None:
        """The normalised text held for a claim, or None."""
        return self._texts.get(claim_id)

    def ids(self) -> list[int]:
        """Every claim id held."""
        return list(self._texts)

    def add(self, claim_id: int, text: str) -> None:
        """Hold a claim's normalised text, replacing what was held for that id."""
        if self._texts.get(claim_id) == text:
            return
        self.remove(claim_id)
        self._insert(claim_id, text)

    def add_many(self, texts: Iterable[tuple[int, str]]) -> None:
        """Hold many claims (as add)."""
        for claim_id, text in texts:
            self.add(claim_id, text)

    def remove(self, claim_id: int) -> None:
        """Forget a claim; unknown ids are ignored."""
        old = self._texts.pop(claim_id, None)
        if old is None:
            return
        self._changes += 1
        if self._sorted_words is not None:
            del self._sorted_words[claim_id]
        if 0 <= claim_id < len(self._length) and self._length[claim_id]:
            self._length[claim_id] = 0
            if self._counts is not None:
                self._sizes[claim_id] = 0
        else:
            self._off_table -= 1
        for token in set(old.split()):
            postings = self._postings[token]
            postings.remove(claim_id)
            if not postings:
                del self._postings[token]
                self._forget_word(token)

    def _insert(self, claim_id: int, text: str) -> None:
        self._changes += 1
        self._texts[claim_id] = text
        if self._sorted_words is not None:
            self._sorted_words[claim_id] = matching.sort_words(text)
        table = self._length
        if 0 <= claim_id <= 2 * len(self._texts) + 1024:
            if claim_id >= len(table):
                table.extend(array("I", (0,)) * (claim_id + 1 - len(table)))
            table[claim_id] = len(text) + 1
            if self._counts is not None:
                self._store_counts(claim_id, text)
        else:
            self._off_table += 1
        postings = self._postings
        asked = self._asked_words
        if asked is not None and asked[0] == text and asked[1] == self._changes - 1:
            words = asked[2]  # looked up by the query just before, and nothing changed since
        else:
            words = {token: postings.get(token) for token in set(text.split())}
        for token, found in words.items():
            if found is None:
                postings[token] = array("i", (claim_id,))
                self._learn_word(token)
            else:
                found.append(claim_id)

    def _store_counts(self, claim_id: int, text: str) -> None:
        counts = self._counts
        assert counts is not None
        if claim_id >= len(counts):
            size = max(claim_id + 1, 2 * len(counts), 1024)
            grown = np.zeros((size, BUCKETS), np.uint16)
            grown[: len(counts)] = counts
            self._counts = counts = grown
            self._sizes = np.concatenate(
                [self._sizes, np.zeros(size - len(self._sizes), np.uint32)]
            )
        asked = self._asked
        counts[claim_id] = asked[1] if asked is not None and asked[0] == text else char_counts(text)
        self._sizes[claim_id] = len(text) + 1

    def _learn_word(self, token: str) -> None:
        if self._sorted is not None and self._by_length is not None:
            bisect.insort(self._sorted, token)
            self._by_length.setdefault(len(token), []).append(token)

    def _forget_word(self, token: str) -> None:
        if self._sorted is not None and self._by_length is not None:
            del self._sorted[bisect.bisect_left(self._sorted, token)]
            self._by_length[len(token)].remove(token)

    def memory_bytes(self) -> int:
        """Approximate bytes held: texts, words, postings and the dicts holding them."""
        size = sys.getsizeof(self._texts) + sys.getsizeof(self._postings)
        size += sys.getsizeof(self._length)
        size += sum(sys.getsizeof(t) + 28 for t in self._texts.values())  # text + int key
        if self._counts is not None:
            size += self._counts.nbytes + self._sizes.nbytes
        if self._sorted_words is not None:
            size += sys.getsizeof(self._sorted_words)
            size += sum(map(sys.getsizeof, self._sorted_words.values()))
        size += sum(sys.getsizeof(w) + sys.getsizeof(p) for w, p in self._postings.items())
        if self._sorted is not None and self._by_length is not None:
            size += sys.getsizeof(self._sorted) + sum(map(sys.getsizeof, self._by_length.values()))
        return size

    # ---- duplicates and similar claims ------------------------------------------------------

    def candidates(
        self, query_norm: str, *, floor: float, exclude: Collection[int] = ()
    ) -> dict[int, str]:
        """Claims that share enough of the query's rarest words to possibly score >= floor."""
        postings = self._postings
        if self._counts is not None:  # an import's index: keep the lookups for adding it next
            words = {t: postings.get(t) for t in set(query_norm.split())}
            self._asked_words = (query_norm, self._changes, words)
            known = sorted([(len(held), t) for t, held in words.items() if held is not None])
        else:
            # (postings size, word) pairs sort as the rarest words first, ties by word.
            known = sorted(
                [
                    (len(held), t)
                    for t in set(query_norm.split())
                    if (held := postings.get(t)) is not None
                ]
            )
        if not known:
            return {}
        rare = known[: max(RARE_TOKENS, len(known) // WORDS_PER_RARE)]
        low, high = _length_bounds(len(query_norm), floor)
        if self._counts is not None and not self._off_table:
            return self._bounded_candidates(
                query_norm, [t for _, t in rare], low, high, floor, exclude
            )
        ids: Iterable[int]
        if len(rare) == 1:
            ids = postings[rare[0][1]]
        else:
            ids = _shared([postings[t] for _, t in rare], sum(size for size, _ in rare))
        texts = self._texts
        found: dict[int, str] = {}
        if self._off_table:
            for claim_id in ids:
                text = texts[claim_id]
                if low <= len(text) <= high and claim_id not in exclude:
                    found[claim_id] = text
            return found
        # Every id held is in the length table: only the texts of the right length are read.
        table, shortest, longest = self._length, low + 1, high + 1
        for claim_id in ids:
            if shortest <= table[claim_id] <= longest and claim_id not in exclude:
                found[claim_id] = texts[claim_id]
        return found

    def _query_counts(self, query_norm: str) -> npt.NDArray[np.uint16]:
        """The query's counts, kept for adding it next (an import asks, then adds)."""
        asked = self._asked
        if asked is None or asked[0] != query_norm:
            asked = self._asked = (query_norm, char_counts(query_norm))
        return asked[1]

    def _bounded_candidates(
        self,
        query_norm: str,
        rare: list[str],
        low: float,
        high: float,
        floor: float,
        exclude: Collection[int],
    ) -> dict[int, str]:
        """``candidates`` for an index holding character counts, in a few numpy calls.

        The shared ids (``_shared_repeated``, repeats kept until the end), then the count
        bound: ratio and token_sort_ratio are 200 * LCS / (a + b), and LCS <= the sum over
        buckets of the smaller count (merging characters into buckets only raises that sum),
        itself <= the shorter length, so this bound holds the length bound too. Counts
        saturate at 65,535: a query that long is filtered on length only.
        """
        assert self._counts is not None
        lists = [self._postings[t] for t in rare]
        ids: IntArray = (
            _shared_repeated(lists) if len(lists) > 1 else np.frombuffer(lists[0], dtype=_ID)
        )
        sizes = self._sizes[ids]  # length + 1
        if len(query_norm) >= _COUNT_MAX:
            ids = ids[(sizes >= low + 1) & (sizes <= high + 1)]
        elif ids.size:
            asked = self._query_counts(query_norm)
            common = np.minimum(self._counts[ids], asked).sum(axis=1, dtype=np.int64)
            ids = ids[common * 200.0 >= (floor - 1e-9) * (len(query_norm) - 1.0 + sizes)]
        texts = self._texts
        return {i: texts[i] for i in dict.fromkeys(ids.tolist()) if i not in exclude}

    def find_duplicates(
        self,
        query_norm: str,
        *,
        limit: int = 5,
        threshold: float = DUPLICATE_THRESHOLD,
        exclude: Collection[int] = (),
    ) -> list[Match]:
        """As `matching.find_duplicates` over every claim held, scoring only the candidates."""
        choices = self.candidates(query_norm, floor=threshold, exclude=exclude)
        if not choices:  # what matching.find_duplicates answers, without two empty passes
            return []
        held = self._sorted_words
        return matching.find_duplicates(
            query_norm,
            choices,
            limit=limit,
            threshold=threshold,
            sorted_choices=None if held is None else {i: held[i] for i in choices},
        )

    def similar(
        self, query_norm: str, *, limit: int = 10, floor: float = SIMILAR_FLOOR
    ) -> list[Match]:
        """As `matching.similar`; claims below the duplicate threshold may be missed (blocking)."""
        return matching.similar(
            query_norm, self.candidates(query_norm, floor=floor), limit=limit, floor=floor
        )

    # ---- word search -------------------------------------------------------------------------

    def search(
        self, query_norm: str, *, limit: int | None = 50, cutoff: float = SEARCH_CUTOFF
    ) -> list[Match]:
        """As `matching.search` over every claim held: the same hits, scores and order."""
        words = list(dict.fromkeys(query_norm.split()))
        if not words or (limit is not None and limit <= 0):
            return []
        per_word: list[tuple[IntArray, npt.NDArray[np.float64]]] = []
        for word in words:
            hits = self._word_hits(word, cutoff)
            if hits[0].size == 0:
                return []
            per_word.append(hits)
        common = per_word[0][0]
        for ids, _ in sorted(per_word[1:], key=lambda h: h[0].size):
            common = np.intersect1d(common, ids, assume_unique=True)
            if common.size == 0:
                return []
        # Summed in the query's word order, as matching.search does, so ties stay ties.
        totals = np.zeros(common.size, dtype=np.float64)
        for ids, best in per_word:
            totals += best[np.searchsorted(ids, common)]
        scores = totals / len(words)
        order = np.lexsort((common, -scores))
        if limit is not None:
            order = order[:limit]
        return [Match(int(common[i]), float(scores[i])) for i in order]

    def _word_hits(self, word: str, cutoff: float) -> tuple[IntArray, npt.NDArray[np.float64]]:
        """Claims holding a word matching ``word``, sorted by id, with their best word score."""
        matches = self._word_matches(word, cutoff)
        if not matches:
            return np.empty(0, dtype=_ID), np.empty(0, dtype=np.float64)
        views = [np.frombuffer(self._postings[t], dtype=_ID) for t in matches]
        ids = np.concatenate(views)
        scores = np.repeat(np.fromiter(matches.values(), dtype=np.float64), [v.size for v in views])
        order = np.lexsort((-scores, ids))
        ids, scores = ids[order], scores[order]
        first = np.ones(ids.size, dtype=bool)
        first[1:] = ids[1:] != ids[:-1]
        return ids[first], scores[first]

    def _word_matches(self, word: str, cutoff: float) -> dict[str, float]:
        """Vocabulary words matching a query word with their similarity (matching's rules)."""
        vocabulary, by_length = self._vocabulary()
        found: dict[str, float] = {}
        if len(word) >= FUZZY_MIN_LENGTH:
            low, high = _length_bounds(len(word), cutoff)
            for length, tokens in by_length.items():
                if low <= length <= high:
                    hits = process.extract(
                        word,
                        tokens,
                        scorer=fuzz.ratio,
                        processor=None,
                        limit=None,
                        score_cutoff=cutoff,
                    )
                    found.update((token, score) for token, score, _ in hits)
        if len(word) >= PREFIX_MIN_LENGTH:
            start = bisect.bisect_right(vocabulary, word)
            for token in vocabulary[start:]:
                if not token.startswith(word):
                    break
                found[token] = max(found.get(token, 0.0), PREFIX_SCORE)
        if word in self._postings:
            found[word] = 100.0
        return found

    def _vocabulary(self) -> tuple[list[str], dict[int, list[str]]]:
        if self._sorted is None or self._by_length is None:
            self._sorted = sorted(self._postings)
            self._by_length = {}
            for token in self._sorted:
                self._by_length.setdefault(len(token), []).append(token)
        return self._sorted, self._by_length
