"""Every problem ``type`` the API can answer, each with the page that explains it.

RFC 9457 asks that a problem type URI, when dereferenced, give human-readable documentation.
They used to point at a placeholder domain; now they are ``<public URL>/problems/<slug>`` (or
the request's own root without a public URL) and ``/problems/<slug>`` is a page saying, in
English and French, what went wrong and what to do. ``tests/integration/test_problem_types.py``
checks that every slug the service can send is listed here.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from werkzeug.http import HTTP_STATUS_CODES


@dataclass(frozen=True)
class ProblemType:
    """The page of one problem type."""

    slug: str
    status: int
    title: str  # lazy strings: rendered in the reader's language
    explanation: str


def _t(slug: str, status: int, title: object, explanation: object) -> ProblemType:
    return ProblemType(slug, status, title, explanation)  # type: ignore[arg-type]


TYPES: dict[str, ProblemType] = {
    t.slug: t
    for t in (
        _t(
            "bad-request",
            400,
            _l("Bad request"),
            _l("The request could not be read. Check its syntax and send it again."),
        ),
        _t(
            "malformed-json",
            400,
            _l("Malformed JSON"),
            _l(
                "The body is not valid JSON: a syntax error, NaN or Infinity, a key repeated in "
                "one object, or bytes that are not UTF-8. The detail says where."
            ),
        ),
        _t(
            "unsupported-charset",
            400,
            _l("Unsupported charset"),
            _l("JSON bodies are UTF-8. Send charset=utf-8 in the Content-Type, or no charset."),
        ),
        _t(
            "untrusted-host",
            400,
            _l("Unknown host name"),
            _l(
                "This claimdesk does not answer to the host name the request was sent to. Use "
                "the address it is published at."
            ),
        ),
        _t(
            "unauthorized",
            401,
            _l("Token needed"),
            _l(
                "Writes need an 'Authorization: Bearer <token>' header with a token that is "
                "known and not revoked. Ask an administrator for one."
            ),
        ),
        _t(
            "forbidden",
            403,
            _l("Role not allowed"),
            _l(
                "Your token's role may not do this: contributors add records, editors also give "
                "verdicts and retract, administrators may do everything."
            ),
        ),
        _t(
            "not-found",
            404,
            _l("Not found"),
            _l(
                "There is no such record or route. Ids are positive integers of records that exist."
            ),
        ),
        _t(
            "method-not-allowed",
            405,
            _l("Method not allowed"),
            _l("This route does not take that method; the Allow header lists those it does."),
        ),
        _t(
            "conflict",
            409,
            _l("Conflict"),
            _l(
                "Someone changed or created the same record at the same moment. Fetch it again "
                "and retry."
            ),
        ),
        _t(
            "duplicate-claim",
            409,
            _l("Duplicate claim"),
            _l(
                "The claim nearly duplicates claims already recorded; they are listed in "
                "candidates. Link to one of them, or send again with ?distinct=true if it really "
                "is a different claim."
            ),
        ),
        _t(
            "precondition-failed",
            412,
            _l("Precondition failed"),
            _l("A condition of the request (If-Match) does not hold any more."),
        ),
        _t(
            "stale-revision",
            412,
            _l("Changed since you fetched it"),
            _l(
                "The If-Match you sent names an older version. Fetch the record again, reapply "
                "your change and send it with the new ETag."
            ),
        ),
        _t(
            "request-entity-too-large",
            413,
            _l("Body too large"),
            _l(
                "The request body is larger than this service accepts (CLAIMDESK_MAX_BODY_BYTES), "
                "whether it was sent with a Content-Length or in chunks."
            ),
        ),
        _t(
            "request-uri-too-long",
            414,
            _l("Address too long"),
            _l(
                "The request line is longer than 4 KB. Send long texts in a body, not in the "
                "query string."
            ),
        ),
        _t(
            "unsupported-media-type",
            415,
            _l("Body is not JSON"),
            _l("Send the body with Content-Type: application/json."),
        ),
        _t(
            "validation",
            422,
            _l("Validation failed"),
            _l(
                "Some fields or query parameters are missing, unknown or invalid; errors lists "
                "each with a JSON pointer and the reason."
            ),
        ),
        _t(
            "unprocessable-entity",
            422,
            _l("Unprocessable request"),
            _l("The request is well formed but cannot be processed as sent."),
        ),
        _t(
            "unknown-reference",
            422,
            _l("Unknown reference"),
            _l("A field names a record (a claim, a claimant or a source) that does not exist."),
        ),
        _t(
            "invalid-request",
            422,
            _l("Invalid request"),
            _l("The request is well formed but the ledger refuses it; the detail says why."),
        ),
        _t(
            "url-refused",
            422,
            _l("Address refused"),
            _l("The URL is not a public http(s) address this service may fetch."),
        ),
        _t(
            "unreadable",
            422,
            _l("Unreadable document"),
            _l("The page or document holds no ClaimReview that could be read."),
        ),
        _t(
            "precondition-required",
            428,
            _l("If-Match needed"),
            _l(
                "Edits must say which version they change: send the ETag you fetched in an "
                "If-Match header."
            ),
        ),
        _t(
            "request-header-fields-too-large",
            431,
            _l("Headers too large"),
            _l("The request's headers are too many or too large."),
        ),
        _t(
            "too-many-requests",
            429,
            _l("Too many requests"),
            _l("The limit for now is reached; Retry-After says when to try again."),
        ),
        _t(
            "internal-error",
            500,
            _l("Internal error"),
            _l("The service failed; the error was logged. Try again later."),
        ),
        _t(
            "internal-server-error",
            500,
            _l("Internal error"),
            _l("The service failed; the error was logged. Try again later."),
        ),
        _t(
            "not-implemented",
            501,
            _l("Not implemented"),
            _l("The server does not support what the request asks (an unknown transfer coding)."),
        ),
        _t(
            "fetch-failed",
            502,
            _l("Fetch failed"),
            _l("The page's own server failed: it was gone, too slow, too large or not HTML."),
        ),
        _t(
            "service-unavailable",
            503,
            _l("Try again shortly"),
            _l("The service is paused for a moment; Retry-After says when to try again."),
        ),
    )
}


def slug_for_status(status: int) -> str:
    """The slug of a problem known only by its HTTP status (werkzeug's or gunicorn's own)."""
    return HTTP_STATUS_CODES.get(status, "Error").lower().replace(" ", "-")
