"""A claim's explanation in the reader's words: sentences per side, the headline, each row.

The scorer stores numbers and stable codes (``claims/scoring/score.py``); this module turns them
into English or French with Babel (plurals, numbers, lists), naming sources and people rather than
keys. The computed status is shown as the state of the evidence on record (the editor's verdict has
its own block on the page, above it), and a disagreement between the two is said in words.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from babel.lists import format_list
from flask_babel import format_decimal, get_locale, gettext, ngettext

from service.web.i18n import RATINGS, SOURCE_KINDS, STATUS_BADGES

SHOWN_NAMES = 3
# Which evidence state agrees with which rating.
AGREEING: Mapping[str, frozenset[str]] = {
    "true": frozenset({"supported"}),
    "mostly_true": frozenset({"supported"}),
    "mixed": frozenset({"contested", "unsettled"}),
    "mostly_false": frozenset({"refuted"}),
    "false": frozenset({"refuted"}),
    "unverifiable": frozenset({"unsettled", "unsourced", "contested"}),
}


@dataclass(frozen=True)
class Row:
    """One line of the table under the figure: who, what they did, their points, why."""

    who: str
    position: str
    points: str
    reason: str
    counted: bool


@dataclass(frozen=True)
class Explained:
    """Everything the status partial shows, already in the reader's language."""

    headline: str
    state: str | None
    disagreement: str | None
    sentences: list[str]
    score: str | None
    rows: list[Row]
    counts: list[str]
    start: str = "0"
    total: str = "0"


def signed(points: int) -> str:
    """A number of points with its sign, in the reader's notation (+12, −46)."""
    text = format_decimal(abs(points), format="#,##0")
    return f"+{text}" if points > 0 else f"\u2212{text}" if points < 0 else "0"


def _listed(names: Sequence[str]) -> str:
    return format_list(list(names), locale=str(get_locale() or "en"))


def _name(contribution: Mapping[str, Any]) -> str:
    label = str(contribution.get("label") or "")
    role = contribution.get("role")
    return f"{label}, {role}" if role else label


def _names(group: Sequence[Mapping[str, Any]]) -> tuple[str, int]:
    """'Wired, Reuters and 2 other independent sources' and how many that is."""
    shown = [_name(c) for c in group[:SHOWN_NAMES]]
    hidden = len(group) - len(shown)
    if hidden > 0:
        shown.append(
            ngettext(
                "%(num)d other independent source", "%(num)d other independent sources", hidden
            )
        )
    return _listed(shown), len(group)


def side_sentences(contributions: Sequence[Mapping[str, Any]]) -> list[str]:
    """One sentence per side and per kind of counter-statement, in plain words."""
    carried = sorted(
        (c for c in contributions if c.get("points")),
        key=lambda c: (-abs(int(c["points"])), str(c["key"])),
    )
    out: list[str] = []
    backing = [c for c in carried if c["code"] == "source_supports"]
    if backing:
        names, n = _names(backing)
        out.append(ngettext("%(names)s supports it.", "%(names)s support it.", n, names=names))
    disputing = [c for c in carried if c["code"] == "source_refutes"]
    if disputing:
        names, n = _names(disputing)
        out.append(ngettext("%(names)s disputes it.", "%(names)s dispute it.", n, names=names))
    for c in carried:
        name = _name(c)
        if c["code"] == "rebuttal":
            out.append(
                gettext(
                    "%(name)s denies it (an interested party: this counts, but cannot outweigh"
                    " independent evidence on its own).",
                    name=name,
                )
                if c.get("interested")
                else gettext("%(name)s denies it.", name=name)
            )
        elif c["code"] == "qualification":
            out.append(gettext("%(name)s qualifies it: narrows it without denying it.", name=name))
        elif c["code"] == "backing":
            out.append(
                gettext("%(name)s backs it (an interested party).", name=name)
                if c.get("interested")
                else gettext("%(name)s backs it.", name=name)
            )
    mentions = sum(1 for c in contributions if c.get("code") == "source_mentions")
    if mentions:
        out.append(
            ngettext(
                "%(num)d source reports it without taking a side.",
                "%(num)d sources report it without taking a side.",
                mentions,
            )
        )
    copies = sum(1 for c in contributions if c.get("same_as"))
    if copies:
        out.append(
            ngettext(
                "%(num)d item repeats an origin already counted, so it is counted once.",
                "%(num)d items repeat an origin already counted, so each is counted once.",
                copies,
            )
        )
    return out


def _factor(contribution: Mapping[str, Any]) -> str | None:
    factor = float(contribution.get("factor", 1.0))
    if factor >= 1:
        return None
    share = format_decimal(factor * 100, format="#,##0")
    if contribution.get("factor_reason") == "changed_at_source":
        return gettext("the page has changed since: counted at %(share)s%%", share=share)
    if contribution.get("factor_reason") == "orphaned":
        return gettext("quote not found on the page: counted at %(share)s%%", share=share)
    return gettext("counted at %(share)s%%", share=share)


def _record(contribution: Mapping[str, Any]) -> str | None:
    record = contribution.get("record")
    if not record:
        return None
    held = format_decimal(record["held"], format="#,##0.##")
    failed = format_decimal(record["failed"], format="#,##0.##")
    total = round(record["held"] + record["failed"]) + int(record["unverified"])
    if total == 0:
        return gettext("no rated claim on its record yet")
    return ngettext(
        "its record: %(num)d rated claim, %(held)s held up, %(failed)s did not,"
        " %(unverified)s never verified: %(points)s",
        "its record: %(num)d rated claims, %(held)s held up, %(failed)s did not,"
        " %(unverified)s never verified: %(points)s",
        total,
        held=held,
        failed=failed,
        unverified=record["unverified"],
        points=signed(int(contribution.get("record_points", 0))),
    )


POSITIONS = {
    "source_supports": lambda: gettext("source, supports it"),
    "source_refutes": lambda: gettext("source, disputes it"),
    "source_mentions": lambda: gettext("source, takes no side"),
    "rebuttal": lambda: gettext("rebuttal"),
    "qualification": lambda: gettext("qualification"),
    "backing": lambda: gettext("counter-statement backing it"),
}


def row(contribution: Mapping[str, Any]) -> Row:
    """The table line of one contribution."""
    code = str(contribution.get("code", ""))
    kind = str(SOURCE_KINDS.get(str(contribution.get("kind")), contribution.get("kind")))
    parts: list[str] = []
    if code == "source_mentions":
        parts.append(gettext("takes no side: no points"))
    else:
        parts.append(
            gettext(
                "as a %(kind)s item: %(points)s",
                kind=kind,
                points=signed(int(contribution.get("stance_points", 0))),
            )
        )
        for extra in (_record(contribution), _factor(contribution)):
            if extra:
                parts.append(extra)
    if contribution.get("same_as"):
        parts.append(
            gettext(
                "same origin as %(name)s: counted once (alone: %(points)s)",
                name=contribution.get("same_as_label") or "",
                points=signed(int(contribution.get("alone", 0))),
            )
        )
    if contribution.get("capped"):
        parts.append(
            gettext(
                "interested party: %(alone)s on its own, limited to half the independent"
                " evidence on the other side",
                alone=signed(int(contribution.get("alone", 0))),
            )
        )
    elif contribution.get("interested"):
        parts.append(gettext("interested party"))
    position = POSITIONS.get(code)
    return Row(
        who=_name(contribution),
        position=position() if position else code,
        points=signed(int(contribution.get("points", 0))),
        # A translatable separator: French puts a no-break space before its semicolon.
        reason=gettext("; ").join(parts),
        counted=bool(contribution.get("points")),
    )


def count_lines(counts: Mapping[str, int]) -> list[str]:
    """Counts that name rebuttals and qualifications as such, leaving out the zeros."""
    # Literal calls, so that the catalogue extractor finds every string.
    words: dict[str, Callable[[int], str]] = {
        "source_supports": lambda n: ngettext(
            "%(num)d source supports it", "%(num)d sources support it", n
        ),
        "source_refutes": lambda n: ngettext(
            "%(num)d source disputes it", "%(num)d sources dispute it", n
        ),
        "rebuttal": lambda n: ngettext("%(num)d rebuttal", "%(num)d rebuttals", n),
        "qualification": lambda n: ngettext("%(num)d qualification", "%(num)d qualifications", n),
        "backing": lambda n: ngettext(
            "%(num)d counter-statement backs it", "%(num)d counter-statements back it", n
        ),
        "source_mentions": lambda n: ngettext(
            "%(num)d source takes no side", "%(num)d sources take no side", n
        ),
    }
    lines = [str(say(counts[code])) for code, say in words.items() if counts.get(code)]
    # How many independent origins stand behind each side ("2 sources support it" may be
    # one report and its copy).
    for side in ("supports", "refutes"):
        origins = counts.get(f"origins_{side}", 0)
        if origins:
            lines.append(
                ngettext(
                    "%(num)d independent origin for it",
                    "%(num)d independent origins for it",
                    origins,
                )
                if side == "supports"
                else ngettext(
                    "%(num)d independent origin against it",
                    "%(num)d independent origins against it",
                    origins,
                )
            )
    return lines


def _why(status: str, explanation: Mapping[str, Any]) -> str:
    if status == "supported":
        return gettext("the independent sources on record back it")
    if status == "refuted":
        return gettext("independent sources on record dispute it")
    if status == "contested":
        return gettext("independent sources on record disagree")
    if status == "unsourced":
        return gettext("no source is on record yet")
    return gettext(
        "its evidence score (%(total)s) has reached neither +100 nor \u2212100",
        total=signed(int(explanation.get("total", 0))),
    )


@dataclass(frozen=True)
class Standing:
    """Where the evidence stands beside the editor's verdict, in the reader's words."""

    state: str  # "State of the evidence on record: Contested"
    unruled: str | None  # "No editor has ruled on this claim yet.", when none has
    disagreement: str | None  # why the evidence disagrees with the verdict, when it does


def standing(explanation: Mapping[str, Any], status: str, rating: str | None) -> Standing:
    """The state of the evidence and how it differs from the editor's verdict, if it does.

    Of ``explanation`` only ``total`` is read (for an unsettled claim's reason), so a caller
    that has the status and the verdict may pass just that.
    """
    state_word = str(STATUS_BADGES[status].label) if status in STATUS_BADGES else status
    disagreement = None
    if rating and status not in AGREEING.get(rating, frozenset()):
        disagreement = gettext(
            "The editor rated it %(rating)s; the evidence on record is %(state)s because %(why)s.",
            rating=str(RATINGS[rating]).lower(),
            state=state_word.lower(),
            why=_why(status, explanation),
        )
    return Standing(
        state=gettext("State of the evidence on record: %(state)s", state=state_word),
        unruled=None if rating else gettext("No editor has ruled on this claim yet."),
        disagreement=disagreement,
    )


def explain(explanation: Mapping[str, Any], status: str, rating: str | None) -> Explained:
    """The status block of a claim: the state of the evidence, and how it differs from the
    editor's verdict (which the page shows in its own block, once)."""
    # The verdict itself is shown once, in the page's verdict block just above this one; the
    # status block heads with the state of the evidence and says when they disagree.
    stands = standing(explanation, status, rating)
    contributions = list(explanation.get("contributions", []))
    scored = "total" in explanation  # explanations stored before the fitted model have no total
    score = None
    if scored:
        score = gettext(
            "Evidence score: %(total)s (a claim with no evidence starts at %(start)s; supported"
            " from +100, refuted from \u2212100).",
            total=signed(int(explanation["total"])),
            start=signed(int(explanation.get("start", 0))),
        )
    reasons = set(explanation.get("reasons", []))
    sentences = side_sentences(contributions) if scored else []
    if "refuted_needs_independent_evidence" in reasons:
        sentences.append(gettext("Only an interested party disputes it, so it is not refuted."))
    if "supported_needs_independent_evidence" in reasons:
        sentences.append(gettext("Only an interested party backs it, so it is not supported."))
    return Explained(
        headline=stands.state,
        state=stands.unruled,
        disagreement=stands.disagreement,
        sentences=sentences,
        score=score,
        rows=[row(c) for c in contributions] if scored else [],
        counts=count_lines(explanation.get("counts", {})) if scored else [],
        start=signed(int(explanation.get("start", 0))),
        total=signed(int(explanation.get("total", 0))),
    )
