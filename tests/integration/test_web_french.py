"""Every page in French, with nothing internal shown: the test that keeps it so.

It visits the pages a reader and an editor see (each demo claim, the lists, the forms, a
claim with a correction, a withdrawn piece of evidence and a retracted claim in its history)
and fails on any English word, field name, Python value or actor code in the interface's own
words, and on French punctuation without its no-break space.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from page_words import english_in, french_typography_faults, internal_details_in
from sqlmodel import Session, col, select

from claims.models import Claim, Claimant, Evidence, Relation, ReviewState, Verdict
from claims.policy import ANONYMOUS, Actor, Role
from claims.schemas import ClaimCreate, ClaimUpdate
from claims.services import evidence, ledger
from sources.models import Publisher, Source

FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9"}


def _arrange(session: Session, demo: Callable[[], str]) -> dict[str, int]:
    """The demo, plus a correction, a withdrawn piece of evidence and a submitted claim."""
    demo()
    editor = Actor(name="user:editor", role=Role.editor)
    first = session.exec(select(Claim).order_by(Claim.id)).first()
    assert first is not None and first.id is not None
    ledger.update_claim(
        session=session,
        claim_id=first.id,
        claim_in=ClaimUpdate(tags=["meta", "salaires"], said_on="2025-06-17", language="fr"),
        actor=editor,
    )
    item = session.exec(select(Evidence).where(Evidence.claim_id == first.id)).first()
    assert item is not None and item.id is not None
    evidence.retract_evidence(
        session=session, claim_id=first.id, evidence_id=item.id, reason="Doublon.", actor=editor
    )
    waiting = ledger.create_claim(
        session=session,
        claim_in=ClaimCreate(
            text="Les salaires des chercheurs ont doublé en un an.", language="fr"
        ),
        actor=ANONYMOUS,
        review_state=ReviewState.submitted,
        allow_duplicate=True,
    )
    session.commit()
    assert waiting.id is not None
    return {"claim": first.id, "evidence": item.id, "submitted": waiting.id}


def _pages(session: Session, ids: dict[str, int]) -> list[str]:
    claims = [c.id for c in session.exec(select(Claim).order_by(Claim.id)).all()]
    relation = session.exec(select(Relation)).first()
    assert relation is not None
    first = ids["claim"]
    live = session.exec(select(Evidence).where(col(Evidence.retracted_at).is_(None))).first()
    ruled = session.exec(select(Verdict).where(col(Verdict.superseded_at).is_(None))).first()
    assert live is not None and ruled is not None
    return [
        "/",
        "/search?q=meta",
        "/search?q=zzzz",
        "/login",
        "/ns",
        "/claims/new",
        "/claims/999999",
        *(f"/claims/{i}" for i in claims),
        *(f"/claimants/{c.id}" for c in session.exec(select(Claimant)).all()),
        *(f"/sources/{s.id}" for s in session.exec(select(Source)).all()),
        *(f"/publishers/{p.id}" for p in session.exec(select(Publisher)).all()),
        "/review",
        f"/claims/{ids['submitted']}",
        f"/claims/{first}/edit",
        f"/claims/{first}/retract",
        f"/claims/{first}/verdict/new",
        f"/claims/{first}/evidence/new",
        f"/claims/{first}/counter/new",
        f"/claims/{relation.object_id}/relations/{relation.id}/retract",
        f"/claims/{relation.object_id}/relations/{relation.id}/edit",
        f"/claims/{live.claim_id}/evidence/{live.id}/edit",
        f"/claims/{ruled.claim_id}/verdict/withdraw",
    ]


@pytest.fixture
def french_pages(session, demo, signed_in) -> list[tuple[str, str]]:
    """(path, page) for every page an editor and a visitor see, in French."""
    ids = _arrange(session, demo)
    editor = signed_in("editor")
    editor.get("/")  # the sign-in page's "signed in" notice was worded in the sign-in language
    seen = []
    for path in _pages(session, ids):
        response = editor.get(path, headers=FRENCH)
        assert response.status_code in (200, 404), (path, response.status_code)
        seen.append((path, response.get_data(as_text=True)))
    return seen


def test_no_english_is_left_on_a_french_page(french_pages, web) -> None:
    found = {path: english_in(page) for path, page in french_pages}
    visitor = {p: english_in(web.get(p, headers=FRENCH).get_data(as_text=True)) for p in ("/",)}
    assert {p: w for p, w in {**found, **visitor}.items() if w} == {}


def test_no_field_name_code_or_python_value_is_shown_on_a_page(french_pages, signed_in) -> None:
    found = {path: internal_details_in(page, french=True) for path, page in french_pages}
    english = signed_in("editor", username="eddie")
    for path, _page in french_pages:
        page = english.get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)
        found[f"{path} (en)"] = internal_details_in(page, french=False)
    assert {p: w for p, w in found.items() if w} == {}


def test_french_punctuation_has_its_no_break_space(french_pages) -> None:
    found = {path: french_typography_faults(page) for path, page in french_pages}
    assert {p: w for p, w in found.items() if w} == {}


def test_the_checks_catch_english_and_internal_details() -> None:
    page = (
        '<html lang="fr"><body><p>Ajouté par user:ed</p><p>claimant_id: None</p>'
        '<p>Added by someone</p><p translate="no">the words people typed</p>'
        '<p lang="en">the English summary</p><p>Statut: contestée</p></body></html>'
    )
    assert english_in(page) == ["added", "by", "none", "user"]
    assert internal_details_in(page, french=True) == ["None", "claimant_id", "user:"]
    assert french_typography_faults(page) == ["Statut:", "claimant_id:", "user:"]
    assert french_typography_faults('<html lang="fr"><p>Statut : x</p></html>') == [":"]
    assert french_typography_faults('<html lang="fr"><p>Statut\u00a0: 12:30</p></html>') == []
