"""The widget's few words in English and French (the card is self-contained, so no catalogue)."""

from __future__ import annotations

from datetime import date

LANGUAGES = ("en", "fr")

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "unsourced": "Unsourced",
        "unsettled": "Unsettled",
        "supported": "Supported",
        "contested": "Contested",
        "refuted": "Refuted",
        "contestedness": "contestedness",
        "supporting": "supporting",
        "refuting": "refuting",
        "rebuttal": "rebuttal",
        "rebuttals": "rebuttals",
        "qualification": "qualification",
        "qualifications": "qualifications",
        "colon": ":",
        "percent": "%",
        "verdict": "Editor's verdict",
        "evidence": "Evidence on record",
        "updated": "Updated",
        "was": "was",
        "since": "since",
        "verdict_was": "verdict was",
        "verdict_short": "verdict",
        "more": "more",
        "open": "Open on claimdesk",
        "not_found": "This claim is not available.",
        "bad_option": "This widget was asked for an option it does not know.",
        "by": "by",
        "claim": "claim",
        "source_dead": "{n} source dead",
        "sources_dead": "{n} sources dead",
        "quote_changed": "{n} quote changed at source",
        "quotes_changed": "{n} quotes changed at source",
    },
    "fr": {
        "unsourced": "Non sourcé",
        "unsettled": "Incertain",
        "supported": "Étayé",
        "contested": "Contesté",
        "refuted": "Réfuté",
        "contestedness": "contestation",
        "supporting": "pour",
        "refuting": "contre",
        "rebuttal": "démenti",
        "rebuttals": "démentis",
        "qualification": "nuance",
        "qualifications": "nuances",
        "colon": "\u00a0:",
        "percent": "\u00a0%",
        "verdict": "Verdict de la rédaction",
        "evidence": "Preuves au dossier",
        "updated": "Mis à jour le",
        "was": "était",
        "since": "depuis le",
        "verdict_was": "verdict précédent",
        "verdict_short": "verdict",
        "more": "suite",
        "open": "Voir sur claimdesk",
        "not_found": "Cette affirmation n'est pas disponible.",
        "bad_option": "Ce widget a reçu une option qu'il ne connaît pas.",
        "by": "par",
        "claim": "affirmation",
        "source_dead": "{n} source disparue",
        "sources_dead": "{n} sources disparues",
        "quote_changed": "{n} citation modifiée à la source",
        "quotes_changed": "{n} citations modifiées à la source",
    },
}

VERDICT_NAMES_FR = {
    "true": "Vrai",
    "mostly_true": "Plutôt vrai",
    "mixed": "Mitigé",
    "mostly_false": "Plutôt faux",
    "false": "Faux",
    "unverifiable": "Invérifiable",
}

# A shape for each status, so it is never told by colour alone.
SYMBOLS = {
    "unsourced": "∅",
    "unsettled": "?",
    "supported": "✓",
    "contested": "⚠",
    "refuted": "✗",
}

_MONTHS_FR = (
    "janv.", "févr.", "mars", "avr.", "mai", "juin",
    "juil.", "août", "sept.", "oct.", "nov.", "déc.",
)  # fmt: skip


_MONTHS_EN = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip


def count_word(n: int, singular: str, plural: str, lang: str) -> str:
    """``n`` with its noun in the right number (French counts 0 and 1 as singular)."""
    one = n <= 1 if lang == "fr" else n == 1
    return f"{n} {singular if one else plural}"


def short_date(value: date, lang: str) -> str:
    """'3 Nov 2026' or '3 nov. 2026', without depending on the server's locale."""
    months = _MONTHS_FR if lang == "fr" else _MONTHS_EN
    return f"{value.day} {months[value.month - 1]} {value.year}"
