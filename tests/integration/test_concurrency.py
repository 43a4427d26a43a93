"""Many writers at once, against a live server: nothing lost, no rule broken, never a 5xx.

Requests really overlap here: ``claimdesk serve`` runs its sync workers as separate processes on
a database of its own (SQLite, or a throwaway PostgreSQL database when CLAIMDESK_DATABASE_URL
points there; see ``live_server.py``), and each test releases its requests together from a
thread pool. Every race also checks that no answer is a 5xx (a 503 must at least say
Retry-After) and that the server logged no error while it ran.

Stored scores are checked against a reference: the same items added one at a time to another
claim must leave the same counts, weights, lean, contestedness and status.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from live_server import API, Answer, LiveServer, live_server, sentence, statuses, words

N = 12


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One claimdesk with four sync workers for the whole module."""
    with live_server(tmp_path_factory.mktemp("concurrency"), workers=4) as server:
        yield server


def create_claim(live: LiveServer, text: str | None = None, **fields: Any) -> dict[str, Any]:
    """A claim recorded before the race (one request, nothing overlapping)."""
    answer = live.post(f"{API}/claims", {"text": text or sentence(), **fields})
    assert answer.status == 201, answer.describe()
    return answer.json


def claim_view(live: LiveServer, claim_id: int) -> dict[str, Any]:
    return live.get(f"{API}/claims/{claim_id}").json


def score_of(view: dict[str, Any]) -> dict[str, Any]:
    """What a claim's stored score says, without the ids of the items it counted."""
    explanation = view["explanation"]
    return {
        "status": view["status"],
        "lean": view["lean"],
        "contestedness": view["contestedness"],
        "counts": view["counts"],
        "support": explanation["support"],
        "oppose": explanation["oppose"],
        "contributions": sorted(
            (c["stance"], c["kind"], c["via"], c["points"], c["alone"])
            for c in explanation["contributions"]
        ),
    }


def counted_keys(view: dict[str, Any], prefix: str) -> set[str]:
    return {c["key"] for c in view["explanation"]["contributions"] if c["key"].startswith(prefix)}


def assert_problem(answer: Answer, status: int) -> dict[str, Any]:
    assert answer.status == status, answer.describe()
    assert answer.headers["Content-Type"].startswith("application/problem+json"), answer
    body = answer.json
    assert body["status"] == status and body["detail"], body
    return body


# ---- creates ------------------------------------------------------------------------------


def test_simultaneous_creates_of_distinct_claims_all_succeed(live):
    texts = [sentence() for _ in range(N)]

    answers = live.race([lambda t=t: live.post(f"{API}/claims", {"text": t}) for t in texts])

    assert statuses(answers) == [201] * N, [a.describe() for a in answers]
    ids = [a.json["id"] for a in answers]
    assert len(set(ids)) == N
    assert [claim_view(live, i)["text"] for i in ids] == texts


# ---- evidence -----------------------------------------------------------------------------


def test_simultaneous_evidence_on_one_claim_is_all_counted_and_scored(live):
    claim = create_claim(live)
    publishers = [f"{w}.example" for w in words(3)]
    plan = [
        ("mentions" if i % 4 == 3 else "supports", "primary" if i % 3 == 0 else "secondary")
        for i in range(N)
    ]
    bodies = [
        {
            "source_url": f"https://{publishers[i % 3]}/{words(1)[0]}/{i}",
            "source_kind": kind,
            "stance": stance,
            "quote": " ".join(words(5)),
        }
        for i, (stance, kind) in enumerate(plan)
    ]

    answers = live.race(
        [lambda b=b: live.post(f"{API}/claims/{claim['id']}/evidence", b) for b in bodies]
    )

    assert statuses(answers) == [201] * N, [a.describe() for a in answers]
    listed = live.get(f"{API}/claims/{claim['id']}/evidence").json
    assert listed["count"] == N
    assert {e["id"] for e in listed["data"]} == {a.json["id"] for a in answers}
    view = claim_view(live, claim["id"])
    stances = Counter(stance for stance, _ in plan)
    assert view["counts"] == {
        "supporting": stances["supports"],
        "refuting": 0,
        "mentioning": stances["mentions"],
        "rebuttals": 0,
        "qualifications": 0,
        "backings": 0,
    }
    assert counted_keys(view, "evidence:") == {f"evidence:{a.json['id']}" for a in answers}
    # The same evidence added one at a time to another claim scores the same.
    reference = create_claim(live)
    for answer, (stance, _) in zip(answers, plan, strict=True):
        added = live.post(
            f"{API}/claims/{reference['id']}/evidence",
            {"source_id": answer.json["source"]["id"], "stance": stance, "quote": "as quoted"},
        )
        assert added.status == 201, added.describe()
    assert score_of(view) == score_of(claim_view(live, reference["id"]))


def test_simultaneous_evidence_citing_one_new_source_records_it_once(live):
    claim = create_claim(live)
    url = f"https://{words(1)[0]}.example/{words(1)[0]}"
    body = {"source_url": url, "stance": "supports", "quote": "as quoted"}

    answers = live.race(
        [lambda: live.post(f"{API}/claims/{claim['id']}/evidence", body) for _ in range(N)]
    )

    assert statuses(answers) == [201] * N, [a.describe() for a in answers]
    assert len({a.json["source"]["id"] for a in answers}) == 1
    assert claim_view(live, claim["id"])["counts"]["supporting"] == N


# ---- relations and verdicts ---------------------------------------------------------------


def test_simultaneous_relations_and_verdicts_on_one_claim_are_all_kept_and_counted(live):
    target = create_claim(live)
    rebuttals = [create_claim(live) for _ in range(N // 2)]

    def relate(i: int, subject: dict[str, Any]) -> Answer:
        # Half are posted on the rebutting claim, half on the rebutted one: both lock orders.
        if i % 2:
            return live.post(
                f"{API}/claims/{target['id']}/relations",
                {"kind": "rebuts", "subject_id": subject["id"], "first_hand": i % 3 == 0},
            )
        return live.post(
            f"{API}/claims/{subject['id']}/relations",
            {"kind": "rebuts", "object_id": target["id"], "first_hand": i % 3 == 0},
        )

    def rate(i: int) -> Answer:
        rating = ["false", "mostly_false", "mixed"][i % 3]
        body = {"rating": rating, "rationale": f"Ruling {i}."}
        return live.post(f"{API}/claims/{target['id']}/verdicts", body, role="editor")

    calls = [lambda i=i, s=s: relate(i, s) for i, s in enumerate(rebuttals)]
    calls += [lambda i=i: rate(i) for i in range(N // 2)]
    answers = live.race(calls)

    assert statuses(answers) == [201] * N, [a.describe() for a in answers]
    relation_ids = {a.json["id"] for a in answers[: N // 2]}
    verdict_ids = {a.json["id"] for a in answers[N // 2 :]}
    listed = live.get(f"{API}/claims/{target['id']}/relations").json
    assert {r["id"] for r in listed["data"]} == relation_ids
    view = claim_view(live, target["id"])
    assert view["counts"]["rebuttals"] == N // 2
    assert counted_keys(view, "relation:") == {f"relation:{i}" for i in relation_ids}
    verdicts = live.get(f"{API}/claims/{target['id']}/verdicts").json
    assert {v["id"] for v in verdicts["data"]} == verdict_ids
    current = [v for v in verdicts["data"] if v["superseded_at"] is None]
    assert len(current) == 1, verdicts["data"]
    assert view["verdict"]["id"] == current[0]["id"]
    # The same rebuttals recorded one at a time against another claim score the same.
    reference = create_claim(live)
    for i, subject in enumerate(rebuttals):
        added = live.post(
            f"{API}/claims/{subject['id']}/relations",
            {"kind": "rebuts", "object_id": reference["id"], "first_hand": i % 3 == 0},
        )
        assert added.status == 201, added.describe()
    assert score_of(view) == score_of(claim_view(live, reference["id"]))


# ---- optimistic concurrency ----------------------------------------------------------------


def test_racing_patches_with_one_etag_let_exactly_one_through(live):
    claim = create_claim(live)
    before = live.get(f"{API}/claims/{claim['id']}")
    etag = before.headers["ETag"]
    tags = [f"edit {w}" for w in words(N)]

    answers = live.race(
        [
            lambda t=t: live.request(
                "PATCH",
                f"{API}/claims/{claim['id']}",
                role="contributor",
                body={"tags": [t]},
                headers={"If-Match": etag},
            )
            for t in tags
        ]
    )

    assert statuses(answers) == [200] + [412] * (N - 1), [a.describe() for a in answers]
    for answer in answers:
        if answer.status == 412:
            assert_problem(answer, 412)
    (winner,) = [a for a in answers if a.status == 200]
    after = live.get(f"{API}/claims/{claim['id']}")
    assert after.json["revision"] == before.json["revision"] + 1
    assert after.json["tags"] == winner.json["tags"]
    assert after.headers["ETag"] == winner.headers["ETag"]
    history = live.get(f"{API}/claims/{claim['id']}/history").json
    assert [h["action"] for h in history["data"]].count("update") == 1, history


# ---- claimants ----------------------------------------------------------------------------


def claimants_named(live: LiveServer, name: str) -> list[dict[str, Any]]:
    found = live.get(f"{API}/claimants", params={"name": name}).json
    assert found["count"] == len(found["data"])
    data: list[dict[str, Any]] = found["data"]
    return data


def test_racing_claims_naming_one_new_claimant_create_that_claimant_once(live):
    name = " ".join(w.capitalize() for w in words(2))

    answers = live.race(
        [
            lambda: live.post(f"{API}/claims", {"text": sentence(), "claimant_name": name})
            for _ in range(N)
        ]
    )

    assert statuses(answers) == [201] * N, [a.describe() for a in answers]
    (claimant,) = claimants_named(live, name)
    assert {a.json["claimant"]["id"] for a in answers} == {claimant["id"]}
    # The name stays usable: the next claim naming it finds that one claimant.
    later = create_claim(live, claimant_name=name.upper())
    assert later["claimant"]["id"] == claimant["id"]


def test_racing_creates_of_one_claimant_name_record_one_claimant(live):
    name = " ".join(w.capitalize() for w in words(2))

    answers = live.race([lambda: live.post(f"{API}/claimants", {"name": name}) for _ in range(N)])

    assert statuses(answers) == [201] + [409] * (N - 1), [a.describe() for a in answers]
    for answer in answers:
        if answer.status == 409:
            assert_problem(answer, 409)
    (claimant,) = claimants_named(live, name)
    assert claimant["id"] == next(a.json["id"] for a in answers if a.status == 201)


def test_racing_claimants_named_like_an_existing_alias_are_all_refused(live):
    name, alias = (" ".join(w.capitalize() for w in words(2)) for _ in range(2))
    known = live.post(f"{API}/claimants", {"name": name, "aliases": [alias]})
    assert known.status == 201, known.describe()

    answers = live.race([lambda: live.post(f"{API}/claimants", {"name": alias}) for _ in range(N)])

    assert statuses(answers) == [409] * N, [a.describe() for a in answers]
    for answer in answers:
        assert_problem(answer, 409)
    assert [c["id"] for c in claimants_named(live, alias)] == [known.json["id"]]


# ---- near duplicates ----------------------------------------------------------------------


def trivial_variations(text: str, n: int) -> list[str]:
    """``n`` spellings of one claim that differ in case, spacing or final punctuation."""
    stem = text.rstrip(".")
    shapes = [
        stem + ".",
        stem + "!",
        stem,
        stem.lower() + ".",
        stem.upper() + ".",
        stem.replace(" ", "  ") + ".",
        stem + "...",
        stem + " !",
    ]
    return [shapes[i % len(shapes)] for i in range(n)]


def test_racing_near_duplicates_create_one_claim_and_point_the_rest_to_it(live):
    variations = trivial_variations(sentence(12), N)

    answers = live.race([lambda t=t: live.post(f"{API}/claims", {"text": t}) for t in variations])

    assert statuses(answers) == [201] + [409] * (N - 1), [a.describe() for a in answers]
    (created,) = [a.json for a in answers if a.status == 201]
    for answer in answers:
        if answer.status == 409:
            body = assert_problem(answer, 409)
            assert body["type"].endswith("/duplicate-claim"), body
            assert created["id"] in [c["claim_id"] for c in body["candidates"]], body
    # Asked again one at a time, any of the spellings is still a duplicate of that one claim.
    again = live.post(f"{API}/claims", {"text": variations[1]})
    assert [c["claim_id"] for c in assert_problem(again, 409)["candidates"]] == [created["id"]]


# ---- everything at once ---------------------------------------------------------------------


def test_a_burst_of_forty_mixed_writes_all_succeed_and_every_count_is_right(live):
    first, second = create_claim(live), create_claim(live)
    subjects = [create_claim(live) for _ in range(5)]
    publisher = f"{words(1)[0]}.example"

    def evidence(claim: dict[str, Any], i: int) -> Answer:
        body = {
            "source_url": f"https://{publisher}/{words(1)[0]}/{i}",
            "stance": "refutes" if i % 3 == 0 else "supports",
            "quote": " ".join(words(4)),
        }
        return live.post(f"{API}/claims/{claim['id']}/evidence", body)

    calls = [lambda: live.post(f"{API}/claims", {"text": sentence()}) for _ in range(10)]
    calls += [lambda i=i: evidence(first, i) for i in range(10)]
    calls += [lambda i=i: evidence(second, 10 + i) for i in range(10)]
    calls += [
        lambda s=s: live.post(
            f"{API}/claims/{s['id']}/relations", {"kind": "rebuts", "object_id": first["id"]}
        )
        for s in subjects
    ]
    calls += [
        lambda i=i: live.post(
            f"{API}/claims/{second['id']}/verdicts",
            {"rating": "mixed", "rationale": f"Ruling {i}."},
            role="editor",
        )
        for i in range(5)
    ]

    answers = live.race(calls)

    assert statuses(answers) == [201] * 40, [a.describe() for a in answers]
    for claim, offset in ((first, 0), (second, 10)):
        refuting = sum(1 for i in range(offset, offset + 10) if i % 3 == 0)
        counts = claim_view(live, claim["id"])["counts"]
        assert (counts["supporting"], counts["refuting"]) == (10 - refuting, refuting), counts
    assert claim_view(live, first["id"])["counts"]["rebuttals"] == 5
    verdicts = live.get(f"{API}/claims/{second['id']}/verdicts").json["data"]
    assert len(verdicts) == 5
    assert sum(1 for v in verdicts if v["superseded_at"] is None) == 1
