"""RFC 9457 problem details, and the one place where domain errors become HTTP statuses."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, request
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, IntegrityError
from werkzeug.exceptions import HTTPException

from claims.errors import (
    Conflict,
    DuplicateClaim,
    InvalidRequest,
    NotFound,
    PermissionDenied,
    StaleRevision,
)
from service.problem_types import TYPES, slug_for_status
from service.retry import as_unavailable
from service.runtime import current_runtime
from sources.errors import FetchError, InvalidSource, SnapshotNotFound, SourceNotFound

PROBLEM_JSON = "application/problem+json"


class ApiProblem(Exception):
    """An HTTP-level failure raised by the API edge itself (bad body, missing token...)."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        *,
        slug: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.slug = slug or title.lower().replace(" ", "-")
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra or {}


def type_uri(slug: str) -> str:
    """The page explaining a problem type, under this deployment's own URL.

    ``about:blank`` (RFC 9457: the status says it all) for a status no page explains.
    """
    if slug not in TYPES:
        return "about:blank"
    public_url: str | None = current_runtime().settings.public_url
    site = public_url or request.url_root.rstrip("/")
    return f"{site}/problems/{slug}"


def problem_response(problem: ApiProblem) -> Response:
    """Serialise a problem as application/problem+json."""
    body: dict[str, Any] = {
        "type": type_uri(problem.slug),
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
        "instance": request.path,
    }
    if problem.errors:
        body["errors"] = problem.errors
    body.update(problem.extra)
    response = Response(
        json.dumps(body, ensure_ascii=False), status=problem.status, mimetype=PROBLEM_JSON
    )
    for name, value in problem.headers.items():
        response.headers[name] = value
    return response


def field_error(field: str | None, message: str) -> list[dict[str, Any]] | None:
    """The ``errors`` member for a problem about one field."""
    if field is None:
        return None
    return [{"field": field, "pointer": f"#/{field}", "message": message}]


def from_validation(exc: ValidationError, *, where: str = "body") -> ApiProblem:
    """A 422 naming every offending field."""
    errors = []
    for error in exc.errors(include_url=False, include_context=False):
        loc = [str(p) for p in error["loc"]]
        field = ".".join(loc) if loc else None
        errors.append(
            {
                "field": field or where,
                "pointer": "#/" + "/".join(loc),
                "message": error["msg"],
                "type": error["type"],
            }
        )
    return ApiProblem(
        422,
        "Validation failed",
        f"the request {where} has {len(errors)} invalid field(s)",
        slug="validation",
        errors=errors,
    )


def from_domain(exc: Exception) -> ApiProblem | None:
    """Map a domain error to a problem; None if ``exc`` is not one of ours."""
    match exc:
        case DuplicateClaim():
            return ApiProblem(
                409,
                "Duplicate claim",
                "this claim nearly duplicates existing claims; "
                "resend with ?distinct=true if it is a different claim",
                slug="duplicate-claim",
                extra={
                    "candidates": [
                        {"claim_id": c.claim_id, "text": c.text, "score": round(c.score, 2)}
                        for c in exc.candidates
                    ]
                },
            )
        case NotFound() if exc.field is not None:
            return ApiProblem(
                422,
                "Unknown reference",
                str(exc),
                slug="unknown-reference",
                errors=field_error(exc.field, str(exc)),
            )
        case NotFound():
            return ApiProblem(404, "Not found", str(exc), slug="not-found")
        case SourceNotFound() | SnapshotNotFound():
            return ApiProblem(404, "Not found", str(exc), slug="not-found")
        case FetchError() if exc.reason in ("blocked", "invalid_url"):
            # The URL itself is unacceptable (not public, not http): the client's to fix.
            return ApiProblem(
                422,
                "URL refused",
                str(exc),
                slug="url-refused",
                errors=field_error("url", str(exc)),
                extra={"reason": exc.reason, "stage": exc.stage},
            )
        case FetchError():
            # The page's server failed us (gone, too slow, too large, not HTML...).
            return ApiProblem(
                502,
                "Fetch failed",
                str(exc),
                slug="fetch-failed",
                extra={"reason": exc.reason, "stage": exc.stage, "upstream_status": exc.status},
            )
        case InvalidRequest() if exc.field is None:
            # No field to correct: the request clashes with the record's state (already
            # retracted, a retracted claim, already published). RFC 9110's 409, not a 422.
            return ApiProblem(409, "Conflict", str(exc), slug="conflict")
        case InvalidRequest() | InvalidSource():
            return ApiProblem(
                422,
                "Invalid request",
                str(exc),
                slug="invalid-request",
                errors=field_error(exc.field, str(exc)),
            )
        case StaleRevision():
            return ApiProblem(
                412, "Precondition failed", f"{exc}; fetch it again", slug="stale-revision"
            )
        case Conflict():
            return ApiProblem(409, "Conflict", str(exc), slug="conflict")
        case PermissionDenied():
            return ApiProblem(403, "Forbidden", str(exc), slug="forbidden")
    return None


def from_http(exc: HTTPException) -> ApiProblem:
    """Wrap werkzeug's HTTP errors (404 route, 405, 413...) as problems."""
    status = exc.code or 500
    title = exc.name or "Error"
    detail = exc.description or title
    if status == 413:
        detail = "the request body is larger than this service accepts"
    headers = {
        name: value for name, value in exc.get_headers() if name.lower() in ("retry-after", "allow")
    }
    if status == 405 and getattr(exc, "valid_methods", None):
        headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
    return ApiProblem(status, title, detail, slug=slug_for_status(status), headers=headers)


def from_database(exc: Exception) -> HTTPException | ApiProblem | None:
    """The answer to a database failure that outlived the request's retries, if it is one.

    Busy or unreachable: 503 with Retry-After. A uniqueness rule a concurrent writer got to
    first: 409. Anything else is a bug and stays a 500.
    """
    if isinstance(exc, IntegrityError):
        return ApiProblem(
            409,
            "Conflict",
            "the record changed or already exists; reload and try again",
            slug="conflict",
        )
    if isinstance(exc, DBAPIError):
        return as_unavailable(exc)
    return None


HtmlRenderer = Callable[[Exception, int], Response]


def register(app: Flask, *, is_api: Any, html: HtmlRenderer | None = None) -> None:
    """Install handlers answering problem+json on API paths and ``html`` pages elsewhere.

    The status of a domain error is decided here for both: a page and the API never disagree
    about whether something was missing, forbidden or conflicting.
    """

    @app.errorhandler(ApiProblem)
    def _problem(exc: ApiProblem) -> Response:
        return problem_response(exc)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Any:
        if is_api():
            return problem_response(from_http(exc))
        if html is not None:
            return html(exc, exc.code or 500)
        return exc

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Any:
        failed = from_database(exc)
        if isinstance(failed, HTTPException):
            app.logger.warning("%s %s: %s", request.method, request.path, failed.description)
            return _http(failed)
        mapped = failed or from_domain(exc)
        if mapped is not None:
            if is_api() or html is None:
                return problem_response(mapped)
            return html(exc, mapped.status)
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        if is_api():
            return problem_response(
                ApiProblem(500, "Internal error", "the service failed; this was logged")
            )
        if html is not None:
            return html(exc, 500)
        return Response("Internal error", status=500, mimetype="text/plain")
