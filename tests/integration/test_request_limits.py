"""Oversized requests are refused the same way however they are sent."""

from __future__ import annotations

import io
import json

import pytest

from service.app import create_app

LIMIT = 4096
CHUNKED = {"wsgi.input_terminated": True}  # what gunicorn sets for a de-chunked body


@pytest.fixture
def small_client(settings, database):
    settings = settings.model_copy(update={"max_body_bytes": LIMIT})
    return create_app(settings, database=database).test_client()


def _chunked_post(client, path, payload: bytes, headers):
    # No Content-Length: the body arrives as a stream the server ended, as chunked bodies do.
    return client.post(
        path,
        input_stream=io.BytesIO(payload),
        headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked", **headers},
        environ_overrides=CHUNKED,
    )


def test_a_chunked_body_over_the_limit_gets_413_not_a_truncated_201(
    small_client, auth, table_counts
) -> None:
    before = table_counts()
    payload = json.dumps({"text": "The council spent " + "far " * 2000 + "too much."}).encode()
    assert len(payload) > LIMIT

    response = _chunked_post(small_client, "/api/v1/claims", payload, auth())

    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert table_counts() == before


def test_a_chunked_body_within_the_limit_is_read_whole(small_client, auth) -> None:
    text = "The council spent " + "far " * 400 + "too much."
    payload = json.dumps({"text": text}).encode()
    assert len(payload) < LIMIT

    response = _chunked_post(small_client, "/api/v1/claims", payload, auth())

    assert response.status_code == 201, response.json
    assert response.json["text"] == text


def test_a_sized_body_over_the_limit_still_gets_413(small_client, auth) -> None:
    payload = json.dumps({"text": "x" * (LIMIT * 2)})
    response = small_client.post(
        "/api/v1/claims", data=payload, content_type="application/json", headers=auth()
    )
    assert response.status_code == 413
