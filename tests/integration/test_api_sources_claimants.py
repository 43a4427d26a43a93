"""Sources and claimants through the app: idempotent creation, lookup, correction, rescoring."""

from __future__ import annotations

import pytest

API = "/api/v1"


def post_source(client, auth, body: dict, role: str = "contributor"):
    return client.post(f"{API}/sources", json=body, headers=auth(role))


# ---- sources ------------------------------------------------------------------------------


def test_recording_a_source_answers_201_with_its_normalised_url(client, auth):
    response = post_source(
        client,
        auth,
        {
            "url": "HTTPS://www.Wired.example:443/story/offers/?utm_source=tw&b=2&a=1#comments",
            "title": "What Meta offers",
            "author": "A. Writer",
            "published_on": "2025-07",
            "kind": "secondary",
            "publisher_name": "Wired",
        },
    )

    assert response.status_code == 201, response.get_data(as_text=True)
    source = response.get_json()
    assert response.headers["Location"] == f"{API}/sources/{source['id']}"
    assert source["url"] == "https://www.wired.example/story/offers/?a=1&b=2"
    assert source["original_url"].startswith("HTTPS://www.Wired.example:443/")
    assert source["publisher"]["domain"] == "wired.example"
    assert source["publisher"]["name"] == "Wired"
    assert (source["title"], source["author"], source["published_on"]) == (
        "What Meta offers",
        "A. Writer",
        "2025-07",
    )
    assert source["kind"] == "secondary"
    assert source["cites"] == []
    assert source["created_by"] == "token:test-contributor"
    assert (source["fetch_state"], source["snapshots"]) == ("pending", 0)  # fetched after commit
    shown = client.get(response.headers["Location"]).get_json()
    fetching = ("fetch_state", "fetch_reason", "last_fetched_at", "dead_since")
    assert shown == source | {name: shown[name] for name in fetching}


def test_source_and_claimant_timestamps_are_served_in_utc_with_their_zone(
    client, make_source, make_claimant
):
    source = make_source("https://zone.example/a")
    person = make_claimant("Zoned Person")

    shown_source = client.get(f"{API}/sources/{source.id}").get_json()
    shown_person = client.get(f"{API}/claimants/{person.id}").get_json()

    stamps = [shown_source["created_at"], shown_source["updated_at"], shown_person["created_at"]]
    assert all(s.endswith(("Z", "+00:00")) for s in stamps), stamps


def test_recording_the_same_article_again_answers_200_with_the_first_record(
    client, auth, table_counts
):
    first = post_source(client, auth, {"url": "https://paper.example/a?id=7", "title": "First"})
    before = table_counts()

    second = post_source(
        client,
        auth,
        {"url": "https://paper.example/a?utm_campaign=x&id=7&fbclid=abc#top", "title": "Other"},
    )

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.get_json()["id"] == first.get_json()["id"]
    assert second.get_json()["title"] == "First"
    assert second.headers["Location"] == first.headers["Location"]
    assert table_counts() == before


def test_a_source_records_what_it_cites(client, auth, make_source):
    upstream = make_source("https://wire.example/original", kind="primary")

    response = post_source(
        client,
        auth,
        {"url": "https://copy.example/repeat", "kind": "tertiary", "cites": [upstream.id]},
    )

    assert response.status_code == 201
    assert response.get_json()["cites"] == [upstream.id]


def test_citing_an_unknown_source_gets_422_and_writes_nothing(client, auth, problem, table_counts):
    before = table_counts()

    body = problem(
        post_source(client, auth, {"url": "https://brand-new.example/x", "cites": [2_000_000_000]}),
        422,
    )

    assert table_counts() == before
    assert [e["field"] for e in body["errors"]] == ["cites"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://files.example/x"}, "url"),
        ({"url": "not a url"}, "url"),
        ({"url": "https://user:pw@x.example/"}, "url"),
        ({"url": ""}, "url"),
        ({"url": "https://x.example/a", "kind": "quaternary"}, "kind"),
        ({"url": "https://x.example/a", "published_on": "July 2025"}, "published_on"),
        ({"url": "https://x.example/a", "cites": [0]}, "cites.0"),
        ({"url": "https://x.example/a", "cites": "1"}, "cites"),
        ({"url": "https://x.example/a", "website": "x"}, "website"),
        ({"title": "no url"}, "url"),
    ],
)
def test_an_invalid_source_gets_422_naming_the_field_and_writes_nothing(
    client, auth, problem, table_counts, body, field
):
    before = table_counts()

    answer = problem(post_source(client, auth, body), 422)

    assert table_counts() == before
    assert field in [e["field"] for e in answer["errors"]]


def test_recording_a_source_needs_a_token(client, problem, table_counts):
    before = table_counts()

    response = client.post(f"{API}/sources", json={"url": "https://x.example/anon"})

    problem(response, 401)
    assert "WWW-Authenticate" in response.headers
    assert table_counts() == before


def test_sources_are_listed_newest_first_and_filtered_by_publisher(client, make_source):
    a = make_source("https://alpha.example/1")
    b = make_source("https://www.beta.example/1")
    c = make_source("https://alpha.example/2")

    everything = client.get(f"{API}/sources").get_json()
    alpha = client.get(f"{API}/sources?publisher=alpha.example").get_json()
    paged = client.get(f"{API}/sources?limit=1&offset=1").get_json()

    assert [s["id"] for s in everything["data"]] == [c.id, b.id, a.id]
    assert everything["count"] == 3
    assert [s["id"] for s in alpha["data"]] == [c.id, a.id]
    assert alpha["count"] == 2
    assert [s["id"] for s in paged["data"]] == [b.id]
    assert paged["count"] == 3
    beta = client.get(f"{API}/sources?publisher=beta.example").get_json()
    assert [s["id"] for s in beta["data"]] == [b.id]


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "offset=-1", "page=2", "limit=x"])
def test_an_invalid_source_list_query_gets_422(client, problem, query):
    problem(client.get(f"{API}/sources?{query}"), 422)


def test_an_unknown_source_gets_404(client, auth, problem):
    problem(client.get(f"{API}/sources/2000000000"), 404)
    problem(client.patch(f"{API}/sources/2000000000", json={"title": "x"}, headers=auth()), 404)


def test_patching_a_source_corrects_its_fields(client, make_source, auth):
    source = make_source("https://fix.example/a", title="Tpyo")

    response = client.patch(
        f"{API}/sources/{source.id}",
        json={"title": "Typo fixed", "published_on": "2024-02-29", "author": "B. Writer"},
        headers=auth(),
    )

    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["title"], body["published_on"], body["author"]) == (
        "Typo fixed",
        "2024-02-29",
        "B. Writer",
    )
    assert client.get(f"{API}/sources/{source.id}").get_json()["title"] == "Typo fixed"


def test_changing_a_sources_kind_rescores_the_claims_resting_on_it(
    client, make_claim, make_source, make_evidence, auth
):
    claim = make_claim("The harbour handled a record tonnage.")
    make_evidence(claim, make_source("https://port-news.example/tonnage"), stance="supports")
    statement = make_source("https://port-authority.example/tonnage", kind="primary")
    refutation = make_evidence(claim, statement, stance="refutes")
    before = client.get(f"{API}/claims/{claim.id}").get_json()
    assert before["status"] == "refuted"

    response = client.patch(
        f"{API}/sources/{statement.id}", json={"kind": "tertiary"}, headers=auth()
    )

    assert response.status_code == 200
    assert response.get_json()["kind"] == "tertiary"
    after = client.get(f"{API}/claims/{claim.id}").get_json()
    part = next(
        c for c in after["explanation"]["contributions"] if c["key"] == f"evidence:{refutation.id}"
    )
    assert part["kind"] == "tertiary"
    assert -part["points"] < before["explanation"]["oppose"]  # a digest weighs less
    assert after["explanation"]["oppose"] == -part["points"]
    assert after["lean"] > before["lean"]


def test_a_source_that_starts_citing_another_counts_once_with_it(
    client, make_claim, make_source, make_evidence, auth
):
    claim = make_claim("The new vaccine is 95 percent effective.")
    original = make_source("https://journal.example/trial")
    repeat = make_source("https://daily.example/vaccine")
    downstream = make_source("https://digest.example/vaccine", cites=[repeat.id])
    for source in (original, repeat, downstream):
        make_evidence(claim, source, stance="supports")
    independent = client.get(f"{API}/claims/{claim.id}").get_json()["explanation"]
    # journal + daily (the digest repeats the daily)
    assert len([c for c in independent["contributions"] if c["points"] > 0]) == 2

    response = client.patch(
        f"{API}/sources/{repeat.id}", json={"cites": [original.id]}, headers=auth()
    )

    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["cites"] == [original.id]
    explanation = client.get(f"{API}/claims/{claim.id}").get_json()["explanation"]
    assert {c["origin"] for c in explanation["contributions"]} == {"journal.example"}
    assert sum(1 for c in explanation["contributions"] if c["points"] > 0) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"cites": [2_000_000_000]}, "cites"),
        ({"kind": None}, "kind"),
        ({"kind": "quaternary"}, "kind"),
        ({"url": "https://elsewhere.example/"}, "url"),
        ({"published_on": "2024-02-30"}, "published_on"),
    ],
)
def test_an_invalid_source_correction_gets_422_and_changes_nothing(
    client, make_source, auth, problem, table_counts, body, field
):
    source = make_source("https://stable.example/a", title="Stable")
    before = table_counts()
    shown = client.get(f"{API}/sources/{source.id}").get_json()

    answer = problem(
        client.patch(
            f"{API}/sources/{source.id}", json={"title": "Changed", **body}, headers=auth()
        ),
        422,
    )

    assert table_counts() == before
    assert client.get(f"{API}/sources/{source.id}").get_json() == shown
    assert field in [e["field"] for e in answer["errors"]]


def test_a_source_cannot_cite_itself_or_make_a_cycle(client, make_source, auth, problem):
    upstream = make_source("https://up.example/a")
    downstream = make_source("https://down.example/a", cites=[upstream.id])

    itself = problem(
        client.patch(f"{API}/sources/{upstream.id}", json={"cites": [upstream.id]}, headers=auth()),
        422,
    )
    cycle = problem(
        client.patch(
            f"{API}/sources/{upstream.id}", json={"cites": [downstream.id]}, headers=auth()
        ),
        422,
    )

    assert itself["errors"][0]["field"] == cycle["errors"][0]["field"] == "cites"
    assert client.get(f"{API}/sources/{upstream.id}").get_json()["cites"] == []


# ---- claimants ----------------------------------------------------------------------------


def test_recording_a_claimant_with_aliases(client, auth):
    response = client.post(
        f"{API}/claimants",
        json={
            "name": "Andrew Bosworth",
            "kind": "person",
            "role": "CTO of Meta",
            "aliases": ["Boz", "BOZ", "Bosworth", "andrew bosworth"],
        },
        headers=auth(),
    )

    assert response.status_code == 201, response.get_data(as_text=True)
    claimant = response.get_json()
    assert response.headers["Location"] == f"{API}/claimants/{claimant['id']}"
    assert claimant["name"] == "Andrew Bosworth"
    assert claimant["role"] == "CTO of Meta"
    assert claimant["kind"] == "person"
    assert claimant["aliases"] == ["Boz", "Bosworth"]  # repeats and the name itself dropped
    assert client.get(response.headers["Location"]).get_json() == claimant


@pytest.mark.parametrize("name", ["boz", "BOZ", "Böz", "andrew  BOSWORTH", "Andrew Bosworth"])
def test_a_claimant_is_found_by_any_alias_in_any_case_or_accents(client, make_claimant, name):
    boz = make_claimant("Andrew Bosworth", aliases=["Boz"])
    make_claimant("Sam Altman", aliases=["Ultraman"])

    found = client.get(f"{API}/claimants", query_string={"name": name}).get_json()

    assert [c["id"] for c in found["data"]] == [boz.id]
    assert found["count"] == 1


def test_the_claimant_list_is_ordered_by_name_and_paged(client, make_claimant):
    zed = make_claimant("Zed Zimmer")
    amy = make_claimant("Amy Abbott")
    mia = make_claimant("Mia Moreau")

    everything = client.get(f"{API}/claimants").get_json()
    second = client.get(f"{API}/claimants?limit=1&offset=1").get_json()

    assert [c["id"] for c in everything["data"]] == [amy.id, mia.id, zed.id]
    assert everything["count"] == 3
    assert [c["id"] for c in second["data"]] == [mia.id]
    assert client.get(f"{API}/claimants?name=nobody").get_json() == {"data": [], "count": 0}


def test_patching_a_claimant_adds_aliases_and_keeps_the_old_ones(client, make_claimant, auth):
    altman = make_claimant("Sam Altman", aliases=["Altman"])

    response = client.patch(
        f"{API}/claimants/{altman.id}",
        json={"aliases": ["Ultraman", "ALTMAN"], "role": "CEO of OpenAI"},
        headers=auth(),
    )

    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["aliases"] == ["Altman", "Ultraman"]
    assert body["role"] == "CEO of OpenAI"
    found = client.get(f"{API}/claimants", query_string={"name": "ULTRAMAN"}).get_json()
    assert [c["id"] for c in found["data"]] == [altman.id]


def test_renaming_a_claimant_finds_them_by_the_new_name(client, make_claimant, auth):
    person = make_claimant("Jon Smith")

    response = client.patch(
        f"{API}/claimants/{person.id}", json={"name": "John Smith"}, headers=auth()
    )

    assert response.status_code == 200
    assert response.get_json()["name"] == "John Smith"
    found = client.get(f"{API}/claimants", query_string={"name": "john smith"}).get_json()
    assert [c["id"] for c in found["data"]] == [person.id]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": None}, "name"),
        ({"kind": None}, "kind"),
        ({"kind": "robot"}, "kind"),
        ({"aliases": "Boz"}, "aliases"),
        ({"nickname": "Boz"}, "nickname"),
        ({"name": ""}, "name"),
    ],
)
def test_an_invalid_claimant_correction_gets_422_and_changes_nothing(
    client, make_claimant, auth, problem, table_counts, body, field
):
    person = make_claimant("Kept Asis", aliases=["Kept"])
    before = table_counts()

    answer = problem(client.patch(f"{API}/claimants/{person.id}", json=body, headers=auth()), 422)

    assert table_counts() == before
    assert client.get(f"{API}/claimants/{person.id}").get_json()["name"] == "Kept Asis"
    assert field in [e["field"] for e in answer["errors"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "Ok", "kind": "robot"}, "kind"),
        ({"name": "Ok", "aliases": ["a"] * 51}, "aliases"),
        ({"name": "Ok", "aliases": [""]}, "aliases.0"),
        ({"name": "Bad\u0000Name"}, "name"),
    ],
)
def test_an_invalid_claimant_gets_422_and_writes_nothing(
    client, auth, problem, table_counts, body, field
):
    before = table_counts()

    answer = problem(client.post(f"{API}/claimants", json=body, headers=auth()), 422)

    assert table_counts() == before
    assert field in [e["field"] for e in answer["errors"]]


def test_an_unknown_claimant_gets_404(client, auth, problem):
    problem(client.get(f"{API}/claimants/2000000000"), 404)
    problem(client.patch(f"{API}/claimants/2000000000", json={"role": "x"}, headers=auth()), 404)


def test_writing_claimants_needs_a_token(client, make_claimant, problem, table_counts):
    person = make_claimant("Token Less")
    before = table_counts()

    problem(client.post(f"{API}/claimants", json={"name": "Anon"}), 401)
    problem(client.patch(f"{API}/claimants/{person.id}", json={"role": "x"}), 401)

    assert table_counts() == before


def test_a_name_shared_by_two_claimants_must_be_disambiguated(
    post_claim, make_claimant, problem, table_counts
):
    make_claimant("Sam Altman", aliases=["Sam"])
    make_claimant("Sam Bankman", aliases=["Sam"], homonym=True)  # an editor said so
    before = table_counts()

    problem(post_claim({"text": "Which Sam said this?", "claimant_name": "sam"}), 409)

    assert table_counts() == before
