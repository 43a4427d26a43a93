"""Nested cross-validation of the fitted scorer on Emergent, on the pure modules alone.

The same protocol as ``claimdesk eval emergent`` (claims/scoring/validation.py) without the
database: each article is a news report (kind "secondary", origin its publisher: its domain, or its
account on a platform), stance for -> supports, against -> refutes, observing -> mentions, and each
rated claim's items carry its publishers' records learned from the other rated claims (its own
verdict left out, as the service does). About a minute per seed here, against ten for the command;
the two agree (docs/scoring.md).

Run:  .venv/bin/python bench/emergent_research.py [--file F] [--seeds 0 1 2] [--spec shipped]
"""

from __future__ import annotations

import argparse
import csv
import statistics
from collections.abc import Mapping, Sequence
from pathlib import Path

from claims.scoring.fitting import SPECS
from claims.scoring.reliability import Reliability, learn_reliability, neutral
from claims.scoring.score import Item, Track
from claims.scoring.validation import nested_cv
from sources.urls import publisher_domain

EMERGENT = Path(__file__).resolve().parents[1].parent / "shared/data/emergent/emergent-train.csv"
STANCES = {"for": "supports", "against": "refutes", "observing": "mentions"}


def load(path: Path) -> tuple[dict[str, str], dict[str, list[tuple[str, str, str]]]]:
    """Verdicts by claim, and each claim's articles as (key, publisher, stance)."""
    truths: dict[str, str] = {}
    articles: dict[str, list[tuple[str, str, str]]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            url = row["url"] if "://" in row["url"] else f"http://{row['url']}"
            truths[row["claimId"]] = row["claimTruth"]
            articles.setdefault(row["claimId"], []).append(
                (
                    f"article:{row['articleId']}",
                    publisher_domain(url),
                    STANCES[row["articleHeadlineStance"]],
                )
            )
    return truths, articles


def track(reliability: Reliability, stance: str) -> Track | None:
    if stance == "mentions":
        return None
    tally = reliability.record.backed if stance == "supports" else reliability.record.disputed
    return Track(tally.right, tally.wrong, tally.unverifiable)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--file", type=Path, default=EMERGENT)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--spec", choices=SPECS, default="shipped")
    args = parser.parse_args()
    truths, articles = load(args.file)
    stances = [(p, c, s) for c, rows in articles.items() for _, p, s in rows]

    def items(claim: str, learned: Mapping[str, Reliability]) -> list[Item]:
        return [
            Item(
                key=key,
                stance=stance,  # type: ignore[arg-type]
                kind="secondary",
                origin=publisher,
                label=publisher,
                track=track(learned.get(publisher) or neutral(publisher), stance),
            )
            for key, publisher, stance in articles[claim]
        ]

    def items_for(rated: Sequence[str], held: Sequence[str]) -> dict[str, list[Item]]:
        verdicts = {c: truths[c] for c in rated}
        everyone = learn_reliability(stances, verdicts)
        out = {c: items(c, everyone) for c in held}
        for claim in rated:
            own_left_out = {c: v for c, v in verdicts.items() if c != claim}
            out[claim] = items(claim, learn_reliability(stances, own_left_out))
        return out

    labels = {c: "unknown" if t == "unknown" else t for c, t in truths.items()}
    figures = []
    for seed in args.seeds:
        result = nested_cv(labels, items_for, seed=seed, spec=args.spec)
        print(f"seed {seed}: penalties {result.penalties}")
        for line in result.lines:
            print("  " + line.text())
        figures.append(result.lines[0].figures.macro_f1)
    if len(figures) > 1:
        print(f"claimdesk macro-F1 over seeds: mean {statistics.mean(figures):.3f}")


if __name__ == "__main__":
    main()
