"""The API's description of itself: OpenAPI 3.1 generated from the classes it enforces."""

from __future__ import annotations

import re
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import OpenAPIV31SpecValidator

API = "/api/v1"
NOT_OPERATIONS = {f"{API}/openapi.json", f"{API}/docs"}
BODIES = {
    ("post", "/claims"): "ClaimCreate",
    ("patch", "/claims/{claim_id}"): "ClaimUpdate",
    ("post", "/claims/{claim_id}/retract"): "Retraction",
    ("post", "/claims/{claim_id}/evidence"): "EvidenceCreate",
    ("post", "/claims/{claim_id}/evidence/{evidence_id}/retract"): "Retraction",
    ("post", "/claims/{claim_id}/relations"): "RelationCreate",
    ("post", "/claims/{claim_id}/relations/{relation_id}/retract"): "Retraction",
    ("patch", "/claims/{claim_id}/evidence/{evidence_id}"): "EvidenceUpdate",
    ("patch", "/claims/{claim_id}/relations/{relation_id}"): "RelationUpdate",
    ("post", "/claims/{claim_id}/verdicts"): "VerdictCreate",
    ("post", "/claims/{claim_id}/verdicts/withdraw"): "Retraction",
    ("post", "/sources"): "SourceCreate",
    ("patch", "/sources/{source_id}"): "SourceUpdate",
    ("post", "/claimants"): "ClaimantCreate",
    ("patch", "/claimants/{claimant_id}"): "ClaimantUpdate",
    ("post", "/imports/claimreview"): "ClaimReviewImport",
    ("post", "/subscriptions"): "SubscriptionCreate",
    ("patch", "/subscriptions/{subscription_id}"): "SubscriptionUpdate",
}
# Writes whose whole request is the path: queue a new fetch of a source's page, end a
# subscription, send a delivery again.
WITHOUT_BODY = {
    ("post", "/sources/{source_id}/fetch"),
    ("delete", "/subscriptions/{subscription_id}"),
    ("post", "/subscriptions/{subscription_id}/deliveries/{delivery_id}/retry"),
}
# Reads that are nobody's but their owner's: webhook subscriptions and their deliveries.
PRIVATE_READS = {
    f"{API}/subscriptions",
    f"{API}/subscriptions/{{subscription_id}}",
    f"{API}/subscriptions/{{subscription_id}}/deliveries",
}


@pytest.fixture
def document(client) -> dict[str, Any]:
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def routes(app) -> set[tuple[str, str]]:
    """(method, OpenAPI path) of every JSON API route the app serves."""
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API) or rule.rule in NOT_OPERATIONS:
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found.add((method.lower(), path))
    return found


def documented(document) -> set[tuple[str, str]]:
    return {(m, p) for p, ops in document["paths"].items() for m in ops}


def refs(node: Any) -> list[str]:
    """Every $ref anywhere in a JSON value."""
    if isinstance(node, dict):
        here = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return here + [r for v in node.values() for r in refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in refs(v)]
    return []


def resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), f"{ref} points outside the document"
    node: Any = document
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and part in node, f"{ref} does not resolve"
        node = node[part]
    return node


def test_the_document_is_openapi_3_1(document):
    assert document["openapi"] == "3.1.0"
    assert document["info"]["title"] == "claimdesk API"
    assert document["info"]["version"] == "1"


def test_the_document_passes_the_openapi_3_1_validator(document):
    errors = [str(e.message) for e in OpenAPIV31SpecValidator(document).iter_errors()]
    assert errors == []


def test_every_route_of_the_api_is_documented_and_nothing_else(app, document):
    served = routes(app)
    assert len(served) == 43  # 22 reads, the 18 writes of BODIES and 3 WITHOUT_BODY
    writes = {(m, API + p) for m, p in BODIES} | {(m, API + p) for m, p in WITHOUT_BODY}
    assert {op for op in served if op[0] != "get"} == writes
    assert documented(document) == served


def test_every_ref_resolves_inside_the_document(document):
    found = refs(document)
    assert len(found) > 50
    for ref in found:
        resolve(document, ref)


@pytest.mark.parametrize(("operation", "model"), list(BODIES.items()), ids=str)
def test_request_bodies_reference_the_classes_that_validate_them(document, operation, model):
    method, path = operation
    entry = document["paths"][API + path][method]
    body = entry["requestBody"]
    assert body["required"] is True
    assert body["content"]["application/json"]["schema"] == {
        "$ref": f"#/components/schemas/{model}"
    }
    assert entry["security"] == [{"bearer": []}]
    assert "401" in entry["responses"]


def test_reads_need_no_token_and_writes_do(document):
    for path, operations in document["paths"].items():
        for method, entry in operations.items():
            if method == "get" and path in PRIVATE_READS:
                assert entry["security"] == [{"bearer": []}], (method, path)
            elif method == "get":
                assert "security" not in entry, (method, path)
                assert "requestBody" not in entry, (method, path)
            else:
                assert entry["security"] == [{"bearer": []}], (method, path)


def test_every_error_response_is_a_problem(document):
    for operations in document["paths"].values():
        for entry in operations.values():
            for status, response in entry["responses"].items():
                if status.startswith(("4", "5")):
                    schema = response["content"]["application/problem+json"]["schema"]
                    assert schema["$ref"] in (
                        "#/components/schemas/Problem",
                        "#/components/schemas/DuplicateProblem",  # Problem with candidates
                    )


def test_the_documented_success_statuses_are_the_served_ones(document):
    claims = document["paths"][f"{API}/claims"]
    assert set(claims["post"]["responses"]) >= {"201", "409", "422"}
    assert claims["post"]["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ClaimCreatedPublic"
    }
    assert "200" in claims["get"]["responses"]
    patch = document["paths"][f"{API}/claims/{{claim_id}}"]["patch"]
    assert {"412", "428"} <= set(patch["responses"])


def test_corrections_of_evidence_and_relations_document_if_match_and_their_etag(document):
    for path in (
        f"{API}/claims/{{claim_id}}/evidence/{{evidence_id}}",
        f"{API}/claims/{{claim_id}}/relations/{{relation_id}}",
    ):
        patch = document["paths"][path]["patch"]
        assert {"200", "403", "412", "422", "428"} <= set(patch["responses"])
        assert "ETag" in patch["responses"]["200"]["headers"]
        (if_match,) = [p for p in patch["parameters"] if p["name"] == "If-Match"]
        assert if_match["required"] is True and if_match["in"] == "header"


def test_the_claim_schema_says_what_the_api_enforces(document):
    schema = document["components"]["schemas"]["ClaimCreate"]
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["text"]
    assert schema["properties"]["text"]["maxLength"] == 2000
    assert schema["properties"]["text"]["minLength"] == 1
    stance = resolve(
        document,
        document["components"]["schemas"]["EvidenceCreate"]["properties"]["stance"]["$ref"],
    )
    assert set(stance["enum"]) == {"supports", "refutes", "mentions"}


def test_query_parameters_are_documented_from_the_query_classes(document):
    params = {
        p["name"]: p
        for p in document["paths"][f"{API}/claims"]["get"]["parameters"]
        if p["in"] == "query"
    }
    assert {
        "q",
        "claimant",
        "claimant_id",
        "status",
        "contestedness_min",
        "contestedness_max",
        "language",
        "tag",
        "since",
        "include_retracted",
        "sort",
        "limit",
        "cursor",
    } == set(params)
    assert all(p["in"] == "query" and p["required"] is False for p in params.values())
    match = {p["name"]: p for p in document["paths"][f"{API}/claims/match"]["get"]["parameters"]}
    assert match["text"]["required"] is True
    path_params = document["paths"][f"{API}/claims/{{claim_id}}/status"]["get"]["parameters"]
    assert path_params == [
        {
            "name": "claim_id",
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
        },
        {
            "name": "If-None-Match",
            "in": "header",
            "required": False,
            "description": "ETags of copies you hold; 304 when one is current.",
            "schema": {"type": "string"},
        },
        {
            "name": "Accept-Language",
            "in": "header",
            "required": False,
            "description": "The language of ``summary``: ``en`` or ``fr`` (the best match of the "
            "list), English when neither is asked for. ``reasons``, ``status`` and ``verdict`` "
            "stay codes.",
            "schema": {"type": "string"},
        },
    ]


def test_served_answers_match_their_documented_schemas(client, document, demo):
    demo()
    claim_id = client.get(f"{API}/claims?limit=1").get_json()["data"][0]["id"]
    checks = {
        f"{API}/claims": "ClaimsPublic",
        f"{API}/claims/{claim_id}": "ClaimPublic",
        f"{API}/claims/{claim_id}/status": "ClaimStatusPublic",
        f"{API}/claims/{claim_id}/evidence": "EvidenceListPublic",
        f"{API}/claims/{claim_id}/relations": "RelationsPublic",
        f"{API}/claims/{claim_id}/verdicts": "VerdictsPublic",
        f"{API}/claims/{claim_id}/history": "HistoryPublic",
        f"{API}/claims/match?text=prime+signature": "MatchesPublic",
        f"{API}/sources": "SourcesPublic",
        f"{API}/claimants": "ClaimantsPublic",
    }
    for url, model in checks.items():
        schema = {"$ref": f"#/components/schemas/{model}", "components": document["components"]}
        answer = client.get(url).get_json()
        errors = [e.message for e in Draft202012Validator(schema).iter_errors(answer)]
        assert errors == [], (url, errors)


def test_a_problem_answer_matches_the_problem_schema(client, document):
    schema = {"$ref": "#/components/schemas/Problem", "components": document["components"]}
    answer = client.get(f"{API}/claims?limit=0").get_json()
    assert list(Draft202012Validator(schema).iter_errors(answer)) == []


def test_the_docs_page_lists_every_operation(client, document):
    response = client.get(f"{API}/docs")

    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "<h1>claimdesk API" in page
    for path, operations in document["paths"].items():
        for method, entry in operations.items():
            assert f'id="{entry["operationId"]}"' in page
            assert f"<code>{path}</code>" in page, path
            assert method.upper() in page
    assert "<code>ClaimCreate</code>" in page


def test_the_home_page_points_people_at_the_docs(client):
    response = client.get("/")
    assert response.status_code == 200
    assert f'href="{API}/docs"' in response.get_data(as_text=True)


def test_every_event_is_documented_in_the_webhooks_section(document):
    from claims.notices.models import EventType

    hooks = document["webhooks"]
    assert set(hooks) == {e.value for e in EventType}
    assert "claim.verdict.changed" in hooks and "source.dead" in hooks
    for name, entry in hooks.items():
        post = entry["post"]
        schema = post["requestBody"]["content"]["application/json"]["schema"]
        assert {"$ref": "#/components/schemas/EventBody"} in schema["allOf"]
        assert {"properties": {"type": {"const": name}}} in schema["allOf"]
        headers = {p["name"] for p in post["parameters"] if p["in"] == "header"}
        assert headers == {"webhook-id", "webhook-timestamp", "webhook-signature"}
    body = document["components"]["schemas"]["EventBody"]
    assert set(body["required"]) == {"type", "timestamp", "data"}


def test_the_explanation_in_words_and_its_language_header_are_documented(document):
    claim = document["components"]["schemas"]["ClaimPublic"]["properties"]
    text = document["components"]["schemas"]["ExplanationText"]

    assert "explanation_text" in claim and "explanation" in claim
    assert text["properties"]["language"]["enum"] == ["en", "fr"]
    assert {"headline", "state", "disagreement", "sentences", "score", "counts"} <= set(
        text["properties"]
    )
    get = document["paths"]["/api/v1/claims/{claim_id}"]["get"]
    assert "Accept-Language" in [p["name"] for p in get["parameters"]]
    assert "Vary" in get["responses"]["200"]["headers"]


def test_the_status_polls_words_codes_and_language_header_are_documented(document):
    schemas = document["components"]["schemas"]
    status = schemas["ClaimStatusPublic"]["properties"]
    summary = schemas["StatusSummary"]

    assert {"reasons", "summary", "counts", "verdict", "headline"} <= set(status)
    assert summary["properties"]["language"]["enum"] == ["en", "fr"]
    assert set(summary["required"]) == {"language", "headline", "state", "disagreement"}
    assert {"qualifications", "backings", "rebuttals"} <= set(schemas["Counts"]["required"])
    get = document["paths"]["/api/v1/claims/{claim_id}/status"]["get"]
    language = [p for p in get["parameters"] if p["name"] == "Accept-Language"]
    assert len(language) == 1 and "summary" in language[0]["description"]
    for answer in ("200", "304"):
        assert "Vary" in get["responses"][answer]["headers"], answer
    assert "reasons" in get["description"] and "summary" in get["description"]
