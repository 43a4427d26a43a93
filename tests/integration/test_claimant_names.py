"""One name, one person: a name or alias already on record cannot be taken by a new claimant.

Before, anyone could record a claimant named "Ultraman" although it is Sam Altman's alias, and
from then on every claim attributed to "Ultraman" was refused as ambiguous. The register of
names (a unique index over every folded name and alias) refuses the squatter with 409, naming
the claimant on record; an editor who knows it is another person says so (``homonym``).
"""

from __future__ import annotations

API = "/api/v1"


def test_a_new_claimant_named_like_an_existing_alias_is_refused_with_the_owner(
    client, auth, make_claimant, problem, table_counts
):
    altman = make_claimant("Sam Altman", aliases=["Ultraman"])
    before = table_counts()

    body = problem(client.post(f"{API}/claimants", json={"name": "ULTRAMAN"}, headers=auth()), 409)

    assert f"claimant {altman.id}" in body["detail"]
    assert table_counts() == before
    found = client.post(
        f"{API}/claims",
        json={"text": "Meta offered $100M.", "claimant_name": "Ultraman"},
        headers=auth(),
    )
    assert found.status_code == 201 and found.get_json()["claimant"]["id"] == altman.id


def test_an_alias_that_is_another_claimants_name_is_refused_too(
    client, auth, make_claimant, problem
):
    make_claimant("Andrew Bosworth")

    problem(
        client.post(
            f"{API}/claimants",
            json={"name": "Boz Fan", "aliases": ["andrew bosworth"]},
            headers=auth(),
        ),
        409,
    )
    mine = client.post(f"{API}/claimants", json={"name": "Boz Fan"}, headers=auth()).get_json()
    problem(
        client.patch(
            f"{API}/claimants/{mine['id']}",
            json={"aliases": ["Andrew Bosworth"]},
            headers=auth(),
        ),
        409,
    )


def test_an_editor_may_record_a_different_person_who_shares_a_name(
    client, auth, make_claimant, problem
):
    make_claimant("John Smith")
    asked = {"name": "John Smith", "homonym": True}

    problem(client.post(f"{API}/claimants", json=asked, headers=auth("contributor")), 403)
    second = client.post(f"{API}/claimants", json=asked, headers=auth("editor"))

    assert second.status_code == 201
    ambiguous = client.post(
        f"{API}/claims",
        json={"text": "Rates will fall.", "claimant_name": "John Smith"},
        headers=auth(),
    )
    problem(ambiguous, 409)  # the shared name now honestly names two people


def test_a_renamed_claimant_frees_its_old_name(client, auth, make_claimant):
    first = make_claimant("Jane Roe")
    renamed = client.patch(f"{API}/claimants/{first.id}", json={"name": "Jane Doe"}, headers=auth())
    assert renamed.status_code == 200

    again = client.post(f"{API}/claimants", json={"name": "Jane Roe"}, headers=auth())

    assert again.status_code == 201
