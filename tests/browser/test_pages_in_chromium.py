"""Every page, as a visitor and as an editor, in English and French, at 1280 and 390 px.

Each state is checked with axe-core (no violation of any impact) and captured for a person to
look at (``tests/browser/artifacts/<language>-<who>-<page>-{desktop,phone}.png``). On a phone
the claim page must show the editor's verdict in the first screen.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from conftest import ARTIFACTS

pytestmark = pytest.mark.browser

VISITOR_PAGES = {
    "home": "/",
    "claim": "/claims/{claim}",
    "search": "/search?q=prime",
    "submit": "/claims/new",
    "login": "/login",
    "claimant": "/claimants/1",
    "source": "/sources/1",
    "publisher": "/publishers/1",
    "vocabulary": "/ns",
    "not-found": "/claims/999999",
    "api-docs": "/api/v1/docs",
    "card": "/embed/claims/{claim}",
    "card-fr": "/embed/claims/{claim}?lang=fr",
    "card-missing": "/embed/claims/999999",
}
EDITOR_PAGES = {
    "claim": "/claims/{claim}",
    "review": "/review",
    "edit": "/claims/{claim}/edit",
    "retract": "/claims/{claim}/retract",
    "verdict": "/claims/{claim}/verdict/new",
    "evidence": "/claims/{claim}/evidence/new",
    "counter": "/claims/{claim}/counter/new",
    "evidence-edit": "/claims/{claim}/evidence/{evidence}/edit",
    "counter-edit": "/claims/{claim}/relations/{relation}/edit",
    "verdict-withdraw": "/claims/{claim}/verdict/withdraw",
}


@pytest.fixture(scope="module")
def queued_claim(live: Any) -> int:
    """A claim submitted without an account, close to the demo's: the queue has one to show."""
    from claims.models import ReviewState
    from claims.policy import ANONYMOUS
    from claims.schemas import ClaimCreate
    from claims.services import ledger

    session = live.database.session_factory()
    claim = ledger.create_claim(
        session=session,
        claim_in=ClaimCreate(
            text="Meta a offert une prime à la signature de 100 millions de dollars.", language="fr"
        ),
        actor=ANONYMOUS,
        review_state=ReviewState.submitted,
        allow_duplicate=True,
    )
    session.commit()
    claim_id = claim.id
    session.close()
    assert claim_id is not None
    return claim_id


@pytest.fixture(params=["en-GB", "fr-FR"])
def tab(request: Any, chromium: Any, live_server: str) -> Iterator[Any]:
    """A tab in each language."""
    context = chromium.new_context(
        base_url=live_server, viewport={"width": 1280, "height": 900}, locale=request.param
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def demo_claim_id(tab: Any) -> int:
    """The demo's contested, rated claim (Sam Altman's $100M signing bonuses)."""
    found = tab.request.get("/api/v1/claims", params={"q": "prime signature 100 millions"})
    return int(next(c["id"] for c in found.json()["data"] if c["claimant"]["name"] == "Sam Altman"))


def _language(tab: Any) -> str:
    return "fr" if tab.evaluate("navigator.language").startswith("fr") else "en"


def _visit(tab: Any, screenshot: Any, who: str, pages: dict[str, str]) -> None:
    claim = demo_claim_id(tab)
    api = f"/api/v1/claims/{claim}"
    ids = {
        "claim": claim,
        "evidence": tab.request.get(f"{api}/evidence").json()["data"][0]["id"],
        "relation": tab.request.get(f"{api}/relations").json()["data"][0]["id"],
    }
    for name, path in pages.items():
        response = tab.goto(path.format(**ids))
        assert response is not None and response.status in (200, 404), (path, response)
        screenshot(tab, f"{_language(tab)}-{who}-{name}")


def test_every_page_a_visitor_sees_passes_axe_at_both_widths(tab, screenshot) -> None:
    _visit(tab, screenshot, "visitor", VISITOR_PAGES)


def test_every_page_an_editor_sees_passes_axe_at_both_widths(
    tab, screenshot, sign_in_as, queued_claim
) -> None:
    sign_in_as(tab, "ed")
    _visit(tab, screenshot, "editor", {**EDITOR_PAGES, "queued": f"/claims/{queued_claim}"})
    tab.goto("/review")
    assert tab.locator("ul.similar li").count() >= 1  # similar claims, with their words


def test_on_a_phone_the_claim_page_shows_the_verdict_in_the_first_screen(tab) -> None:
    tab.set_viewport_size({"width": 390, "height": 844})
    tab.goto(f"/claims/{demo_claim_id(tab)}")
    verdict = tab.locator("#verdict .verdict").bounding_box()
    assert verdict is not None and verdict["y"] + verdict["height"] <= 844
    heading = tab.locator("h1")
    assert "Meta" in heading.inner_text()
    # Each contribution is one compact entry (who, position and points on a line, the reason
    # below), not a block of six labelled rows. A name with its role and a three-line reason
    # (Bosworth's interested-party rebuttal) is the tallest: about 155 px.
    rows = tab.locator("table.contributions tbody tr")
    assert rows.count() > 0
    for i in range(rows.count()):
        assert rows.nth(i).locator("td").count() <= 4
        box = rows.nth(i).bounding_box()
        assert box is not None and box["height"] < 180, box
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390
    ARTIFACTS.mkdir(exist_ok=True)
    tab.locator("#status").screenshot(path=str(ARTIFACTS / f"{_language(tab)}-status-phone.png"))


def test_the_header_stays_on_one_line_at_1280_px_when_signed_in(tab, sign_in_as) -> None:
    sign_in_as(tab, "ed")
    tab.goto("/")
    bar = tab.locator("header.site .bar").bounding_box()
    brand = tab.locator("header.site .brand").bounding_box()
    assert bar is not None and brand is not None
    assert bar["height"] < brand["height"] * 2 + 24, bar  # one row, not two


PLACEHOLDER_ROOM = """() => {
  const input = document.querySelector('#site-q');
  const style = getComputedStyle(input);
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.font = style.font;
  const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return room - ctx.measureText(input.placeholder).width;
}"""


@pytest.mark.parametrize("width", [390, 1280])
def test_the_header_search_box_shows_its_whole_placeholder_on_a_phone_and_a_desktop(
    tab, width
) -> None:
    tab.set_viewport_size({"width": width, "height": 844})
    tab.goto("/")
    assert tab.evaluate(PLACEHOLDER_ROOM) >= 0, (width, tab.locator("#site-q").bounding_box())
