"""The ``cd:`` vocabulary of the evidence block, served and documented by each deployment.

The JSON-LD evidence block names its terms ``<base URL>/ns#term``; this page is what that
namespace resolves to, one anchored entry per term, so a term's IRI leads to its meaning.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext
from flask_babel.speaklater import LazyString

from service.web import bp


@dataclass(frozen=True)
class Term:
    """One term: its name (the IRI's fragment), whether it is a type, and what it means."""

    name: str
    is_type: bool
    meaning: LazyString
    values: str = ""


TERMS: tuple[Term, ...] = (
    Term("ClaimEvidence", True, lazy_gettext("What a claim rests on: its evidence and the claims that answer it. It is about the same claim as the page's ClaimReview.")),  # noqa: E501
    Term("Evidence", True, lazy_gettext("One source's position on the claim, with the exact quote that carries it.")),  # noqa: E501
    Term("RelatedClaim", True, lazy_gettext("Another claim and how it bears on this one.")),
    Term("status", False, lazy_gettext("The claim's computed status."), "unsourced, unsettled, supported, contested, refuted"),  # noqa: E501
    Term("contestedness", False, lazy_gettext("How strongly independent sources disagree, from 0 (not at all) to 1.")),  # noqa: E501
    Term("evidence", False, lazy_gettext("The claim's evidence, one item per source.")),
    Term("stance", False, lazy_gettext("What the source does with the claim."), "supports, refutes, mentions"),  # noqa: E501
    Term("sourceKind", False, lazy_gettext("How close the source is to what the claim is about."), "primary, secondary, tertiary"),  # noqa: E501
    Term("quote", False, lazy_gettext("The source's exact words.")),
    Term("related", False, lazy_gettext("Claims that answer this one or that it answers.")),
    Term("relation", False, lazy_gettext("How the other claim bears on this one, read from this claim."), "rebuts, supports, qualifies, rebutted by, supported by, qualified by, duplicate of"),  # noqa: E501
)  # fmt: skip


@bp.get("/ns")
def vocabulary() -> ResponseReturnValue:
    """The vocabulary's terms, each at ``/ns#<term>``."""
    return render_template("web/vocabulary.html", terms=TERMS)
