"""The worked example: the claims of the seed article (iFanr, in French) on Meta hiring OpenAI
researchers, with their claimants, sources, evidence, rebuttals and one editor's verdict.

Every quote attributed to the iFanr article is an exact passage of ``article-fr.txt`` (a test
checks it). Quotes attributed to Wired or to Altman's memo are those passages as iFanr
translated them; each such evidence says so in its note, since the originals are not on file.
The seed text carries no URL, so the iFanr article is filed under a placeholder path on
ifanr.com. Loading is idempotent: every record is looked up by its natural key first.

The demo never makes a request: its sources are filed unwatched (no fetch is queued, and the
periodic recheck skips them), and the iFanr source gets the shipped article as its first
snapshot, so every quote from it is anchored on a fresh demo. The Wired pages are not on file:
those sources stay ``pending`` and their quotes ``unanchored``.
"""

from __future__ import annotations

from importlib.resources import files

from sqlmodel import Session, col, select

from claims.models import Claim, Evidence, Relation, Verdict
from claims.policy import Actor, Role
from claims.schemas import (
    ClaimantCreate,
    ClaimCreate,
    EvidenceCreate,
    RelationCreate,
    VerdictCreate,
)
from claims.services import claimants, evidence, ledger, relations, verdicts
from claims.text import normalise_claim
from sources.models import SourceCreate, SourceKind
from sources.service import create_source, get_source
from sources.snapshots import current_snapshot, record_page

DEMO_ACTOR = Actor(name="demo", role=Role.admin)
TRANSLATED = "Quoted as translated in the iFanr article; the original wording is not on file."

IFANR = "https://www.ifanr.com/claimdesk-demo/meta-openai-lettre-interne"
WIRED_MEMO = "https://www.wired.com/story/sam-altman-meta-ai-talent-poaching-spree-leaked-messages/"
WIRED_OFFERS = "https://www.wired.com/story/mark-zuckerberg-meta-offer-top-ai-talent-300-million/"

CLAIMANTS = {
    "altman": ClaimantCreate(
        name="Sam Altman", kind="person", role="PDG d'OpenAI", aliases=["Ultraman", "Altman"]
    ),
    "bosworth": ClaimantCreate(
        name="Andrew Bosworth",
        kind="person",
        role="Directeur technique (CTO) de Meta",
        aliases=["Bosworth", "Boz"],
    ),
    "wired": ClaimantCreate(name="Wired", kind="organisation", aliases=["magazine Wired"]),
    "ifanr": ClaimantCreate(name="iFanr", kind="organisation", aliases=["爱范儿"]),
}

SOURCES = {
    "memo": (
        SourceCreate(
            url=WIRED_MEMO,
            title="Sam Altman's internal memo to OpenAI staff, as published by Wired",
            kind=SourceKind.primary,
            published_on="2025-07",
            publisher_name="Wired",
        ),
        [],
    ),
    "offers": (
        SourceCreate(
            url=WIRED_OFFERS,
            title="Wired: what Mark Zuckerberg is offering top AI talent",
            kind=SourceKind.secondary,
            published_on="2025-07",
            publisher_name="Wired",
        ),
        [],
    ),
    "ifanr": (
        SourceCreate(
            url=IFANR,
            title="Lettre interne d’OpenAI dévoilée ! Ultraman a vivement critiqué Zuckerberg",
            kind=SourceKind.tertiary,
            published_on="2025-07",
            publisher_name="iFanr",
        ),
        ["memo", "offers"],
    ),
}

# key: (claimant, text, said_on, appeared_in, tags)
CLAIMS = {
    "bonus": (
        "altman",
        "Meta a utilisé une prime à la signature de 100 millions de dollars pour débaucher "
        "des talents.",
        "2025-06",
        "ifanr",
        ["meta", "openai", "rémunération"],
    ),
    "exaggeration": (
        "bosworth",
        "L'affirmation d'Altman sur une prime à la signature de 100 millions de dollars est "
        "une exagération.",
        "2025-06",
        "ifanr",
        ["meta", "openai", "rémunération"],
    ),
    "not_a_bonus": (
        "bosworth",
        "L'« offre de 100 millions de dollars » n'est pas une prime unique : elle comprend des "
        "primes d'intéressement en actions, des primes à la signature et d'autres éléments.",
        "2025-06",
        "ifanr",
        ["meta", "rémunération"],
    ),
    "few_roles": (
        "bosworth",
        "Ces salaires très élevés ne concernent qu'un nombre très limité de postes à "
        "responsabilité.",
        "2025-06",
        "ifanr",
        ["meta", "rémunération"],
    ),
    "300m": (
        "wired",
        "Zuckerberg a offert aux meilleurs chercheurs d'OpenAI jusqu'à 300 millions de dollars "
        "sur quatre ans.",
        "2025-07",
        "offers",
        ["meta", "openai", "rémunération"],
    ),
    "100m_first_year": (
        "wired",
        "Les offres de Meta dépassent 100 millions de dollars de rémunération totale la "
        "première année.",
        "2025-07",
        "offers",
        ["meta", "rémunération"],
    ),
    "ten_offers": (
        "wired",
        "Meta a fait au moins dix offres de ce type à des employés d'OpenAI.",
        "2025-07",
        "offers",
        ["meta", "openai"],
    ),
    "chief_scientist": (
        "wired",
        "Meta a tenté de recruter un chercheur senior d'OpenAI comme directeur scientifique, "
        "qui a décliné l'offre.",
        "2025-07",
        "offers",
        ["meta", "openai"],
    ),
    "nadella": (
        "ifanr",
        "Satya Nadella, PDG de Microsoft, a reçu une rémunération totale de 79,1 millions de "
        "dollars pour 2024, principalement en actions.",
        "2025-07",
        "ifanr",
        ["rémunération", "microsoft"],
    ),
    "khosrowshahi": (
        "ifanr",
        "Dara Khosrowshahi, PDG d'Uber, a reçu environ 39,4 millions de dollars pour 2024, "
        "principalement en actions.",
        "2025-07",
        "ifanr",
        ["rémunération", "uber"],
    ),
    "missionaries": (
        "altman",
        "Les missionnaires battront les mercenaires : un homme avec une mission sera plus "
        "performant qu'un mercenaire.",
        "2025-07",
        "memo",
        ["openai", "culture"],
    ),
}

# (claim, source, stance, exact quote, note)
EVIDENCE = [
    (
        "bonus",
        "ifanr",
        "mentions",
        "l'affirmation du PDG d'OpenAI, Sam Altman, selon laquelle « Meta a utilisé une prime à "
        "la signature de 100 millions de dollars pour débaucher des talents »",
        None,
    ),
    (
        "bonus",
        "offers",
        "supports",
        "avec un salaire total de plus de 100 millions de dollars la première année",
        "Offers above $100M exist, as total first-year pay rather than a signing bonus. "
        + TRANSLATED,
    ),
    (
        "bonus",
        "ifanr",
        "supports",
        "avec un salaire total de plus de 100 millions de dollars la première année",
        "iFanr repeats Wired's figure.",
    ),
    ("exaggeration", "ifanr", "mentions", "soulignant qu'il s'agissait d'une exagération", None),
    (
        "not_a_bonus",
        "ifanr",
        "mentions",
        "n'est pas une prime unique, mais comprend des primes d'intéressement en actions, des "
        "primes à la signature et d'autres éléments",
        None,
    ),
    (
        "few_roles",
        "ifanr",
        "mentions",
        "Ce prétendu salaire élevé ne concerne qu'un nombre très limité de postes à "
        "responsabilité.",
        None,
    ),
    (
        "300m",
        "ifanr",
        "mentions",
        "Zuckerberg a offert aux meilleurs chercheurs un salaire pouvant atteindre 300 millions "
        "de dollars sur quatre ans",
        None,
    ),
    (
        "100m_first_year",
        "ifanr",
        "mentions",
        "avec un salaire total de plus de 100 millions de dollars la première année",
        None,
    ),
    (
        "ten_offers",
        "ifanr",
        "mentions",
        "le riche Meta a fait au moins dix offres de ce type aux employés d'OpenAI",
        None,
    ),
    (
        "chief_scientist",
        "ifanr",
        "mentions",
        "Meta a tenté de recruter un chercheur senior d'OpenAI au poste de directeur "
        "scientifique, mais que l'autre partie a finalement rejeté l'invitation",
        None,
    ),
    (
        "chief_scientist",
        "memo",
        "supports",
        "je ne compte plus le nombre de personnes qu'ils ont essayé de recruter chez nous pour "
        "devenir leurs directeurs scientifiques",
        "Altman confirms the repeated chief-scientist approaches. " + TRANSLATED,
    ),
    (
        "missionaries",
        "ifanr",
        "mentions",
        "Un homme avec une mission sera plus performant qu’un mercenaire.",
        None,
    ),
]

# (subject, kind, object, first_hand, note)
RELATIONS = [
    (
        "exaggeration",
        "rebuts",
        "bonus",
        True,
        "Bosworth speaks for Meta, the party that made the offers.",
    ),
    ("not_a_bonus", "rebuts", "bonus", True, "Meta's CTO on the structure of its own offers."),
    ("few_roles", "qualifies", "bonus", True, None),
]

VERDICTS = {
    "bonus": VerdictCreate(
        rating="mixed",
        rationale="Offers worth more than $100M did exist (Wired), but Meta's CTO says they were "
        "total packages for very few senior roles, mostly in stock, not signing bonuses.",
    ),
}


def article_text() -> str:
    """The seed article as shipped with claimdesk."""
    return files("service.demo").joinpath("article-fr.txt").read_text(encoding="utf-8")


def _seed_article_snapshot(*, session: Session, source_id: int) -> None:
    """The shipped article as the iFanr source's first snapshot (plain text, not fetched)."""
    if current_snapshot(session=session, source=get_source(session=session, source_id=source_id)):
        return
    record_page(
        session=session,
        source_id=source_id,
        body=article_text().encode("utf-8"),
        media_type="text/plain",
        encoding="utf-8",
    )


def load_demo(*, session: Session) -> str:
    """Load the worked example through the ledger's services; returns a one-line report."""
    created = {"claimants": 0, "sources": 0, "claims": 0, "evidence": 0, "relations": 0}
    people: dict[str, int] = {}
    for key, claimant_in in CLAIMANTS.items():
        found = claimants.find_claimants(session=session, name=claimant_in.name)
        if found:
            people[key] = found[0].id or 0
            continue
        person = claimants.create_claimant(
            session=session, claimant_in=claimant_in, actor=DEMO_ACTOR
        )
        people[key] = person.id or 0
        created["claimants"] += 1
    sources: dict[str, int] = {}
    for key, (source_in, cites) in SOURCES.items():
        source_in = source_in.model_copy(update={"cites": [sources[c] for c in cites]})
        source, new = create_source(
            session=session, source_in=source_in, actor_name="demo", watch=False
        )
        sources[key] = source.id or 0
        created["sources"] += int(new)
    _seed_article_snapshot(session=session, source_id=sources["ifanr"])
    claims: dict[str, int] = {}
    for key, (who, text, said_on, appeared, tags) in CLAIMS.items():
        existing = session.exec(
            select(Claim).where(
                Claim.text_norm == normalise_claim(text), col(Claim.retracted_at).is_(None)
            )
        ).first()
        if existing is not None:
            claims[key] = existing.id or 0
            continue
        claim = ledger.create_claim(
            session=session,
            claim_in=ClaimCreate(
                text=text,
                language="fr",
                claimant_id=people[who],
                said_on=said_on,
                appeared_in_id=sources[appeared],
                tags=tags,
            ),
            actor=DEMO_ACTOR,
            allow_duplicate=True,
        )
        claims[key] = claim.id or 0
        created["claims"] += 1
    for claim_key, source_key, stance, quote, note in EVIDENCE:
        if session.exec(
            select(Evidence).where(
                Evidence.claim_id == claims[claim_key],
                Evidence.source_id == sources[source_key],
                Evidence.quote == quote,
            )
        ).first():
            continue
        evidence.add_evidence(
            session=session,
            claim_id=claims[claim_key],
            evidence_in=EvidenceCreate(
                source_id=sources[source_key], stance=stance, quote=quote, note=note
            ),
            actor=DEMO_ACTOR,
        )
        created["evidence"] += 1
    for subject, kind, obj, first_hand, note in RELATIONS:
        if session.exec(
            select(Relation).where(
                Relation.subject_id == claims[subject],
                Relation.object_id == claims[obj],
                Relation.kind == kind,
            )
        ).first():
            continue
        relations.add_relation(
            session=session,
            claim_id=claims[subject],
            relation_in=RelationCreate(
                kind=kind, object_id=claims[obj], first_hand=first_hand, note=note
            ),
            actor=DEMO_ACTOR,
        )
        created["relations"] += 1
    for claim_key, verdict_in in VERDICTS.items():
        if session.exec(select(Verdict).where(Verdict.claim_id == claims[claim_key])).first():
            continue
        verdicts.add_verdict(
            session=session, claim_id=claims[claim_key], verdict_in=verdict_in, actor=DEMO_ACTOR
        )
    session.flush()
    parts = ", ".join(f"{n} {name}" for name, n in created.items())
    return f"demo loaded: created {parts} ({len(claims)} claims in the worked example)"
