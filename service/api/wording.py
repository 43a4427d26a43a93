"""A claim's explanation in plain words for the API, in the language the request asks for.

The API keeps the numbers and stable codes in ``explanation`` (and the status poll's
``reasons``); ``explanation_text`` and the poll's ``summary`` carry the same sentences as the
claim page (``service/web/explain.py``), in English or French chosen by ``Accept-Language``
alone (a program has no language cookie), English by default.
"""

from __future__ import annotations

import functools
from typing import Final, Literal, cast

from flask import Flask, Response, request
from flask_babel import force_locale, gettext
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from claims.schemas import ClaimPublic, ExplanationText, StatusSummary
from service.web.explain import explain, standing
from service.web.i18n import RATINGS

Language = Literal["en", "fr"]
API_LANGUAGES: Final[tuple[Language, ...]] = ("en", "fr")


@functools.lru_cache(maxsize=256)
def language_of(accept_language: str) -> Language:
    """``en`` or ``fr`` from an Accept-Language value; English when neither is asked for.

    Cached: programs poll with the same few headers, and the fast path below Flask
    (``service/hot.py``) parses the header itself, exactly as Flask's request would.
    """
    accepted = parse_accept_header(accept_language, LanguageAccept)
    return cast(Language, accepted.best_match(API_LANGUAGES) or "en")


def request_language() -> Language:
    """``en`` or ``fr`` from the request's Accept-Language; English when neither is asked for."""
    return language_of(request.headers.get("Accept-Language", ""))


def verdict_headline(rating: str) -> str:
    """'Editor's verdict: Mostly true', in the current locale."""
    return str(gettext("Editor's verdict: %(rating)s", rating=RATINGS[rating]))


def explanation_text(claim: ClaimPublic, language: Language) -> ExplanationText:
    """The page's wording of the claim's stored explanation, in ``language``."""
    rating = claim.verdict.rating.value if claim.verdict else None
    with force_locale(language):
        said = explain(claim.explanation, claim.status.value, rating)
        # The page says the verdict once, as its verdict block's heading, and heads the status
        # block with the state of the evidence; a program gets both in one place, ``state``
        # always the state of the evidence (as in the status poll's summary).
        state = str(said.headline)
        return ExplanationText(
            language=language,
            headline=verdict_headline(rating) if rating else state,
            state=state,
            disagreement=None if said.disagreement is None else str(said.disagreement),
            sentences=[str(s) for s in said.sentences],
            score=None if said.score is None else str(said.score),
            counts=[str(c) for c in said.counts],
        )


def status_summary(
    *, language: Language, status: str, rating: str | None, total: int | None
) -> StatusSummary:
    """The status poll's words in ``language`` (the page's sentences; needs an app context):
    the verdict first when there is one, the state of the evidence, and their disagreement."""
    with force_locale(language):
        stands = standing({} if total is None else {"total": total}, status, rating)
        return StatusSummary(
            language=language,
            headline=verdict_headline(rating) if rating else str(stands.state),
            state=str(stands.state),
            disagreement=None if stands.disagreement is None else str(stands.disagreement),
        )


class StatusWords:
    """An app's status summaries, each rendered once per (language, status, verdict, score).

    A summary depends on nothing else, so the few dozen that exist are kept (a bounded LRU)
    and a poll, through Flask or the fast path below it, costs a lookup. A miss renders inside
    an app context of its own, where Babel finds the app's catalogues: the fast path has no
    context, and Flask's gives the same words from the same cache.
    """

    def __init__(self, app: Flask, *, size: int = 1024) -> None:
        self.app = app
        self._summary = functools.lru_cache(maxsize=size)(self._render)

    def summary(
        self, *, language: Language, status: str, rating: str | None, total: int | None
    ) -> StatusSummary:
        """The summary of a claim in this state (shared between answers: do not change it)."""
        # Only the disagreement of an unsettled claim names its score: elsewhere it is left out
        # of the key, which keeps the cache to a few entries per status and verdict.
        return self._summary(language, status, rating, total if status == "unsettled" else None)

    def cache_info(self) -> functools._CacheInfo:
        """How many summaries were rendered (misses) and reused (hits)."""
        return self._summary.cache_info()

    def _render(
        self, language: Language, status: str, rating: str | None, total: int | None
    ) -> StatusSummary:
        with self.app.app_context():
            return status_summary(language=language, status=status, rating=rating, total=total)


def worded(claim: ClaimPublic, language: Language | None = None) -> ClaimPublic:
    """The claim with ``explanation_text`` in ``language`` (default: the request's)."""
    text = explanation_text(claim, language or request_language())
    return claim.model_copy(update={"explanation_text": text})


def vary_on_language(response: Response) -> Response:
    """Say that the body depends on Accept-Language, so caches keep one copy per language."""
    response.vary.add("Accept-Language")
    return response
