"""The match index beside brute-force rapidfuzz, at 10,000, 100,000 and 1,000,000 claims.

Claims are LIAR statements (train + valid, normalised, distinct) varied to reach each size:
variant k of a statement has one or two words replaced by words drawn from LIAR's vocabulary
(numbers shifted instead), so texts stay realistic and distinct, and each statement gets
siblings that brute force may also score >= the duplicate threshold. Queries are claims of the
corpus retyped as people retype them (bench/match_threshold.py's perturbations: case, accents
and typographic quotes; a word dropped; two swapped; a typo; a typo with a drop or a swap; plus a
French apostrophe inserted, which normalisation must fold away).

Per size, in one run:
- the index's latency (p50/p99) for `similar` (GET /claims/match) and `find_duplicates` (the
  check on create);
- brute force: `matching.find_duplicates` over every claim (two `process.extract` passes, the
  service's scorer), on a sample of the queries (--brute, fewer at 1M: it takes seconds each);
- `source_at_1`: the claim a query was made from ranks first in the index's `similar`;
- `recall`: of the claims brute force scores >= DUPLICATE_THRESHOLD for a sampled query, the
  share the index's `find_duplicates` also returns;
- memory: RSS growth while building (the texts themselves are the corpus, allocated before) and
  the index's own estimate including the texts.
At 100,000 (--service-size) it also times the service path the API uses (ledger.match and
ledger.duplicates_of through a Session whose Database holds the LiveMatchIndex, on SQLite).

Database: by default the index and brute force score the generated corpus in memory and the
service path runs on a temporary SQLite file. When CLAIMDESK_DATABASE_URL starts with
postgresql, the bench creates a throwaway database on that server (bench/_serving.py's
bench_database, dropped at the end), migrates it, and per size writes the corpus there as
live claims and reads them back with the ledger's own query: the index, brute force and the
service path then all score the claims read from PostgreSQL.

Ends with one line per size: ``n=100000 p50_ms=.. p99_ms=.. source_at_1=.. recall=..``.
Goals: p50 <= 10 ms at 100k and <= 20 ms at 1M; source_at_1 >= 0.98; recall >= 0.98.
Shared machines drift 10-20% between runs: compare index and brute force within one run.

Run:  .venv/bin/python bench/match.py [--sizes 10000,100000,1000000] [--queries 700]
      [--brute 200,60,12] [--service-size 100000]      (about 3-4 minutes on two cores)
      CLAIMDESK_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres  (the same,
      on PostgreSQL; seeding adds time)
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import platform
import random
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar, cast

import _claims_db as store
import _serving as s
from match_threshold import PERTURBATIONS, load_statements
from sqlalchemy import Engine

from claims.matching import fuzzy as matching
from claims.matching.index import MatchIndex
from claims.text import normalise_claim


def rss_bytes() -> int:
    """Resident set size of this process."""
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def make_corpus(base: list[str], size: int, seed: int = 0) -> list[str]:
    """`size` distinct normalised claims: the statements, then word-substituted variants."""
    rng = random.Random(seed)
    vocabulary = sorted({w for t in base for w in t.split() if w.isalpha() and len(w) >= 4})
    out: dict[str, None] = dict.fromkeys(base[:size])
    while len(out) < size:
        for text in base:
            words = text.split()
            for _ in range(1 + (rng.random() < 0.5)):
                i = rng.randrange(len(words))
                word = words[i]
                words[i] = (
                    str(int(word) + rng.randint(1, 99))
                    if word.isdigit()
                    else rng.choice(vocabulary)
                )
            out.setdefault(" ".join(words))
            if len(out) >= size:
                break
    return list(out)


def apostrophe(words: list[str], rng: random.Random) -> list[str]:
    """A French apostrophe or a typographic quote inserted: "l’economie", "don’t"."""
    i = rng.randrange(len(words))
    w = words[i]
    words = list(words)
    words[i] = w[:1] + rng.choice("’'ʼ") + w[1:] if len(w) > 3 else f"“{w}”"
    return words


KINDS: dict[str, Callable[[list[str], random.Random], list[str]]] = {
    **PERTURBATIONS,
    "apostrophe": apostrophe,
}


def make_queries(corpus: list[str], count: int, seed: int = 1) -> list[tuple[str, int, str]]:
    """(kind, id of the source claim, normalised retyped text); ids are positions + 1."""
    rng = random.Random(seed)
    kinds = list(KINDS)
    queries: list[tuple[str, int, str]] = []
    while len(queries) < count:
        i = rng.randrange(len(corpus))
        words = corpus[i].split()
        if len(words) < 4:
            continue
        kind = kinds[len(queries) % len(kinds)]
        queries.append((kind, i + 1, normalise_claim(" ".join(KINDS[kind](words, rng)))))
    return queries


def pct(values: list[float], q: float) -> float:
    """The q-quantile of values, in milliseconds (values in seconds)."""
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


T = TypeVar("T")


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    """Seconds taken by fn(), and its result."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def run_size(
    base: list[str], size: int, n_queries: int, n_brute: int, engine: Engine | None = None
) -> dict[str, float]:
    """Build, query, compare with brute force; print the figures of one size.

    With an engine, the corpus is written there and every claim scored is read back from it.
    """
    corpus = make_corpus(base, size)
    stored = ""
    if engine is None:
        choices = {i + 1: t for i, t in enumerate(corpus)}
    else:
        fill_s, _ = timed(lambda: store.fill(engine, corpus))
        start = time.perf_counter()
        choices = store.live_texts(engine)
        read_s = time.perf_counter() - start
        corpus = [choices[i + 1] for i in range(size)]  # ids are positions + 1, as written
        stored = (
            f"\n  claims from {engine.dialect.name}: written in {fill_s:.1f} s, {len(choices):,}"
            f" live claims read back in {read_s:.1f} s"
        )
    gc.collect()
    before = rss_bytes()
    build_s, built = timed(lambda: MatchIndex(choices))
    index: MatchIndex = built
    index.search("warm")  # builds the search vocabulary views, counted in memory too
    gc.collect()
    rss_mb = (rss_bytes() - before) / 1e6
    est_mb = index.memory_bytes() / 1e6
    queries = make_queries(corpus, n_queries)
    sim_t, dup_t, at1 = [], [], 0
    for _kind, source, query in queries:
        t, found = timed(partial(index.similar, query, limit=10))
        sim_t.append(t)
        at1 += bool(found) and found[0].claim_id == source
        t, _ = timed(partial(index.find_duplicates, query))
        dup_t.append(t)
    search_t = []
    for _kind, _source, query in queries[:200]:
        words = " ".join(sorted(query.split(), key=len)[-2:])  # the two longest words, as typed
        t, _ = timed(partial(index.search, words, limit=None))
        search_t.append(t)
    brute_t, truth, hit, brute_at1, agree = [], 0, 0, 0, 0
    for _kind, source, query in queries[:n_brute]:
        t, brute = timed(partial(matching.find_duplicates, query, choices, limit=size))
        brute_t.append(t)
        expected = {m.claim_id for m in brute}
        brute_at1 += bool(brute) and brute[0].claim_id == source
        mine = index.find_duplicates(query, limit=size)
        got = {m.claim_id for m in mine}
        agree += [m.claim_id for m in mine[:1]] == [m.claim_id for m in brute[:1]]
        truth += len(expected)
        hit += len(expected & got)
    figures = {
        "p50": pct(sim_t, 0.5),
        "p99": pct(sim_t, 0.99),
        "dup_p50": pct(dup_t, 0.5),
        "dup_p99": pct(dup_t, 0.99),
        "brute_p50": pct(brute_t, 0.5),
        "source_at_1": at1 / len(queries),
        "recall": hit / truth if truth else 1.0,
    }
    print(
        f"\n## n={size:,}  ({len(index.ids()):,} claims, {len(queries)} queries, brute force on"
        f" the first {len(brute_t)}){stored}\n"
        f"  build {build_s:.1f} s; memory: RSS +{rss_mb:.0f} MB (index structures; the texts are"
        f" the corpus), estimate with texts {est_mb:.0f} MB\n"
        f"  index similar (/claims/match)   p50 {figures['p50']:.2f} ms"
        f"  p99 {figures['p99']:.2f} ms\n"
        f"  index find_duplicates (create)  p50 {figures['dup_p50']:.2f} ms"
        f"  p99 {figures['dup_p99']:.2f} ms\n"
        f"  index search (?q=, 2 words)     p50 {pct(search_t, 0.5):.2f} ms"
        f"  p99 {pct(search_t, 0.99):.2f} ms\n"
        f"  brute force find_duplicates     p50 {figures['brute_p50']:.1f} ms"
        f"  -> {figures['brute_p50'] / max(figures['dup_p50'], 1e-6):.0f}x the index\n"
        f"  source_at_1 index {figures['source_at_1']:.3f}, brute force"
        f" {brute_at1 / max(1, len(brute_t)):.3f} (on its sample; a miss is a query that the edit"
        f" made closer to a sibling variant); same first duplicate as brute force"
        f" {agree}/{len(brute_t)}\n"
        f"  recall of brute force's >= {matching.DUPLICATE_THRESHOLD:g} matches: {hit}/{truth}"
        f" = {figures['recall']:.3f}"
    )
    return figures


def run_service(base: list[str], size: int, n_queries: int, url: str | None = None) -> None:
    """The API's path without HTTP: ledger functions on a Session of a Database.

    On a temporary SQLite file by default, else on the (migrated, throwaway) database ``url``.
    """
    from sqlalchemy.orm import sessionmaker
    from sqlmodel import Session, SQLModel

    from claims.matching import service as match_index
    from claims.services import ledger
    from service.db import Database

    corpus = make_corpus(base, size)
    with contextlib.ExitStack() as stack:
        if url is None:
            tmp = stack.enter_context(tempfile.TemporaryDirectory())
            database = Database(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
            SQLModel.metadata.create_all(database.engine)
        else:
            database = Database(url)
        backend = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(
            database.engine.dialect.name, database.engine.dialect.name
        )
        store.fill(database.engine, corpus)
        queries = make_queries(corpus, n_queries, seed=2)
        # What create_app() does: every Session of the Database reaches one live index.
        live = match_index.LiveMatchIndex()
        factory = cast("sessionmaker[Session]", database.session_factory)
        factory.configure(info={match_index.SESSION_KEY: live})
        with database.session_factory() as session:
            first, _ = timed(lambda: ledger.match(session=session, text="warm up", limit=10))
            match_t, dup_t, at1 = [], [], 0
            for _kind, source, query in queries:
                t, found = timed(partial(ledger.match, session=session, text=query, limit=10))
                match_t.append(t)
                at1 += bool(found) and found[0][0].id == source
                t, _ = timed(partial(ledger.duplicates_of, session=session, text=query))
                dup_t.append(t)
            print(
                f"\n## service path at n={size:,} (ledger.match / ledger.duplicates_of on"
                f" {backend}, the LiveMatchIndex the API uses)\n"
                f"  first call (builds from the database) {first:.1f} s;"
                f" rebuilds {live.rebuilds}, memory estimate {live.memory_bytes() / 1e6:.0f} MB\n"
                f"  ledger.match         p50 {pct(match_t, 0.5):.2f} ms"
                f"  p99 {pct(match_t, 0.99):.2f} ms"
                f"  (Claim rows loaded, ids checked against the database)\n"
                f"  ledger.duplicates_of p50 {pct(dup_t, 0.5):.2f} ms"
                f"  p99 {pct(dup_t, 0.99):.2f} ms\n"
                f"  source_at_1 {at1 / len(queries):.3f}"
            )
        database.engine.dispose()


def main() -> None:
    """Parse flags, run every size, print the summary lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=700, help="index queries per size")
    parser.add_argument("--brute", default="200,60,12", help="brute-force queries per size")
    parser.add_argument("--service-size", type=int, default=100_000, help="0 to skip")
    parser.add_argument("--service-queries", type=int, default=300)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    brute = [int(b) for b in args.brute.split(",")]
    brute += [brute[-1]] * (len(sizes) - len(brute))
    with open("/proc/cpuinfo") as handle:
        models = [line.split(":", 1)[1].strip() for line in handle if "model name" in line]
    cpu = models[0] if models else platform.processor()
    print(f"# bench/match.py on {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}")
    base = load_statements()
    print(f"# {len(base):,} distinct LIAR statements; threshold {matching.DUPLICATE_THRESHOLD:g}")
    postgres = os.environ.get("CLAIMDESK_DATABASE_URL", "").startswith("postgresql")
    with contextlib.ExitStack() as stack:
        url: str | None = None
        engine: Engine | None = None
        if postgres:
            from service import migrate
            from service.db import make_engine

            url = stack.enter_context(s.bench_database())
            migrate.upgrade(url)
            engine = make_engine(url)
            stack.callback(engine.dispose)  # before bench_database drops the database
            used = f"PostgreSQL, throwaway {store.describe(engine)} (dropped at the end)"
        else:
            used = "in memory for the index and brute force; SQLite temp file for the service path"
        print(f"# database: {used}")
        results = {
            size: run_size(base, size, args.queries, b, engine)
            for size, b in zip(sizes, brute, strict=True)
        }
        if args.service_size:
            run_service(base, args.service_size, args.service_queries, url)
    print(f"\n# database: {used}")
    for size, f in results.items():
        print(
            f"n={size} p50_ms={f['p50']:.2f} p99_ms={f['p99']:.2f}"
            f" source_at_1={f['source_at_1']:.3f} recall={f['recall']:.3f}"
        )


if __name__ == "__main__":
    main()
