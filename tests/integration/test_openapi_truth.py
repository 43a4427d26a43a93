"""The OpenAPI document tells the truth: every header read, every status sent, every rule kept."""

from __future__ import annotations

import re
from typing import Any

import pytest
from jsonschema import Draft202012Validator

API = "/api/v1"


@pytest.fixture
def document(client) -> dict[str, Any]:
    return client.get(f"{API}/openapi.json").get_json()


def _op(document, method: str, path: str) -> dict[str, Any]:
    return document["paths"][f"{API}{path}"][method]


def _param(entry, name: str) -> dict[str, Any] | None:
    return next((p for p in entry["parameters"] if p["name"] == name), None)


def _valid(document, schema: dict[str, Any], value: Any) -> bool:
    full = {**schema, "components": document["components"]}
    return not list(Draft202012Validator(full).iter_errors(value))


def test_patch_claim_declares_the_if_match_it_requires_and_the_etag_it_sends(document):
    entry = _op(document, "patch", "/claims/{claim_id}")
    if_match = _param(entry, "If-Match")
    assert if_match is not None and if_match["in"] == "header" and if_match["required"] is True
    assert {"400", "412", "413", "415", "428"} <= set(entry["responses"])
    assert "ETag" in entry["responses"]["200"]["headers"]


@pytest.mark.parametrize("path", ["/claims/{claim_id}", "/claims/{claim_id}/status"])
def test_conditional_reads_declare_if_none_match_etag_and_304(document, path):
    entry = _op(document, "get", path)
    assert _param(entry, "If-None-Match") is not None
    assert "304" in entry["responses"]
    assert {"ETag", "Cache-Control"} <= set(entry["responses"]["200"]["headers"])


def test_the_duplicate_claim_answer_and_its_candidates_are_typed(client, auth, document):
    entry = _op(document, "post", "/claims")
    schema = entry["responses"]["409"]["content"]["application/problem+json"]["schema"]
    text = "The harbour wall was raised by two metres in 2019."
    assert client.post(f"{API}/claims", json={"text": text}, headers=auth()).status_code == 201
    duplicate = client.post(f"{API}/claims", json={"text": text}, headers=auth())
    assert duplicate.status_code == 409
    assert duplicate.json["candidates"]
    assert _valid(document, schema, duplicate.json)
    assert not _valid(document, schema, {**duplicate.json, "candidates": [{"claim_id": "x"}]})


def test_recording_a_known_source_again_answers_the_documented_200(client, auth, document):
    entry = _op(document, "post", "/sources")
    assert {"200", "201"} <= set(entry["responses"])
    body = {"url": "https://news.example/harbour-wall"}
    assert client.post(f"{API}/sources", json=body, headers=auth()).status_code == 201
    assert client.post(f"{API}/sources", json=body, headers=auth()).status_code == 200


def test_every_write_with_a_body_documents_400_413_415_and_every_write_409(document):
    for path, operations in document["paths"].items():
        for method, entry in operations.items():
            statuses = set(entry["responses"])
            if "requestBody" in entry:
                assert {"400", "413", "415", "422"} <= statuses, (method, path)
            if method != "get":
                assert "409" in statuses, (method, path)
            assert "414" in statuses, (method, path)


@pytest.mark.parametrize(
    ("model", "field"),
    [
        ("ClaimUpdate", "text"),
        ("ClaimUpdate", "language"),
        ("ClaimantUpdate", "name"),
        ("ClaimantUpdate", "kind"),
        ("SourceUpdate", "kind"),
    ],
)
def test_patch_schemas_do_not_offer_a_null_the_service_refuses(
    client, auth, make_claim, make_claimant, make_source, document, model, field
):
    schema = {"$ref": f"#/components/schemas/{model}"}
    assert not _valid(document, schema, {field: None})
    target = {
        "ClaimUpdate": lambda: f"/claims/{make_claim().id}",
        "ClaimantUpdate": lambda: f"/claimants/{make_claimant().id}",
        "SourceUpdate": lambda: f"/sources/{make_source().id}",
    }[model]()
    answer = client.patch(
        f"{API}{target}", json={field: None}, headers={**auth("editor"), "If-Match": "*"}
    )
    assert answer.status_code == 422


@pytest.mark.parametrize(
    ("pointer", "good", "bad"),
    [
        ("ClaimCreate/text", "Rents rose.", "Rents\u202e rose."),
        ("ClaimCreate/text", "Rents rose.", "   "),
        ("ClaimCreate/text", "Rents rose.", "Rents\x00rose."),
        ("ClaimantCreate/name", "Sam Altman", "\u202enamtlA maS"),
        ("ClaimantCreate/role", "", "CEO\ufffe"),
        ("ClaimCreate/language", "pt-BR", "Portuguese"),
        ("ClaimCreate/tags/items", " Economy ", "!!"),
    ],
)
def test_the_text_language_and_tag_rules_are_in_the_schema(
    client, auth, document, pointer, good, bad
):
    model, *path = pointer.split("/")
    node = document["components"]["schemas"][model]["properties"]
    node = node[path[0]]
    node = next((a for a in node.get("anyOf", [node]) if a.get("type") != "null"), node)
    if path[1:] == ["items"]:
        node = node["items"]
    pattern = node["pattern"]
    assert re.search(pattern, good) and not re.search(pattern, bad)


def test_operation_ids_are_readable_and_unique(document):
    ids = [e["operationId"] for ops in document["paths"].values() for e in ops.values()]
    assert len(ids) == len(set(ids))
    assert {"create_claim", "get_claim", "get_claim_status", "update_claim", "list_claims"} <= set(
        ids
    )
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", i) and "api_v1" not in i for i in ids)
