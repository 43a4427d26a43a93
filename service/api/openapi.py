"""The OpenAPI 3.1 document, built from the operations and pydantic classes the API enforces.

What each operation can answer is derived from how it is declared, the same way the request
is handled: a body means 400 (malformed JSON, a repeated key, another charset), 413 and 415; a
token means 401 and 403; a write may lose a race (409); a path id means 404; every operation
refuses an unknown or invalid query parameter with 422; a request line over 4 KB gets 414
from the server in front of it.
The few answers that depend on the route itself (If-Match and the 412/428 it brings, ETag and
304 on conditional reads, the existing source's 200, the duplicate claim's candidates) are
declared below by operation id, so a generated client has an argument for every header the
service reads and a type for every member it sends.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from service.api import webhooks_doc
from service.api.operation import OPERATIONS, Operation

REF = "#/components/schemas/{model}"
PROBLEM_REF = {"$ref": REF.format(model="Problem")}
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details. ``type`` is a page of this claimdesk explaining "
    "the problem (in English and French).",
    "properties": {
        "type": {"type": "string", "format": "uri-reference"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "pointer": {"type": "string"},
                    "message": {"type": "string"},
                    "type": {"type": "string"},
                },
            },
        },
    },
    "required": ["type", "title", "status"],
}
DUPLICATE_SCHEMA: dict[str, Any] = {
    "description": "409 on POST /claims: the claim nearly duplicates these live claims.",
    "allOf": [
        PROBLEM_REF,
        {
            "type": "object",
            "properties": {
                "candidates": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "claim_id": {"type": "integer"},
                            "text": {"type": "string"},
                            "score": {"type": "number", "minimum": 0, "maximum": 100},
                        },
                        "required": ["claim_id", "text", "score"],
                    },
                }
            },
            "required": ["candidates"],
        },
    ],
}
REASONS = {
    304: "Not modified: the copy named in If-None-Match is current",
    400: "Malformed request (JSON, repeated key, charset)",
    401: "Missing or invalid token",
    403: "Role not allowed",
    404: "Not found",
    409: "Conflict (duplicate or concurrent change)",
    412: "Stale If-Match",
    413: "Body too large",
    414: "Request line over 4 KB",
    415: "Body is not JSON",
    422: "Invalid fields or query parameters",
    428: "If-Match required",
    502: "The page's server failed",
}
ETAG = {"description": "Strong validator of this representation.", "schema": {"type": "string"}}
CACHE_CONTROL = {"description": "How long the answer may be reused.", "schema": {"type": "string"}}
IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "ETags of copies you hold; 304 when one is current.",
    "schema": {"type": "string"},
}
IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": True,
    "description": "The ETag of the claim as you fetched it (or *); 412 when it is stale.",
    "schema": {"type": "string", "minLength": 1},
}
ACCEPT_LANGUAGE = {
    "name": "Accept-Language",
    "in": "header",
    "required": False,
    "description": "The language of ``explanation_text``: ``en`` or ``fr`` (the best match of "
    "the list), English when neither is asked for. The codes in ``explanation`` never change.",
    "schema": {"type": "string"},
}
VARY = {
    "description": "Accept-Language: the explanation's words follow it.",
    "schema": {"type": "string"},
}
# Operations that answer with claims whose ``explanation_text`` follows Accept-Language.
WORDED = {"get_claim", "list_claims", "create_claim", "update_claim", "retract_claim"}
# The status poll words its ``summary`` in the language asked for; each language has its own
# body, and so its own ETag.
ACCEPT_LANGUAGE_STATUS = {
    **ACCEPT_LANGUAGE,
    "description": "The language of ``summary``: ``en`` or ``fr`` (the best match of the list), "
    "English when neither is asked for. ``reasons``, ``status`` and ``verdict`` stay codes.",
}
VARY_STATUS = {
    "description": "Accept-Language: the summary's words follow it, and so does the ETag.",
    "schema": {"type": "string"},
}
CONDITIONAL_READS = {"get_claim", "get_claim_status"}
# Corrections that name the version they edited in If-Match (412 stale, 428 missing).
CONDITIONAL_WRITES = {"update_claim", "update_evidence", "update_relation"}
IF_MATCH_REVISION = {
    **IF_MATCH,
    "description": 'The item\'s revision as an entity tag ("3"), or *; 412 when it is stale.',
}
# Operation ids that differ from the view's name (the view's name is the endpoint url_for uses).
RENAMED = {
    "get_claim_view": "get_claim",
    "claim_status": "get_claim_status",
    "claim_history": "get_claim_history",
    "refetch_source": "fetch_source",
    "list_evidence": "list_claim_evidence",
    "list_relations": "list_claim_relations",
    "list_verdicts": "list_claim_verdicts",
}


def build(*, title: str, version: str) -> dict[str, Any]:
    """The whole document."""
    models: set[type[BaseModel]] = set()
    for op in OPERATIONS:
        for model in (op.body, op.query, op.response):
            if model is not None:
                models.add(model)
    ordered = sorted(models, key=lambda m: m.__name__)
    keys = [(m, "validation" if _is_input(m) else "serialization") for m in ordered]
    _, schemas = models_json_schema(keys, ref_template=REF)  # type: ignore[arg-type]
    components = dict(schemas.get("$defs", {}))
    components["Problem"] = PROBLEM_SCHEMA
    components["DuplicateProblem"] = DUPLICATE_SCHEMA
    webhooks, webhook_schemas = webhooks_doc.section(REF)
    components.update(webhook_schemas)
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": title,
            "version": version,
            "description": "Claims, sources, evidence, rebuttals and explainable contestedness.",
        },
        "paths": dict(sorted(paths.items())),
        "webhooks": webhooks,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def operation_id(op: Operation) -> str:
    """A readable operation id: the view's name (``create_claim``, ``get_claim_status``)."""
    if op.name:
        return RENAMED.get(op.name, op.name)
    return f"{op.method}_{re.sub(r'[^a-z0-9]+', '_', op.path.lower()).strip('_')}"


def _is_input(model: type[BaseModel]) -> bool:
    return any(op.body is model or op.query is model for op in OPERATIONS)


def _errors(op: Operation, op_id: str) -> list[int]:
    """Every error status the operation can answer (see the module docstring)."""
    found = set(op.errors) | {414, 422}
    if op.body is not None:
        found |= {400, 413, 415}
    if op.auth:
        found |= {401, 403}
    if op.method != "get":
        found.add(409)  # a concurrent writer won: commit_or_conflict
    if "{" in op.path:
        found.add(404)
    if op_id in CONDITIONAL_WRITES:
        found |= {412, 428}
    return sorted(found)


def _json(schema: dict[str, Any], media: str = "application/json") -> dict[str, Any]:
    return {media: {"schema": schema}}


def _operation(op: Operation) -> dict[str, Any]:
    op_id = operation_id(op)
    parameters = _path_parameters(op.path) + _query_parameters(op.query)
    if op_id in CONDITIONAL_READS:
        parameters.append(IF_NONE_MATCH)
    if op_id == "update_claim":
        parameters.append(IF_MATCH)
    elif op_id in CONDITIONAL_WRITES:
        parameters.append(IF_MATCH_REVISION)
    if op_id in WORDED:
        parameters.append(ACCEPT_LANGUAGE)
    elif op_id == "get_claim_status":
        parameters.append(ACCEPT_LANGUAGE_STATUS)
    entry: dict[str, Any] = {
        "summary": op.summary,
        "operationId": op_id,
        "tags": [op.tag],
        "parameters": parameters,
        "responses": {},
    }
    if op.description:
        entry["description"] = op.description
    if op.body is not None:
        entry["requestBody"] = {
            "required": True,
            "content": _json({"$ref": REF.format(model=op.body.__name__)}),
        }
    descriptions = {200: "OK", 201: "Created", 202: "Accepted"}
    ok: dict[str, Any] = {"description": descriptions.get(op.status, "OK")}
    if op.response is not None:
        ok["content"] = _json({"$ref": REF.format(model=op.response.__name__)})
    responses = entry["responses"]
    responses[str(op.status)] = ok
    if op_id == "create_source":
        responses["200"] = {**ok, "description": "The same article was already on record"}
    if op_id in CONDITIONAL_READS:
        ok["headers"] = {"ETag": ETAG, "Cache-Control": CACHE_CONTROL}
        responses["304"] = {"description": REASONS[304], "headers": {"ETag": ETAG}}
    if op_id in CONDITIONAL_WRITES:
        ok["headers"] = {"ETag": ETAG}
    if op_id in {"get_claim", "update_claim", "list_claims"}:
        ok["headers"] = {**ok.get("headers", {}), "Vary": VARY}
    if op_id == "get_claim_status":
        ok["headers"] = {**ok.get("headers", {}), "Vary": VARY_STATUS}
        responses["304"]["headers"] = {**responses["304"]["headers"], "Vary": VARY_STATUS}
    for status in _errors(op, op_id):
        schema = PROBLEM_REF
        if op_id == "create_claim" and status == 409:
            schema = {"$ref": REF.format(model="DuplicateProblem")}
        responses[str(status)] = {
            "description": REASONS.get(status, "Error"),
            "content": _json(schema, "application/problem+json"),
        }
    if op.auth:
        entry["security"] = [{"bearer": []}]
    return entry


def _path_parameters(path: str) -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
        }
        for name in re.findall(r"{(\w+)}", path)
    ]


def _query_parameters(model: type[BaseModel] | None) -> list[dict[str, Any]]:
    if model is None:
        return []
    schema = model.model_json_schema(ref_template=REF)
    required = set(schema.get("required", []))
    params = []
    for name, prop in schema.get("properties", {}).items():
        param: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": {k: v for k, v in prop.items() if k not in ("title", "description")},
        }
        if "description" in prop:
            param["description"] = prop["description"]
        params.append(param)
    return params
