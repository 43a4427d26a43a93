"""Claim routes: the ledger's main resource and what hangs on it."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Response, g, request, url_for

from claims.matching.fuzzy import DUPLICATE_THRESHOLD
from claims.schemas import (
    ClaimCreate,
    ClaimPublic,
    ClaimQuery,
    ClaimsPublic,
    ClaimStatusPublic,
    ClaimUpdate,
    CreateClaimQuery,
    EvidenceCreate,
    EvidenceListPublic,
    EvidencePublic,
    EvidenceUpdate,
    HistoryPublic,
    MatchesPublic,
    MatchQuery,
    RelationCreate,
    RelationPublic,
    RelationsPublic,
    RelationUpdate,
    Retraction,
    VerdictCreate,
    VerdictPublic,
    VerdictsPublic,
)
from claims.search.schemas import ClaimCreatedPublic
from claims.semantic import crosslingual
from claims.services import evidence, history, ledger, relations, verdicts, views
from claims.services.ledger import get_claim
from service.api import bp
from service.api.caching import conditional_json, etag_of, matches_strong
from service.api.operation import current_actor, operation
from service.api.wording import (
    API_LANGUAGES,
    Language,
    request_language,
    vary_on_language,
    worded,
)
from service.db import get_session
from service.problems import ApiProblem
from service.runtime import current_runtime

READ_CACHE = "public, max-age=0, must-revalidate"
TAG = "claims"


def revision_etag(revision: int) -> str:
    """The ETag of evidence or a relation: its revision, which every correction moves."""
    return f'"{revision}"'


def _expected_revision(kind: str, revision: int) -> int | None:
    """The revision If-Match names (None for ``*``): 428 without it, 412 when it is stale."""
    if_match = request.headers.get("If-Match")
    if not if_match:
        raise ApiProblem(
            428,
            "Precondition required",
            f'send If-Match with the {kind}\'s revision as an entity tag ("{revision}" now)',
            slug="precondition-required",
        )
    if if_match.strip() == "*":
        return None
    if not matches_strong(if_match, revision_etag(revision)):
        raise ApiProblem(
            412,
            "Precondition failed",
            f"the {kind} changed since you fetched it; fetch it again",
            slug="stale-revision",
        )
    return revision


def _with_etag(model: EvidencePublic | RelationPublic) -> Response:
    return Response(
        model.model_dump_json().encode(),
        mimetype="application/json",
        headers={"ETag": revision_etag(model.revision)},
    )


def _claim_public(claim_id: int, language: Language | None = None) -> ClaimPublic:
    session = get_session()
    return worded(
        views.claims_public(
            session=session, claims=[get_claim(session=session, claim_id=claim_id)]
        )[0],
        language,
    )


@operation(
    bp,
    "/claims",
    "GET",
    summary="List claims",
    tag=TAG,
    query=ClaimQuery,
    response=ClaimsPublic,
    errors=(422,),
    description="Filters combine with AND. Cursor pagination: follow the Link rel=next header.",
)
def list_claims(query: ClaimQuery) -> Response | tuple[ClaimsPublic, dict[str, str]]:
    session = get_session()
    rows, total, next_cursor = ledger.list_claims(session=session, query=query)
    page = ClaimsPublic(
        data=[worded(c) for c in views.claims_public(session=session, claims=rows)],
        count=total,
        next_cursor=next_cursor,
    )
    headers = {"X-Total-Count": str(total), "Vary": "Accept-Language"}
    if next_cursor:
        # A list of pairs, not a dict: repeated filters (?status=a&status=b) must all survive.
        params = [(k, v) for k, v in request.args.items(multi=True) if k != "cursor"]
        params.append(("cursor", next_cursor))
        headers["Link"] = f'<{request.base_url}?{urlencode(params)}>; rel="next"'
    return page, headers


@operation(
    bp,
    "/claims",
    "POST",
    summary="Record a claim",
    tag=TAG,
    body=ClaimCreate,
    query=CreateClaimQuery,
    response=ClaimCreatedPublic,
    status=201,
    auth=True,
    errors=(400, 401, 403, 409, 413, 415, 422),
    description="Answers 409 with the candidates when the claim nearly duplicates an existing "
    "one (characters: the lexical scorer); add ?distinct=true to record it anyway. A claim "
    "that may say the same as one in another language is recorded, and listed in "
    "possible_translations with its verdict; ?translation_of=ID links it instead.",
)
def create_claim(
    body: ClaimCreate, query: CreateClaimQuery
) -> tuple[ClaimCreatedPublic, dict[str, str]]:
    session = get_session()
    asked = query.distinct or query.translation_of is not None
    translations = (
        [] if asked else crosslingual.submission_translations(session=session, claim_in=body)
    )
    claim = ledger.create_claim(
        session=session,
        claim_in=body,
        actor=current_actor(),
        allow_duplicate=query.distinct,
        duplicate_threshold=current_runtime().settings.duplicate_threshold,
    )
    assert claim.id is not None
    if query.translation_of is not None:
        crosslingual.link_translation(
            session=session,
            claim_id=claim.id,
            original_id=query.translation_of,
            actor=current_actor(),
        )
    public = worded(views.claims_public(session=session, claims=[claim])[0])
    created = ClaimCreatedPublic(
        **public.model_dump(),
        possible_translations=views.matches_public(
            session=session,
            found=[crosslingual.as_matched(t, text=body.text) for t in translations],
        ),
    )
    return created, {"Location": url_for("api.get_claim_view", claim_id=claim.id)}


@operation(
    bp,
    "/claims/match",
    "GET",
    summary="Claims similar to a text",
    tag=TAG,
    query=MatchQuery,
    response=MatchesPublic,
    errors=(422,),
)
def match_claims(query: MatchQuery) -> MatchesPublic:
    session = get_session()
    found = crosslingual.fused_matches(session=session, text=query.text, limit=query.limit)
    data = views.matches_public(session=session, found=found)
    return MatchesPublic(data=data, count=len(data), threshold=DUPLICATE_THRESHOLD)


@operation(
    bp,
    "/claims/<int:claim_id>",
    "GET",
    summary="One claim with its score and explanation",
    tag=TAG,
    response=ClaimPublic,
    errors=(404,),
)
def get_claim_view(claim_id: int) -> Response:
    return vary_on_language(conditional_json(_claim_public(claim_id), cache_control=READ_CACHE))


@operation(
    bp,
    "/claims/<int:claim_id>",
    "PATCH",
    summary="Correct a claim",
    tag=TAG,
    body=ClaimUpdate,
    response=ClaimPublic,
    auth=True,
    errors=(401, 403, 404, 412, 422, 428),
    description="Send the ETag of the representation you edited in If-Match; a stale one gets 412.",
)
def update_claim(claim_id: int, body: ClaimUpdate) -> Response:
    if_match = request.headers.get("If-Match")
    if not if_match:
        raise ApiProblem(
            428,
            "Precondition required",
            "send If-Match with the claim's ETag to edit it",
            slug="precondition-required",
        )
    current = _claim_public(claim_id)
    # The ETag depends on the language the claim was fetched in: any of them will do.
    tags = {
        etag_of(_claim_public(claim_id, lang).model_dump_json().encode()) for lang in API_LANGUAGES
    }
    if not any(matches_strong(if_match, tag) for tag in tags):
        raise ApiProblem(
            412,
            "Precondition failed",
            "the claim changed since you fetched it; fetch it again",
            slug="stale-revision",
        )
    session = get_session()
    ledger.update_claim(
        session=session,
        claim_id=claim_id,
        claim_in=body,
        actor=current_actor(),
        expected_revision=current.revision,
    )
    public = _claim_public(claim_id)
    payload = public.model_dump_json().encode()
    return vary_on_language(
        Response(payload, mimetype="application/json", headers={"ETag": etag_of(payload)})
    )


@operation(
    bp,
    "/claims/<int:claim_id>/retract",
    "POST",
    summary="Retract a claim (editors)",
    tag=TAG,
    body=Retraction,
    response=ClaimPublic,
    auth=True,
    errors=(401, 403, 404, 422),
)
def retract_claim(claim_id: int, body: Retraction) -> ClaimPublic:
    ledger.retract_claim(
        session=get_session(), claim_id=claim_id, reason=body.reason, actor=current_actor()
    )
    return _claim_public(claim_id)


@operation(
    bp,
    "/claims/<int:claim_id>/status",
    "GET",
    summary="The compact status programs poll",
    description="What a program needs to show a claim's standing on its own: the computed "
    "``status`` (the state of the evidence on record), the editor's ``verdict`` beside it "
    "(``headline`` says which to lead with), ``counts`` of evidence by stance and of "
    "counter-statements by kind (rebuttals, qualifications, backings), the score's stable "
    "``reasons`` codes, and ``summary``: the same in words, in English or French by "
    "Accept-Language, saying why the evidence disagrees with the verdict when it does. "
    "Revalidate with If-None-Match: each language has its own ETag.",
    tag=TAG,
    response=ClaimStatusPublic,
    errors=(404,),
)
def claim_status(claim_id: int) -> Response:
    # Programs poll this: the read model's answer (service/readmodel.py), which the fast path
    # below Flask (service/hot.py) usually gives instead: one query over stored scores.
    return (
        current_runtime()
        .reads.status_answer(
            claim_id,
            language=request_language(),
            if_none_match=request.headers.get("If-None-Match", ""),
            origin=request.headers.get("Origin"),
            method=request.method,
            session=g.get("db_session"),
        )
        .response()
    )


@operation(
    bp,
    "/claims/<int:claim_id>/evidence",
    "GET",
    summary="Evidence on a claim",
    tag=TAG,
    response=EvidenceListPublic,
    errors=(404,),
)
def list_evidence(claim_id: int) -> EvidenceListPublic:
    session = get_session()
    rows = evidence.list_evidence(session=session, claim_id=claim_id)
    return EvidenceListPublic(
        data=views.evidence_public(session=session, rows=rows), count=len(rows)
    )


@operation(
    bp,
    "/claims/<int:claim_id>/evidence",
    "POST",
    summary="Add evidence",
    tag=TAG,
    body=EvidenceCreate,
    response=EvidencePublic,
    status=201,
    auth=True,
    errors=(400, 401, 403, 404, 413, 415, 422),
)
def add_evidence(claim_id: int, body: EvidenceCreate) -> EvidencePublic:
    session = get_session()
    item = evidence.add_evidence(
        session=session, claim_id=claim_id, evidence_in=body, actor=current_actor()
    )
    assert item.id is not None
    row = evidence.get_evidence(session=session, claim_id=claim_id, evidence_id=item.id)
    return views.evidence_public(session=session, rows=[row])[0]


@operation(
    bp,
    "/claims/<int:claim_id>/evidence/<int:evidence_id>",
    "GET",
    summary="One evidence item (retracted ones included)",
    tag=TAG,
    response=EvidencePublic,
    errors=(404,),
    description='Its `revision` is what a correction sends in If-Match (`If-Match: "3"`).',
)
def get_evidence_item(claim_id: int, evidence_id: int) -> EvidencePublic:
    session = get_session()
    row = evidence.get_evidence(session=session, claim_id=claim_id, evidence_id=evidence_id)
    return views.evidence_public(session=session, rows=[row])[0]


@operation(
    bp,
    "/claims/<int:claim_id>/evidence/<int:evidence_id>",
    "PATCH",
    summary="Correct evidence (editors, or the contributor who added it)",
    tag=TAG,
    body=EvidenceUpdate,
    response=EvidencePublic,
    auth=True,
    errors=(400, 401, 403, 404, 412, 415, 422, 428),
    description=(
        "Only the fields sent change. Send the item's `revision` as an entity tag in If-Match "
        '(`If-Match: "3"`); a stale one gets 412, none 428. The response\'s ETag is the new '
        "revision. A new quote or source is anchored again and the claim rescored."
    ),
)
def update_evidence(claim_id: int, evidence_id: int, body: EvidenceUpdate) -> Response:
    session = get_session()
    current, _ = evidence.get_evidence(session=session, claim_id=claim_id, evidence_id=evidence_id)
    expected = _expected_revision("evidence", current.revision)
    evidence.update_evidence(
        session=session,
        claim_id=claim_id,
        evidence_id=evidence_id,
        evidence_in=body,
        actor=current_actor(),
        expected_revision=expected,
    )
    row = evidence.get_evidence(session=session, claim_id=claim_id, evidence_id=evidence_id)
    return _with_etag(views.evidence_public(session=session, rows=[row])[0])


@operation(
    bp,
    "/claims/<int:claim_id>/evidence/<int:evidence_id>/retract",
    "POST",
    summary="Retract evidence (editors)",
    tag=TAG,
    body=Retraction,
    response=EvidencePublic,
    auth=True,
    errors=(401, 403, 404, 422),
)
def retract_evidence(claim_id: int, evidence_id: int, body: Retraction) -> EvidencePublic:
    session = get_session()
    evidence.retract_evidence(
        session=session,
        claim_id=claim_id,
        evidence_id=evidence_id,
        reason=body.reason,
        actor=current_actor(),
    )
    row = evidence.get_evidence(session=session, claim_id=claim_id, evidence_id=evidence_id)
    return views.evidence_public(session=session, rows=[row])[0]


@operation(
    bp,
    "/claims/<int:claim_id>/relations",
    "GET",
    summary="Relations in both directions",
    tag=TAG,
    response=RelationsPublic,
    errors=(404,),
)
def list_relations(claim_id: int) -> RelationsPublic:
    session = get_session()
    rows = relations.list_relations(session=session, claim_id=claim_id)
    return RelationsPublic(
        data=views.relations_public(session=session, claim_id=claim_id, relations=rows),
        count=len(rows),
    )


@operation(
    bp,
    "/claims/<int:claim_id>/relations",
    "POST",
    summary="Link another claim",
    tag=TAG,
    body=RelationCreate,
    response=RelationPublic,
    status=201,
    auth=True,
    errors=(400, 401, 403, 404, 409, 415, 422),
)
def add_relation(claim_id: int, body: RelationCreate) -> RelationPublic:
    session = get_session()
    relation = relations.add_relation(
        session=session, claim_id=claim_id, relation_in=body, actor=current_actor()
    )
    return views.relations_public(session=session, claim_id=claim_id, relations=[relation])[0]


@operation(
    bp,
    "/claims/<int:claim_id>/relations/<int:relation_id>",
    "GET",
    summary="One relation, seen from this claim (retracted ones included)",
    tag=TAG,
    response=RelationPublic,
    errors=(404,),
    description='Its `revision` is what a correction sends in If-Match (`If-Match: "3"`).',
)
def get_relation_item(claim_id: int, relation_id: int) -> RelationPublic:
    session = get_session()
    relation = relations.get_relation(session=session, claim_id=claim_id, relation_id=relation_id)
    return views.relations_public(session=session, claim_id=claim_id, relations=[relation])[0]


@operation(
    bp,
    "/claims/<int:claim_id>/relations/<int:relation_id>",
    "PATCH",
    summary="Correct a relation (editors, or the contributor who added it)",
    tag=TAG,
    body=RelationUpdate,
    response=RelationPublic,
    auth=True,
    errors=(400, 401, 403, 404, 409, 412, 415, 422, 428),
    description=(
        "Only the fields sent change; the two claims stay (retract and link again to change "
        'them). Send the relation\'s `revision` as an entity tag in If-Match (`If-Match: "3"`); '
        "a stale one gets 412, none 428. The response's ETag is the new revision."
    ),
)
def update_relation(claim_id: int, relation_id: int, body: RelationUpdate) -> Response:
    session = get_session()
    current = relations.get_relation(session=session, claim_id=claim_id, relation_id=relation_id)
    expected = _expected_revision("relation", current.revision)
    relation = relations.update_relation(
        session=session,
        claim_id=claim_id,
        relation_id=relation_id,
        relation_in=body,
        actor=current_actor(),
        expected_revision=expected,
    )
    return _with_etag(
        views.relations_public(session=session, claim_id=claim_id, relations=[relation])[0]
    )


@operation(
    bp,
    "/claims/<int:claim_id>/relations/<int:relation_id>/retract",
    "POST",
    summary="Retract a relation (editors)",
    tag=TAG,
    body=Retraction,
    response=RelationPublic,
    auth=True,
    errors=(401, 403, 404, 422),
)
def retract_relation(claim_id: int, relation_id: int, body: Retraction) -> RelationPublic:
    session = get_session()
    relation = relations.retract_relation(
        session=session,
        claim_id=claim_id,
        relation_id=relation_id,
        reason=body.reason,
        actor=current_actor(),
    )
    return views.relations_public(session=session, claim_id=claim_id, relations=[relation])[0]


@operation(
    bp,
    "/claims/<int:claim_id>/verdicts",
    "GET",
    summary="Verdict history, newest first",
    tag=TAG,
    response=VerdictsPublic,
    errors=(404,),
)
def list_verdicts(claim_id: int) -> VerdictsPublic:
    rows = verdicts.list_verdicts(session=get_session(), claim_id=claim_id)
    return VerdictsPublic(data=[views.verdict_public(v) for v in rows], count=len(rows))


@operation(
    bp,
    "/claims/<int:claim_id>/verdicts",
    "POST",
    summary="Give a verdict (editors)",
    tag=TAG,
    body=VerdictCreate,
    response=VerdictPublic,
    status=201,
    auth=True,
    errors=(400, 401, 403, 404, 415, 422),
)
def add_verdict(claim_id: int, body: VerdictCreate) -> VerdictPublic:
    verdict = verdicts.add_verdict(
        session=get_session(), claim_id=claim_id, verdict_in=body, actor=current_actor()
    )
    return views.verdict_public(verdict)


@operation(
    bp,
    "/claims/<int:claim_id>/verdicts/withdraw",
    "POST",
    summary="Withdraw the verdict in force without replacing it (editors)",
    tag=TAG,
    body=Retraction,
    response=VerdictPublic,
    auth=True,
    errors=(400, 401, 403, 404, 415, 422),
)
def withdraw_verdict(claim_id: int, body: Retraction) -> VerdictPublic:
    verdict = verdicts.withdraw_verdict(
        session=get_session(), claim_id=claim_id, reason=body.reason, actor=current_actor()
    )
    return views.verdict_public(verdict)


@operation(
    bp,
    "/claims/<int:claim_id>/history",
    "GET",
    summary="Revision history, oldest first",
    tag=TAG,
    response=HistoryPublic,
    errors=(404,),
)
def claim_history(claim_id: int) -> HistoryPublic:
    session = get_session()
    get_claim(session=session, claim_id=claim_id)
    rows = history.history(session=session, claim_id=claim_id)
    return HistoryPublic(data=views.revisions_public(rows), count=len(rows))
