"""The status poll in words (issue 15): the verdict leads when an editor has ruled, the state
of the evidence stands beside it, a disagreement is said in the request's language, and the
reason codes stay codes."""

from __future__ import annotations

import pytest

API = "/api/v1"
FRENCH = {"Accept-Language": "fr-FR, fr;q=0.9, en;q=0.5"}
NBSP = "\u00a0"  # French puts a no-break space before ':' and ';' and inside « »


def poll(client, claim_id: int, headers: dict[str, str] | None = None):
    answer = client.get(f"{API}/claims/{claim_id}/status", headers=headers or {})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer


def signed(total: int) -> str:
    return f"+{total}" if total > 0 else f"\u2212{-total}" if total < 0 else "0"


@pytest.fixture
def overruled(make_claim, make_source, make_evidence, make_verdict):
    """One secondary report backs the claim (unsettled); the editor rated it mostly true."""
    claim = make_claim("The tunnel under the estuary took eleven years to dig.")
    make_evidence(claim, make_source("https://harbour.example/tunnel"), stance="supports")
    make_verdict(claim, rating="mostly_true")
    return int(claim.id)


def test_a_verdict_the_evidence_disagrees_with_leads_and_the_poll_says_why(client, overruled):
    view = client.get(f"{API}/claims/{overruled}").get_json()
    assert view["status"] == "unsettled"  # the evidence alone does not settle it
    score = signed(view["explanation"]["total"])

    english = poll(client, overruled).get_json()
    french = poll(client, overruled, FRENCH).get_json()

    assert english["headline"] == french["headline"] == "verdict"
    assert english["summary"] == {
        "language": "en",
        "headline": "Editor's verdict: Mostly true",
        "state": "State of the evidence on record: Unsettled",
        "disagreement": "The editor rated it mostly true; the evidence on record is unsettled"
        f" because its evidence score ({score}) has reached neither +100 nor \u2212100.",
    }
    assert french["summary"] == {
        "language": "fr",
        "headline": f"Verdict de la rédaction{NBSP}: Plutôt vrai",
        "state": f"État des preuves au dossier{NBSP}: Indécis",
        "disagreement": f"La rédaction l’a jugée «{NBSP}plutôt vrai{NBSP}»{NBSP}; l’état des"
        f" preuves au dossier est «{NBSP}indécis{NBSP}», car son score des preuves ({score})"
        " n’atteint ni +100 ni \u2212100.",
    }
    # The same words as the full claim view gives, and the same codes as its explanation.
    worded = client.get(f"{API}/claims/{overruled}", headers=FRENCH).get_json()
    assert french["summary"]["headline"] == worded["explanation_text"]["headline"]
    assert french["summary"]["disagreement"] == worded["explanation_text"]["disagreement"]
    assert english["reasons"] == french["reasons"] == view["explanation"]["reasons"]


def test_without_a_verdict_the_state_of_the_evidence_leads(client, make_claim):
    claim_id = int(make_claim("The lighthouse keeper's log was lost in a fire.").id)

    english = poll(client, claim_id).get_json()
    french = poll(client, claim_id, FRENCH).get_json()

    assert english["verdict"] is None and english["headline"] == "evidence"
    assert english["summary"] == {
        "language": "en",
        "headline": "State of the evidence on record: Unsourced",
        "state": "State of the evidence on record: Unsourced",
        "disagreement": None,
    }
    assert french["summary"] == {
        "language": "fr",
        "headline": f"État des preuves au dossier{NBSP}: Sans source",
        "state": f"État des preuves au dossier{NBSP}: Sans source",
        "disagreement": None,
    }
    # The full claim says it in the same words: one meaning of headline and state.
    for headers, summary in ((None, english["summary"]), (FRENCH, french["summary"])):
        text = client.get(f"{API}/claims/{claim_id}", headers=headers or {}).get_json()
        said = text["explanation_text"]
        assert (said["headline"], said["state"]) == (summary["headline"], summary["state"])


def test_a_verdict_on_a_claim_without_sources_disagrees_because_none_is_on_record(
    client, make_claim, make_verdict
):
    claim = make_claim("The bridge was painted red until 1950.")
    make_verdict(claim, rating="false")

    english = poll(client, int(claim.id)).get_json()["summary"]
    french = poll(client, int(claim.id), FRENCH).get_json()["summary"]

    assert english["headline"] == "Editor's verdict: False"
    assert english["disagreement"] == (
        "The editor rated it false; the evidence on record is unsourced because no source is on"
        " record yet."
    )
    assert french["disagreement"] == (
        f"La rédaction l’a jugée «{NBSP}faux{NBSP}»{NBSP}; l’état des preuves au dossier est"
        f" «{NBSP}sans source{NBSP}», car aucune source n’est encore au dossier."
    )


def test_the_reason_codes_come_from_the_stored_explanation(client, demo):
    demo()
    found = client.get(
        f"{API}/claims", query_string={"q": "prime à la signature", "claimant": "Ultraman"}
    ).get_json()["data"][0]

    status = poll(client, found["id"]).get_json()

    # Bosworth's first-hand denial is an interested party's: it is capped, and the code says so.
    assert status["reasons"] == found["explanation"]["reasons"] == ["interested_party_capped"]
    assert status["summary"]["headline"] == "Editor's verdict: Mixed"


def test_each_language_has_its_own_body_and_etag_and_caches_keep_them_apart(client, overruled):
    english = poll(client, overruled)
    french = poll(client, overruled, FRENCH)
    other = poll(client, overruled, {"Accept-Language": "de"})

    for answer in (english, french, other):
        assert "Accept-Language" in answer.headers["Vary"]
    assert french.headers["ETag"] != english.headers["ETag"] == other.headers["ETag"]
    assert other.get_data() == english.get_data()  # English unless French is asked for
    url = f"{API}/claims/{overruled}/status"
    stale = client.get(url, headers={**FRENCH, "If-None-Match": english.headers["ETag"]})
    assert stale.status_code == 200 and stale.get_data() == french.get_data()
    current = client.get(url, headers={**FRENCH, "If-None-Match": french.headers["ETag"]})
    assert current.status_code == 304 and current.headers["ETag"] == french.headers["ETag"]


def test_an_answer_per_origin_varies_on_the_origin_and_the_language_in_one_header(
    settings, database, make_claim
):
    from service.app import create_app

    claim_id = int(make_claim("The ferry crossing took four hours in 1920.").id)
    app = create_app(
        settings.model_copy(update={"cors_origins": "https://news.example"}), database=database
    )
    client = app.test_client()
    url = f"{API}/claims/{claim_id}/status"

    allowed = client.get(url, headers={**FRENCH, "Origin": "https://news.example"})
    other = client.get(url, headers={**FRENCH, "Origin": "https://elsewhere.example"})

    assert allowed.headers.getlist("Vary") == ["Accept-Language, Origin"]
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://news.example"
    assert other.headers.getlist("Vary") == ["Accept-Language"]
    assert (
        allowed.get_json()["summary"]["language"] == "fr" == other.get_json()["summary"]["language"]
    )
