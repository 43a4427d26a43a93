"""The OpenAPI 3.1 document, built from the operations and pydantic classes the API enforces."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from service.api import webhooks_doc
from service.api.operation import OPERATIONS, Operation

REF = "#/components/schemas/{model}"
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string", "format": "uri"},
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
                },
            },
        },
    },
    "required": ["type", "title", "status"],
}
REASONS = {
    400: "Malformed request",
    401: "Missing or invalid token",
    403: "Role not allowed",
    404: "Not found",
    409: "Conflict (duplicate or concurrent change)",
    412: "Stale If-Match",
    413: "Body too large",
    415: "Body is not JSON",
    422: "Invalid fields",
    428: "If-Match required",
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
    _, schemas = models_json_schema(keys, ref_template=REF)
    components = dict(schemas.get("$defs", {}))
    components["Problem"] = PROBLEM_SCHEMA
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


def _is_input(model: type[BaseModel]) -> bool:
    return any(op.body is model or op.query is model for op in OPERATIONS)


def _operation(op: Operation) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "summary": op.summary,
        "operationId": f"{op.method}_{re.sub(r'[^a-z0-9]+', '_', op.path.lower()).strip('_')}",
        "tags": [op.tag],
        "parameters": _path_parameters(op.path) + _query_parameters(op.query),
        "responses": {},
    }
    if op.description:
        entry["description"] = op.description
    if op.body is not None:
        entry["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": REF.format(model=op.body.__name__)}}
            },
        }
    ok: dict[str, Any] = {"description": "OK" if op.status == 200 else "Created"}
    if op.response is not None:
        ok["content"] = {
            "application/json": {"schema": {"$ref": REF.format(model=op.response.__name__)}}
        }
    entry["responses"][str(op.status)] = ok
    for status in op.errors:
        entry["responses"][str(status)] = {
            "description": REASONS.get(status, "Error"),
            "content": {
                "application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}
            },
        }
    if op.auth:
        entry["security"] = [{"bearer": []}]
    return entry


def _path_parameters(path: str) -> list[dict[str, Any]]:
    return [
        {"name": name, "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
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
