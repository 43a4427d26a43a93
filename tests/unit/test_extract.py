"""Extraction: the readable text and metadata of a page, from any bytes, without ever raising."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from service.demo import article_text
from sources.extract import Extracted, decode_body, extract

ARTICLE = article_text()
PARAGRAPHS = [p for p in ARTICLE.split("\n\n") if p.strip()]


def _article_page() -> bytes:
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[1:])
    return (
        '<!DOCTYPE html><html lang="fr-FR"><head><meta charset="utf-8">'
        f"<title>{PARAGRAPHS[0]}</title>"
        '<meta name="author" content="Fan Shi">'
        '<meta property="og:site_name" content="iFanr">'
        '<meta property="article:published_time" content="2025-07-01T10:00:00+08:00">'
        "<script>window.track = 1;</script><style>p { color: red }</style></head><body>"
        '<nav><a href="/">Accueil</a> | <a href="/tech">Tech</a></nav>'
        f"<article><h1>{PARAGRAPHS[0]}</h1>{body}</article>"
        "<footer>Mentions légales — © iFanr</footer></body></html>"
    ).encode()


def test_an_article_page_yields_its_main_text_and_metadata() -> None:
    extracted = extract(_article_page())
    assert extracted.method == "trafilatura"
    assert extracted.title == " ".join(PARAGRAPHS[0].split())  # no-break spaces made plain
    assert extracted.author == "Fan Shi"
    assert extracted.date == "2025-07-01"
    assert extracted.site_name is not None and extracted.site_name.lower() == "ifanr"
    assert extracted.language == "fr-fr"
    flat_text = " ".join(extracted.text.split())  # trafilatura makes no-break spaces plain
    for paragraph in PARAGRAPHS[1:]:
        assert " ".join(paragraph.split()) in flat_text
    assert "window.track" not in extracted.text
    assert "color: red" not in extracted.text


def test_plain_text_passes_through_with_its_line_breaks_normalised() -> None:
    extracted = extract("Première ligne\r\nSeconde ligne\r\n".encode(), media_type="text/plain")
    assert extracted == Extracted(text="Première ligne\nSeconde ligne", method="plain")


def test_plain_text_with_a_charset_parameter_is_still_plain() -> None:
    body = "déjà".encode("latin-1")
    extracted = extract(body, media_type="text/plain; charset=latin-1", encoding="latin-1")
    assert extracted.text == "déjà"


@pytest.mark.parametrize(
    ("body", "encoding", "expected"),
    [
        ("<p>été</p>".encode(), None, "<p>été</p>"),
        ("<p>été</p>".encode("latin-1"), "iso-8859-1", "<p>été</p>"),
        ('<meta charset="windows-1252"><p>€</p>'.encode("cp1252"), None, "<p>€</p>"),
        ("<p>été</p>".encode("utf-16"), None, "<p>été</p>"),
        (b"\xef\xbb\xbf<p>ok</p>", "latin-1", "<p>ok</p>"),  # the BOM wins over the header
        ("<p>été</p>".encode("cp1252"), None, "<p>été</p>"),  # undeclared, not UTF-8
        ("<p>été</p>".encode(), "no-such-charset", "<p>été</p>"),
    ],
)
def test_bytes_are_decoded_by_bom_then_header_then_meta_then_utf8(
    body: bytes, encoding: str | None, expected: str
) -> None:
    assert expected in decode_body(body, encoding=encoding)


def test_the_declared_encoding_is_used_for_extraction() -> None:
    page = "<html><body><article><p>Le cœur du problème, à l’évidence.</p></article></body></html>"
    extracted = extract(page.encode("cp1252"), encoding="windows-1252")
    assert "Le cœur du problème, à l’évidence." in extracted.text


HOSTILE = {
    "empty": b"",
    "binary garbage": bytes(range(256)) * 64,
    "10,000 nested divs": b"<div>" * 10_000 + b"deep text" + b"</div>" * 10_000,
    "unclosed tags": b"<html><body><p>Hello <b>world <i>unclosed <table><tr><td>cell",
    "only scripts": b"<html><script>alert(1)</script><style>x{}</style></html>",
    "entity expansion": (
        b"<!DOCTYPE x [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;'>"
        b"<!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;'>]><html><body><p>&c;&c;</p></body></html>"
    ),
    "external entity": (b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><p>&xxe;</p>'),
    "NUL bytes": b"<html><body><p>a\x00b\x00c</p></body></html>",
    "unknown charset": b'<meta charset="nonsense-9"><p>caf\xe9</p>',
    "3 MB attribute": b"<p title='" + b"x" * 3_000_000 + b"'>hi</p>",
    "CDATA": b"<html><body><![CDATA[ <p>x</p> ]]><p>text</p></body></html>",
    "SVG with script": b"<svg><script>x</script><text>hello</text></svg>",
    "broken comment": b"<p>before</p><!-- never closed <p>after</p>",
    "lone surrogate escape": b"<p>&#xD800; &#x110000; &#0;</p>",
    "utf-16 without BOM": "<p>texte</p>".encode("utf-16-le"),
}


@pytest.mark.parametrize("body", HOSTILE.values(), ids=HOSTILE.keys())
def test_broken_and_hostile_markup_never_raises(body: bytes) -> None:
    started = time.monotonic()
    extracted = extract(body)
    assert isinstance(extracted.text, str)
    assert "\x00" not in extracted.text
    assert "root:" not in extracted.text  # no external entity was ever read
    assert time.monotonic() - started < 10
    extracted.text.encode("utf-8")  # storable: no lone surrogates


def test_deeply_nested_markup_still_gives_its_text() -> None:
    assert "deep text" in extract(HOSTILE["10,000 nested divs"]).text


def test_a_page_trafilatura_cannot_read_falls_back_to_its_text_and_keeps_its_title() -> None:
    page = b"<html><head><title>Titre</title></head><body>" + b"<div>" * 300
    extracted = extract(page + b"profond" + b"</div>" * 300 + b"</body></html>")
    assert "profond" in extracted.text
    assert extracted.method in ("baseline", "stripped")
    assert extracted.title == "Titre"


def test_importing_the_source_modules_loads_neither_flask_nor_the_claim_domain() -> None:
    code = (
        "import sys, sources.quotes, sources.extract, sources.fetch, sources.ssrf; "
        "print('\\n'.join(sorted(sys.modules)))"
    )
    loaded = set(
        subprocess.run(
            [sys.executable, "-c", code], check=True, capture_output=True, text=True
        ).stdout.split()
    )
    assert not {"flask", "werkzeug"} & loaded
    assert not any(name == "claims" or name.startswith("claims.") for name in loaded)
