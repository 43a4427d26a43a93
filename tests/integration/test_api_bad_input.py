"""Every bad request gets its 4xx as problem+json, never a 500 and never a partial write."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from service.runtime import runtime
from service.tokens import revoke_token

API = "/api/v1"
TEN_MB = 10 * 1024 * 1024


@dataclass(frozen=True)
class Write:
    """A write endpoint: method, path template and a body it would accept."""

    method: str
    path: str
    body: dict[str, Any]

    def url(self, ids: dict[str, int]) -> str:
        return API + self.path.format(**ids)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


# A source_id or object_id of 0 stands for "a record that exists" (see with_ids).
WRITES = [
    Write("POST", "/claims", {"text": "A brand new claim about tides."}),
    Write("PATCH", "/claims/{claim}", {"language": "en"}),
    Write("POST", "/claims/{claim}/retract", {"reason": "withdrawn"}),
    Write(
        "POST",
        "/claims/{claim}/evidence",
        {"source_id": 0, "stance": "supports", "quote": "as said"},
    ),
    Write("POST", "/claims/{claim}/evidence/{evidence}/retract", {"reason": "withdrawn"}),
    Write("POST", "/claims/{claim}/relations", {"kind": "rebuts", "object_id": 0}),
    Write("POST", "/claims/{claim}/relations/{relation}/retract", {"reason": "withdrawn"}),
    Write("POST", "/claims/{claim}/verdicts", {"rating": "mixed", "rationale": "Partly."}),
    Write("POST", "/sources", {"url": "https://fresh.example/story"}),
    Write("PATCH", "/sources/{source}", {"title": "Corrected"}),
    Write("POST", "/claimants", {"name": "Fresh Person"}),
    Write("PATCH", "/claimants/{claimant}", {"role": "Mayor"}),
]
BY_NAME = {str(w): w for w in WRITES}
READS = [
    "/claims",
    "/claims/{claim}",
    "/claims/{claim}/status",
    "/claims/{claim}/evidence",
    "/claims/{claim}/relations",
    "/claims/{claim}/verdicts",
    "/claims/{claim}/history",
    "/claims/match?text=tides",
    "/sources",
    "/sources/{source}",
    "/claimants",
    "/claimants/{claimant}",
]


def with_ids(payload: dict[str, Any], ids: dict[str, int]) -> dict[str, Any]:
    """Point the sample ids of a payload at records that exist."""
    out = dict(payload)
    if "source_id" in out:
        out["source_id"] = ids["source"]
    if "object_id" in out:
        out["object_id"] = ids["other"]
    return out


@pytest.fixture
def ids(make_claim, make_source, make_evidence, make_relation, make_claimant) -> dict[str, int]:
    """One of everything, so every path template names a record that exists."""
    claim = make_claim("The tide rose two metres above normal.")
    other = make_claim("The tide stayed within its usual range.")
    source = make_source("https://tides.example/report")
    item = make_evidence(claim, source)
    relation = make_relation(other, "rebuts", claim)
    claimant = make_claimant("Harbour Master")
    return {
        "claim": claim.id,
        "other": other.id,
        "source": source.id,
        "evidence": item.id,
        "relation": relation.id,
        "claimant": claimant.id,
    }


@pytest.fixture
def send(client, auth, ids) -> Callable[..., Any]:
    """``send(write, data=..., content_type=...)`` with an editor's token and If-Match: *."""

    def call(write: Write, *, token: bool = True, **kwargs: Any):
        headers = {**(auth("editor") if token else {}), "If-Match": "*"}
        headers.update(kwargs.pop("headers", {}))
        if "data" not in kwargs and "json" not in kwargs:
            kwargs["json"] = with_ids(write.body, ids)
        return client.open(write.url(ids), method=write.method, headers=headers, **kwargs)

    return call


@pytest.fixture
def nothing_written(table_counts, ids) -> Callable[[], None]:
    """Counts the ledger's rows now; calling it later asserts that none changed."""
    before = table_counts()

    def check() -> None:
        assert table_counts() == before

    return check


write_ids = pytest.mark.parametrize("write", WRITES, ids=str)


# ---- the happy path of the harness itself ---------------------------------------------------


@write_ids
def test_each_write_accepts_its_sample_body(send, write):
    """Guards the tests below: their failures come from the bad input, not the sample."""
    response = send(write)
    assert response.status_code in (200, 201), response.get_data(as_text=True)


# ---- bodies --------------------------------------------------------------------------------


@write_ids
@pytest.mark.parametrize(
    "raw",
    [b'{"text": ', b"{'text': 'single quotes'}", b"", b"\xff\xfe{}", b'{"a": 1,}', b"[" * 100_000],
    ids=["truncated", "single-quotes", "empty", "not-utf8", "trailing-comma", "deep-nesting"],
)
def test_malformed_json_gets_400(send, problem, nothing_written, write, raw):
    body = problem(send(write, data=raw, content_type="application/json"), 400)

    assert body["type"].endswith("/malformed-json")
    nothing_written()


@write_ids
@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_in_json_get_400(send, problem, nothing_written, write, literal):
    payload = json.dumps(write.body)[:-1] + f', "x": {literal}}}'

    problem(send(write, data=payload, content_type="application/json"), 400)

    nothing_written()


@write_ids
@pytest.mark.parametrize("payload", ["[]", '["text"]', '"text"', "42", "null", "true"])
def test_a_json_body_that_is_not_an_object_gets_422(send, problem, nothing_written, write, payload):
    problem(send(write, data=payload, content_type="application/json"), 422)

    nothing_written()


@write_ids
@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml", None]
)
def test_a_body_that_is_not_json_gets_415(send, problem, nothing_written, write, content_type):
    payload = json.dumps(write.body)
    kwargs = {"content_type": content_type} if content_type else {}

    problem(send(write, data=payload, **kwargs), 415)

    nothing_written()


@write_ids
def test_json_with_a_charset_parameter_is_accepted(send, ids, write):
    response = send(
        write,
        data=json.dumps(with_ids(write.body, ids)),
        content_type="application/json; charset=utf-8",
    )
    assert response.status_code in (200, 201), response.get_data(as_text=True)


@write_ids
def test_a_repeated_key_gets_400_whichever_value_comes_last(
    send, ids, problem, nothing_written, write
):
    body = with_ids(write.body, ids)
    key, value = next(iter(body.items()))
    # Another parser would keep the first value; this one must not quietly keep the last.
    payload = json.dumps(body)[:-1] + f", {json.dumps(key)}: {json.dumps(value)}}}"

    refused = problem(send(write, data=payload, content_type="application/json"), 400)

    assert refused["type"].endswith("/malformed-json")
    assert key in refused["detail"]
    nothing_written()


@write_ids
@pytest.mark.parametrize("charset", ["latin-1", "utf-16", "iso-8859-1", "windows-1252"])
def test_a_body_declared_in_another_charset_gets_400(
    send, ids, problem, nothing_written, write, charset
):
    payload = json.dumps(with_ids(write.body, ids), ensure_ascii=False)

    refused = problem(
        send(write, data=payload.encode(), content_type=f"application/json; charset={charset}"),
        400,
    )

    assert refused["type"].endswith("/unsupported-charset")
    nothing_written()


@write_ids
def test_a_ten_megabyte_body_gets_413(send, problem, nothing_written, write):
    payload = json.dumps({**write.body, "padding": "x" * TEN_MB})

    body = problem(send(write, data=payload, content_type="application/json"), 413)

    assert "larger" in body["detail"]
    nothing_written()


@write_ids
def test_an_unknown_field_gets_422_naming_it(send, problem, nothing_written, write):
    body = problem(send(write, json={**write.body, "colour": "blue"}), 422)

    assert "colour" in [e["field"] for e in body["errors"]]
    nothing_written()


WRONG_TYPES = [
    ("POST /claims", {"text": 123}, "text"),
    ("POST /claims", {"text": "ok", "tags": "economy"}, "tags"),
    ("POST /claims", {"text": "ok", "claimant_id": "seven"}, "claimant_id"),
    ("POST /claims", {"text": "ok", "claimant_id": 1.5}, "claimant_id"),
    ("POST /claims", {"text": "ok", "language": ["en"]}, "language"),
    ("POST /claims", {"text": "ok", "said_on": 2025}, "said_on"),
    ("PATCH /claims/{claim}", {"text": False}, "text"),
    ("PATCH /claims/{claim}", {"tags": [1, 2]}, "tags.0"),
    ("POST /claims/{claim}/retract", {"reason": {"why": "x"}}, "reason"),
    ("POST /claims/{claim}/evidence", {"source_id": "1", "stance": 1, "quote": "q"}, "stance"),
    (
        "POST /claims/{claim}/evidence",
        {"source_id": [1], "stance": "supports", "quote": "q"},
        "source_id",
    ),
    ("POST /claims/{claim}/evidence", {"source_id": 1, "stance": "supports", "quote": 7}, "quote"),
    ("POST /claims/{claim}/relations", {"kind": "rebuts", "object_id": "x"}, "object_id"),
    ("POST /claims/{claim}/relations", {"kind": "rebuts", "object_id": 1, "note": 5}, "note"),
    ("POST /claims/{claim}/verdicts", {"rating": 3, "rationale": "x"}, "rating"),
    ("POST /sources", {"url": 42}, "url"),
    ("POST /sources", {"url": "https://x.example/", "cites": ["one"]}, "cites.0"),
    ("PATCH /sources/{source}", {"kind": 1}, "kind"),
    ("PATCH /sources/{source}", {"cites": 5}, "cites"),
    ("POST /claimants", {"name": ["Boz"]}, "name"),
    ("POST /claimants", {"name": "Boz", "aliases": [1]}, "aliases.0"),
    ("PATCH /claimants/{claimant}", {"role": 12}, "role"),
]


@pytest.mark.parametrize(("write", "payload", "field"), WRONG_TYPES)
def test_a_field_of_the_wrong_type_gets_422_naming_it(
    send, problem, nothing_written, write, payload, field
):
    body = problem(send(BY_NAME[write], json=payload), 422)

    assert field in [e["field"] for e in body["errors"]], body["errors"]
    nothing_written()


UNKNOWN_ENUMS = [
    (
        "POST /claims/{claim}/evidence",
        {"source_id": 1, "stance": "endorses", "quote": "q"},
        "stance",
    ),
    ("POST /claims/{claim}/relations", {"kind": "contradicts", "object_id": 1}, "kind"),
    ("POST /claims/{claim}/verdicts", {"rating": "pants_on_fire", "rationale": "x"}, "rating"),
    ("POST /sources", {"url": "https://x.example/", "kind": "quaternary"}, "kind"),
    ("PATCH /sources/{source}", {"kind": "Primary"}, "kind"),
    ("POST /claimants", {"name": "Boz", "kind": "robot"}, "kind"),
    ("PATCH /claimants/{claimant}", {"kind": "committee"}, "kind"),
]


@pytest.mark.parametrize(("write", "payload", "field"), UNKNOWN_ENUMS)
def test_an_unknown_enum_value_gets_422_naming_the_field(
    send, problem, nothing_written, write, payload, field
):
    body = problem(send(BY_NAME[write], json=payload), 422)

    assert [e["field"] for e in body["errors"]] == [field]
    nothing_written()


def test_an_unknown_status_in_the_query_gets_422(client, problem):
    body = problem(client.get(f"{API}/claims?status=contested,dubious"), 422)
    assert body["errors"][0]["field"].startswith("status")


# ---- text limits and control characters ---------------------------------------------------

TEXTS = [
    ("POST /claims", "text", {}),
    ("PATCH /claims/{claim}", "text", {}),
    ("POST /claims/{claim}/retract", "reason", {}),
    ("POST /claims/{claim}/evidence", "quote", {"source_id": 1, "stance": "supports"}),
    ("POST /claims/{claim}/evidence", "note", {"source_id": 1, "stance": "supports", "quote": "q"}),
    ("POST /claims/{claim}/relations", "note", {"kind": "supports", "object_id": 1}),
    ("POST /claims/{claim}/verdicts", "rationale", {"rating": "true"}),
    ("POST /sources", "title", {"url": "https://ctrl.example/"}),
    ("POST /sources", "author", {"url": "https://ctrl.example/"}),
    ("POST /sources", "publisher_name", {"url": "https://ctrl.example/"}),
    ("PATCH /sources/{source}", "title", {}),
    ("POST /claimants", "name", {}),
    ("POST /claimants", "role", {"name": "Ctrl Person"}),
    ("PATCH /claimants/{claimant}", "name", {}),
]


@pytest.mark.parametrize(("write", "field", "rest"), TEXTS)
@pytest.mark.parametrize(
    "char",
    # C0/C1 controls, a lone surrogate, bidi overrides/isolates and noncharacters.
    ["\u0000", "\u0007", "\u001b", "\u0085", "\ud800", "\u202e", "\u2066", "\ufffe", "\uffff"],
)
def test_control_characters_in_text_get_422(
    send, ids, problem, nothing_written, write, field, rest, char
):
    body = problem(send(BY_NAME[write], json={**with_ids(rest, ids), field: f"bad{char}text"}), 422)

    assert [e["field"] for e in body["errors"]] == [field]
    nothing_written()


@pytest.mark.parametrize(
    ("write", "field", "rest"),
    [t for t in TEXTS if t[1] in ("text", "quote", "reason", "rationale", "name")],
)
@pytest.mark.parametrize("blank", ["", "   ", "\n\t "])
def test_empty_or_blank_text_gets_422(
    send, ids, problem, nothing_written, write, field, rest, blank
):
    body = problem(send(BY_NAME[write], json={**with_ids(rest, ids), field: blank}), 422)

    assert [e["field"] for e in body["errors"]] == [field]
    nothing_written()


@pytest.mark.parametrize("write", ["POST /claims", "PATCH /claims/{claim}"])
def test_a_claim_of_2001_characters_gets_422(send, problem, nothing_written, write):
    body = problem(send(BY_NAME[write], json={"text": "y" * 2001}), 422)

    assert [e["field"] for e in body["errors"]] == ["text"]
    nothing_written()


def test_a_claim_of_exactly_2000_characters_is_accepted(send):
    text = ("Tides " * 400)[:1999] + "."
    assert len(text) == 2000
    response = send(BY_NAME["POST /claims"], json={"text": text})
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["text"] == text


def test_tabs_and_newlines_are_allowed_in_text(send):
    response = send(BY_NAME["POST /claims"], json={"text": "Line one\n\tline two"})
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["text"] == "Line one\n\tline two"


def test_a_match_text_of_2001_characters_gets_422(client, problem):
    problem(client.get(f"{API}/claims/match", query_string={"text": "y" * 2001}), 422)


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/claims", "q"),
        ("/claims", "claimant"),
        ("/claims", "tag"),
        ("/claims/match", "text"),
        ("/claimants", "name"),
        ("/sources", "publisher"),
    ],
)
def test_control_characters_in_query_text_get_422(client, problem, path, param):
    body = problem(client.get(API + path, query_string={param: "bad\u0000text"}), 422)
    assert [e["field"] for e in body["errors"]] == [param]


# ---- ids -------------------------------------------------------------------------------------

BAD_IDS = ["0", "-1", "99999999999999999999", "2147483648", "abc", "1.5", "%20"]


@pytest.mark.parametrize("template", [*READS[1:7], "/sources/{source}", "/claimants/{claimant}"])
@pytest.mark.parametrize("bad", BAD_IDS)
def test_a_bad_id_in_a_read_path_gets_404(client, ids, problem, template, bad):
    key = "claim" if "{claim}" in template else template.split("{")[1].rstrip("}")
    url = API + template.format(**{**ids, key: "§"}).replace("§", bad)

    problem(client.get(url), 404)


@pytest.mark.parametrize("write", [w for w in WRITES if "{" in w.path], ids=str)
@pytest.mark.parametrize("bad", ["0", "99999999999999999999", "abc"])
def test_a_bad_id_in_a_write_path_gets_404_and_writes_nothing(
    client, auth, ids, problem, nothing_written, write, bad
):
    keys = [part.split("}")[0] for part in write.path.split("{")[1:]]
    last = keys[-1]
    url = API + write.path.format(**{**ids, last: "§"}).replace("§", bad)

    response = client.open(
        url,
        method=write.method,
        json=with_ids(write.body, ids),
        headers={**auth("editor"), "If-Match": "*"},
    )

    problem(response, 404)
    nothing_written()


@pytest.mark.parametrize(
    ("write", "payload", "field"),
    [
        ("POST /claims", {"text": "Ids are bounded.", "claimant_id": 0}, "claimant_id"),
        ("POST /claims", {"text": "Ids are bounded.", "claimant_id": 2**31}, "claimant_id"),
        ("POST /claims", {"text": "Ids are bounded.", "appeared_in_id": 10**20}, "appeared_in_id"),
        (
            "POST /claims/{claim}/evidence",
            {"source_id": -1, "stance": "supports", "quote": "q"},
            "source_id",
        ),
        (
            "POST /claims/{claim}/evidence",
            {"source_id": 10**20, "stance": "supports", "quote": "q"},
            "source_id",
        ),
        ("POST /claims/{claim}/relations", {"kind": "rebuts", "object_id": 10**20}, "object_id"),
        ("POST /sources", {"url": "https://ids.example/", "cites": [10**20]}, "cites"),
        ("POST /sources", {"url": "https://ids.example/", "cites": [2**31]}, "cites"),
        ("PATCH /sources/{source}", {"cites": [10**20]}, "cites"),
        ("PATCH /sources/{source}", {"cites": [-3]}, "cites"),
    ],
)
def test_an_out_of_range_id_in_a_body_gets_422(
    send, problem, nothing_written, write, payload, field
):
    body = problem(send(BY_NAME[write], json=payload), 422)

    assert any(e["field"].split(".")[0] == field for e in body["errors"]), body["errors"]
    nothing_written()


# ---- routes, methods, auth -------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/nope", "/claims/1/comments", "/claims/1/evidence/1", "/v2/claims", "/claims/"]
)
def test_an_unknown_route_under_the_api_gets_404_problem(client, problem, path):
    problem(client.get(API + path), 404)


@pytest.mark.parametrize(
    ("method", "template"),
    [
        ("DELETE", "/claims/{claim}"),
        ("PUT", "/claims/{claim}"),
        ("PUT", "/claims"),
        ("DELETE", "/sources/{source}"),
        ("POST", "/claims/{claim}/status"),
        ("PATCH", "/claims/{claim}/evidence"),
        ("GET", "/claims/{claim}/retract"),
        ("POST", "/claims/{claim}/history"),
    ],
)
def test_a_wrong_method_gets_405_problem_with_allow(
    client, auth, ids, problem, nothing_written, method, template
):
    response = client.open(API + template.format(**ids), method=method, headers=auth("editor"))

    problem(response, 405)
    assert method not in response.headers["Allow"]
    nothing_written()


@write_ids
def test_a_write_without_a_token_gets_401_with_a_challenge(send, problem, nothing_written, write):
    response = send(write, token=False)

    problem(response, 401)
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="claimdesk"'
    nothing_written()


@write_ids
@pytest.mark.parametrize(
    "header",
    [
        "Bearer cd_not-a-real-token",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "cd_no_scheme",
        "Bearer " + "x" * 500,
    ],
)
def test_a_write_with_a_bad_token_gets_401(send, problem, nothing_written, write, header):
    response = send(write, token=False, headers={"Authorization": header})

    problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith('Bearer realm="claimdesk"')
    nothing_written()


def test_a_revoked_token_gets_401(send, auth, session, problem, nothing_written):
    headers = auth("editor")
    revoke_token(session=session, name="test-editor")
    session.commit()
    response = send(BY_NAME["POST /claims"], token=False, headers=headers)

    body = problem(response, 401)
    assert "revoked" in body["detail"]
    nothing_written()


def test_reads_need_no_token_and_carry_cors_headers(client, ids):
    for template in READS:
        response = client.get(API + template.format(**ids), headers={"Origin": "https://a.example"})
        assert response.status_code == 200, template
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "ETag" in response.headers["Access-Control-Expose-Headers"]


def test_a_cors_preflight_allows_the_write_headers(client):
    response = client.options(
        f"{API}/claims",
        headers={"Origin": "https://a.example", "Access-Control-Request-Method": "POST"},
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Authorization" in response.headers["Access-Control-Allow-Headers"]
    assert "If-Match" in response.headers["Access-Control-Allow-Headers"]


# ---- query strings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/claims?colour=blue",
        "/claims?Status=contested",
        "/claims/match?text=tides&colour=blue",
        "/claimants?colour=blue",
        "/sources?colour=blue",
    ],
)
def test_an_unknown_query_parameter_gets_422_naming_it(client, problem, url):
    body = problem(client.get(API + url), 422)
    name = url.split("?")[1].split("&")[-1].split("=")[0]
    assert name in [e["field"] for e in body["errors"]]


@pytest.mark.parametrize(
    "url",
    [
        "/claims?limit=1&limit=2",
        "/claims?q=tide&q=river",
        "/claims?sort=id&sort=-id",
        "/claims/match?text=a+tide&text=b+tide",
        "/claimants?name=a&name=b",
        "/sources?offset=0&offset=1",
    ],
)
def test_a_repeated_scalar_query_parameter_gets_422(client, problem, url):
    body = problem(client.get(API + url), 422)
    name = url.split("?")[1].split("=")[0]
    assert [e["field"] for e in body["errors"]] == [name]


def _cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "id", "cursor": _cursor(["id", 1, 10**22])},
        {"sort": "id", "cursor": _cursor(["id", 10**22, 1])},
        {"q": "tide", "cursor": _cursor(["relevance", -5, 0])},
        {"sort": "id", "cursor": _cursor(["id", True, 1])},
        {"sort": "contestedness", "cursor": "WyJjb250ZXN0ZWRuZXNzIixOYU4sMV0"},  # NaN inside
    ],
    ids=["huge-last-id", "huge-value", "negative-offset", "boolean-value", "nan-value"],
)
def test_a_forged_cursor_gets_422(client, ids, problem, params):
    body = problem(client.get(f"{API}/claims", query_string=params), 422)
    assert [e["field"] for e in body["errors"]] == ["cursor"]


@pytest.mark.parametrize(
    "since", ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59", "not-a-date", "2024-13-01"]
)
def test_an_unrepresentable_since_gets_422(client, problem, since):
    body = problem(client.get(f"{API}/claims", query_string={"since": since}), 422)
    assert [e["field"] for e in body["errors"]] == ["since"]


@pytest.mark.parametrize("value", ["nan", "inf", "-0.1", "1e400"])
def test_a_contestedness_bound_must_be_a_number_between_0_and_1(client, problem, value):
    problem(client.get(f"{API}/claims", query_string={"contestedness_min": value}), 422)


@pytest.mark.parametrize(
    ("method", "url"),
    [("GET", "/api/v1/claims/1?foo=1"), ("POST", "/api/v1/claims?distinkt=true")],
)
def test_an_unknown_query_parameter_on_any_route_gets_422(client, auth, method, url):
    response = client.open(url, method=method, json={"text": "x"}, headers=auth("contributor"))
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"


def test_the_duplicate_threshold_setting_is_honoured(app, client, auth, make_claim):
    make_claim(text="The minimum wage rose by ten percent last year.")
    near = {"text": "The minimum wage rose by ten per cent last year."}
    assert client.post("/api/v1/claims", json=near, headers=auth()).status_code == 409
    held = runtime(app)
    held.settings = held.settings.model_copy(update={"duplicate_threshold": 99.5})
    assert client.post("/api/v1/claims", json=near, headers=auth()).status_code == 201
