"""The claim resource through the app: record, read, list, page, correct, retract, poll, match."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

API = "/api/v1"
OLD = datetime(2020, 1, 1, tzinfo=UTC)
NEWER = datetime(2021, 6, 1, tzinfo=UTC)


def ids(response) -> list[int]:
    """The claim ids of a list answer, in order."""
    assert response.status_code == 200, response.get_data(as_text=True)
    return [c["id"] for c in response.get_json()["data"]]


# ---- create -------------------------------------------------------------------------------


def test_creating_a_claim_answers_201_with_its_location_and_fields(client, post_claim):
    response = post_claim(
        {
            "text": "  Meta offered « 100 M$ » signing bonuses, didn’t it?  ",
            "language": "en",
            "claimant_name": "Ada Lovelace",
            "said_on": "2025-06",
            "tags": ["Meta", "pay", "meta"],
        }
    )

    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert response.headers["Location"] == f"{API}/claims/{body['id']}"
    assert body["text"] == "Meta offered « 100 M$ » signing bonuses, didn’t it?"
    assert body["text_norm"] == "meta offered 100 m$ signing bonuses didnt it"
    assert body["language"] == "en"
    assert body["claimant"]["name"] == "Ada Lovelace"
    assert body["said_on"] == "2025-06"
    assert body["tags"] == ["meta", "pay"]
    assert body["status"] == "unsourced"
    assert body["revision"] == 1
    assert body["created_by"] == "token:test-contributor"
    assert body["retracted_at"] is None
    assert body["counts"] == dict.fromkeys(
        ("supporting", "refuting", "mentioning", "rebuttals", "qualifications", "backings"), 0
    )
    assert body.pop("possible_translations") == []  # only the create answer warns
    again = client.get(response.headers["Location"])
    assert again.status_code == 200
    assert again.get_json() == body


@pytest.mark.parametrize("name", ["ULTRAMAN", "ultramán", "Sam ALTMAN", "altman"])
def test_a_claimant_named_by_any_alias_case_or_accents_resolves_to_the_known_one(
    post_claim, demo, table_counts, name
):
    demo()
    before = table_counts()["claimant"]

    response = post_claim(
        {"text": "Missionaries will beat mercenaries, every time.", "claimant_name": name}
    )

    assert response.status_code == 201, response.get_data(as_text=True)
    claimant = response.get_json()["claimant"]
    assert claimant["name"] == "Sam Altman"
    assert "Ultraman" in claimant["aliases"]
    assert table_counts()["claimant"] == before


def test_an_unknown_claimant_name_records_a_new_claimant(client, post_claim, table_counts):
    before = table_counts()["claimant"]

    response = post_claim(
        {"text": "Bridges are cheaper than tunnels.", "claimant_name": "Zoë Quill"}
    )

    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["claimant"]["name"] == "Zoë Quill"
    assert table_counts()["claimant"] == before + 1
    found = client.get(f"{API}/claimants", query_string={"name": "zoe quill"}).get_json()
    assert [c["name"] for c in found["data"]] == ["Zoë Quill"]


def test_a_claim_can_name_its_claimant_by_id(post_claim, make_claimant):
    person = make_claimant("Grace Hopper")

    response = post_claim({"text": "A ship in port is safe.", "claimant_id": person.id})

    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["claimant"]["id"] == person.id


def test_an_unknown_claimant_id_gets_422_naming_the_field(post_claim, problem, table_counts):
    before = table_counts()

    body = problem(post_claim({"text": "Nobody said this.", "claimant_id": 2_000_000_000}), 422)

    assert table_counts() == before
    assert [e["field"] for e in body["errors"]] == ["claimant_id"]


def test_a_claim_can_say_where_it_appeared_by_url(client, post_claim, table_counts):
    before = table_counts()["source"]

    response = post_claim(
        {
            "text": "The harbour will close in May.",
            "appeared_in_url": "https://Port.example/news/closure?utm_source=x#top",
        }
    )

    assert response.status_code == 201, response.get_data(as_text=True)
    appeared = response.get_json()["appeared_in"]
    assert appeared["url"] == "https://port.example/news/closure"
    assert appeared["publisher"] == "port.example"
    assert table_counts()["source"] == before + 1


def test_an_invalid_appeared_in_url_gets_422_and_writes_nothing(post_claim, problem, table_counts):
    before = table_counts()

    body = problem(
        post_claim(
            {
                "text": "The harbour will close in June.",
                "claimant_name": "Brand New Person",
                "appeared_in_url": "ftp://port.example/x",
            }
        ),
        422,
    )

    assert table_counts() == before
    assert body["errors"][0]["field"] == "appeared_in_url"


def test_an_unknown_appeared_in_id_gets_422_naming_the_field(post_claim, problem, table_counts):
    before = table_counts()

    body = problem(post_claim({"text": "Said somewhere.", "appeared_in_id": 2_000_000_000}), 422)

    assert body["errors"][0]["field"] == "appeared_in_id"
    assert table_counts() == before


def test_a_near_duplicate_gets_409_with_the_candidates_and_writes_nothing(
    post_claim, make_claim, problem, table_counts
):
    original = make_claim("Meta offered OpenAI researchers signing bonuses of 100 million dollars.")
    before = table_counts()

    body = problem(
        post_claim(
            {"text": "META offered OpenAI researchers a signing bonus of $100 million dollars!"}
        ),
        409,
    )

    assert body["type"].endswith("/duplicate-claim")
    assert [c["claim_id"] for c in body["candidates"]] == [original.id]
    assert body["candidates"][0]["text"] == original.text
    assert 88 <= body["candidates"][0]["score"] <= 100
    assert table_counts() == before


def test_a_near_duplicate_is_recorded_when_the_client_says_it_is_distinct(
    post_claim, make_claim, table_counts
):
    make_claim("Meta offered OpenAI researchers signing bonuses of 100 million dollars.")
    before = table_counts()["claim"]

    response = post_claim(
        {"text": "Meta offered OpenAI researchers signing bonuses of 100 million dollars"},
        distinct="true",
    )

    assert response.status_code == 201, response.get_data(as_text=True)
    assert table_counts()["claim"] == before + 1


def test_distinct_must_be_a_boolean(post_claim, problem, table_counts):
    before = table_counts()

    problem(post_claim({"text": "Anything at all."}, distinct="perhaps"), 422)

    assert table_counts() == before


def test_a_retracted_claim_is_not_a_duplicate_candidate(client, post_claim, make_claim, auth):
    old = make_claim("The bridge toll doubles next year.")
    client.post(
        f"{API}/claims/{old.id}/retract", json={"reason": "misattributed"}, headers=auth("editor")
    )

    assert post_claim({"text": "The bridge toll doubles next year."}).status_code == 201


# ---- read ---------------------------------------------------------------------------------


def test_a_claim_is_served_with_an_etag_and_revalidates_to_304(client, make_claim):
    claim = make_claim("Glaciers in the Alps lost 10% of their volume in two years.")

    response = client.get(f"{API}/claims/{claim.id}")

    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["text"] == claim.text
    assert response.headers["Cache-Control"] == "public, max-age=0, must-revalidate"
    etag = response.headers["ETag"]
    cached = client.get(f"{API}/claims/{claim.id}", headers={"If-None-Match": etag})
    assert cached.status_code == 304
    assert cached.data == b""
    assert cached.headers["ETag"] == etag


def test_an_unknown_claim_gets_404(client, problem):
    body = problem(client.get(f"{API}/claims/2000000000"), 404)
    assert body["type"].endswith("/not-found")


# ---- list: filters ------------------------------------------------------------------------


@pytest.fixture
def ledger_sample(make_claim, make_claimant, make_source, make_evidence, client, auth):
    """Five claims that each filter can tell apart."""
    alice = make_claimant("Alice Martin", aliases=["Ally"])
    bob = make_claimant("Bob Durand")
    jobs = make_claim(
        "The unemployment rate fell to 3.5 percent in December.",
        claimant_id=alice.id,
        language="en",
        tags=["economy"],
        updated_at=OLD,
    )
    chomage = make_claim(
        "Le chômage a baissé de deux points en France.",
        claimant_id=bob.id,
        language="fr",
        tags=["Economy", "france"],
    )
    vaccines = make_claim(
        "Vaccines cause autism in children.", claimant_id=bob.id, language="en", tags=["health"]
    )
    make_evidence(
        vaccines, make_source("https://who.example/autism", kind="primary"), stance="refutes"
    )
    tolls = make_claim("Road tolls will triple by 2030.", language="en", tags=["transport"])
    # Two reports for it, a digest against it: weight on both sides, neither outweighs.
    make_evidence(tolls, make_source("https://gazette.example/tolls"), stance="supports")
    make_evidence(tolls, make_source("https://herald.example/tolls"), stance="supports")
    make_evidence(
        tolls, make_source("https://digest.example/tolls", kind="tertiary"), stance="refutes"
    )
    gone = make_claim("The old ferry line reopens on Monday.", language="en", tags=["transport"])
    client.post(f"{API}/claims/{gone.id}/retract", json={"reason": "wrong"}, headers=auth("editor"))
    return {
        "alice": alice,
        "bob": bob,
        "jobs": jobs.id,
        "chomage": chomage.id,
        "vaccines": vaccines.id,
        "tolls": tolls.id,
        "gone": gone.id,
    }


def listed(client, **params) -> set[int]:
    return set(ids(client.get(f"{API}/claims", query_string=params)))


def test_the_sample_claims_have_the_statuses_the_filters_rely_on(client, ledger_sample):
    s = ledger_sample
    keys = ("jobs", "chomage", "vaccines", "tolls", "gone")
    status = {s[k]: client.get(f"{API}/claims/{s[k]}").get_json()["status"] for k in keys}
    assert status == {
        s["jobs"]: "unsourced",
        s["chomage"]: "unsourced",
        s["vaccines"]: "refuted",
        s["tolls"]: "contested",
        s["gone"]: "unsourced",
    }


def test_the_list_hides_retracted_claims_and_counts_the_rest(client, ledger_sample):
    s = ledger_sample
    response = client.get(f"{API}/claims")

    assert set(ids(response)) == {s["jobs"], s["chomage"], s["vaccines"], s["tolls"]}
    assert response.get_json()["count"] == 4
    assert response.headers["X-Total-Count"] == "4"


def test_include_retracted_lists_retracted_claims_too(client, ledger_sample):
    s = ledger_sample
    assert listed(client, include_retracted="true") == {
        s["jobs"],
        s["chomage"],
        s["vaccines"],
        s["tolls"],
        s["gone"],
    }


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("unemployment rate", "jobs"),
        ("unemploymnet rate", "jobs"),  # a typo is forgiven
        ("CHOMAGE a baisse", "chomage"),  # so are case and accents
        ("vaccines cause autism", "vaccines"),
    ],
)
def test_q_finds_claims_fuzzily(client, ledger_sample, q, expected):
    found = ids(client.get(f"{API}/claims", query_string={"q": q}))
    assert found[0] == ledger_sample[expected]
    # Besides, a short box may find the same claim said in another language by its meaning (the
    # French "chômage" claim for "unemployment rate"), ranked after the words' own match.
    same_meaning = {"jobs": {"chomage"}}.get(expected, set())
    assert set(found[1:]) <= {ledger_sample[k] for k in same_meaning}


def test_q_matching_nothing_lists_nothing(client, ledger_sample):
    response = client.get(f"{API}/claims", query_string={"q": "zebra migration patterns"})
    assert ids(response) == []
    assert response.get_json()["count"] == 0


def test_q_finds_a_retracted_claim_only_with_include_retracted(client, ledger_sample):
    q = {"q": "old ferry line reopens"}
    assert listed(client, **q) == set()
    assert listed(client, **q, include_retracted="true") == {ledger_sample["gone"]}


@pytest.mark.parametrize("name", ["ally", "ALICE MARTIN", "Alicé Martin"])
def test_claimant_filters_by_name_or_alias(client, ledger_sample, name):
    assert listed(client, claimant=name) == {ledger_sample["jobs"]}


def test_an_unknown_claimant_name_lists_nothing(client, ledger_sample):
    assert listed(client, claimant="Nobody Known") == set()


def test_claimant_id_filters_by_claimant(client, ledger_sample):
    s = ledger_sample
    assert listed(client, claimant_id=s["bob"].id) == {s["chomage"], s["vaccines"]}


def test_status_filters_by_one_status(client, ledger_sample):
    assert listed(client, status="refuted") == {ledger_sample["vaccines"]}


def test_status_accepts_repeated_and_comma_separated_values(client, ledger_sample):
    s = ledger_sample
    expected = {s["vaccines"], s["tolls"]}
    repeated = client.get(f"{API}/claims?status=refuted&status=contested")
    assert set(ids(repeated)) == expected
    assert listed(client, status="refuted,contested") == expected


def test_contestedness_range_filters_by_score(client, ledger_sample):
    s = ledger_sample
    assert listed(client, contestedness_min="0.5") == {s["tolls"]}
    assert listed(client, contestedness_max="0") == {s["jobs"], s["chomage"], s["vaccines"]}
    assert listed(client, contestedness_min="0.2", contestedness_max="0.4") == set()


def test_language_filters_by_language(client, ledger_sample):
    assert listed(client, language="fr") == {ledger_sample["chomage"]}


def test_tag_filters_by_tag_in_any_case(client, ledger_sample):
    s = ledger_sample
    assert listed(client, tag="ECONOMY") == {s["jobs"], s["chomage"]}
    assert listed(client, tag="transport") == {s["tolls"]}


def test_since_lists_claims_changed_at_or_after_an_instant(client, ledger_sample):
    s = ledger_sample
    recent = {s["chomage"], s["vaccines"], s["tolls"]}
    assert listed(client, since="2020-06-01T00:00:00Z") == recent
    assert listed(client, since="2020-06-01T00:00:00") == recent  # naive means UTC
    assert listed(client, since="2020-01-01T02:00:00+02:00") == recent | {s["jobs"]}
    assert listed(client, since="2999-01-01T00:00:00Z") == set()


def test_filters_combine_with_and(client, ledger_sample):
    s = ledger_sample
    assert listed(client, language="en", tag="economy") == {s["jobs"]}
    assert listed(client, claimant="bob durand", status="refuted") == {s["vaccines"]}


@pytest.mark.parametrize(
    "params",
    [
        {"status": "bogus"},
        {"contestedness_min": "1.5"},
        {"contestedness_min": "0.8", "contestedness_max": "0.2"},
        {"language": "French!"},
        {"since": "yesterday"},
        {"limit": "0"},
        {"limit": "101"},
        {"include_retracted": "sometimes"},
        {"sort": "text"},
        {"sort": "relevance"},
        {"claimant_id": "abc"},
    ],
)
def test_an_invalid_filter_gets_422_naming_the_parameter(client, problem, params):
    body = problem(client.get(f"{API}/claims", query_string=params), 422)
    assert body["errors"], body


# ---- list: sorting and pages --------------------------------------------------------------


@pytest.fixture
def seven_claims(make_claim, make_source, make_evidence):
    """Seven claims about one river, with distinct update times and some contestedness."""
    made = []
    for n in range(7):
        made.append(
            make_claim(
                f"The river Ouse rose {n + 1} metres at gauge number {n * 7 + 3}.",
                updated_at=datetime(2022, 1, 1 + n, tzinfo=UTC),
            )
        )
    report = make_source("https://floods.example/ouse")
    gauge = make_source("https://gauges.example/ouse", kind="primary")
    for claim in made[:3]:
        make_evidence(claim, report, stance="supports")
        make_evidence(claim, gauge, stance="refutes")
    return [c.id for c in made]


def test_the_default_order_is_most_recently_updated_first(client, make_claim):
    first = make_claim("Oldest news.", updated_at=datetime(2021, 1, 1, tzinfo=UTC))
    second = make_claim("Middle news.", updated_at=datetime(2022, 1, 1, tzinfo=UTC))
    third = make_claim("Latest news.", updated_at=datetime(2023, 1, 1, tzinfo=UTC))

    assert ids(client.get(f"{API}/claims")) == [third.id, second.id, first.id]


def test_sort_orders_by_id_and_creation_both_ways(client, seven_claims):
    assert ids(client.get(f"{API}/claims?sort=id")) == sorted(seven_claims)
    assert ids(client.get(f"{API}/claims?sort=-id")) == sorted(seven_claims, reverse=True)
    assert ids(client.get(f"{API}/claims?sort=created_at")) == sorted(seven_claims)
    assert ids(client.get(f"{API}/claims?sort=-created_at")) == sorted(seven_claims, reverse=True)


def test_sort_by_contestedness_puts_the_most_contested_first(client, seven_claims):
    most = ids(client.get(f"{API}/claims?sort=-contestedness"))
    least = ids(client.get(f"{API}/claims?sort=contestedness"))

    assert set(most[:3]) == set(seven_claims[:3])
    assert set(least[:4]) == set(seven_claims[3:])
    assert most[3:] == sorted(seven_claims[3:], reverse=True)  # ties fall back to id


def follow(client, url: str) -> tuple[list[int], list[int]]:
    """Walk the Link rel=next chain; return every id seen and each page's size."""
    seen: list[int] = []
    sizes: list[int] = []
    for _ in range(20):
        response = client.get(url)
        page = ids(response)
        seen += page
        sizes.append(len(page))
        link = response.headers.get("Link")
        if link is None:
            assert response.get_json()["next_cursor"] is None
            return seen, sizes
        assert link.endswith('>; rel="next"')
        url = link[1 : link.index(">")]
        assert parse_qs(urlsplit(url).query)["cursor"] == [response.get_json()["next_cursor"]]
    raise AssertionError("the Link chain did not end")


@pytest.mark.parametrize(
    "sort",
    ["-updated_at", "updated_at", "id", "-id", "-created_at", "-contestedness", "contestedness"],
)
def test_cursor_pages_cover_every_claim_once_in_any_sort(client, seven_claims, sort):
    whole = ids(client.get(f"{API}/claims?sort={sort}&limit=100"))

    seen, sizes = follow(client, f"{API}/claims?sort={sort}&limit=3")

    assert seen == whole
    assert sorted(seen) == sorted(seven_claims)
    assert sizes == [3, 3, 1]


def test_cursor_pages_by_relevance_cover_every_match_once(client, seven_claims):
    seen, sizes = follow(client, f"{API}/claims?q=river+ouse+rose&limit=2")

    assert sorted(seen) == sorted(seven_claims)
    assert len(seen) == len(set(seen))
    assert sizes == [2, 2, 2, 1]


def test_the_next_link_keeps_the_filters(client, seven_claims):
    first = client.get(f"{API}/claims?status=contested&status=refuted&limit=2")
    link = first.headers["Link"]

    assert parse_qs(urlsplit(link[1 : link.index(">")]).query)["status"] == ["contested", "refuted"]
    seen, _ = follow(client, f"{API}/claims?status=contested&status=refuted&limit=2")
    assert sorted(seen) == sorted(seven_claims[:3])


def test_the_last_page_has_no_link(client, seven_claims):
    response = client.get(f"{API}/claims?limit=7")
    assert "Link" not in response.headers
    assert response.get_json()["next_cursor"] is None


@pytest.mark.parametrize("cursor", ["not-a-cursor", "e30", "WyJpZCIsIngiLDFd", "!!!"])
def test_a_cursor_the_service_did_not_issue_gets_422(client, seven_claims, problem, cursor):
    body = problem(client.get(f"{API}/claims", query_string={"cursor": cursor, "sort": "id"}), 422)
    assert [e["field"] for e in body["errors"]] == ["cursor"]


def test_a_cursor_from_another_sort_order_gets_422(client, seven_claims, problem):
    cursor = client.get(f"{API}/claims?sort=id&limit=2").get_json()["next_cursor"]

    body = problem(client.get(f"{API}/claims", query_string={"cursor": cursor, "sort": "-id"}), 422)

    assert [e["field"] for e in body["errors"]] == ["cursor"]


# ---- correct (PATCH with If-Match) --------------------------------------------------------


def test_patch_with_the_current_etag_updates_and_logs_the_change(client, make_claim, auth):
    claim = make_claim("The tram line opens in 2026.", tags=["transport"])
    etag = client.get(f"{API}/claims/{claim.id}").headers["ETag"]

    response = client.patch(
        f"{API}/claims/{claim.id}",
        json={"text": "The tram line opens in 2027.", "tags": ["Transport", "city"]},
        headers={**auth("contributor"), "If-Match": etag},
    )

    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["text"] == "The tram line opens in 2027."
    assert body["text_norm"] == "the tram line opens in 2027"
    assert body["tags"] == ["city", "transport"]
    assert body["revision"] == 2
    assert response.headers["ETag"] not in ("", etag)
    entries = client.get(f"{API}/claims/{claim.id}/history").get_json()["data"]
    update = entries[-1]
    assert (update["entity"], update["action"], update["actor"]) == (
        "claim",
        "update",
        "token:test-contributor",
    )
    assert update["changes"]["text"] == [
        "The tram line opens in 2026.",
        "The tram line opens in 2027.",
    ]
    assert update["changes"]["tags"] == [["transport"], ["city", "transport"]]


def test_the_etag_a_patch_returns_is_the_one_a_get_returns(client, make_claim, auth):
    claim = make_claim("The museum will be free on Sundays.")
    etag = client.get(f"{API}/claims/{claim.id}").headers["ETag"]
    patched = client.patch(
        f"{API}/claims/{claim.id}",
        json={"language": "en-GB"},  # not "en": language identification may have filled it
        headers={**auth(), "If-Match": etag},
    )

    assert client.get(f"{API}/claims/{claim.id}").headers["ETag"] == patched.headers["ETag"]
    chained = client.patch(
        f"{API}/claims/{claim.id}",
        json={"said_on": "2024"},
        headers={**auth(), "If-Match": patched.headers["ETag"]},
    )
    assert chained.status_code == 200
    assert chained.get_json()["revision"] == 3


def test_a_stale_etag_gets_412_and_changes_nothing(client, make_claim, auth, problem, table_counts):
    claim = make_claim("The stadium holds 40,000 people.")
    stale = client.get(f"{API}/claims/{claim.id}").headers["ETag"]
    first = client.patch(
        f"{API}/claims/{claim.id}",
        json={"text": "The stadium holds 45,000 people."},
        headers={**auth(), "If-Match": stale},
    )
    assert first.status_code == 200
    before = table_counts()

    body = problem(
        client.patch(
            f"{API}/claims/{claim.id}",
            json={"text": "The stadium holds 50,000 people."},
            headers={**auth(), "If-Match": stale},
        ),
        412,
    )

    assert body["type"].endswith("/stale-revision")
    assert table_counts() == before
    current = client.get(f"{API}/claims/{claim.id}").get_json()
    assert (current["text"], current["revision"]) == ("The stadium holds 45,000 people.", 2)


def test_a_patch_without_if_match_gets_428(client, make_claim, auth, problem, table_counts):
    claim = make_claim("The library opens at nine.")
    before = table_counts()

    problem(client.patch(f"{API}/claims/{claim.id}", json={"language": "en"}, headers=auth()), 428)

    assert table_counts() == before


def test_a_patch_that_changes_nothing_keeps_the_revision(client, make_claim, auth):
    claim = make_claim("Same words as before.", language="en")
    etag = client.get(f"{API}/claims/{claim.id}").headers["ETag"]

    response = client.patch(
        f"{API}/claims/{claim.id}", json={"language": "en"}, headers={**auth(), "If-Match": etag}
    )

    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["revision"] == 1
    assert response.headers["ETag"] == etag


def test_patching_text_to_null_gets_422(client, make_claim, auth, problem, table_counts):
    claim = make_claim("Text cannot vanish.")
    etag = client.get(f"{API}/claims/{claim.id}").headers["ETag"]
    before = table_counts()

    body = problem(
        client.patch(
            f"{API}/claims/{claim.id}", json={"text": None}, headers={**auth(), "If-Match": etag}
        ),
        422,
    )

    assert body["errors"][0]["field"] == "text"
    assert table_counts() == before


def test_patching_to_an_unknown_claimant_gets_422_naming_the_field(
    client, make_claim, auth, problem, table_counts
):
    claim = make_claim("Who said it, again?")
    etag = client.get(f"{API}/claims/{claim.id}").headers["ETag"]
    before = table_counts()

    body = problem(
        client.patch(
            f"{API}/claims/{claim.id}",
            json={"claimant_id": 2_000_000_000},
            headers={**auth(), "If-Match": etag},
        ),
        422,
    )

    assert table_counts() == before
    assert [e["field"] for e in body["errors"]] == ["claimant_id"]


def test_patching_an_unknown_claim_gets_404(client, auth, problem):
    problem(
        client.patch(
            f"{API}/claims/2000000000", json={"language": "en"}, headers={**auth(), "If-Match": "*"}
        ),
        404,
    )


def test_a_retracted_claim_cannot_be_patched(client, make_claim, auth, problem, table_counts):
    claim = make_claim("Retracted words.")
    client.post(f"{API}/claims/{claim.id}/retract", json={"reason": "x"}, headers=auth("editor"))
    etag = client.get(f"{API}/claims/{claim.id}").headers["ETag"]
    before = table_counts()

    problem(
        client.patch(
            f"{API}/claims/{claim.id}",
            json={"language": "en"},
            headers={**auth(), "If-Match": etag},
        ),
        409,
    )

    assert table_counts() == before


# ---- retract ------------------------------------------------------------------------------


def test_an_editor_retracts_a_claim_which_stays_readable(client, make_claim, auth):
    claim = make_claim("The dam will be finished in 2025.")

    response = client.post(
        f"{API}/claims/{claim.id}/retract",
        json={"reason": "Misattributed quote."},
        headers=auth("editor"),
    )

    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["retracted_at"] is not None
    assert body["retraction_reason"] == "Misattributed quote."
    assert body["revision"] == 2
    again = client.get(f"{API}/claims/{claim.id}").get_json()
    assert again["retracted_at"] == body["retracted_at"]
    assert client.get(f"{API}/claims/{claim.id}/status").get_json()["retracted"] is True
    assert claim.id not in ids(client.get(f"{API}/claims"))
    assert claim.id in ids(client.get(f"{API}/claims?include_retracted=true"))
    last = client.get(f"{API}/claims/{claim.id}/history").get_json()["data"][-1]
    assert (last["action"], last["actor"], last["changes"]) == (
        "retract",
        "token:test-editor",
        {"reason": "Misattributed quote."},
    )


def test_a_contributor_may_not_retract_a_claim(client, make_claim, auth, problem, table_counts):
    claim = make_claim("Contributors cannot withdraw this.")
    before = table_counts()

    body = problem(
        client.post(
            f"{API}/claims/{claim.id}/retract", json={"reason": "mine"}, headers=auth("contributor")
        ),
        403,
    )

    assert body["type"].endswith("/forbidden")
    assert table_counts() == before
    assert client.get(f"{API}/claims/{claim.id}").get_json()["retracted_at"] is None


def test_retracting_twice_gets_409(client, make_claim, auth, problem, table_counts):
    claim = make_claim("Withdrawn once is enough.")
    first = client.post(
        f"{API}/claims/{claim.id}/retract", json={"reason": "first"}, headers=auth("editor")
    )
    assert first.status_code == 200
    before = table_counts()

    problem(
        client.post(
            f"{API}/claims/{claim.id}/retract", json={"reason": "second"}, headers=auth("editor")
        ),
        409,
    )

    assert table_counts() == before
    assert client.get(f"{API}/claims/{claim.id}").get_json()["retraction_reason"] == "first"


def test_a_retraction_needs_a_reason(client, make_claim, auth, problem):
    claim = make_claim("No reason given.")
    body = problem(
        client.post(f"{API}/claims/{claim.id}/retract", json={}, headers=auth("editor")), 422
    )
    assert [e["field"] for e in body["errors"]] == ["reason"]


def test_retracting_an_unknown_claim_gets_404(client, auth, problem):
    problem(
        client.post(
            f"{API}/claims/2000000000/retract", json={"reason": "x"}, headers=auth("editor")
        ),
        404,
    )


def test_retracting_a_rebuttal_rescores_the_claim_it_rebutted(
    client, make_claim, make_source, make_evidence, make_relation, auth
):
    claim = make_claim("The factory employs 2,000 people.")
    make_evidence(claim, make_source("https://daily.example/factory"), stance="supports")
    rebuttal = make_claim("The factory employs fewer than 500 people.")
    make_relation(rebuttal, "rebuts", claim)
    before = client.get(f"{API}/claims/{claim.id}").get_json()
    assert before["counts"]["rebuttals"] == 1
    assert before["explanation"]["oppose"] > 0

    client.post(f"{API}/claims/{rebuttal.id}/retract", json={"reason": "x"}, headers=auth("editor"))

    status = client.get(f"{API}/claims/{claim.id}/status").get_json()
    assert status["status"] == "unsettled"
    assert status["counts"]["rebuttals"] == 0
    assert status["lean"] > before["lean"]
    assert status["contestedness"] == 0.0
    assert status["counts"]["rebuttals"] == 0


# ---- status ---------------------------------------------------------------------------------


def test_the_status_answer_is_compact_and_cacheable(client, make_claim, make_source, make_evidence):
    claim = make_claim("The ferry carries 300 cars.", claimant_name="Port Authority")
    make_evidence(claim, make_source("https://ferries.example/specs", kind="primary"))

    response = client.get(f"{API}/claims/{claim.id}/status")

    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) >= {
        "id",
        "text",
        "claimant",
        "status",
        "contestedness",
        "lean",
        "verdict",
        "headline",
        "counts",
        "retracted",
        "updated_at",
    }
    assert body["headline"] == "evidence"  # no verdict yet: the evidence state leads
    assert body["id"] == claim.id
    assert body["text"] == "The ferry carries 300 cars."
    assert body["claimant"] == "Port Authority"
    assert body["status"] == "unsettled"  # one primary source is not corroboration
    assert body["contestedness"] == 0.0
    assert 0 < body["lean"] < 0.5  # one source does not make a claim lean towards true
    assert body["verdict"] is None
    assert body["counts"] == {
        "supporting": 1,
        "refuting": 0,
        "mentioning": 0,
        "rebuttals": 0,
        "qualifications": 0,
        "backings": 0,
    }
    assert body["retracted"] is False
    assert response.headers["Cache-Control"] == "public, max-age=60, stale-while-revalidate=300"
    assert response.headers["ETag"].startswith('"')


def test_the_status_revalidates_to_304_until_evidence_changes_it(
    client, make_claim, make_source, auth
):
    claim = make_claim("The ferry runs hourly.")
    source = make_source("https://ferries.example/timetable")
    etag = client.get(f"{API}/claims/{claim.id}/status").headers["ETag"]

    unchanged = client.get(f"{API}/claims/{claim.id}/status", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged.data == b""
    added = client.post(
        f"{API}/claims/{claim.id}/evidence",
        json={"source_id": source.id, "stance": "mentions", "quote": "hourly"},
        headers=auth(),
    )
    assert added.status_code == 201

    changed = client.get(f"{API}/claims/{claim.id}/status", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert changed.get_json()["counts"]["mentioning"] == 1


def test_the_status_of_an_unknown_claim_gets_404(client, problem):
    problem(client.get(f"{API}/claims/2000000000/status"), 404)


# ---- match ----------------------------------------------------------------------------------


def test_match_ranks_similar_claims_with_scores_and_flags_duplicates(client, make_claim):
    bonus = make_claim("Meta offered OpenAI researchers signing bonuses of 100 million dollars.")
    package = make_claim(
        "Meta offered OpenAI researchers up to 300 million dollars over four years."
    )
    make_claim("The moon is made of green cheese.")

    response = client.get(
        f"{API}/claims/match",
        query_string={
            "text": "meta offered openai researchers a signing bonus of 100 million dollars"
        },
    )

    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert [m["claim_id"] for m in body["data"]] == [bonus.id, package.id]
    assert body["count"] == 2
    best, other = body["data"]
    assert best["duplicate"] is True and best["score"] >= body["threshold"]
    assert other["duplicate"] is False and other["score"] < body["threshold"]
    assert best["score"] > other["score"]
    assert best["text"] == bonus.text
    assert best["status"] == "unsourced"


def test_match_honours_the_limit_and_skips_retracted_claims(client, make_claim, auth):
    kept = make_claim("The orchestra plays Mahler on Friday night.")
    gone = make_claim("The orchestra plays Mahler on Friday nights.")
    client.post(f"{API}/claims/{gone.id}/retract", json={"reason": "dup"}, headers=auth("editor"))
    make_claim("The orchestra plays Mahler on Saturday night.")

    one = client.get(
        f"{API}/claims/match",
        query_string={"text": "orchestra plays Mahler Friday night", "limit": 1},
    ).get_json()

    assert [m["claim_id"] for m in one["data"]] == [kept.id]
    everything = client.get(
        f"{API}/claims/match", query_string={"text": "The orchestra plays Mahler on Friday nights."}
    ).get_json()
    assert gone.id not in [m["claim_id"] for m in everything["data"]]


@pytest.mark.parametrize("query", ["", "?text=", "?text=x&limit=0", "?text=x&limit=51", "?txt=x"])
def test_match_without_a_usable_text_gets_422(client, problem, query):
    problem(client.get(f"{API}/claims/match{query}"), 422)


# ---- the worked example ---------------------------------------------------------------------


def test_the_worked_example_leaves_altmans_claim_unsettled_despite_metas_denial(client, demo):
    demo()

    found = client.get(
        f"{API}/claims",
        query_string={"q": "prime à la signature de 100 millions", "claimant": "Ultraman"},
    ).get_json()["data"]

    assert len(found) == 1
    claim = found[0]
    assert claim["text"].startswith("Meta a utilisé une prime à la signature de 100 millions")
    # Bosworth's denial is first-hand: Meta is the party the claim is about. It counts, but
    # cannot outweigh Wired's report on its own.
    assert claim["status"] == "unsettled"
    denial = [c for c in claim["explanation"]["contributions"] if c["code"] == "rebuttal"]
    assert denial and all(c["interested"] for c in denial)
    assert any(c["capped"] for c in denial)
    assert claim["claimant"]["name"] == "Sam Altman"
    assert "Ultraman" in claim["claimant"]["aliases"]
    assert claim["counts"]["rebuttals"] == 2
    assert claim["verdict"]["rating"] == "mixed"
    reasons = {c["key"].split(":")[0] for c in claim["explanation"]["contributions"]}
    assert reasons == {"evidence", "relation"}


def test_the_worked_example_has_at_least_ten_claims(client, demo):
    demo()
    assert client.get(f"{API}/claims?limit=1").get_json()["count"] >= 10


def test_loading_the_worked_example_twice_changes_nothing(client, demo, table_counts):
    demo()
    first = table_counts(every=True)
    status = client.get(f"{API}/claims?limit=100").get_json()

    demo()

    assert table_counts(every=True) == first
    assert first["claim"] >= 10 and first["evidence"] >= 10 and first["relation"] >= 3
    assert client.get(f"{API}/claims?limit=100").get_json() == status


# ---- the explanation in words ---------------------------------------------------------------


def worked_example_id(client) -> int:
    found = client.get(
        f"{API}/claims", query_string={"q": "prime à la signature", "claimant": "Ultraman"}
    ).get_json()["data"]
    return found[0]["id"]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_claim_carries_the_pages_sentences_in_the_requests_language(client, demo, language):
    from html import unescape

    demo()
    claim_id = worked_example_id(client)
    header = {"Accept-Language": f"{language};q=1, de;q=0.5"}

    answer = client.get(f"{API}/claims/{claim_id}", headers=header)

    assert answer.status_code == 200
    assert "Accept-Language" in answer.headers["Vary"]
    body = answer.get_json()
    text = body["explanation_text"]
    assert text["language"] == language
    assert body["explanation"]["reasons"] == ["interested_party_capped"]  # codes stay
    markup = client.get(f"/claims/{claim_id}", headers=header).get_data(as_text=True)
    page = " ".join(unescape(re.sub(r"<[^>]+>", " ", markup)).split())  # the words a reader sees
    said = [text["headline"], text["state"], *text["sentences"], text["score"], *text["counts"]]
    assert len(text["sentences"]) >= 2
    for sentence in said:
        assert " ".join(sentence.split()) in page, sentence
    if language == "fr":
        assert text["headline"].startswith("Verdict de la rédaction")
        assert any("partie intéressée" in s for s in text["sentences"])
    else:
        assert text["headline"] == "Editor's verdict: Mixed"
        assert any("an interested party" in s for s in text["sentences"])


def test_the_explanation_is_in_english_unless_french_is_asked_for(client, demo):
    demo()
    claim_id = worked_example_id(client)

    plain = client.get(f"{API}/claims/{claim_id}").get_json()["explanation_text"]
    german = client.get(f"{API}/claims/{claim_id}", headers={"Accept-Language": "de"}).get_json()
    listed = client.get(f"{API}/claims?limit=100", headers={"Accept-Language": "fr"})

    assert plain["language"] == "en" and german["explanation_text"] == plain
    assert {c["explanation_text"]["language"] for c in listed.get_json()["data"]} == {"fr"}
    assert "Accept-Language" in listed.headers["Vary"]


def test_an_etag_fetched_in_french_is_a_valid_if_match_for_an_english_correction(
    client, post_claim, auth
):
    created = post_claim({"text": "The viaduct opened to traffic in 1998.", "language": "en"})
    location = created.headers["Location"]
    french = client.get(location, headers={"Accept-Language": "fr"})
    english = client.get(location)
    assert french.headers["ETag"] != english.headers["ETag"]

    answer = client.patch(
        location,
        json={"text": "The viaduct opened to traffic in 1999."},
        headers={**auth("editor"), "If-Match": french.headers["ETag"]},
    )

    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json()["explanation_text"]["language"] == "en"
