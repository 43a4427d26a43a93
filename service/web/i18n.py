"""The interface in English and French: the language chosen, and the words for stored codes.

The language comes from the person's explicit choice (a cookie set by the switch), else from
the browser's Accept-Language, else English. Stored codes (statuses, stances, kinds, ratings)
stay codes in the database and the API; only their labels here are translated.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, request
from flask_babel import Babel, get_locale, lazy_gettext
from flask_babel.speaklater import LazyString

LANGUAGES: dict[str, str] = {"en": "English", "fr": "Français"}
DEFAULT_LANGUAGE = "en"
COOKIE = "claimdesk_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600


@dataclass(frozen=True)
class Badge:
    """How a status is shown: a word and a shape, so it never rests on colour alone."""

    code: str
    label: LazyString
    icon: str


STATUS_BADGES: dict[str, Badge] = {
    "unsourced": Badge("unsourced", lazy_gettext("Unsourced"), "○"),
    "unsettled": Badge("unsettled", lazy_gettext("Unsettled"), "◐"),
    "supported": Badge("supported", lazy_gettext("Supported"), "✔"),
    "contested": Badge("contested", lazy_gettext("Contested"), "⚠"),
    "refuted": Badge("refuted", lazy_gettext("Refuted"), "✘"),
}

STANCES: dict[str, LazyString] = {
    "supports": lazy_gettext("Supports"),
    "refutes": lazy_gettext("Refutes"),
    "mentions": lazy_gettext("Mentions"),
}

STANCE_HEADINGS: dict[str, LazyString] = {
    "supports": lazy_gettext("Sources that support it"),
    "refutes": lazy_gettext("Sources that refute it"),
    "mentions": lazy_gettext("Sources that mention it without taking a side"),
}

SOURCE_KINDS: dict[str, LazyString] = {
    "primary": lazy_gettext("primary"),
    "secondary": lazy_gettext("secondary"),
    "tertiary": lazy_gettext("tertiary"),
}

RELATION_KINDS: dict[str, LazyString] = {
    "rebuts": lazy_gettext("rebuts"),
    "supports": lazy_gettext("backs"),
    "qualifies": lazy_gettext("qualifies"),
    "duplicate_of": lazy_gettext("duplicates"),
    "translation_of": lazy_gettext("translates"),
}

RATINGS: dict[str, LazyString] = {
    "true": lazy_gettext("True"),
    "mostly_true": lazy_gettext("Mostly true"),
    "mixed": lazy_gettext("Mixed"),
    "mostly_false": lazy_gettext("Mostly false"),
    "false": lazy_gettext("False"),
    "unverifiable": lazy_gettext("Unverifiable"),
}

VIAS: dict[str, LazyString] = {
    "evidence": lazy_gettext("source"),
    "rebuttal": lazy_gettext("rebuttal"),
    "support": lazy_gettext("counter-statement"),
    "qualification": lazy_gettext("qualification"),
}


# Whether a quote is on its source's page: a word and a shape, like the statuses.
ANCHOR_BADGES: dict[str, Badge] = {
    "anchored": Badge("anchored", lazy_gettext("Found on the page"), "✔"),
    "fuzzy": Badge("fuzzy", lazy_gettext("Found with differences"), "≈"),
    "orphaned": Badge("orphaned", lazy_gettext("Not found on the page"), "✘"),
    "unanchored": Badge("unanchored", lazy_gettext("Not checked yet"), "…"),
    "changed": Badge("changed", lazy_gettext("Changed at source"), "⚠"),
}

FETCH_STATES: dict[str, LazyString] = {
    "pending": lazy_gettext("not fetched yet"),
    "live": lazy_gettext("online"),
    "dead": lazy_gettext("gone (dead link)"),
    "blocked": lazy_gettext("refused (not a public address)"),
    "error": lazy_gettext("could not be read"),
}

# The revision log's codes, as nouns so they read the same whatever the entity's gender.
HISTORY_ACTIONS: dict[str, LazyString] = {
    "create": lazy_gettext("Creation"),
    "update": lazy_gettext("Correction"),
    "retract": lazy_gettext("Retraction"),
    "accept": lazy_gettext("Acceptance after review"),
    "withdraw": lazy_gettext("Withdrawal"),
    "changed_at_source": lazy_gettext("Change spotted on the source's page"),
    "restored_at_source": lazy_gettext("Passage back on the source's page"),
}

HISTORY_ENTITIES: dict[str, LazyString] = {
    "claim": lazy_gettext("claim"),
    "evidence": lazy_gettext("evidence"),
    "relation": lazy_gettext("counter-statement"),
    "verdict": lazy_gettext("verdict"),
    "claimant": lazy_gettext("claimant"),
}


def select_language() -> str:
    """The person's choice from the switch, else the browser's preference, else English."""
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(list(LANGUAGES)) or DEFAULT_LANGUAGE


def current_language() -> str:
    """The language the current page is rendered in (an ISO code for ``<html lang>``)."""
    return str(get_locale() or DEFAULT_LANGUAGE)


def init_app(app: Flask) -> None:
    """Install Flask-Babel (catalogues in ``service/translations``) and the template helpers."""
    Babel(app, locale_selector=select_language)
    app.jinja_env.globals.update(
        LANGUAGES=LANGUAGES,
        STATUS_BADGES=STATUS_BADGES,
        STANCES=STANCES,
        STANCE_HEADINGS=STANCE_HEADINGS,
        SOURCE_KINDS=SOURCE_KINDS,
        RELATION_KINDS=RELATION_KINDS,
        RATINGS=RATINGS,
        VIAS=VIAS,
        HISTORY_ACTIONS=HISTORY_ACTIONS,
        HISTORY_ENTITIES=HISTORY_ENTITIES,
        ANCHOR_BADGES=ANCHOR_BADGES,
        FETCH_STATES=FETCH_STATES,
        current_language=current_language,
    )
