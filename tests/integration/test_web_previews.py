"""What a shared link, a search engine and an editor's queue see: previews, JSON-LD, /ns."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from lxml import html

from service.app import create_app
from service.settings import Settings

FRENCH = {"Accept-Language": "fr"}


def _bonus_id(client) -> int:
    found = client.get("/api/v1/claims", query_string={"q": "prime signature 100 millions"})
    return next(c["id"] for c in found.json["data"] if c["claimant"]["name"] == "Sam Altman")


def _meta(page: str) -> dict[str, str]:
    doc = html.fromstring(page)
    tags = {m.get("property") or m.get("name"): m.get("content") for m in doc.xpath("//meta")}
    tags["canonical"] = doc.xpath("//link[@rel='canonical']/@href")[0]
    tags["icon"] = doc.xpath("//link[@rel='icon']/@href")[0]
    tags["h1"] = doc.xpath("string(//h1)")
    return tags


def _jsonld(page: str) -> list[dict[str, Any]]:
    doc = html.fromstring(page)
    return [json.loads(s.text) for s in doc.xpath("//script[@type='application/ld+json']")]


def test_a_shared_claim_link_previews_the_claim_who_said_it_and_the_verdict(client, demo) -> None:
    demo()
    claim_id = _bonus_id(client)
    page = client.get(f"/claims/{claim_id}").get_data(as_text=True)
    tags = _meta(page)
    # A large card: the claim page has a rendered 1200x630 picture (og:image, below).
    assert tags["og:type"] == "article" and tags["twitter:card"] == "summary_large_image"
    assert tags["og:title"].startswith("Sam Altman: “Meta a utilisé une prime")
    assert tags["twitter:title"] == tags["og:title"]
    # The demo claim's evidence is unsettled (one interested party's denial settles nothing).
    assert tags["description"].startswith("Editor's verdict: Mixed. Status: Unsettled.")
    assert "2 sources support it" in tags["og:description"]
    assert tags["canonical"] == tags["og:url"] == f"http://localhost/claims/{claim_id}"
    assert tags["og:site_name"] == "claimdesk" and tags["og:locale"] == "en_US"
    assert "Meta a utilisé une prime à la signature" in tags["h1"]
    icon = client.get(tags["icon"])
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    icon.close()
    french = _meta(client.get(f"/claims/{claim_id}", headers=FRENCH).get_data(as_text=True))
    assert french["description"].startswith(
        "Verdict de la rédaction\u00a0: Mitigé. Statut\u00a0: Indécis."
    )
    assert french["og:locale"] == "fr_FR"


def test_every_page_has_a_canonical_link_a_description_and_a_favicon(client, demo) -> None:
    demo()
    for path in ("/", "/search?q=meta", "/login", "/ns"):
        tags = _meta(client.get(path).get_data(as_text=True))
        assert tags["canonical"] == "http://localhost" + path.split("?")[0], path
        assert tags["description"] and tags["icon"], path


def test_the_claim_review_names_the_newsroom_and_links_to_the_evidence_block(
    demo, database, tmp_path
) -> None:
    settings = Settings(
        env="test",
        secret_key="test-secret-key-0123456789",
        instance_path=tmp_path,
        jobs_immediate=True,
        publisher_name="Le Desk",
        publisher_url="https://desk.example/",
        publisher_logo="https://desk.example/logo.png",
    )
    client = create_app(settings, database=database).test_client()
    demo()
    claim_id = _bonus_id(client)
    review, block = _jsonld(
        client.get(f"/claims/{claim_id}", headers=FRENCH).get_data(as_text=True)
    )
    assert review["author"] == {
        "@type": "Organization",
        "name": "Le Desk",
        "url": "https://desk.example/",
        "logo": {"@type": "ImageObject", "url": "https://desk.example/logo.png"},
    }
    assert review["reviewRating"]["alternateName"] == "Mitigé"  # the page's language
    assert review["@id"] == f"http://localhost/claims/{claim_id}#claimreview"
    assert block["about"]["@id"] == review["itemReviewed"]["@id"]
    assert block["@context"]["cd"] == "http://localhost/ns#"
    # The language-free export keeps the English names.
    exported = client.get(f"/claims/{claim_id}.jsonld").json
    assert exported[0]["reviewRating"]["alternateName"] == "Mixed"


@pytest.mark.parametrize("headers", [{}, FRENCH])
def test_the_vocabulary_page_documents_every_term_the_evidence_block_uses(
    client, demo, headers
) -> None:
    demo()
    claim_id = _bonus_id(client)
    page = client.get(f"/claims/{claim_id}").get_data(as_text=True)
    used = set(re.findall(r'"cd:(\w+)"', json.dumps(_jsonld(page))))
    assert used >= {"ClaimEvidence", "Evidence", "RelatedClaim", "stance", "quote", "relation"}
    vocabulary = html.fromstring(client.get("/ns", headers=headers).get_data(as_text=True))
    documented = {dt.get("id") for dt in vocabulary.xpath("//dt[@id]")}
    assert used <= documented
    for term in used:
        assert vocabulary.xpath(f"string(//dt[@id='{term}']/following-sibling::dd[1])").strip()


def test_the_review_queue_shows_similar_claims_with_their_words_and_scores(
    signed_in, web, demo, client
) -> None:
    demo()
    submitted = web.post(
        "/claims/new",
        {"text": "Meta a utilisé une prime à la signature de 100 millions pour débaucher."},
    )
    assert submitted.status_code in (200, 303)
    if submitted.status_code == 200:  # the duplicate warning: say it is distinct
        text = "Meta a utilisé une prime à la signature de 100 millions pour débaucher."
        submitted = web.post("/claims/new", {"text": text, "confirm_distinct": text})
    assert submitted.status_code == 303
    queue = signed_in("editor").text("/review")
    similar = html.fromstring(queue).xpath("//ul[@class='similar']/li")
    assert similar, queue
    first = similar[0].text_content()
    assert "Meta a utilisé une prime à la signature de 100 millions de dollars" in first
    assert "similarity" in first and "contestedness 0%" in first and "verdict: Mixed" in first


def test_the_claim_page_leads_with_the_claim_who_said_it_the_verdict_and_the_evidence_state(
    client, demo
) -> None:
    demo()
    page = client.get(f"/claims/{_bonus_id(client)}").get_data(as_text=True)
    order = [
        page.index('<h1 id="claim-text"'),
        page.index('class="said-by"'),
        page.index('id="verdict"'),
        page.index('id="status"'),
        page.index('id="evidence"'),
        page.index('id="counter-statements"'),
        page.index('id="history"'),
    ]
    assert order == sorted(order)
    doc = html.fromstring(page)
    assert doc.xpath("string(//p[@class='said-by'])").strip().startswith("Sam Altman")
    assert doc.xpath("string(//section[@id='verdict']//strong)") == "Mixed"


# ---- the rendered preview picture (og:image) ---------------------------------------------


def _png(response) -> Any:
    from PIL import Image

    assert response.status_code == 200, response.status_code
    assert response.mimetype == "image/png"
    data = response.get_data()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_a_claim_page_names_its_preview_picture_and_the_picture_is_a_1200_by_630_png(
    client, demo
) -> None:
    demo()
    claim_id = _bonus_id(client)
    tags = _meta(client.get(f"/claims/{claim_id}").get_data(as_text=True))
    assert tags["og:image"] == f"http://localhost/claims/{claim_id}/preview.png?lang=en"
    assert tags["twitter:image"] == tags["og:image"]
    assert (tags["og:image:width"], tags["og:image:height"]) == ("1200", "630")
    assert tags["og:image:alt"] == tags["og:title"]
    french = _meta(client.get(f"/claims/{claim_id}", headers=FRENCH).get_data(as_text=True))
    assert french["og:image"].endswith("/preview.png?lang=fr")

    response = client.get(f"/claims/{claim_id}/preview.png?lang=en")

    image = _png(response)
    assert image.size == (1200, 630) and image.format == "PNG"
    assert "public" in response.headers["Cache-Control"]
    etag = response.headers["ETag"]
    again = client.get(f"/claims/{claim_id}/preview.png?lang=en", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    # Another language is another picture (its words differ), so another ETag.
    in_french = client.get(f"/claims/{claim_id}/preview.png?lang=fr")
    assert _png(in_french).size == (1200, 630)
    assert in_french.headers["ETag"] != etag


def test_the_picture_changes_when_the_verdict_does(client, make_claim, make_verdict) -> None:
    claim = make_claim("The tunnel is 57 km long.")
    before = client.get(f"/claims/{claim.id}/preview.png")
    make_verdict(claim, rating="true")

    after = client.get(
        f"/claims/{claim.id}/preview.png", headers={"If-None-Match": before.headers["ETag"]}
    )

    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    assert after.get_data() != before.get_data()


def test_unknown_withdrawn_and_unreviewed_claims_have_no_picture_and_no_tag(
    client, make_claim, session, editor, signed_in
) -> None:
    from claims.models import ReviewState
    from claims.policy import ANONYMOUS
    from claims.schemas import ClaimCreate
    from claims.services import ledger

    assert client.get("/claims/999999/preview.png").status_code == 404
    withdrawn = make_claim("The dam was finished in 1936.")
    ledger.retract_claim(session=session, claim_id=withdrawn.id, reason="Dup.", actor=editor)
    waiting = ledger.create_claim(
        session=session,
        claim_in=ClaimCreate(text="The dam holds 35 cubic kilometres of water."),
        actor=ANONYMOUS,
        review_state=ReviewState.submitted,
        allow_duplicate=True,
    )
    session.commit()

    assert client.get(f"/claims/{withdrawn.id}/preview.png").status_code == 404
    assert client.get(f"/claims/{waiting.id}/preview.png").status_code == 404
    assert "og:image" not in _meta(client.get(f"/claims/{withdrawn.id}").get_data(as_text=True))
    queued = signed_in("editor").text(f"/claims/{waiting.id}")  # editors see it, not its picture
    assert "og:image" not in _meta(queued) and _meta(queued)["twitter:card"] == "summary"


@pytest.mark.parametrize(
    "words",
    [
        "A" * 2000,
        " ".join(["supercalifragilistic"] * 300),
        "مرحبا بالعالم " * 40 + "שלום עולם " * 20,
        "这是一个没有空格的很长的句子" * 40,
        "Zalgo: " + "e\u0301\u0302\u0303\u0304" * 200,
        "Emoji 👩\u200d👩\u200d👧 🇫🇷 \ufeff\u202eevil\u202c " * 30,
        "Line\nbreaks\r\nand\ttabs " * 50,
    ],
)
def test_hostile_text_still_makes_a_picture_of_the_right_size(words) -> None:
    from service import preview_image

    card = preview_image.Card(
        text=words, claimant=words, label=words, tone="nonsense", site=words, footer=words
    )
    from PIL import Image

    image = Image.open(io.BytesIO(preview_image.render(card)))
    assert image.size == (1200, 630) and image.format == "PNG"


def test_long_words_are_wrapped_inside_the_card_and_cut_with_an_ellipsis() -> None:
    from service import preview_image

    text = preview_image.clean("word " * 1000)
    assert len(text) <= preview_image.TEXT_LIMIT and text.endswith("…")
    face, lines = preview_image.fit("x" * 5000, width=600, height=200, sizes=(40, 30))
    assert all(face.getlength(line) <= 600 for line in lines)
    assert len(lines) * int(30 * 1.25) <= 200 and lines[-1].endswith("…")
    assert preview_image.clean("a\u202eb\u0000c\u200bd") == "abcd"


def test_without_system_fonts_the_card_falls_back_to_pillows_own(monkeypatch) -> None:
    from PIL import Image

    from service import preview_image

    monkeypatch.setattr(preview_image, "FONT_DIRS", ())
    preview_image.font.cache_clear()
    preview_image._render_cached.cache_clear()
    try:
        card = preview_image.Card(
            text="No fonts here.", claimant=None, label="Status", tone="ok", site="s", footer="f"
        )
        image = Image.open(io.BytesIO(preview_image.render(card)))
        assert image.size == (1200, 630)
        assert not isinstance(preview_image.font(40), type(None))
    finally:
        preview_image.font.cache_clear()
        preview_image._render_cached.cache_clear()
