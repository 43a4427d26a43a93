"""Problem type URIs live under the deployment's own URL and explain the error, in EN and FR."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from service.app import create_app
from service.problem_types import TYPES, slug_for_status

SERVICE = Path(__file__).resolve().parents[2] / "service"


def test_every_slug_the_service_can_send_has_a_page() -> None:
    sent = set()
    for source in SERVICE.rglob("*.py"):
        sent |= set(re.findall(r'slug="([a-z-]+)"', source.read_text(encoding="utf-8")))
    sent |= {"internal-error", "untrusted-host"}  # default title slug; service/hosts.py
    sent |= {slug_for_status(s) for s in (400, 401, 403, 404, 405, 409, 413, 414, 415, 429, 431)}
    assert sent - set(TYPES) == set()


def test_a_problem_type_points_at_this_deployment_and_explains_the_error(client) -> None:
    problem = client.get("/api/v1/claims/999999").json
    assert problem["type"] == "http://localhost/problems/not-found"
    page = client.get(urlsplit(problem["type"]).path)
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert "Not found" in text and "positive integers" in text
    french = client.get("/problems/not-found", headers={"Accept-Language": "fr"})
    assert "Introuvable" in french.get_data(as_text=True)


def test_with_a_public_url_problem_types_use_it(settings, database) -> None:
    app = create_app(
        settings.model_copy(update={"public_url": "https://claims.example.org"}),
        database=database,
    )
    client = app.test_client()
    problem = client.get(
        "/api/v1/claims", query_string={"limit": "0"}, headers={"Host": "claims.example.org"}
    ).json
    assert problem["type"] == "https://claims.example.org/problems/validation"


@pytest.mark.parametrize("slug", sorted(TYPES))
def test_each_problem_page_is_there_in_english_and_french(client, slug) -> None:
    english = client.get(f"/problems/{slug}", headers={"Accept-Language": "en"})
    french = client.get(f"/problems/{slug}", headers={"Accept-Language": "fr"})
    assert english.status_code == french.status_code == 200
    assert str(TYPES[slug].status) in english.get_data(as_text=True)
    assert english.data != french.data


def test_the_index_lists_every_problem_and_unknown_slugs_are_404(client) -> None:
    index = client.get("/problems/").get_data(as_text=True)
    for slug in TYPES:
        assert f'href="/problems/{slug}"' in index
    assert client.get("/problems/no-such-problem").status_code == 404


def test_an_unexplained_status_is_about_blank(client) -> None:
    from service.problems import ApiProblem, problem_response

    with client.application.test_request_context("/api/v1/x"):
        body = problem_response(ApiProblem(418, "Teapot", "short and stout", slug="teapot")).json
    assert body is not None and body["type"] == "about:blank"
