"""Two claimdesk hosts on one PostgreSQL database: the rules hold across processes and hosts.

Two separate ``claimdesk serve`` instances (two gunicorn masters, two workers each, different
ports) share one throwaway database, as two web hosts behind a load balancer do. Each race
sends half its requests to each instance, so only the database can keep the rule: nothing an
instance holds in memory (a lock, an index) is shared with the other.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from live_server import (
    API,
    Answer,
    LiveServer,
    assert_no_server_error,
    needs_postgres,
    prepare,
    race,
    sentence,
    serving,
    statuses,
    throwaway_database,
    words,
)

pytestmark = needs_postgres
N = 12


class Pair:
    """Two instances; ``host(i)`` alternates between them as a load balancer would."""

    def __init__(self, a: LiveServer, b: LiveServer) -> None:
        self.instances = (a, b)

    def host(self, i: int) -> LiveServer:
        return self.instances[i % 2]

    def race(self, calls: list[Any]) -> list[Answer]:
        """Fire the calls together; fail on a 5xx or an error either instance logged."""
        since = [s.log_size() for s in self.instances]
        answers = race(calls)
        for server in self.instances:
            assert_no_server_error(server, answers)
        for server, mark in zip(self.instances, since, strict=True):
            logged = server.errors_logged(since=mark)
            assert not logged, f"{server.base} logged errors:\n" + "\n".join(logged)
        return answers


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    folder = tmp_path_factory.mktemp("two-instances")
    with throwaway_database(folder) as url:
        tokens = prepare(url, folder / "a")
        with (
            serving(url, folder / "a", tokens, workers=2, name="a") as a,
            serving(url, folder / "b", tokens, workers=2, name="b") as b,
        ):
            yield Pair(a, b)


def test_the_two_instances_are_separate_processes_on_one_database(pair):
    a, b = pair.instances
    assert a.base != b.base
    assert a.process is not None and b.process is not None
    assert a.process.pid != b.process.pid
    created = a.post(f"{API}/claims", {"text": sentence()})
    assert created.status == 201, created.describe()
    assert b.get(f"{API}/claims/{created.json['id']}").json["text"] == created.json["text"]


def test_racing_claims_naming_one_new_claimant_on_two_hosts_create_it_once(pair):
    name = " ".join(w.capitalize() for w in words(2))

    answers = pair.race(
        [
            lambda i=i: pair.host(i).post(
                f"{API}/claims", {"text": sentence(), "claimant_name": name}
            )
            for i in range(N)
        ]
    )

    assert statuses(answers) == [201] * N, [a.describe() for a in answers]
    found = pair.host(0).get(f"{API}/claimants", params={"name": name}).json
    assert found["count"] == 1, found
    assert {a.json["claimant"]["id"] for a in answers} == {found["data"][0]["id"]}


def test_racing_creates_of_one_claimant_name_on_two_hosts_record_one(pair):
    name = " ".join(w.capitalize() for w in words(2))

    answers = pair.race(
        [lambda i=i: pair.host(i).post(f"{API}/claimants", {"name": name}) for i in range(N)]
    )

    assert statuses(answers) == [201] + [409] * (N - 1), [a.describe() for a in answers]
    found = pair.host(1).get(f"{API}/claimants", params={"name": name}).json
    assert found["count"] == 1, found


def test_racing_claimants_named_like_an_alias_on_two_hosts_are_refused(pair):
    name, alias = (" ".join(w.capitalize() for w in words(2)) for _ in range(2))
    known = pair.host(0).post(f"{API}/claimants", {"name": name, "aliases": [alias]})
    assert known.status == 201, known.describe()

    answers = pair.race(
        [lambda i=i: pair.host(i).post(f"{API}/claimants", {"name": alias}) for i in range(N)]
    )

    assert statuses(answers) == [409] * N, [a.describe() for a in answers]
    found = pair.host(1).get(f"{API}/claimants", params={"name": alias}).json
    assert [c["id"] for c in found["data"]] == [known.json["id"]]


def test_racing_near_duplicates_on_two_hosts_create_one_claim(pair):
    stem = sentence(12).rstrip(".")
    spellings = [stem + ".", stem + "!", stem.lower() + ".", stem.upper() + ".", stem]
    texts = [spellings[i % len(spellings)] for i in range(N)]

    answers = pair.race(
        [
            lambda i=i, t=t: pair.host(i).post(f"{API}/claims", {"text": t})
            for i, t in enumerate(texts)
        ]
    )

    assert statuses(answers) == [201] + [409] * (N - 1), [a.describe() for a in answers]
    (created,) = [a.json for a in answers if a.status == 201]
    for answer in answers:
        if answer.status == 409:
            candidates = [c["claim_id"] for c in answer.json["candidates"]]
            assert created["id"] in candidates, answer.describe()


def test_racing_patches_with_one_etag_on_two_hosts_let_one_through(pair):
    created = pair.host(0).post(f"{API}/claims", {"text": sentence()})
    assert created.status == 201, created.describe()
    path = f"{API}/claims/{created.json['id']}"
    before = pair.host(1).get(path)
    etag = before.headers["ETag"]

    answers = pair.race(
        [
            lambda i=i, t=t: pair.host(i).request(
                "PATCH",
                path,
                role="contributor",
                body={"tags": [f"edit {t}"]},
                headers={"If-Match": etag},
            )
            for i, t in enumerate(words(N))
        ]
    )

    assert statuses(answers) == [200] + [412] * (N - 1), [a.describe() for a in answers]
    (winner,) = [a for a in answers if a.status == 200]
    for server in pair.instances:
        after = server.get(path)
        assert after.json["revision"] == before.json["revision"] + 1
        assert after.json["tags"] == winner.json["tags"]


def test_simultaneous_evidence_from_two_hosts_is_all_counted(pair):
    created = pair.host(0).post(f"{API}/claims", {"text": sentence()})
    assert created.status == 201, created.describe()
    claim_id = created.json["id"]
    publisher = f"{words(1)[0]}.example"

    def add(i: int) -> Answer:
        body = {
            "source_url": f"https://{publisher}/{words(1)[0]}/{i}",
            "stance": "refutes" if i % 4 == 0 else "supports",
            "quote": " ".join(words(4)),
        }
        return pair.host(i).post(f"{API}/claims/{claim_id}/evidence", body)

    answers = pair.race([lambda i=i: add(i) for i in range(N)])

    assert statuses(answers) == [201] * N, [a.describe() for a in answers]
    view: dict[str, Any] = pair.host(1).get(f"{API}/claims/{claim_id}").json
    refuting = len(range(0, N, 4))
    assert view["counts"]["supporting"] == N - refuting
    assert view["counts"]["refuting"] == refuting
    counted = {c["key"] for c in view["explanation"]["contributions"]}
    assert counted == {f"evidence:{a.json['id']}" for a in answers}
