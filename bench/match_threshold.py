"""Measure duplicate scorers and thresholds on LIAR, to choose them together.

Recall: distinct LIAR statements are retyped the way people retype (a word dropped, two
neighbouring words swapped, one typo, case/accents/quotes changed, and two of those at once);
a hit is the original scoring >= threshold and strictly above every other statement.
False positives: the share of distinct statements (distinct normalised text) whose best *other*
statement scores >= threshold.

Run:  .venv/bin/python bench/match_threshold.py [--recall-sample 2000] [--fp-sample 0]
(--fp-sample 0 = every statement; about 3.5 minutes on two cores, mostly token_sort_ratio.)
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from collections.abc import Callable
from multiprocessing import Pool
from multiprocessing.pool import Pool as ProcessPool
from pathlib import Path

from rapidfuzz import fuzz, process

from claims.text import normalise_claim

LIAR = Path(__file__).resolve().parents[1].parent / "shared/data/liar"
THRESHOLDS = [75, 80, 82, 84, 85, 86, 88, 90, 92, 95]
FLOOR = 50.0  # scores below this are never interesting; lets rapidfuzz prune

Scorer = Callable[..., float]
BASE_SCORERS: dict[str, Scorer] = {
    "ratio": fuzz.ratio,
    "token_sort_ratio": fuzz.token_sort_ratio,
    "token_set_ratio": fuzz.token_set_ratio,
    "WRatio": fuzz.WRatio,
}
# A max of two scorers: its best-other is the max of each one's best-other.
COMBINED = {"max(ratio, token_sort)": ("ratio", "token_sort_ratio")}
SLOW = {"token_set_ratio", "WRatio"}  # measured on a sample only


def load_statements() -> list[str]:
    """Distinct normalised LIAR statements (train + valid), in file order."""
    seen: dict[str, None] = {}
    for name in ("train.tsv", "valid.tsv"):
        with (LIAR / name).open(encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                seen.setdefault(normalise_claim(row[2]), None)
    seen.pop("", None)
    return list(seen)


# --- perturbations, applied to the raw-ish text (words of the normalised statement) ----------

ACCENTED = {"e": "é", "a": "à", "o": "ô", "u": "ü", "i": "ï", "c": "ç"}
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def drop_word(words: list[str], rng: random.Random) -> list[str]:
    i = rng.randrange(len(words))
    return words[:i] + words[i + 1 :]


def swap_words(words: list[str], rng: random.Random) -> list[str]:
    i = rng.randrange(len(words) - 1)
    return [*words[:i], words[i + 1], words[i], *words[i + 2 :]]


def typo(words: list[str], rng: random.Random) -> list[str]:
    candidates = [i for i, w in enumerate(words) if len(w) >= 3]
    i = rng.choice(candidates) if candidates else rng.randrange(len(words))
    w = words[i]
    j = rng.randrange(len(w))
    kind = rng.choice(["sub", "del", "ins", "swap"])
    if kind == "sub":
        w = w[:j] + rng.choice(LETTERS) + w[j + 1 :]
    elif kind == "del" and len(w) > 1:
        w = w[:j] + w[j + 1 :]
    elif kind == "swap" and j < len(w) - 1:
        w = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    else:
        w = w[:j] + rng.choice(LETTERS) + w[j:]
    return [*words[:i], w, *words[i + 1 :]]


def surface(words: list[str], rng: random.Random) -> list[str]:
    """Case, accents and typographic quotes changed: must vanish under normalisation."""
    out = []
    for w in words:
        w = "".join(ACCENTED.get(c, c) if rng.random() < 0.2 else c for c in w)
        w = w.upper() if rng.random() < 0.3 else w.title()
        out.append(w.replace("'", "’"))
    out[0] = "« " + out[0]
    out[-1] += " »"
    return out


PERTURBATIONS: dict[str, Callable[[list[str], random.Random], list[str]]] = {
    "surface": surface,
    "drop": drop_word,
    "swap": swap_words,
    "typo": typo,
    "typo+drop": lambda w, r: typo(drop_word(w, r), r),
    "typo+swap": lambda w, r: typo(swap_words(w, r), r),
}


def make_queries(corpus: list[str], sample: int, seed: int = 0) -> list[tuple[str, int, str]]:
    """(kind, index of the original, normalised perturbed text) for a random sample."""
    rng = random.Random(seed)
    eligible = [i for i, text in enumerate(corpus) if len(text.split()) >= 3]
    picked = rng.sample(eligible, min(sample, len(eligible)))
    queries = []
    for kind, perturb in PERTURBATIONS.items():
        for i in picked:
            query = normalise_claim(" ".join(perturb(corpus[i].split(), rng)))
            queries.append((kind, i, query))
    return queries


# --- scoring (in worker processes) ------------------------------------------------------------

_CORPUS: list[str] = []


def _init(corpus: list[str]) -> None:
    global _CORPUS
    _CORPUS = corpus


def _scores(job: tuple[str, str, int]) -> tuple[float, float, int]:
    """(score against the original, best score against any other statement, its index)."""
    scorer_name, query, own = job
    scorer = BASE_SCORERS[scorer_name]
    own_score = scorer(query, _CORPUS[own], processor=None)
    best_other, best_index = 0.0, -1
    for _, score, index in process.extract(
        query, _CORPUS, scorer=scorer, processor=None, limit=3, score_cutoff=FLOOR
    ):
        if index != own and score > best_other:
            best_other, best_index = score, index
    return own_score, best_other, best_index


Row = tuple[float, float, int]


def combine(a: Row, b: Row) -> Row:
    """Scores of max(scorer a, scorer b), from each one's scores."""
    return max(a[0], b[0]), max(a[1], b[1]), a[2] if a[1] >= b[1] else b[2]


def run(pool: ProcessPool, scorer: str, jobs: list[tuple[str, int]]) -> list[Row]:
    return pool.map(_scores, [(scorer, q, i) for q, i in jobs], chunksize=64)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recall-sample", type=int, default=2000)
    parser.add_argument("--fp-sample", type=int, default=0, help="0 = all statements")
    parser.add_argument("--slow-sample", type=int, default=600)
    parser.add_argument("--examples", type=int, default=6, help="pairs shown per score band")
    parser.add_argument("--inspect", default="max(ratio, token_sort)", help="scorer for examples")
    args = parser.parse_args()

    corpus = load_statements()
    print(f"LIAR train+valid: {len(corpus)} distinct normalised statements")
    queries = make_queries(corpus, args.recall_sample)
    rng = random.Random(1)
    fp_idx = list(range(len(corpus)))
    if args.fp_sample:
        fp_idx = rng.sample(fp_idx, args.fp_sample)
    slow_idx = rng.sample(range(len(corpus)), args.slow_sample)

    recall: dict[str, list[Row]] = {}
    fp: dict[str, list[Row]] = {}
    with Pool(initializer=_init, initargs=(corpus,)) as pool:
        for name in BASE_SCORERS:
            started = time.perf_counter()
            idx = slow_idx if name in SLOW else fp_idx
            fp[name] = run(pool, name, [(corpus[i], i) for i in idx])
            if name not in SLOW:
                recall[name] = run(pool, name, [(q, i) for _, i, q in queries])
            print(f"  scored {name} in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    for name, (a, b) in COMBINED.items():
        fp[name] = [combine(x, y) for x, y in zip(fp[a], fp[b], strict=True)]
        recall[name] = [combine(x, y) for x, y in zip(recall[a], recall[b], strict=True)]

    kinds = list(PERTURBATIONS)
    print(f"\nRecall on {args.recall_sample} statements x {len(kinds)} perturbations; hit =")
    print("original >= threshold and strictly first. FP = share of statements whose best other")
    n_fp = len(fp_idx)
    print(f"statement >= threshold ({n_fp} statements; token_set/WRatio on {len(slow_idx)}).\n")
    header = f"{'scorer':24} {'thr':>4} " + " ".join(f"{k:>9}" for k in kinds)
    print(header + f" {'all':>6} {'FP':>6}")
    for name in [*recall, *SLOW]:
        for threshold in THRESHOLDS:
            line = f"{name:24} {threshold:>4} "
            if name in recall:
                hits = []
                for kind in kinds:
                    rows = [
                        r for (k, _, _), r in zip(queries, recall[name], strict=True) if k == kind
                    ]
                    hit = sum(own >= threshold and own > other for own, other, _ in rows) / len(
                        rows
                    )
                    hits.append(hit)
                    line += f" {hit:9.3f}"
                line += f" {sum(hits) / len(hits):6.3f}"
            else:
                line += " " * (10 * len(kinds) + 7)
            false_pos = sum(other >= threshold for _, other, _ in fp[name]) / len(fp[name])
            print(line + f" {false_pos:6.3f}")
        print()

    if args.examples:
        name = args.inspect
        print(f"Random LIAR pairs per {name} band (best other statement), to judge by eye:")
        pairs = [(other, i, j) for (_, other, j), i in zip(fp[name], fp_idx, strict=True)]
        for low, high in [(80, 85), (85, 88), (88, 90), (90, 92), (92, 95), (95, 100.1)]:
            band = [p for p in pairs if low <= p[0] < high]
            print(f"[{low}, {min(high, 100)}): {len(band)} statements")
            for other, i, j in rng.sample(band, min(args.examples, len(band))):
                print(f"  {other:5.1f}  {corpus[i][:120]}\n         {corpus[j][:120]}")


if __name__ == "__main__":
    main()
