"""Declaring API operations once: parsing, validation, auth, commit and the OpenAPI entry.

Each view is declared with the pydantic classes of its body, query and answer. The decorator
validates with exactly those classes and records them, and ``openapi.py`` builds the document
from the same records, so what is documented is what is enforced.
"""

from __future__ import annotations

import functools
import json
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, g, request
from pydantic import BaseModel, ValidationError

from claims.policy import Actor
from claims.schemas import NoQuery
from service.db import commit_or_conflict, get_session
from service.problems import ApiProblem, from_validation
from service.tokens import authenticate

JSON_TYPES = ("application/json", "application/problem+json", "application/merge-patch+json")


@dataclass
class Operation:
    """What the OpenAPI document says about one route."""

    method: str
    path: str
    summary: str
    tag: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    auth: bool = False
    errors: tuple[int, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)
    description: str = ""
    name: str = ""  # the view function's name: the operationId


OPERATIONS: list[Operation] = []


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object's members, refusing a repeated key (json.loads would keep the last silently).

    RFC 8259 leaves repeated names undefined; parsers disagree on which one wins, so a body a
    proxy or a client library reads one way must not be stored another way.
    """
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise ValueError(f"the key {key!r} appears more than once in an object")
        data[key] = value
    return data


def _charset_is_utf8() -> bool:
    """Whether the body's declared charset (if any) is UTF-8, the only one JSON allows."""
    charset = request.mimetype_params.get("charset")
    return charset is None or charset.strip().lower() in ("utf-8", "utf8")


def parse_body(model: type[BaseModel]) -> BaseModel:
    """Validate the request's JSON body with ``model``; every failure is a 4xx problem."""
    mimetype = request.mimetype
    if mimetype not in JSON_TYPES:
        raise ApiProblem(
            415,
            "Unsupported media type",
            "send the body as application/json",
            slug="unsupported-media-type",
        )
    if not _charset_is_utf8():
        raise ApiProblem(
            400,
            "Unsupported charset",
            "JSON bodies are UTF-8 (RFC 8259): send charset=utf-8 or no charset",
            slug="unsupported-charset",
        )
    raw = request.get_data(cache=True)
    try:
        text = raw.decode("utf-8")
        data = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    # RecursionError: a small body of deeply nested brackets ("[[[[...") exhausts the decoder's
    # stack; it is malformed input like any other, not a server failure.
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ApiProblem(
            400, "Malformed JSON", f"the body is not valid UTF-8 JSON: {exc}", slug="malformed-json"
        ) from exc
    if not isinstance(data, dict):
        raise ApiProblem(
            422, "Validation failed", "the body must be a JSON object", slug="validation"
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise from_validation(exc) from exc


def _is_list(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin is list:
        return True
    return any(typing.get_origin(arg) is list for arg in typing.get_args(annotation))


def parse_query(model: type[BaseModel]) -> BaseModel:
    """Validate the query string with ``model``; repeated or unknown parameters are errors."""
    data: dict[str, Any] = {}
    for key in request.args:
        values = request.args.getlist(key)
        info = model.model_fields.get(key)
        if info is not None and _is_list(info.annotation):
            data[key] = [v for value in values for v in value.split(",") if v != ""]
        elif len(values) > 1:
            raise ApiProblem(
                422,
                "Validation failed",
                f"query parameter {key!r} is given more than once",
                slug="validation",
                errors=[{"field": key, "pointer": f"#/{key}", "message": "given more than once"}],
            )
        else:
            data[key] = values[0]
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise from_validation(exc, where="query") from exc


def current_actor() -> Actor:
    """The authenticated actor of this request (set by ``operation(auth=True)``)."""
    actor: Actor = g.actor
    return actor


def _authenticate() -> Actor:
    header = request.headers.get("Authorization", "")
    scheme, _, presented = header.partition(" ")
    challenge = {"WWW-Authenticate": 'Bearer realm="claimdesk"'}
    if scheme.lower() != "bearer" or not presented.strip():
        raise ApiProblem(
            401,
            "Unauthorized",
            "writes need an 'Authorization: Bearer <token>' header",
            slug="unauthorized",
            headers=challenge,
        )
    actor = authenticate(session=get_session(), presented=presented.strip())
    if actor is None:
        raise ApiProblem(
            401,
            "Unauthorized",
            "the token is unknown or revoked",
            slug="unauthorized",
            headers={"WWW-Authenticate": 'Bearer realm="claimdesk", error="invalid_token"'},
        )
    return actor


def operation(
    bp: Blueprint,
    rule: str,
    method: str,
    *,
    summary: str,
    tag: str,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
    auth: bool = False,
    errors: tuple[int, ...] = (),
    description: str = "",
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a JSON API route with its validation, auth, commit and OpenAPI entry."""
    path = rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
    prefix = bp.url_prefix or ""
    entry = Operation(
        method=method.lower(),
        path=prefix + path,
        summary=summary,
        tag=tag,
        body=body,
        query=query,
        response=response,
        status=status,
        auth=auth,
        errors=errors,
        description=description,
    )
    OPERATIONS.append(entry)

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        entry.name = view.__name__

        @functools.wraps(view)
        def wrapper(**kwargs: Any) -> Response:
            if auth:
                g.actor = _authenticate()
            if body is not None:
                kwargs["body"] = parse_body(body)
            if query is not None:
                kwargs["query"] = parse_query(query)
            elif request.args:
                parse_query(NoQuery)
            result = view(**kwargs)
            answer = to_response(result, status)
            if method.upper() not in ("GET", "HEAD", "OPTIONS"):
                commit_or_conflict(get_session())
            return answer

        bp.add_url_rule(rule, endpoint=view.__name__, view_func=wrapper, methods=[method])
        return wrapper

    return decorate


def to_response(result: Any, status: int) -> Response:
    """Serialise a view's result: a Response as is, a model (or (model, headers)) as JSON."""
    if isinstance(result, Response):
        return result
    headers: dict[str, str] = {}
    if isinstance(result, tuple):
        result, headers = result
    payload = result.model_dump_json() if isinstance(result, BaseModel) else json.dumps(result)
    response = Response(payload, status=status, mimetype="application/json")
    for name, value in headers.items():
        response.headers[name] = value
    return response
