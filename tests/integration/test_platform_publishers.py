"""Accounts on platforms are publishers: in the ledger, in the score, and in ``eval threads``."""

from __future__ import annotations

import json
import re
from pathlib import Path

from sqlmodel import select

from sources.models import Publisher

API = "/api/v1"
THREADS = Path(__file__).resolve().parents[1] / "data" / "threads.json"


def test_fifty_accounts_replying_on_x_are_fifty_publishers(
    client, session, make_claim, make_source, make_evidence
):
    claim = make_claim("The river burst its banks in the city centre.")
    for n in range(5):
        make_evidence(claim, make_source(f"https://twitter.com/witness{n}/status/{n}"))
    make_evidence(claim, make_source("https://x.com/witness0/status/99"))  # same account

    keys = set(session.exec(select(Publisher.domain)).all())
    explanation = client.get(f"{API}/claims/{claim.id}").get_json()["explanation"]

    assert {f"x.com/@witness{n}" for n in range(5)} <= keys
    assert "twitter.com" not in keys
    assert explanation["counts"]["origins"] == 5
    counted = [c for c in explanation["contributions"] if c["points"] > 0]
    assert len(counted) == 5
    assert {c["label"] for c in counted} == {f"@witness{n} on X" for n in range(5)}


def test_a_repost_cites_its_original_and_counts_once_with_it(
    client, make_claim, make_source, make_evidence
):
    claim = make_claim("The mayor resigned this morning.")
    original = make_source("https://twitter.com/reporter/status/1")
    repost = make_source("https://twitter.com/fan/status/2", cites=[original.id])
    make_evidence(claim, original)
    make_evidence(claim, repost)

    contributions = client.get(f"{API}/claims/{claim.id}").get_json()["explanation"][
        "contributions"
    ]

    assert sorted(c["points"] > 0 for c in contributions) == [False, True]
    assert {c["same_as_label"] for c in contributions} == {None, "@reporter on X"}


def test_an_accounts_record_is_pulled_towards_its_platforms(
    client, make_claim, make_source, make_evidence, make_verdict
):
    for n in range(6):  # a platform whose accounts backed six claims that turned out false
        rated = make_claim(f"Rumour {n} about the harbour.")
        make_evidence(rated, make_source(f"https://t.me/channel{n}/{n}"))
        make_verdict(rated, rating="false")
    claim = make_claim("A new rumour about the harbour.")
    make_evidence(claim, make_source("https://t.me/newchannel/1"))
    other = make_claim("A report about the harbour.")
    make_evidence(other, make_source("https://harbour-news.example/report"))

    newcomer = client.get(f"{API}/claims/{claim.id}").get_json()["explanation"]["contributions"][0]
    outlet = client.get(f"{API}/claims/{other.id}").get_json()["explanation"]["contributions"][0]

    assert newcomer["record"]["failed"] > 0  # no record of its own, its platform's rates
    assert newcomer["record_points"] < 0
    assert newcomer["points"] < outlet["points"]


def test_eval_threads_scores_threads_of_our_own_making(runner):
    result = runner.invoke(args=["eval", "threads", str(THREADS), "--folds", "3", "--repeats", "1"])

    assert result.exit_code == 0, result.output
    assert "36 claims scored" in result.stdout
    lines = {
        line.split()[0]: float(re.search(r"macro_f1=([01]\.\d{3})", line).group(1))
        for line in result.stdout.splitlines()
        if "macro_f1=" in line
    }
    assert set(lines) == {"claimdesk", "majority", "any-refuting"}
    assert lines["claimdesk"] > lines["majority"]


def test_a_thread_file_in_another_layout_is_refused_clearly(runner, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps({"claims": [{"id": "a", "text": "t", "verdict": "maybe", "posts": []}]})
    )
    result = runner.invoke(args=["eval", "threads", str(bad)])
    assert result.exit_code != 0
    assert "verdict must be one of true, false, unknown" in result.output

    bad.write_text("{not json")
    result = runner.invoke(args=["eval", "threads", str(bad)])
    assert result.exit_code != 0
    assert "not JSON" in result.output
