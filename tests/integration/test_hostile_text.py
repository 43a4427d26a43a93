"""Text that would mislead readers or break a document: refused on input, neutralised on output."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import text as sql

SPOOF = "\u202enamtlA maS"  # shows as "Sam Altman"


@pytest.mark.parametrize("name", [SPOOF, "Sam\u2066 Altman\u2069", "Sam Altman\ufffe"])
def test_a_claimant_name_with_bidi_controls_or_noncharacters_is_refused(client, auth, name):
    response = client.post("/api/v1/claimants", json={"name": name}, headers=auth())
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "name"


def test_an_alias_or_claimant_name_on_a_claim_with_an_override_is_refused(client, auth):
    alias = client.post(
        "/api/v1/claimants", json={"name": "Ada Example", "aliases": [SPOOF]}, headers=auth()
    )
    assert alias.status_code == 422
    claim = client.post(
        "/api/v1/claims",
        json={"text": "The river rose overnight.", "claimant_name": SPOOF},
        headers=auth(),
    )
    assert claim.status_code == 422


def test_the_badge_stays_valid_xml_when_a_stored_text_holds_a_noncharacter(
    client, session, make_claim
):
    claim = make_claim(text="The river rose three metres overnight.", claimant_name="Ada")
    # A row recorded before the rule existed: written below the API's validation.
    session.execute(
        sql("UPDATE claim SET text = :t WHERE id = :id"),
        {"t": "The river\ufffe rose \u202eoverflow\uffff", "id": claim.id},
    )
    session.execute(
        sql("UPDATE claimant SET name = :n WHERE id = :id"),
        {"n": SPOOF, "id": claim.claimant_id},
    )
    session.commit()

    badge = client.get(f"/embed/claims/{claim.id}.svg")
    assert badge.status_code == 200
    root = ET.fromstring(badge.data)  # raises on U+FFFE or U+FFFF
    title = root.find("{http://www.w3.org/2000/svg}title")
    assert title is not None and title.text is not None
    assert "The river rose overflow" in title.text

    card = client.get(f"/embed/claims/{claim.id}").get_data(as_text=True)
    for char in ("\ufffe", "\uffff", "\u202e"):
        assert char not in card
    assert "namtlA maS" in card
