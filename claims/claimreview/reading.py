"""Reading the ClaimReview markup fact-checkers publish, and putting their ratings on our scale.

Pure functions over text and plain values: no Session, no network. ``reviews_in_html`` reads a
fact-checker's page (JSON-LD, microdata and RDFa, through extruct), ``reviews_in_json`` a file
or feed of ClaimReview JSON (one object, a list, ``{"claimReviews": [...]}`` or an ``@graph``),
and ``read_review`` turns one node into a ``Review`` or says why it cannot. The markup is
someone else's and may be broken or hostile, so nothing here raises on bad input: a syntax that
fails to parse yields nothing, and walks are bounded in depth and count.

Ratings (``normalise_rating``): the publisher's own words decide first, through ``LABELS``
(English and French, with a few other languages' common labels), because a label says what
the fact-checker meant while numeric scales differ from one publisher to the next. A label we
do not know falls back to the number, ``(value - worst) / (best - worst)`` mapped onto our five
points (0 false, 0.25 mostly false, 0.5 mixed, 0.75 mostly true, 1 true, to the nearest);
``bestRating`` and ``worstRating`` default to schema.org's 5 and 1. Neither: unrated. The stance
of the fact-check toward the claim follows: false-ish refutes, true-ish supports, mixed,
unverifiable or unrated only mentions it.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from claims.claimreview.markup import BEST_RATING, WORST_RATING
from claims.models import Rating, Stance

MAX_DEPTH: Final = 32  # how deep a walk goes into someone else's JSON
MAX_NODES: Final = 10_000  # nodes a walk visits at most
MAX_REVIEWS: Final = 1_000  # reviews read from one document
_SCALE: Final = (
    Rating.false,
    Rating.mostly_false,
    Rating.mixed,
    Rating.mostly_true,
    Rating.true,
)
_SCHEMA_PREFIXES: Final = ("http://schema.org/", "https://schema.org/", "schema:")
_COMMENT_LINE = re.compile(r"^\s*(//.*|<!--.*-->)", re.M)
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")


def _key(label: str) -> str:
    """A label's lookup form: accents and case folded, punctuation and spacing collapsed."""
    decomposed = unicodedata.normalize("NFKD", label.casefold())
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", letters).split())


_LABEL_GROUPS: Final[Mapping[Rating, tuple[str, ...]]] = {
    Rating.true: (
        "True", "Correct", "Accurate", "Right",
        "Vrai", "Exact", "C'est vrai", "Juste",
        "Verdadero", "Cierto", "Wahr", "Richtig", "Vero",
    ),
    Rating.mostly_true: (
        "Mostly True", "Mostly Correct", "Largely Accurate", "Largely True",
        "Plutôt vrai", "Globalement vrai", "En grande partie vrai", "Vrai pour l'essentiel",
        "Mayormente verdadero", "Weitgehend richtig",
    ),
    Rating.mixed: (
        "Half True", "Mixture", "Mixed", "Partly True", "Missing Context", "Needs Context",
        "Lacks Context", "Half Right",
        "À moitié vrai", "Moitié vrai", "En partie vrai", "Partiellement vrai", "À nuancer",
        "Imprécis", "Manque de contexte", "C'est plus compliqué", "Vrai mais",
        "Verdad a medias", "Engañoso en parte", "Teilweise richtig",
    ),
    Rating.mostly_false: (
        "Mostly False", "Misleading", "Partly False", "Exaggerated", "Exaggeration",
        "Inaccurate", "Out of Context", "Distorts the Facts", "Unfounded", "Unsupported",
        "Plutôt faux", "Trompeur", "Partiellement faux", "En partie faux", "Exagéré",
        "Inexact", "Infondé", "Sorti de son contexte", "Hors contexte", "Détourné",
        "Engañoso", "Irreführend", "Fuorviante",
    ),
    Rating.false: (
        "False", "Pants on Fire", "Incorrect", "Fake", "Fake News", "Wrong", "Fabricated",
        "Four Pinocchios", "Hoax", "Scam",
        "Faux", "Totalement faux", "C'est faux", "Fausse information", "Infox", "Arnaque",
        "Falso", "Bulo", "Falsch", "Frei erfunden",
    ),
    Rating.unverifiable: (
        "Unproven", "Unverified", "Unverifiable", "No Evidence", "Satire", "Parody",
        "Invérifiable", "Non vérifiable", "Non prouvé", "Satirique", "Parodie",
        "Sin evidencia", "Unbelegt",
    ),
}  # fmt: skip
# Every label in its lookup form. docs/sources.md lists the same labels (a test keeps them equal).
LABELS: Final[Mapping[str, Rating]] = {
    _key(label): rating for rating, labels in _LABEL_GROUPS.items() for label in labels
}
STANCE_OF_RATING: Final[Mapping[Rating, Stance]] = {
    Rating.true: Stance.supports,
    Rating.mostly_true: Stance.supports,
    Rating.mixed: Stance.mentions,
    Rating.mostly_false: Stance.refutes,
    Rating.false: Stance.refutes,
    Rating.unverifiable: Stance.mentions,
}


@dataclass(frozen=True)
class Normalised:
    """A publisher's rating on our scale, how it was read, and the stance it implies."""

    rating: Rating | None  # None: unrated (no label we know, no usable number)
    stance: Stance
    how: str  # "label", "numeric" or "unrated"


@dataclass(frozen=True)
class Review:
    """One ClaimReview as we use it: the claim, who made it, who checked it, and the rating."""

    claim_reviewed: str
    url: str
    publisher: str | None  # the fact-checker's name (the review's author)
    claimant: str | None  # itemReviewed.author
    said_on: str | None  # itemReviewed.datePublished, as published
    appeared_in: str | None  # itemReviewed.firstAppearance / appearance URL
    language: str | None
    date_published: str | None  # when the fact-check was published
    rating_text: str | None  # reviewRating.alternateName (or name): the publisher's own words
    rating_value: float | None
    best: float | None
    worst: float | None

    @property
    def normalised(self) -> Normalised:
        """The rating on our scale."""
        return normalise_rating(self.rating_text, self.rating_value, self.best, self.worst)

    def rating_note(self) -> str:
        """The publisher's rating in its own words and on our scale, for the evidence note."""
        own = f"“{self.rating_text}”" if self.rating_text else "no rating text"
        if self.rating_value is not None:
            best = self.best if self.best is not None else BEST_RATING
            worst = self.worst if self.worst is not None else WORST_RATING
            own += f", {_number(self.rating_value)} on {_number(worst)}-{_number(best)}"
        ours = self.normalised
        scale = ours.rating.value if ours.rating else "unrated"
        by = self.publisher or "the publisher"
        return f"ClaimReview by {by}: rated {own}; on claimdesk's scale: {scale} ({ours.how})."


def normalise_rating(
    text: str | None,
    value: float | None = None,
    best: float | None = None,
    worst: float | None = None,
) -> Normalised:
    """Our rating for a publisher's label or number (see the module docstring)."""
    if text:
        rating = LABELS.get(_key(text))
        if rating is not None:
            return Normalised(rating, STANCE_OF_RATING[rating], "label")
    if value is not None:
        high = BEST_RATING if best is None else best
        low = WORST_RATING if worst is None else worst
        finite = all(math.isfinite(x) for x in (value, high, low))
        if finite and high != low and min(low, high) <= value <= max(low, high):
            share = (value - low) / (high - low)
            rating = _SCALE[math.floor(share * (len(_SCALE) - 1) + 0.5)]
            return Normalised(rating, STANCE_OF_RATING[rating], "numeric")
    return Normalised(None, Stance.mentions, "unrated")


def reviews_in_json(data: Any) -> list[dict[str, Any]]:
    """Every ClaimReview node in a JSON document: an object, a list, a feed or a graph."""
    return [node for node in _walk(data) if _is_review(node)][:MAX_REVIEWS]


def parse_json(text: str) -> Any:
    """JSON as fact-checkers write it: strict JSON, else with comments and trailing commas."""
    try:
        return json.loads(text, strict=False)
    except ValueError:
        import jstyleson

        return jstyleson.loads(_COMMENT_LINE.sub("", text), strict=False)


def reviews_in_html(markup: str | bytes, *, base_url: str) -> list[dict[str, Any]]:
    """Every ClaimReview node on a page, from JSON-LD, microdata and RDFa; never raises."""
    import extruct
    from extruct.utils import parse_html

    found: list[dict[str, Any]] = []
    try:
        tree = parse_html(markup, encoding="UTF-8")
        scripts = tree.xpath('//script[@type="application/ld+json"]')
    except Exception:  # not a document lxml can read: no JSON-LD then
        scripts = []
    for script in scripts:
        try:  # one broken script must not hide the others
            found.extend(reviews_in_json(parse_json(script.xpath("string()"))))
        except Exception:  # someone else's broken JSON: skip that script
            continue
    for syntax in ("microdata", "rdfa"):
        try:
            items = extruct.extract(
                markup, base_url=base_url, syntaxes=[syntax], uniform=True, errors="strict"
            ).get(syntax, [])
        except Exception:  # markup this extractor cannot read: the others may
            continue
        nodes = _from_rdfa(items) if syntax == "rdfa" else items
        found.extend(node for node in _walk(nodes) if _is_review(node))
    return found[:MAX_REVIEWS]


def read_review(node: Mapping[str, Any], *, default_url: str | None = None) -> Review | str:
    """A Review from one ClaimReview node, or the reason it cannot be used."""
    claim = _text(node.get("claimReviewed"))
    if not claim:
        return "no claimReviewed: a ClaimReview must say which claim it checks"
    url = _url(node.get("url")) or default_url
    if not url:
        return "no url: the fact-check needs an address to be recorded as a source"
    item = _first(node.get("itemReviewed"))
    item = item if isinstance(item, Mapping) else {}
    rating = _first(node.get("reviewRating"))
    rating = rating if isinstance(rating, Mapping) else {}
    appearance = _first(item.get("firstAppearance")) or _first(item.get("appearance"))
    return Review(
        claim_reviewed=claim,
        url=url,
        publisher=_name(node.get("author")) or _name(node.get("publisher")),
        claimant=_name(item.get("author")),
        said_on=_text(item.get("datePublished")),
        appeared_in=_url(appearance),
        language=_language(item.get("inLanguage")) or _language(node.get("inLanguage")),
        date_published=_text(node.get("datePublished")),
        rating_text=_text(rating.get("alternateName")) or _text(rating.get("name")),
        rating_value=_float(rating.get("ratingValue")),
        best=_float(rating.get("bestRating")),
        worst=_float(rating.get("worstRating")),
    )


def _walk(data: Any) -> Iterator[dict[str, Any]]:
    """Every object in a JSON value, breadth first, bounded in depth and count."""
    frontier: deque[tuple[Any, int]] = deque([(data, 0)])
    visited = 0
    while frontier and visited < MAX_NODES:
        value, depth = frontier.popleft()
        visited += 1
        if depth > MAX_DEPTH:
            continue
        if isinstance(value, list):
            frontier.extend((v, depth + 1) for v in value)
        elif isinstance(value, dict):
            node = {_short(k): v for k, v in value.items() if isinstance(k, str)}
            yield node
            frontier.extend((v, depth + 1) for v in node.values() if isinstance(v, list | dict))


def _short(name: str) -> str:
    for prefix in _SCHEMA_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def _is_review(node: Mapping[str, Any]) -> bool:
    types = node.get("@type", node.get("type"))
    names = types if isinstance(types, list) else [types]
    return any(isinstance(t, str) and _short(t) == "ClaimReview" for t in names)


def _from_rdfa(nodes: Any) -> list[dict[str, Any]]:
    """extruct's RDFa (expanded JSON-LD: IRIs as keys, values as lists) in compact form."""
    if not isinstance(nodes, list):
        return []
    by_id = {n["@id"]: n for n in nodes if isinstance(n, dict) and isinstance(n.get("@id"), str)}

    def compact(node: Mapping[str, Any], depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {"@type": [_short(t) for t in node.get("@type", [])]}
        for key, values in node.items():
            if key.startswith("@") or not isinstance(values, list):
                continue
            shown = [value(v, depth) for v in values]
            out[_short(key)] = shown[0] if len(shown) == 1 else shown
        return out

    def value(item: Any, depth: int) -> Any:
        if not isinstance(item, dict):
            return item
        if "@value" in item:
            return item["@value"]
        target = by_id.get(item.get("@id", ""))
        if target is not None and depth < MAX_DEPTH:
            return compact(target, depth + 1)
        return item.get("@id")  # a link to a page, not a node: its URL

    return [compact(n, 0) for n in by_id.values() if _is_review(n)]


def _first(value: Any) -> Any:
    while isinstance(value, list):
        value = value[0] if value else None
    return value


def _text(value: Any) -> str | None:
    value = _first(value)
    if isinstance(value, Mapping):
        value = value.get("@value", value.get("name"))
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    cleaned = " ".join(value.split())
    return cleaned or None


def _name(value: Any) -> str | None:
    value = _first(value)
    return _text(value.get("name")) if isinstance(value, Mapping) else _text(value)


def _url(value: Any) -> str | None:
    value = _first(value)
    if isinstance(value, Mapping):
        value = value.get("url", value.get("@id"))
    text = _text(value)
    return text if text and text.lower().startswith(("http://", "https://")) else None


def _language(value: Any) -> str | None:
    value = _first(value)
    if isinstance(value, Mapping):
        value = value.get("alternateName", value.get("name"))
    text = _text(value)
    return text.lower() if text and _LANGUAGE.fullmatch(text) else None


def _float(value: Any) -> float | None:
    text = _text(value)
    if text is None:
        return None
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"
