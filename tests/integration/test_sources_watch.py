"""Sources that prove themselves, through the app: fetch, snapshots, anchoring, watching.

A local web server plays the web (loopback only: ``no_outside_network`` fails any other
connection or DNS query). Jobs run as soon as they are queued (huey's immediate mode), and
these tests let the fetcher reach loopback (``fetch_allow_private``, test-only). The SSRF
guard with that setting off is tested in test_sources_ssrf.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select
from werkzeug import Response

from claims.models import Claim, Evidence
from service.demo import EVIDENCE, IFANR, load_demo
from service.jobs import jobs_of
from service.settings import Settings
from sources import snapshots
from sources.models import Snapshot, Source

API = "/api/v1"
MB = 1024 * 1024
QUOTE = "Meta a tenté de recruter un chercheur senior d'OpenAI au poste de directeur scientifique"
CLAIM = "Meta tried to hire a senior OpenAI researcher as chief scientist."


pytestmark = pytest.mark.usefixtures("app")  # its job queue exists before any commit


@pytest.fixture
def settings(loopback_settings: Settings) -> Settings:
    return loopback_settings


def record_source(client: FlaskClient, auth: Callable[..., dict[str, str]], url: str) -> int:
    response = client.post(f"{API}/sources", json={"url": url}, headers=auth())
    assert response.status_code == 201, response.get_data(as_text=True)
    return int(response.get_json()["id"])


def source(client: FlaskClient, source_id: int) -> dict[str, Any]:
    return client.get(f"{API}/sources/{source_id}").get_json()


def refetch(client: FlaskClient, auth: Callable[..., dict[str, str]], source_id: int) -> None:
    response = client.post(f"{API}/sources/{source_id}/fetch", headers=auth())
    assert response.status_code == 202, response.get_data(as_text=True)


def add_quote(
    client: FlaskClient,
    auth: Callable[..., dict[str, str]],
    claim_id: int,
    url: str,
    quote: str,
    stance: str = "supports",
) -> int:
    response = client.post(
        f"{API}/claims/{claim_id}/evidence",
        json={"source_url": url, "stance": stance, "quote": quote},
        headers=auth(),
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    return int(response.get_json()["id"])


def anchor_of(client: FlaskClient, claim_id: int, evidence_id: int) -> dict[str, Any]:
    items = client.get(f"{API}/claims/{claim_id}/evidence").get_json()["data"]
    return next(e for e in items if e["id"] == evidence_id)["anchor"]


def article_with(article_html: bytes, old: str, new: str) -> bytes:
    edited = article_html.decode().replace(old, new)
    assert edited != article_html.decode()
    return edited.encode()


# --- fetching and snapshots ----------------------------------------------------------------


def test_the_seed_article_served_as_html_is_kept_and_every_demo_quote_anchors_in_it(
    client, auth, site, article_html, make_claim
):
    url = site.serve("/lettre", article_html)
    claim = make_claim("Demo quotes, checked against the page")
    quotes = {q for _, key, _, q, _ in EVIDENCE if key == "ifanr"}
    ids = [add_quote(client, auth, claim.id, url, q, stance="mentions") for q in sorted(quotes)]

    kept = client.get(f"{API}/sources/{source_of(client, claim.id)}/snapshots").get_json()
    assert kept["count"] == 1 and kept["data"][0]["current"] is True
    assert kept["data"][0]["http_status"] == 200 and kept["data"][0]["method"] == "trafilatura"
    for evidence_id in ids:
        anchor = anchor_of(client, claim.id, evidence_id)
        assert anchor["state"] == "anchored", anchor
        assert anchor["snapshot_id"] == kept["data"][0]["id"]


def source_of(client: FlaskClient, claim_id: int) -> int:
    return int(
        client.get(f"{API}/claims/{claim_id}/evidence").get_json()["data"][0]["source"]["id"]
    )


def test_a_new_source_is_fetched_and_its_page_fills_what_no_person_set(
    client, auth, site, article_html
):
    url = site.serve("/a", article_html)
    shown = source(client, record_source(client, auth, url))
    assert shown["fetch_state"] == "live" and shown["fetch_reason"] is None
    assert shown["snapshots"] == 1 and shown["current_snapshot_id"] is not None
    assert shown["last_fetched_at"] is not None
    assert shown["title"].startswith("Lettre interne")  # from the page's <title>
    assert shown["author"] == "Fan Shi"

    url = site.serve("/b", article_html)
    response = client.post(
        f"{API}/sources", json={"url": url, "title": "Our own title"}, headers=auth()
    )
    named = source(client, response.get_json()["id"])
    assert (named["title"], named["author"]) == ("Our own title", "Fan Shi")


def test_one_version_of_a_page_is_read_with_its_text_and_its_offsets_point_into_it(
    client, auth, site, article_html, make_claim
):
    url = site.serve("/offsets", article_html)
    claim = make_claim(CLAIM)
    evidence_id = add_quote(client, auth, claim.id, url, QUOTE)
    anchor = anchor_of(client, claim.id, evidence_id)
    source_id = source_of(client, claim.id)
    one = client.get(f"{API}/sources/{source_id}/snapshots/{anchor['snapshot_id']}").get_json()
    assert one["text"][anchor["start"] : anchor["end"]] == anchor["exact"]
    assert one["text_length"] == len(one["text"])
    other = record_source(client, auth, site.serve("/other", article_html))
    missing = client.get(f"{API}/sources/{other}/snapshots/{anchor['snapshot_id']}")
    assert missing.status_code == 404


def test_the_same_page_fetched_again_adds_no_snapshot(client, auth, site, article_html):
    url = site.serve("/same", article_html)
    source_id = record_source(client, auth, url)
    refetch(client, auth, source_id)
    refetch(client, auth, source_id)
    assert client.get(f"{API}/sources/{source_id}/snapshots").get_json()["count"] == 1


def test_asking_for_a_fetch_needs_a_token(client, site, article_html, auth):
    source_id = record_source(client, auth, site.serve("/p", article_html))
    assert client.post(f"{API}/sources/{source_id}/fetch").status_code == 401
    assert client.post(f"{API}/sources/999999/fetch", headers=auth()).status_code == 404


# --- drift: a page edited between two fetches ---------------------------------------------


def test_a_page_edited_between_two_fetches_is_a_new_version_and_the_quote_is_flagged(
    client, auth, site, article_html, make_claim
):
    url = site.serve("/edited", article_html)
    claim = make_claim(CLAIM)
    evidence_id = add_quote(client, auth, claim.id, url, QUOTE)
    source_id = source_of(client, claim.id)
    before = anchor_of(client, claim.id, evidence_id)
    scored_before = client.get(f"{API}/claims/{claim.id}").get_json()
    assert before["state"] == "anchored" and before["changed_at_source"] is False

    site.serve("/edited", article_with(article_html, "chercheur senior", "ingénieur junior"))
    refetch(client, auth, source_id)

    kept = client.get(f"{API}/sources/{source_id}/snapshots").get_json()["data"]
    assert [s["current"] for s in kept] == [False, True]  # the first version is kept as is
    after = anchor_of(client, claim.id, evidence_id)
    assert after["changed_at_source"] is True
    assert after["state"] == "fuzzy" and "ingénieur junior" in after["exact"]
    assert after["snapshot_id"] == kept[1]["id"]
    assert after["before"]["exact"] == before["exact"]  # both versions, for a person
    assert after["before"]["snapshot_id"] == kept[0]["id"]
    scored_after = client.get(f"{API}/claims/{claim.id}").get_json()
    assert scored_after["lean"] < scored_before["lean"]  # rescored: the quote weighs less
    reasons = [c["factor_reason"] for c in scored_after["explanation"]["contributions"]]
    assert "changed_at_source" in reasons
    history = client.get(f"{API}/claims/{claim.id}/history").get_json()["data"]
    assert history[-1]["action"] == "changed_at_source"


def test_a_passage_removed_from_the_page_keeps_what_it_said_and_says_it_is_gone(
    client, auth, site, article_html, make_claim
):
    url = site.serve("/removed", article_html)
    claim = make_claim(CLAIM)
    evidence_id = add_quote(client, auth, claim.id, url, QUOTE)
    markup = article_html.decode()
    start = markup.index("Meta a tenté de recruter")
    end = markup.index("</p>", start)
    site.serve("/removed", (markup[:start] + markup[end:]).encode())
    refetch(client, auth, source_of(client, claim.id))
    after = anchor_of(client, claim.id, evidence_id)
    assert (after["state"], after["changed_at_source"], after["exact"]) == ("orphaned", True, None)
    assert after["before"]["exact"].startswith("Meta a tenté de recruter")


def test_a_page_restored_to_its_first_version_clears_the_flag_without_a_third_version(
    client, auth, site, article_html, make_claim
):
    url = site.serve("/restored", article_html)
    claim = make_claim(CLAIM)
    evidence_id = add_quote(client, auth, claim.id, url, QUOTE)
    source_id = source_of(client, claim.id)
    site.serve("/restored", article_with(article_html, "chercheur senior", "stagiaire"))
    refetch(client, auth, source_id)
    assert anchor_of(client, claim.id, evidence_id)["changed_at_source"] is True
    site.serve("/restored", article_html)
    refetch(client, auth, source_id)
    after = anchor_of(client, claim.id, evidence_id)
    assert (after["state"], after["changed_at_source"], after["before"]) == (
        "anchored",
        False,
        None,
    )
    kept = client.get(f"{API}/sources/{source_id}/snapshots").get_json()["data"]
    assert [s["current"] for s in kept] == [True, False]


def test_a_quote_never_found_on_the_page_is_orphaned_and_weighs_half(
    client, auth, site, article_html, make_claim
):
    url = site.serve("/orphan", article_html)
    claim = make_claim(CLAIM)
    evidence_id = add_quote(
        client, auth, claim.id, url, "Une phrase que l'article ne contient nulle part.", "refutes"
    )
    anchor = anchor_of(client, claim.id, evidence_id)
    assert (anchor["state"], anchor["changed_at_source"]) == ("orphaned", False)
    contribution = client.get(f"{API}/claims/{claim.id}").get_json()["explanation"][
        "contributions"
    ][0]
    assert contribution["factor"] == 0.5  # halved
    assert contribution["factor_reason"] == "orphaned"


def test_evidence_on_a_page_already_kept_is_anchored_in_the_same_request(
    client, auth, site, article_html, make_claim
):
    url = site.serve("/kept", article_html)
    record_source(client, auth, url)
    claim = make_claim(CLAIM)
    response = client.post(
        f"{API}/claims/{claim.id}/evidence",
        json={"source_url": url, "stance": "supports", "quote": QUOTE},
        headers=auth(),
    )
    assert response.get_json()["anchor"]["state"] == "anchored"


# --- link rot -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [404, 410])
def test_a_page_that_starts_answering_404_is_dead_and_its_evidence_stays_valid(
    client, auth, site, article_html, make_claim, status
):
    url = site.serve("/gone", article_html)
    claim = make_claim(CLAIM)
    evidence_id = add_quote(client, auth, claim.id, url, QUOTE)
    source_id = source_of(client, claim.id)
    before = anchor_of(client, claim.id, evidence_id)
    scored = client.get(f"{API}/claims/{claim.id}").get_json()

    site.serve("/gone", "gone", status=status)
    refetch(client, auth, source_id)

    dead = source(client, source_id)
    assert (dead["fetch_state"], dead["fetch_reason"]) == ("dead", f"http_{status}")
    assert dead["dead_since"] is not None and dead["snapshots"] == 1
    assert anchor_of(client, claim.id, evidence_id) == before  # same snapshot, still anchored
    assert client.get(f"{API}/claims/{claim.id}").get_json()["lean"] == scored["lean"]
    listed = client.get(f"{API}/claims/{claim.id}/evidence").get_json()["data"][0]
    assert listed["source"]["fetch_state"] == "dead"
    assert "1 source dead" in client.get(f"/embed/claims/{claim.id}").get_data(as_text=True)


def test_a_dead_page_that_comes_back_is_live_again(client, auth, site, article_html, make_claim):
    url = site.serve("/back", article_html)
    claim = make_claim(CLAIM)
    add_quote(client, auth, claim.id, url, QUOTE)
    source_id = source_of(client, claim.id)
    card = f"/embed/claims/{claim.id}"
    site.serve("/back", "gone", status=404)
    refetch(client, auth, source_id)
    assert source(client, source_id)["fetch_state"] == "dead"
    assert "1 source dead" in client.get(card).get_data(as_text=True)
    site.serve("/back", article_html)
    refetch(client, auth, source_id)
    back = source(client, source_id)
    assert (back["fetch_state"], back["dead_since"], back["snapshots"]) == ("live", None, 1)
    assert "source dead" not in client.get(card).get_data(as_text=True)


def test_a_host_that_no_longer_resolves_is_dead(client, auth):
    source_id = record_source(client, auth, "https://vanished.example/story")
    shown = source(client, source_id)
    assert (shown["fetch_state"], shown["fetch_reason"]) == ("dead", "unreachable")


@pytest.fixture
def impatient(app: Flask) -> None:
    """The app's fetcher gives up on a page after 0.5 s per read and 2 s in all."""
    jobs = jobs_of(app)
    policy = replace(jobs.fetcher.policy, read_timeout=0.5, total_timeout=2.0, backoff=0.1)
    jobs.fetcher = replace(jobs.fetcher, policy=policy)


@pytest.mark.usefixtures("impatient")
def test_a_timeout_on_a_live_page_leaves_it_live_with_the_reason(client, auth, site, article_html):
    url = site.serve("/flaky", article_html)
    source_id = record_source(client, auth, url)

    site.serve("/flaky", article_html, delay=2.5)
    refetch(client, auth, source_id)
    shown = source(client, source_id)
    assert (shown["fetch_state"], shown["fetch_reason"]) == ("live", "timeout")


# --- what is not a page we keep ----------------------------------------------------------------


@pytest.mark.usefixtures("impatient")
def test_a_slow_page_times_out_and_the_source_says_so(client, auth, site):
    url = site.serve("/slow", "<p>late</p>", delay=2.5)
    shown = source(client, record_source(client, auth, url))
    assert (shown["fetch_state"], shown["fetch_reason"], shown["snapshots"]) == (
        "error",
        "timeout",
        0,
    )


def test_a_50_mb_body_is_cut_at_the_cap_and_recorded_as_too_large(client, auth, server):
    sent: list[int] = []

    def fifty_megabytes() -> Iterator[bytes]:
        for _ in range(50):
            sent.append(MB)
            yield b"<p>" + b"x" * (MB - 7) + b"</p>"

    server.expect_request("/huge").respond_with_response(
        Response(fifty_megabytes(), content_type="text/html")
    )
    shown = source(client, record_source(client, auth, server.url_for("/huge")))
    assert (shown["fetch_state"], shown["fetch_reason"], shown["snapshots"]) == (
        "error",
        "too_large",
        0,
    )
    assert sum(sent) < 50 * MB  # the download stopped near the cap


@pytest.mark.parametrize("content_type", ["application/pdf", "image/png", "application/json"])
def test_a_non_html_type_is_recorded_as_unsupported(client, auth, site, content_type):
    url = site.serve("/file", b"%PDF-1.7 ...", content_type)
    shown = source(client, record_source(client, auth, url))
    assert (shown["fetch_state"], shown["fetch_reason"]) == ("error", "unsupported_type")


@pytest.mark.parametrize(
    "body",
    [
        b"<html><body><p>unclosed <b><i>tags <table><tr><td>cell",
        b"\x00\x01\x02<p>binary noise</p>\xff\xfe",
        b"<p>" + b"<div>" * 20_000 + b"deep</p>",
        b"<script>alert(1)</script><p>Meta a tent\xc3\xa9 de recruter</p>",
    ],
    ids=["unclosed", "binary", "deep", "script"],
)
def test_broken_and_hostile_markup_is_kept_without_a_crash(client, auth, site, body):
    shown = source(client, record_source(client, auth, site.serve("/hostile", body)))
    assert shown["fetch_state"] == "live" and shown["snapshots"] == 1


# --- nothing half-written ------------------------------------------------------------------


def test_a_fetch_job_that_fails_while_recording_writes_nothing(
    client, auth, site, article_html, monkeypatch, table_counts
):
    url = site.serve("/boom", article_html)
    source_id = record_source(client, auth, url)
    refetch_counts = table_counts(every=True)
    state = source(client, source_id)
    site.serve("/boom", article_with(article_html, "chercheur senior", "autre"))

    crashes: list[str] = []

    def explode(*args: Any, **kwargs: Any) -> Any:
        crashes.append("extract")
        raise RuntimeError("extractor crashed")

    monkeypatch.setattr(snapshots, "extract", explode)
    refetch(client, auth, source_id)
    assert crashes == ["extract"]  # the job ran and failed after the page was fetched
    after = table_counts(every=True)
    # Nothing written but the job itself, kept in the outbox for another try.
    assert after.pop("job_outbox") == refetch_counts.pop("job_outbox") + 1
    assert after == refetch_counts
    assert source(client, source_id) == state  # not even its fetch time moved


def test_a_re_anchoring_job_that_fails_leaves_every_quote_as_it_was(
    client, auth, site, article_html, make_claim, monkeypatch, table_counts
):
    import claims.anchoring.service as anchoring

    url = site.serve("/half", article_html)
    claim = make_claim(CLAIM)
    first = add_quote(client, auth, claim.id, url, QUOTE)
    second = add_quote(client, auth, claim.id, url, "Un homme avec une mission")
    anchors = [anchor_of(client, claim.id, e) for e in (first, second)]
    calls: list[str] = []
    real = anchoring.anchor_quote

    def second_one_fails(quote: str, text: str, **kwargs: Any) -> Any:
        calls.append(quote)
        if len(calls) == 2:
            raise RuntimeError("anchoring crashed half-way")
        return real(quote, text, **kwargs)

    site.serve("/half", article_with(article_html, "chercheur senior", "autre"))
    monkeypatch.setattr(anchoring, "anchor_quote", second_one_fails)
    counts = table_counts()
    refetch(client, auth, source_of(client, claim.id))
    assert len(calls) == 2
    assert [anchor_of(client, claim.id, e) for e in (first, second)] == anchors
    assert table_counts()["revision"] == counts["revision"]


# --- watching -------------------------------------------------------------------------------


def test_the_periodic_recheck_fetches_every_watched_source_that_is_due(
    app, client, auth, site, article_html, session: Session
):
    source_id = record_source(client, auth, site.serve("/due", article_html))
    fresh = record_source(client, auth, site.serve("/fresh", article_html))
    row = session.get(Source, source_id)
    assert row is not None and row.last_fetched_at is not None
    row.last_fetched_at = row.last_fetched_at - timedelta(hours=25)
    session.add(row)
    session.commit()
    before = {s: source(client, s)["last_fetched_at"] for s in (source_id, fresh)}

    jobs_of(app).recheck_sources()

    assert source(client, source_id)["last_fetched_at"] > before[source_id]
    assert source(client, fresh)["last_fetched_at"] == before[fresh]


def test_a_duplicate_fetch_job_queued_before_the_last_fetch_does_nothing(
    app, client, auth, site, article_html
):
    source_id = record_source(client, auth, site.serve("/dup", article_html))
    fetched_at = source(client, source_id)["last_fetched_at"]
    stale = snapshots.utcnow() - timedelta(minutes=5)
    jobs_of(app).fetch_source(source_id, stale)
    assert source(client, source_id)["last_fetched_at"] == fetched_at


# --- the demo ---------------------------------------------------------------------------------


def test_a_fresh_demo_shows_every_ifanr_quote_anchored_without_any_request(
    client, session: Session, no_outside_network
):
    load_demo(session=session)
    session.commit()
    ifanr = session.exec(select(Source).where(Source.url == IFANR)).one()
    assert ifanr.fetch_state == "live" and ifanr.watched is False
    assert len(session.exec(select(Snapshot).where(Snapshot.source_id == ifanr.id)).all()) == 1
    rows = session.exec(select(Evidence, Source).join(Source).order_by(Evidence.id)).all()
    for evidence, where in rows:
        expected = "anchored" if where.id == ifanr.id else "unanchored"
        assert evidence.anchor_state == expected, (where.url, evidence.quote)
    others = [s for _, s in rows if s.id != ifanr.id]
    assert others and {s.fetch_state for s in others} == {"pending"}
    assert no_outside_network == []
    claim = session.exec(select(Claim).where(Claim.id == rows[0][0].claim_id)).one()
    assert claim.status == "unsettled"  # anchoring changed nothing of the worked example


# --- the queue ---------------------------------------------------------------------------------


def test_the_queue_is_a_sqlite_file_in_the_instance_folder_unless_redis_is_configured(tmp_path):
    from huey import MemoryHuey, RedisHuey, SqliteHuey

    from service.jobs import make_huey

    base = {"env": "test", "secret_key": "test-secret-key-0123456789"}
    on_disk = make_huey(Settings(**base), tmp_path)
    assert isinstance(on_disk, SqliteHuey) and not on_disk.immediate
    assert (tmp_path / "jobs.sqlite3").exists()
    shared = make_huey(Settings(**base, redis_url="redis://127.0.0.1:6379/15"), tmp_path)
    assert isinstance(shared, RedisHuey)  # built without connecting
    assert isinstance(make_huey(Settings(**base, jobs_immediate=True), tmp_path), MemoryHuey)


def test_the_worker_refuses_to_start_where_jobs_run_as_they_are_queued(runner):
    result = runner.invoke(args=["worker"])
    assert result.exit_code != 0 and "nothing to consume" in result.output
