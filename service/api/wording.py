"""A claim's explanation in plain words for the API, in the language the request asks for.

The API keeps the numbers and stable codes in ``explanation``; ``explanation_text`` carries the
same sentences as the claim page (``service/web/explain.py``), in English or French chosen by
``Accept-Language`` alone (a program has no language cookie), English by default.
"""

from __future__ import annotations

from typing import Final, Literal, cast

from flask import Response, request
from flask_babel import force_locale, gettext

from claims.schemas import ClaimPublic, ExplanationText
from service.web.explain import explain
from service.web.i18n import RATINGS

Language = Literal["en", "fr"]
API_LANGUAGES: Final[tuple[Language, ...]] = ("en", "fr")


def request_language() -> Language:
    """``en`` or ``fr`` from Accept-Language; English when neither is asked for."""
    return cast(Language, request.accept_languages.best_match(API_LANGUAGES) or "en")


def explanation_text(claim: ClaimPublic, language: Language) -> ExplanationText:
    """The page's wording of the claim's stored explanation, in ``language``."""
    rating = claim.verdict.rating.value if claim.verdict else None
    with force_locale(language):
        said = explain(claim.explanation, claim.status.value, rating)
        # The page says the verdict once, as its verdict block's heading, and heads the status
        # block with the state of the evidence; a program gets both in one place.
        if rating is None:
            headline, state = str(said.headline), str(said.state)
        else:
            verdict = gettext("Editor's verdict: %(rating)s", rating=RATINGS[rating])
            headline, state = str(verdict), str(said.headline)
        return ExplanationText(
            language=language,
            headline=headline,
            state=state,
            disagreement=None if said.disagreement is None else str(said.disagreement),
            sentences=[str(s) for s in said.sentences],
            score=None if said.score is None else str(said.score),
            counts=[str(c) for c in said.counts],
        )


def worded(claim: ClaimPublic, language: Language | None = None) -> ClaimPublic:
    """The claim with ``explanation_text`` in ``language`` (default: the request's)."""
    text = explanation_text(claim, language or request_language())
    return claim.model_copy(update={"explanation_text": text})


def vary_on_language(response: Response) -> Response:
    """Say that the body depends on Accept-Language, so caches keep one copy per language."""
    response.vary.add("Accept-Language")
    return response
