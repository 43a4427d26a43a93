"""The claim page's status block: the verdict leads, the evidence state is labelled and
explained in the reader's language, and the points shown add up to the score shown."""

from __future__ import annotations

import json
import re

import pytest
from lxml import html


def _block(page: str) -> str:
    start = page.index('id="status"')
    return page[start : page.index("</section>", start)]


def _verdict(page: str) -> str:
    start = page.index('id="verdict"')
    return page[start : page.index("</section>", start)]


def _verdict_heading(page: str) -> str:
    return str(html.fromstring(page).xpath("string(//h2[@id='verdict-heading'])"))


def _points(text: str) -> int:
    return int(text.replace("\u2212", "-").replace("+", "").replace("\u202f", "").replace(",", ""))


def test_the_points_in_the_table_add_up_to_the_evidence_score(web, demo, client):
    demo()
    for claim in client.get("/api/v1/claims").get_json()["data"]:
        block = _block(web.text(f"/claims/{claim['id']}"))
        cells = re.findall(r'data-label="Points">([^<]+)</td>', block)
        total = re.search(
            r"<th scope=\"row\" colspan=\"2\">Evidence score</th><td>([^<]+)</td>", block
        )
        if not cells:
            continue
        assert total is not None
        assert (
            sum(_points(c) for c in cells)
            == _points(total.group(1))
            == claim["explanation"]["total"]
        )


def test_when_the_editor_disagrees_the_page_says_why_in_words(
    web, make_claim, make_source, make_evidence, make_verdict
):
    claim = make_claim("The canal was drained last winter.")
    make_evidence(claim, make_source("https://canal.example/drained"), stance="refutes")
    make_verdict(claim, rating="true")

    page = web.text(f"/claims/{claim.id}")
    block = _block(page)

    # The verdict leads, shown once (its own block, just above the state of the evidence).
    assert _verdict_heading(page) == "Editor's verdict: True"
    assert ">True</strong>" in _verdict(page)
    assert page.index('id="verdict"') < page.index('id="status"')
    assert (
        "Editor&#39;s verdict" not in block
        and "Editor's verdict" not in block
        and ">True<" not in block
    )
    assert "State of the evidence on record" in block
    assert (
        "The editor rated it true; the evidence on record is refuted because independent"
        " sources on record dispute it." in block
    )
    assert "canal.example disputes it." in block
    assert "1 source disputes it" in block


def test_without_a_verdict_the_evidence_state_is_the_headline_and_says_so(web, make_claim):
    block = _block(web.text(f"/claims/{make_claim('Nobody has looked at this yet.').id}"))

    assert "State of the evidence on record: Unsourced" in block
    assert "No editor has ruled on this claim yet." in block


def test_a_qualification_is_counted_as_a_qualification_not_as_refuting(
    web, make_claim, make_relation, make_claimant
):
    claim = make_claim("Every engineer got a $100M offer.")
    person = make_claimant("Ada Critic")
    nuance = make_claim("Only a few engineers got such offers.", claimant_id=person.id)
    make_relation(nuance, "qualifies", claim)

    block = _block(web.text(f"/claims/{claim.id}"))

    assert "1 qualification" in block
    assert "Ada Critic qualifies it: narrows it without denying it." in block
    assert "disputes it" not in block


def test_the_status_block_is_in_french_with_french_numbers_and_plurals(web, demo, client):
    demo()
    bonus = client.get("/api/v1/claims", query_string={"claimant": "Ultraman", "q": "prime"})
    claim_id = bonus.get_json()["data"][0]["id"]

    page = client.get(f"/claims/{claim_id}", headers={"Accept-Language": "fr"}).get_data(
        as_text=True
    )
    block = _block(page)

    assert _verdict_heading(page) == "Verdict de la rédaction\u00a0: Mitigé"
    assert ">Mitigé</strong>" in _verdict(page)
    assert "Verdict de la rédaction" not in block  # shown once, above
    assert "État des preuves au dossier" in block
    assert "2 démentis" in block and "1 nuance" in block
    assert "la dément (partie intéressée" in block
    assert "Score des preuves\u00a0: \u2212" in block
    assert "supports it" not in block and "denies it" not in block


def test_names_and_roles_typed_by_people_are_escaped(web, make_claim, make_relation, make_claimant):
    claim = make_claim("The mayor's office was closed.")
    person = make_claimant("<script>alert(1)</script>")
    denial = make_claim("The office was open.", claimant_id=person.id)
    make_relation(denial, "rebuts", claim, first_hand=True)

    page = web.text(f"/claims/{claim.id}")

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; denies it (an interested party" in page


def test_the_method_page_explains_the_model_in_both_languages(client):
    english = client.get("/method")
    french = client.get("/method", headers={"Accept-Language": "fr"})

    assert english.status_code == french.status_code == 200
    text = english.get_data(as_text=True)
    assert re.search(r"How a claim(&#39;|')s status is computed", text)
    assert "emergent-train.csv: 240 claims" in text
    assert "interested" in text.lower() or "company the claim is about" in text
    assert "Comment l’état d’une affirmation est calculé" in french.get_data(as_text=True)


def test_the_method_pages_figures_are_the_recorded_evaluation_and_the_model_in_use(client):
    from claims.scoring.score import KIND_FACTORS, VIA_FACTORS
    from claims.scoring.validation import shipped_evaluation

    record = shipped_evaluation()
    ours, rule = record.methods["claimdesk"], record.methods["any-refuting"]

    english = client.get("/method").get_data(as_text=True)
    french = client.get("/method", headers={"Accept-Language": "fr"}).get_data(as_text=True)

    assert record.claims == 240 and record.data == "emergent-train.csv"
    assert (
        f"nested cross-validation on {record.claims} claims" in english
        and f"macro-F1 of {ours.macro_f1:.2f} (95% interval {ours.low:.2f} to {ours.high:.2f})"
        in english
        and f"against {rule.macro_f1:.2f} for the rule" in english
    )
    comma = f"{ours.macro_f1:.2f}".replace(".", ",")
    assert f"macro-F1 de {comma}" in french
    assert record.repeats == 5
    assert "the mean over 5 different splits of the claims" in english
    assert "la moyenne de 5 partages différents" in french
    assert f"counts {KIND_FACTORS['primary']:.2f} times as much" in english
    assert "compte 1,67 fois plus" in french
    # The words "half as much" stay true of the model.
    assert KIND_FACTORS["tertiary"] == VIA_FACTORS["qualification"] == 0.5


def test_an_evaluation_record_round_trips_and_a_bad_one_is_refused(tmp_path):
    from claims.scoring.evaluation import Figures
    from claims.scoring.validation import Line, load_evaluation, record

    lines = [Line("claimdesk", Figures(0.7, 0.61, 0.5), 0.55, 0.68)]
    path = tmp_path / "eval.json"
    path.write_text(
        json.dumps(
            record(
                lines,
                claims=12,
                data="x.csv",
                folds=5,
                seed=0,
                spec="shipped",
                repeats=3,
                chosen=["linear", "diminishing", "linear"],
            )
        )
    )

    loaded = load_evaluation(path)

    assert loaded.claims == 12 and loaded.methods["claimdesk"].macro_f1 == 0.61
    assert loaded.repeats == 3
    assert json.loads(path.read_text())["chosen"] == {"diminishing": 1, "linear": 2}
    path.write_text("{}")
    with pytest.raises(ValueError, match="not an evaluation record"):
        load_evaluation(path)
