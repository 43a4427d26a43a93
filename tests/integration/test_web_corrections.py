"""Correcting evidence and counter-statements, and withdrawing a verdict, from the pages: the
API's rules, and a form opened on a stale version refused with a clear message."""

from __future__ import annotations

from sqlmodel import select

from claims.models import Evidence, Relation, Verdict

API = "/api/v1"


def test_an_editor_corrects_evidence_and_the_claim_is_rescored(
    signed_in, client, make_claim, make_source, make_evidence, session
) -> None:
    claim = make_claim("The ferry carries 800 cars.")
    source = make_source("https://ferry.example/specs", kind="primary")
    item = make_evidence(claim, source, stance="supports")
    editor = signed_in("editor", "ed")
    page = editor.text(f"/claims/{claim.id}")
    path = f"/claims/{claim.id}/evidence/{item.id}/edit"
    assert path in page  # the "Correct" link beside the item
    form = editor.text(path)
    assert 'value="https://ferry.example/specs"' in form and 'name="version" value="1"' in form

    response = editor.post(
        path,
        {
            "source_url": "https://ferry.example/specs",
            "stance": "refutes",
            "quote": "The ferry carries 600 cars.",
            "note": "Spec sheet, page 2.",
            "version": editor.hidden(path, "version"),
        },
    )

    assert response.status_code == 303, response.get_data(as_text=True)
    assert response.headers["Location"].endswith(f"#evidence-{item.id}")
    session.expire_all()
    stored = session.get(Evidence, item.id)
    assert stored is not None
    assert (stored.stance, stored.quote, stored.note, stored.revision) == (
        "refutes",
        "The ferry carries 600 cars.",
        "Spec sheet, page 2.",
        2,
    )
    assert stored.source_id == source.id  # the address was not changed
    counts = client.get(f"{API}/claims/{claim.id}/status").get_json()["counts"]
    assert (counts["supporting"], counts["refuting"]) == (0, 1)
    after = editor.text(f"/claims/{claim.id}")
    assert "Correction" in after and "<ins>The ferry carries 600 cars.</ins>" in after


def test_an_evidence_form_opened_on_a_stale_version_is_refused_and_nothing_is_overwritten(
    signed_in, client, auth, make_claim, make_source, make_evidence, session
) -> None:
    claim = make_claim("The ferry carries 900 cars.")
    item = make_evidence(claim, make_source("https://ferry.example/900"), stance="supports")
    editor = signed_in("editor")
    path = f"/claims/{claim.id}/evidence/{item.id}/edit"
    opened = editor.hidden(path, "version")
    changed = client.patch(
        f"{API}/claims/{claim.id}/evidence/{item.id}",
        json={"quote": "Nine hundred cars, says the operator."},
        headers={**auth("editor"), "If-Match": '"1"'},
    )
    assert changed.status_code == 200
    mine = {
        "source_url": "https://ferry.example/900",
        "stance": "refutes",
        "quote": "My own reading.",
        "version": opened,
    }

    refused = editor.post(path, mine)

    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert "Someone changed this evidence after you opened this form" in page
    assert "My own reading." in page  # what they typed is kept
    assert "Nine hundred cars, says the operator." in page  # and the evidence as it is now
    session.expire_all()
    stored = session.get(Evidence, item.id)
    assert stored is not None and stored.stance == "supports"
    assert stored.quote == "Nine hundred cars, says the operator."
    # The refusal carries the current version: saving again, knowingly, goes through.
    again = editor.post(path, {**mine, "version": editor.hidden(path, "version")})
    assert again.status_code == 303
    session.expire_all()
    assert session.get(Evidence, item.id).quote == "My own reading."  # type: ignore[union-attr]


def test_evidence_corrections_follow_the_api_rules(
    signed_in, web, make_claim, make_source, make_evidence, session
) -> None:
    claim = make_claim("The ferry carries 1000 cars.")
    theirs = make_evidence(claim, make_source("https://ferry.example/1000"))
    contributor = signed_in("contributor", "casey")
    added = contributor.post(
        f"/claims/{claim.id}/evidence/new",
        {"source_url": "https://news.example/ferry", "stance": "supports", "quote": "1,000."},
    )
    assert added.status_code == 303
    mine = session.exec(select(Evidence).where(Evidence.added_by == "user:casey")).one()
    page = contributor.text(f"/claims/{claim.id}")
    assert f"/evidence/{mine.id}/edit" in page and f"/evidence/{theirs.id}/edit" not in page
    assert contributor.get(f"/claims/{claim.id}/evidence/{theirs.id}/edit").status_code == 403
    assert web.get(f"/claims/{claim.id}/evidence/{mine.id}/edit").status_code == 302
    path = f"/claims/{claim.id}/evidence/{mine.id}/edit"
    version = contributor.hidden(path, "version")
    blank = contributor.post(
        path,
        {
            "source_url": "https://news.example/ferry",
            "stance": "supports",
            "quote": " ",
            "version": version,
        },
    )
    assert blank.status_code == 422 and 'id="quote-error"' in blank.get_data(as_text=True)
    own = contributor.post(
        path,
        {
            "source_url": "https://news.example/ferry",
            "stance": "mentions",
            "quote": "1,000.",
            "version": version,
        },
    )
    assert own.status_code == 303
    contributor.post(f"/claims/{claim.id}/evidence/{mine.id}/retract", {"reason": "Wrong page."})
    assert contributor.get(path).status_code == 409  # retracted: nothing left to correct


def test_an_editor_corrects_a_counter_statement_and_a_stale_form_is_refused(
    signed_in, client, auth, make_claim, make_relation, session
) -> None:
    claim = make_claim("Every engineer got an offer.")
    answer = make_claim("Only a few engineers got offers.")
    relation = make_relation(answer, "rebuts", claim)
    editor = signed_in("editor")
    path = f"/claims/{claim.id}/relations/{relation.id}/edit"
    assert path in editor.text(f"/claims/{claim.id}")
    opened = editor.hidden(path, "version")

    corrected = editor.post(
        path, {"kind": "qualifies", "first_hand": "1", "note": "Narrows it.", "version": opened}
    )

    assert corrected.status_code == 303, corrected.get_data(as_text=True)
    assert corrected.headers["Location"].endswith(f"#relation-{relation.id}")
    session.expire_all()
    stored = session.get(Relation, relation.id)
    assert stored is not None
    assert (stored.kind, stored.first_hand, stored.note, stored.revision) == (
        "qualifies",
        True,
        "Narrows it.",
        2,
    )
    assert client.get(f"{API}/claims/{claim.id}/status").get_json()["counts"]["rebuttals"] == 0
    # A second form opened before that correction is refused, and says why.
    refused = editor.post(path, {"kind": "rebuts", "note": "", "version": opened})
    assert refused.status_code == 409
    assert "Someone changed this counter-statement after you opened this form" in (
        refused.get_data(as_text=True)
    )
    session.expire_all()
    assert session.get(Relation, relation.id).kind == "qualifies"  # type: ignore[union-attr]
    contributor = signed_in("contributor")
    assert contributor.get(path).status_code == 403


def test_an_editor_withdraws_the_verdict_in_force_after_confirming(
    signed_in, client, make_claim, make_verdict, session
) -> None:
    claim = make_claim("The bridge opened in 1932.")
    make_verdict(claim, rating="true", rationale="The city archive says so.")
    editor = signed_in("editor")
    page = editor.text(f"/claims/{claim.id}")
    path = f"/claims/{claim.id}/verdict/withdraw"
    assert path in page  # the button beside the verdict
    confirm = editor.text(path)
    assert "The city archive says so." in confirm  # the page shows what will be withdrawn
    version = editor.hidden(path, "version")
    assert editor.post(path, {"reason": "", "version": version}).status_code == 422

    done = editor.post(path, {"reason": "Ruled on the wrong bridge.", "version": version})

    assert done.status_code == 303 and done.headers["Location"].endswith("#verdict")
    assert client.get(f"{API}/claims/{claim.id}").get_json()["verdict"] is None
    after = editor.text(f"/claims/{claim.id}")
    assert "The last verdict was withdrawn; no verdict is in force." in after
    assert "Withdrawal" in after and "Ruled on the wrong bridge." in after
    assert path not in after and "Give a verdict" in after
    # The same form sent again finds nothing in force: refused, nothing changed.
    again = editor.post(path, {"reason": "Twice.", "version": version})
    assert again.status_code == 409
    assert "no longer in force" in again.get_data(as_text=True)


def test_a_withdrawal_form_opened_before_a_new_verdict_withdraws_nothing(
    signed_in, make_claim, make_verdict, session
) -> None:
    claim = make_claim("The bridge opened in 1933.")
    make_verdict(claim, rating="false")
    editor = signed_in("editor")
    path = f"/claims/{claim.id}/verdict/withdraw"
    opened = editor.hidden(path, "version")
    newer = make_verdict(claim, rating="mostly_false", rationale="Opened in 1932, not 1933.")

    refused = editor.post(path, {"reason": "Error.", "version": opened})

    assert refused.status_code == 409
    assert "Another verdict was published after you opened this form" in (
        refused.get_data(as_text=True)
    )
    session.expire_all()
    assert session.get(Verdict, newer.id).superseded_at is None  # type: ignore[union-attr]
    assert signed_in("contributor", "casey").get(path).status_code == 403


def test_after_a_withdrawal_the_verdict_form_shows_no_verdict_as_current(
    signed_in, make_claim, make_verdict, session
) -> None:
    from claims.services import verdicts

    claim = make_claim("The bridge opened in 1934.")
    make_verdict(claim, rating="false", rationale="Withdrawn rationale.")
    editor = signed_in("editor", "ed")
    path = f"/claims/{claim.id}/verdict/withdraw"
    editor.post(path, {"reason": "Error.", "version": editor.hidden(path, "version")})
    assert verdicts.current_verdicts(session=session, claim_ids=[claim.id]) == {}

    form = editor.text(f"/claims/{claim.id}/verdict/new")

    assert "The current verdict" not in form
    assert editor.hidden(f"/claims/{claim.id}/verdict/new", "version") == "none"
