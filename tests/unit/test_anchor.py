"""Quote anchoring: every demo quote is found in the seed article, exactly, whatever typography
the page uses; a changed quote is shown with the page's own words; an invented one is orphaned."""

from __future__ import annotations

import html
import random
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.demo import EVIDENCE, article_text
from sources.extract import extract
from sources.quotes import (
    CONTEXT_LENGTH,
    FUZZY_MIN_SCORE,
    AnchorState,
    anchor_quote,
    normalise,
)

ARTICLE = article_text()
IFANR_QUOTES = sorted({quote for _, source, _, quote, _ in EVIDENCE if source == "ifanr"})


def _typographic_page(text: str) -> bytes:
    """The article as a publisher would serve it: curly apostrophes, &nbsp; inside guillemets,
    narrow no-break spaces before high punctuation, soft hyphens, navigation and a footer."""
    paragraphs = [p for p in text.split("\n\n") if p.strip()]

    def typeset(paragraph: str) -> str:
        out = html.escape(paragraph, quote=False).replace("'", "’")
        out = out.replace("« ", "«&nbsp;").replace(" »", "&nbsp;»")
        out = re.sub(r" ([:;!?])", r"&#8239;\1", out)
        return out.replace("recruter", "recru&shy;ter").replace("é", "&eacute;")

    body = "\n".join(f"<p>{typeset(p)}</p>" for p in paragraphs[1:])
    return (
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">'
        f"<title>{html.escape(paragraphs[0])}</title></head><body>"
        '<nav><a href="/">Accueil</a> <a href="/tech">Tech</a></nav>'
        f"<article><h1>{html.escape(paragraphs[0])}</h1>{body}</article>"
        "<footer>© iFanr — tous droits réservés</footer></body></html>"
    ).encode()


def _same_words(a: str, b: str) -> bool:
    return normalise(a)[0] == normalise(b)[0]


@pytest.mark.parametrize("quote", IFANR_QUOTES)
def test_every_demo_quote_of_the_seed_article_is_anchored_at_its_exact_place(quote: str) -> None:
    anchor = anchor_quote(quote, ARTICLE)
    assert anchor.state is AnchorState.anchored
    assert anchor.score == 1.0
    assert anchor.quote is not None and anchor.position is not None
    assert anchor.quote.exact == ARTICLE[anchor.position.start : anchor.position.end]
    assert anchor.quote.exact == quote  # the demo quotes are verbatim passages


@pytest.mark.parametrize("quote", IFANR_QUOTES)
def test_every_demo_quote_is_anchored_in_the_article_served_as_typeset_html(quote: str) -> None:
    extracted = extract(_typographic_page(ARTICLE))
    anchor = anchor_quote(quote, extracted.text)
    assert anchor.state is AnchorState.anchored
    assert anchor.quote is not None and anchor.position is not None
    assert anchor.quote.exact == extracted.text[anchor.position.start : anchor.position.end]
    assert _same_words(anchor.quote.exact, quote)


def test_a_quote_with_one_word_changed_is_fuzzy_and_shows_the_words_the_page_has() -> None:
    quote = "avec un salaire global de plus de 100 millions de dollars la première année"
    anchor = anchor_quote(quote, ARTICLE)
    assert anchor.state is AnchorState.fuzzy
    assert FUZZY_MIN_SCORE <= anchor.score < 1.0
    assert anchor.quote is not None
    assert anchor.quote.exact == (
        "avec un salaire total de plus de 100 millions de dollars la première année"
    )


@pytest.mark.parametrize("quote", IFANR_QUOTES)
def test_any_demo_quote_with_one_word_replaced_is_fuzzy_never_anchored(quote: str) -> None:
    words = quote.split()
    index = random.Random(quote).randrange(len(words))
    words[index] = "remplacement"
    anchor = anchor_quote(" ".join(words), ARTICLE)
    assert anchor.state is AnchorState.fuzzy
    assert anchor.position is not None and anchor.quote is not None
    assert _same_words(anchor.quote.exact, quote)  # the page's passage, not the changed quote


@pytest.mark.parametrize(
    "quote",
    [
        "Mark Zuckerberg a déclaré que la société allait fermer tous ses bureaux en Europe.",
        "Le gouvernement français a annoncé une nouvelle taxe sur les entreprises technologiques",
        "Altman a quitté OpenAI pour rejoindre Meta en tant que directeur scientifique",
        "Meta a recruté des personnes formidables pour devenir leurs directeurs de la mission",
    ],
)
def test_an_invented_quote_is_orphaned(quote: str) -> None:
    anchor = anchor_quote(quote, ARTICLE)
    assert anchor.state is AnchorState.orphaned
    assert anchor.quote is None and anchor.position is None
    assert anchor.selectors() == []
    assert anchor.score < FUZZY_MIN_SCORE


def test_random_salads_of_the_articles_own_words_stay_below_the_fuzzy_threshold() -> None:
    words = ARTICLE.split()
    rng = random.Random(6)
    for _ in range(100):
        salad = " ".join(rng.choice(words) for _ in range(rng.randrange(6, 30)))
        assert anchor_quote(salad, ARTICLE).state is AnchorState.orphaned, salad


@pytest.mark.parametrize(
    ("page", "quote", "expected"),
    [
        ("Il dit : « l’IA est là » hier.", "l'IA est la", "l’IA est là"),
        ("Il dit : “Meta paie” hier.", "« Meta paie »", "“Meta paie”"),
        ("cent\u00a0millions de\u2009dollars", "cent millions de dollars", None),
        ("un salaire  \n\t élevé", "un salaire élevé", None),
        ("ÉLEVÉ ET CONFIANT", "élevé et confiant", None),
        ("e\u0301leve\u0301 et confiant", "élevé et confiant", None),  # NFD on the page
        ("ils ont dû recru\u00adter ailleurs", "ils ont dû recruter ailleurs", None),
        ("ils ont dû recru-\nter ailleurs", "ils ont dû recruter ailleurs", None),
        ("ils ont dû recru-\r\n  ter ailleurs", "ils ont dû recruter ailleurs", None),
        ("une prime\u200b unique", "une prime unique", None),
        ("le cœur du sujet", "le coeur du sujet", None),
        ("Y a-t-il quelqu’un", "y a t il quelqu'un", None),
    ],
)
def test_typography_does_not_prevent_an_exact_anchor(
    page: str, quote: str, expected: str | None
) -> None:
    anchor = anchor_quote(quote, page)
    assert anchor.state is AnchorState.anchored
    assert anchor.score == 1.0
    assert anchor.position is not None and anchor.quote is not None
    assert anchor.quote.exact == page[anchor.position.start : anchor.position.end]
    if expected is not None:
        assert anchor.quote.exact == expected


def test_a_hyphen_at_a_line_end_before_a_capital_is_kept_as_a_hyphen() -> None:
    page = "la société Coca-\nCola et OpenAI"
    anchor = anchor_quote("Coca-Cola et OpenAI", page)
    assert anchor.state is AnchorState.anchored and anchor.score == 1.0
    assert anchor.quote is not None and anchor.quote.exact == "Coca-\nCola et OpenAI"


@pytest.mark.parametrize(
    ("page", "quote"),
    [
        ("un anti-\ninflammatoire puissant", "un anti-inflammatoire puissant"),
        ("plus de 1 000 000 de dollars", "plus de 1000000 de dollars"),
    ],
)
def test_the_same_letters_with_other_word_breaks_are_anchored_as_near_exact(
    page: str, quote: str
) -> None:
    anchor = anchor_quote(quote, page)
    assert anchor.state is AnchorState.anchored
    assert FUZZY_MIN_SCORE < anchor.score < 1.0
    assert anchor.position is not None
    assert anchor.position.start == 0 or page[anchor.position.start - 1] == " "


def test_word_breaks_are_only_ignored_on_word_boundaries() -> None:
    assert anchor_quote("art", "le depart").state is AnchorState.anchored  # a plain substring
    assert anchor_quote("dep art", "le depart").state is AnchorState.anchored
    assert anchor_quote("ep art", "le depart").state is AnchorState.orphaned


def test_currency_symbols_are_words_and_are_not_normalised_away() -> None:
    page = "une offre de 100 € par chercheur et par an, sans condition"
    anchor = anchor_quote("une offre de 100 $ par chercheur et par an", page)
    assert anchor.state is AnchorState.fuzzy
    assert anchor.quote is not None and "€" in anchor.quote.exact


def test_the_pages_punctuation_around_the_quote_is_part_of_the_exact_text() -> None:
    page = "Il affirme : « Meta a utilisé une prime »  et ajoute. Fin."
    anchor = anchor_quote('"Meta a utilisé une prime"', page)
    assert anchor.quote is not None
    assert anchor.quote.exact == "« Meta a utilisé une prime »"
    anchor = anchor_quote("et ajoute.", page)
    assert anchor.quote is not None and anchor.quote.exact == "et ajoute."
    anchor = anchor_quote("et ajoute", page)
    assert anchor.quote is not None and anchor.quote.exact == "et ajoute"


def test_prefix_and_suffix_are_the_32_characters_around_the_passage() -> None:
    quote = IFANR_QUOTES[0]
    anchor = anchor_quote(quote, ARTICLE)
    assert anchor.quote is not None and anchor.position is not None
    start, end = anchor.position.start, anchor.position.end
    assert anchor.quote.prefix == ARTICLE[start - CONTEXT_LENGTH : start]
    assert anchor.quote.suffix == ARTICLE[end : end + CONTEXT_LENGTH]
    assert len(anchor.quote.prefix) == len(anchor.quote.suffix) == CONTEXT_LENGTH


def test_context_is_shorter_at_the_edges_of_the_text() -> None:
    anchor = anchor_quote("Lettre interne", ARTICLE)
    assert anchor.quote is not None and anchor.quote.prefix == ""
    assert anchor_quote("la fin", "la fin").quote == anchor_quote("la fin", "la fin").quote


def test_selectors_serialise_as_the_web_annotation_model_does() -> None:
    anchor = anchor_quote("une mission", "Un homme avec une mission sera plus performant")
    assert anchor.selectors() == [
        {
            "type": "TextQuoteSelector",
            "exact": "une mission",
            "prefix": "Un homme avec ",
            "suffix": " sera plus performant",
        },
        {"type": "TextPositionSelector", "start": 14, "end": 25},
    ]


def test_near_prefers_the_occurrence_closest_to_where_the_quote_was_before() -> None:
    page = "la mission compte. " * 3
    assert anchor_quote("la mission", page).position.start == 0  # type: ignore[union-attr]
    anchor = anchor_quote("la mission", page, near=40)
    assert anchor.position is not None and anchor.position.start == 38


@pytest.mark.parametrize(("quote", "text"), [("", ARTICLE), ("  « » ", ARTICLE), ("x", "")])
def test_an_empty_quote_or_text_is_orphaned(quote: str, text: str) -> None:
    assert anchor_quote(quote, text).state is AnchorState.orphaned


def test_a_short_quote_is_never_fuzzy() -> None:
    assert anchor_quote("Meta paye", ARTICLE).state is AnchorState.orphaned


def test_the_normalised_form_maps_every_character_back_to_the_original() -> None:
    text = "L’Œuvre\u00a0— « ÉTÉ » recru-\nter"
    form, origin = normalise(text)
    assert form == "l oeuvre ete recruter"
    assert len(origin) == len(form)
    assert text[origin[form.index("ete")]] == "É"
    assert text[origin[form.index("ter")]] == "t"


_WORDS = st.sampled_from(
    ["Meta", "a", "recru-\nter", "l’IA", "élevé", "e\u0301te\u0301", "100", "€", "cœur", "ÉTÉ"]
)
_GAPS = st.sampled_from([" ", "\u00a0", "\u202f", " « ", " » ", ", ", "\n", " — ", "'"])


@st.composite
def _texts(draw: st.DrawFn) -> str:
    words = draw(st.lists(_WORDS, min_size=1, max_size=30))
    gaps = draw(st.lists(_GAPS, min_size=len(words), max_size=len(words)))
    return "".join(word + gap for word, gap in zip(words, gaps, strict=True))


def _word_char(char: str) -> bool:
    return char.isalnum()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_substring_of_the_article_anchors_exactly_at_its_own_offsets(
    data: st.DataObject,
) -> None:
    start = data.draw(st.integers(0, len(ARTICLE) - 2))
    end = data.draw(st.integers(start + 1, min(start + 400, len(ARTICLE))))
    while start < end and not _word_char(ARTICLE[start]):
        start += 1
    while end > start and not _word_char(ARTICLE[end - 1]):
        end -= 1
    if start == end:
        return
    anchor = anchor_quote(ARTICLE[start:end], ARTICLE, near=start)
    assert anchor.state is AnchorState.anchored
    assert anchor.position is not None
    assert (anchor.position.start, anchor.position.end) == (start, end)


@settings(max_examples=300, deadline=None)
@given(text=_texts(), data=st.data())
def test_any_substring_of_a_typeset_text_anchors_at_its_own_offsets(
    text: str, data: st.DataObject
) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    while start < end and not _word_char(text[start]):
        start += 1
    while end > start and not _word_char(text[end - 1]):
        end -= 1
    if start == end:
        return
    anchor = anchor_quote(text[start:end], text, near=start)
    assert anchor.state is AnchorState.anchored
    assert anchor.position is not None and anchor.quote is not None
    assert anchor.position.start == start
    # the end may only grow over an accent or invisible mark still attached to the last letter
    assert anchor.position.end >= end
    assert normalise(text[end : anchor.position.end])[0] == ""
    assert _same_words(anchor.quote.exact, text[start:end])
