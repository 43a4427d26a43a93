"""How stored values read on a page: people's names, dates, numbers and the revision log.

The ledger stores codes (``user:ed``, ``review_state``, ``True``, ``2025-06``) so programs can
rely on them; readers get words in their language. Every page formats through these filters,
so one kind of value always reads the same way: a day is a long date ("6 December 2026"), a
moment is that date and a short time, a partial date is as precise as what was recorded.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from babel import Locale
from babel.dates import format_skeleton
from flask import Flask
from flask_babel import format_date, format_decimal, format_time, get_locale, lazy_gettext
from flask_babel import gettext as _
from flask_babel.speaklater import LazyString
from markupsafe import Markup

from service.web.i18n import HISTORY_ENTITIES, RATINGS, RELATION_KINDS, SOURCE_KINDS, STANCES

# Actors the ledger names by a code rather than a person's name.
USER_PREFIX = "user:"
TOKEN_PREFIX = "token:"

ROLES: dict[str, LazyString] = {
    "anonymous": lazy_gettext("visitor"),
    "contributor": lazy_gettext("contributor"),
    "editor": lazy_gettext("editor"),
    "admin": lazy_gettext("administrator"),
}

REVIEW_STATES: dict[str, LazyString] = {
    "submitted": lazy_gettext("waiting for review"),
    "published": lazy_gettext("published"),
}

# Why a source's page could not be read (``sources.fetch.REASONS``), in words.
FETCH_REASONS: dict[str, LazyString] = {
    "invalid_url": lazy_gettext("not a web address"),
    "unreachable": lazy_gettext("the site did not answer"),
    "blocked": lazy_gettext("not a public address"),
    "tls_error": lazy_gettext("its secure connection failed"),
    "timeout": lazy_gettext("the site took too long to answer"),
    "too_many_redirects": lazy_gettext("too many redirections"),
    "bad_redirect": lazy_gettext("a broken redirection"),
    "too_large": lazy_gettext("the page is too large"),
    "unsupported_type": lazy_gettext("not a web page"),
    "http_404": lazy_gettext("page not found"),
    "http_410": lazy_gettext("page removed"),
    "http_4xx": lazy_gettext("the site refused"),
    "http_5xx": lazy_gettext("the site had an error"),
    "unexpected_status": lazy_gettext("an unexpected answer"),
}


def fetch_reason(code: str | None) -> str:
    """Why a page could not be read, in words (an unknown code reads as a generic failure)."""
    if not code:
        return ""
    label = FETCH_REASONS.get(code)
    return str(label) if label is not None else _("could not be read")


# The revision log's field names, as a reader would call them.
FIELD_LABELS: dict[str, LazyString] = {
    "text": lazy_gettext("Words"),
    "language": lazy_gettext("Language"),
    "claimant_id": lazy_gettext("Said by"),
    "said_on": lazy_gettext("When"),
    "appeared_in_id": lazy_gettext("Where"),
    "tags": lazy_gettext("Tags"),
    "review_state": lazy_gettext("Review"),
    "source_id": lazy_gettext("Source"),
    "stance": lazy_gettext("Position"),
    "quote": lazy_gettext("Quote"),
    "note": lazy_gettext("Note"),
    "subject_id": lazy_gettext("Answering claim"),
    "object_id": lazy_gettext("Answered claim"),
    "kind": lazy_gettext("Kind"),
    "first_hand": lazy_gettext("First-hand"),
    "rating": lazy_gettext("Rating"),
    "rationale": lazy_gettext("Rationale"),
    "supersedes": lazy_gettext("Replaces"),
    "reason": lazy_gettext("Reason"),
    "quoted_before": lazy_gettext("Quoted before"),
    "page_now": lazy_gettext("The page now says"),
    "name": lazy_gettext("Name"),
    "aliases": lazy_gettext("Also known as"),
    "role": lazy_gettext("Role"),
}
OTHER_FIELD = lazy_gettext("Other detail")


@dataclass(frozen=True)
class Change:
    """One field of a revision: its label and what it read before (for corrections) and after."""

    label: str
    before: str | None
    after: str
    # Someone's words or a name (a quote, a note, a source's title): shown as is and never
    # machine-translated.
    typed: bool


@dataclass(frozen=True)
class Names:
    """Readable names for the ids a revision log mentions (claimants, sources)."""

    claimants: Mapping[int, str]
    sources: Mapping[int, str]


def person(actor: str) -> str:
    """A revision's or record's author as a reader would name them (``user:ed`` -> ``ed``)."""
    if actor.startswith(USER_PREFIX):
        return actor.removeprefix(USER_PREFIX)
    if actor.startswith(TOKEN_PREFIX):
        return _("%(name)s (through the API)", name=actor.removeprefix(TOKEN_PREFIX))
    if actor == "anonymous":
        return _("an anonymous visitor")
    if actor == "system":
        return _("claimdesk (automatic check)")
    return actor


def role(code: str) -> str:
    """An account role in the reader's language."""
    label = ROLES.get(code)
    return str(label) if label is not None else code


def day(value: date | datetime | None) -> str:
    """A calendar day, the one way pages show days ("6 December 2026")."""
    if value is None:
        return ""
    return format_date(value, "long")


def moment(value: datetime | None) -> str:
    """A point in time, the one way pages show times ("6 December 2026, 10:51")."""
    if value is None:
        return ""
    when = format_date(value, "long")
    return _("%(date)s, %(time)s", date=when, time=format_time(value, "short"))


PARTIAL_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def partial_date(value: str | None) -> str:
    """A date recorded as YYYY, YYYY-MM or YYYY-MM-DD, as precise as it was recorded."""
    if not value:
        return ""
    found = PARTIAL_DATE.fullmatch(value.strip())
    if not found:
        return value
    year, month, dayno = found.groups()
    try:
        if dayno:
            return day(date(int(year), int(month), int(dayno)))
        if month:
            return format_skeleton("yMMMM", date(int(year), int(month), 1), locale=_locale())
    except ValueError:
        return value
    return year


def number(value: float) -> str:
    """A count or a share in the reader's convention (``0,5`` in French), at most 2 decimals."""
    return format_decimal(round(value, 2), "#,##0.##")


def language_name(code: str | None) -> str:
    """A BCP 47 tag as its name in the reader's language (``fr`` -> ``French``)."""
    if not code or code == "und":
        return _("undetermined")
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(_locale())
    except (ValueError, TypeError, LookupError):
        return code
    return name or code


def quoted(text: str) -> Markup:
    """Text inside the reader's quotation marks (“…” in English, « … » in French)."""
    if _locale().language == "fr":
        return Markup("«\u00a0{}\u00a0»").format(text)
    return Markup("“{}”").format(text)


def colon(label: object) -> Markup:
    """A label followed by a colon, with the no-break space French typography puts before it."""
    sep = "\u00a0:" if _locale().language == "fr" else ":"
    return Markup("{}{}").format(label, sep)


def verbatim(text: object) -> Markup:
    """Someone's words or name, marked so that neither a browser nor a check translates them."""
    return Markup('<span translate="no">{}</span>').format(text)


def _locale() -> Locale:
    return get_locale() or Locale("en")


# Actions whose changes are stored as ``[before, after]`` pairs.
PAIRED_ACTIONS = frozenset({"update", "accept"})
# Values that are people's words or names (never translated): what was typed, and the
# claimants and sources a revision names.
TYPED_FIELDS = frozenset(
    {"text", "quote", "note", "rationale", "reason", "quoted_before", "page_now", "name", "role"}
    | {"claimant_id", "appeared_in_id", "source_id", "aliases"}
)


def _value(key: str, value: Any, names: Names) -> str:
    """One stored value of a revision, in words."""
    if value is None or value == "" or value == []:
        return _("none")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(_value(key, v, names) for v in value)
    code = str(value)
    labels: Mapping[str, object] | None = {
        "stance": STANCES,
        "kind": {**RELATION_KINDS, **SOURCE_KINDS},
        "rating": RATINGS,
        "review_state": REVIEW_STATES,
    }.get(key)
    if labels is not None and code in labels:
        return str(labels[code])
    if key == "language":
        return language_name(code)
    if key == "said_on":
        return partial_date(code)
    if key == "claimant_id" and isinstance(value, int):
        return names.claimants.get(value, _("claimant no. %(id)s", id=value))
    if key in ("appeared_in_id", "source_id") and isinstance(value, int):
        return names.sources.get(value, _("source no. %(id)s", id=value))
    if key in ("subject_id", "object_id") and isinstance(value, int):
        return _("Claim #%(id)s", id=value)
    if key == "supersedes" and isinstance(value, int):
        return _("verdict no. %(id)s", id=value)
    return code


def changes(raw: Mapping[str, Any], *, action: str, names: Names) -> list[Change]:
    """A revision's stored changes as labelled, readable lines.

    A correction stores ``{field: [before, after]}``; anything else stores the values set.
    """
    lines = []
    for key, value in raw.items():
        label = str(FIELD_LABELS.get(key, OTHER_FIELD))
        typed = key in TYPED_FIELDS
        if action in PAIRED_ACTIONS and isinstance(value, list) and len(value) == 2:
            before, after = (_value(key, v, names) for v in value)
            lines.append(Change(label, before, after, typed))
            continue
        lines.append(Change(label, None, _value(key, value, names), typed))
    return lines


def entity(code: str, entity_id: int) -> str:
    """What a revision is about ("evidence no. 3")."""
    label = HISTORY_ENTITIES.get(code)
    return _("%(entity)s no. %(id)s", entity=label if label is not None else code, id=entity_id)


def ids_in(revisions: Sequence[Mapping[str, Any]], *keys: str) -> set[int]:
    """Every integer id stored under ``keys`` in these revisions' changes (before and after)."""
    found: set[int] = set()
    for raw in revisions:
        for key in keys:
            value = raw.get(key)
            for v in value if isinstance(value, list) else [value]:
                if isinstance(v, int) and not isinstance(v, bool):
                    found.add(v)
    return found


def init_app(app: Flask) -> None:
    """Offer the filters to every template."""
    app.jinja_env.filters.update(
        person=person,
        role=role,
        day=day,
        moment=moment,
        partial_date=partial_date,
        fetch_reason=fetch_reason,
        number=number,
        language_name=language_name,
        quoted=quoted,
        colon=colon,
        verbatim=verbatim,
    )
