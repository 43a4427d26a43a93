"""Request and response classes of the claim ledger's API.

The same classes validate what clients send and generate the OpenAPI document, so the
documentation cannot drift from what the service accepts. Input classes forbid unknown fields:
a misspelt field is an error the client hears about, not a silently ignored wish.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    computed_field,
    field_validator,
    model_validator,
)

from claims.models import AnchorState, ClaimantKind, ClaimStatus, Rating, RelationKind, Stance
from sources.dates import parse_partial_date
from sources.models import PARTIAL_DATE_PATTERN, URL_PATTERN, FetchState, SourceKind
from sources.sanitize import NONBLANK_PATTERN, TEXT_PATTERN, has_forbidden_control_chars

LANGUAGE_RE = re.compile(r"^(und|[a-z]{2,3}(-[A-Za-z0-9]{2,8})*)$")
TAG_RE = re.compile(r"^[\w][\w .:-]{0,49}$")
# What the OpenAPI document says of text fields (the validators below enforce it): no control,
# bidi-override or noncharacter (sources/sanitize.py), and not blank where a value is required.
TEXT: dict[str, Any] = {"pattern": TEXT_PATTERN}
NONBLANK: dict[str, Any] = {"pattern": NONBLANK_PATTERN}
# A tag as sent: surrounding whitespace is trimmed (and the tag lower-cased) before TAG_RE.
TAG_PATTERN = r"^\s*[\w][\w .:-]{0,49}\s*$"


def _clean_text(value: str) -> str:
    if has_forbidden_control_chars(value):
        raise ValueError("must not contain control characters")
    return value


def exactly_one_of(*fields: str, kinds: dict[str, str]) -> dict[str, Any]:
    """The JSON Schema of a model validator's "give exactly one of a or b" rule."""
    return {
        "oneOf": [
            {"required": [name], "properties": {name: {"type": kinds[name]}}} for name in fields
        ]
    }


def at_most_one_of(first: str, second: str) -> dict[str, Any]:
    """The JSON Schema of "give a or b, not both" (null counts as not given)."""
    given = {"not": {"type": "null"}}
    return {"not": {"required": [first, second], "properties": {first: given, second: given}}}


# What the service accepts as a URL to record or fetch (sources/urls.py normalises and checks
# further: a public host, at most 2,048 characters once normalised).
URL_SCHEMA: dict[str, Any] = {"maxLength": 2048, "pattern": URL_PATTERN}


def not_null(schema: dict[str, Any]) -> None:
    """Document a field that may be left out but never sent as null (its type without null).

    The field stays ``X | None`` for validation, so a null still reaches the service, which
    says why it is refused (and errors keep naming the field plainly).
    """
    branches = schema.pop("anyOf", None)
    if branches:
        schema.update(next(b for b in branches if b.get("type") != "null"))
    schema.pop("default", None)


def _partial_date(value: str | None) -> str | None:
    return None if value is None else parse_partial_date(value)


def _language(value: str) -> str:
    if not LANGUAGE_RE.match(value):
        raise ValueError("must be a BCP 47 language tag such as 'fr', 'en' or 'pt-BR' (or 'und')")
    return value


def _tags(value: list[str]) -> list[str]:
    cleaned: list[str] = []
    for tag in value:
        tag = tag.strip().lower()
        if not TAG_RE.match(tag):
            raise ValueError(f"tag {tag!r}: 1-50 letters, digits, spaces or . : _ -")
        if tag not in cleaned:
            cleaned.append(tag)
    return sorted(cleaned)


CleanText = Annotated[str, Field(json_schema_extra=TEXT), AfterValidator(_clean_text)]
ClaimText = Annotated[
    str,
    Field(min_length=1, max_length=2000, json_schema_extra=NONBLANK),
    AfterValidator(_clean_text),
]
ShortText = Annotated[
    str,
    Field(min_length=1, max_length=200, json_schema_extra=NONBLANK),
    AfterValidator(_clean_text),
]
LongText = Annotated[
    str,
    Field(min_length=1, max_length=5000, json_schema_extra=NONBLANK),
    AfterValidator(_clean_text),
]
PartialDate = Annotated[
    str | None,
    Field(
        default=None,
        max_length=10,
        description="YYYY, YYYY-MM or YYYY-MM-DD (the document's pattern leaves out days 29-31, "
        "which the service accepts where the month has them)",
        json_schema_extra={"pattern": PARTIAL_DATE_PATTERN},
    ),
    AfterValidator(_partial_date),
]
Language = Annotated[
    str,
    Field(max_length=35, json_schema_extra={"pattern": LANGUAGE_RE.pattern}),
    AfterValidator(_language),
]
Tag = Annotated[str, Field(json_schema_extra={"pattern": TAG_PATTERN})]
Tags = Annotated[list[Tag], Field(max_length=20), AfterValidator(_tags)]
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]


class Input(BaseModel):
    """Base of every request body: unknown fields and stray whitespace are refused or trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# ---- claimants -------------------------------------------------------------------------


class ClaimantCreate(Input):
    """A new claimant with the other names they go by."""

    name: ShortText
    kind: ClaimantKind = ClaimantKind.person
    role: (
        Annotated[str, Field(max_length=300, json_schema_extra=TEXT), AfterValidator(_clean_text)]
        | None
    ) = None
    aliases: Annotated[list[ShortText], Field(max_length=50)] = Field(default_factory=list)
    homonym: bool = Field(
        default=False,
        description="Editors only: a different person who shares a name or alias already on "
        "record (otherwise such a name is refused with 409).",
    )


class ClaimantUpdate(Input):
    """Corrections to a claimant; aliases given here are added, never removed silently."""

    # Absent means unchanged; null is refused (a claimant keeps a name and a kind), so the
    # document offers no null.
    name: ShortText | None = Field(default=None, json_schema_extra=not_null)
    kind: ClaimantKind | None = Field(default=None, json_schema_extra=not_null)
    role: (
        Annotated[str, Field(max_length=300, json_schema_extra=TEXT), AfterValidator(_clean_text)]
        | None
    ) = None
    aliases: Annotated[list[ShortText], Field(max_length=50)] | None = None

    @field_validator("name", "kind", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("cannot be cleared; leave the field out to keep it")
        return value


class ClaimantPublic(BaseModel):
    """A claimant as the API shows it."""

    id: int
    name: str
    kind: ClaimantKind
    role: str | None
    aliases: list[str]
    created_at: datetime


class ClaimantsPublic(BaseModel):
    """A page of claimants."""

    data: list[ClaimantPublic]
    count: int


class ClaimantRef(BaseModel):
    """The claimant as embedded in a claim."""

    id: int
    name: str
    aliases: list[str]


# ---- claims ----------------------------------------------------------------------------


class ClaimCreate(Input):
    """A claim to record. Name the claimant by id or by any of their names or aliases."""

    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                at_most_one_of("claimant_id", "claimant_name"),
                at_most_one_of("appeared_in_id", "appeared_in_url"),
            ]
        }
    )

    text: ClaimText
    language: Language = "und"
    claimant_id: Id | None = None
    claimant_name: ShortText | None = Field(
        default=None, description="Looked up by name or alias; created as a person if unknown."
    )
    said_on: PartialDate = None
    appeared_in_id: Id | None = None
    appeared_in_url: (
        Annotated[str, Field(min_length=1, max_length=4096, json_schema_extra=URL_SCHEMA)] | None
    ) = Field(default=None, description="Source URL where the claim appeared; recorded if new.")
    tags: Tags = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_way_each(self) -> ClaimCreate:
        if self.claimant_id is not None and self.claimant_name is not None:
            raise ValueError("give claimant_id or claimant_name, not both")
        if self.appeared_in_id is not None and self.appeared_in_url is not None:
            raise ValueError("give appeared_in_id or appeared_in_url, not both")
        return self


class ClaimUpdate(Input):
    """A change to a claim; only the fields sent are changed."""

    # null refused, as for ClaimantUpdate
    text: ClaimText | None = Field(default=None, json_schema_extra=not_null)
    language: Language | None = Field(default=None, json_schema_extra=not_null)
    claimant_id: Id | None = None
    said_on: PartialDate = None
    appeared_in_id: Id | None = None
    tags: Tags | None = None

    @field_validator("text", "language", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        # Refused here, before If-Match is looked at: a null is a bad request, not a stale one.
        if value is None:
            raise ValueError("cannot be null; leave the field out to keep it")
        return value


class Retraction(Input):
    """Why a record is withdrawn; the record and its history are kept."""

    reason: LongText


class SourceRef(BaseModel):
    """A source as embedded in other records."""

    id: int
    url: str
    title: str | None
    kind: SourceKind
    publisher: str
    fetch_state: FetchState
    dead_since: datetime | None


class Counts(BaseModel):
    """How many live items bear on a claim: evidence by stance, counter-statements by kind."""

    supporting: int = Field(description="Live evidence that supports the claim.")
    refuting: int = Field(description="Live evidence that refutes it.")
    mentioning: int = Field(description="Live evidence that reports it without taking a side.")
    rebuttals: int = Field(description="Live counter-statements that rebut it.")
    qualifications: int = Field(
        description="Live counter-statements that qualify it: narrow it without denying it."
    )
    backings: int = Field(description="Live counter-statements that back it.")


class VerdictBrief(BaseModel):
    """The editor's current verdict, shown beside (never instead of) the computed status."""

    id: int
    rating: Rating
    rating_value: int | None
    alternate_name: str
    editor: str
    created_at: datetime
    via_translation_of: int | None = Field(
        default=None,
        description="Set when the claim has no verdict of its own and this is the verdict of "
        "the same claim in another language (a translation_of relation): one fact-check "
        "serves every language.",
    )


class StatusSummary(BaseModel):
    """The status in words, in the request's language: what to lead with, where the evidence
    stands, and why it disagrees with the editor's verdict when it does."""

    model_config = ConfigDict(frozen=True)  # rendered once, shared between answers
    language: Literal["en", "fr"] = Field(
        description="Chosen by Accept-Language (en or fr), English by default."
    )
    headline: str = Field(description="The editor's verdict when there is one, else the state.")
    state: str = Field(description="The state of the evidence on record.")
    disagreement: str | None = Field(
        description="Why the evidence on record disagrees with the editor's verdict, if it does."
    )


class ClaimStatusPublic(BaseModel):
    """The compact answer programs poll."""

    id: int
    text: str
    claimant: str | None
    status: ClaimStatus
    previous_status: ClaimStatus | None
    status_changed_at: datetime | None
    contestedness: float
    lean: float
    verdict: VerdictBrief | None
    counts: Counts
    reasons: list[str] = Field(
        description="Stable codes of why the status is what it is (``explanation.reasons`` of "
        "the full claim view, docs/scoring.md); words for them are in ``summary``."
    )
    summary: StatusSummary | None = Field(
        default=None,
        description="The status in words, in the language asked for by Accept-Language (en, "
        "fr; default en). Given by the status poll; null where a status is shown inside "
        "another answer (a relation's other claim, a search result).",
    )
    retracted: bool
    updated_at: datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def headline(self) -> Literal["verdict", "evidence"]:
        """What to lead with: the editor's verdict when there is one; ``status`` is then the
        state of the evidence on record, shown beside it (docs/scoring.md)."""
        return "verdict" if self.verdict is not None else "evidence"


class ExplanationText(BaseModel):
    """The explanation in plain words, as the claim page words it, in the request's language.

    Built from ``explanation`` (numbers and stable codes, which programs should test) and the
    verdict; the language is chosen by ``Accept-Language`` (``en`` or ``fr``, else English).
    """

    language: Literal["en", "fr"]
    headline: str = Field(description="The editor's verdict when there is one, else the state.")
    state: str = Field(description="The state of the evidence on record.")
    disagreement: str | None = Field(
        description="Why the evidence on record disagrees with the editor's verdict, if it does."
    )
    sentences: list[str] = Field(description="One sentence per side and kind of item.")
    score: str | None = Field(description="The evidence score and its thresholds, in words.")
    counts: list[str] = Field(description="The counts by kind of item, in words.")


class ClaimPublic(BaseModel):
    """A claim with its score and the explanation behind it."""

    id: int
    text: str
    text_norm: str
    language: str
    claimant: ClaimantRef | None
    said_on: str | None
    appeared_in: SourceRef | None
    tags: list[str]
    status: ClaimStatus
    previous_status: ClaimStatus | None
    status_changed_at: datetime | None
    lean: float
    contestedness: float
    explanation: dict[str, Any]
    explanation_text: ExplanationText | None = Field(
        default=None,
        description="``explanation`` in plain words, in the language asked for by "
        "Accept-Language (en, fr; default en): the same sentences as the claim page. The "
        "machine codes stay in ``explanation``.",
    )
    counts: Counts
    verdict: VerdictBrief | None
    scored_at: datetime | None = Field(
        description="When the score was last computed. A verdict on another claim that shares "
        "a publisher rescores this one in the background, shortly after that write."
    )
    revision: int
    created_by: str
    created_at: datetime
    updated_at: datetime
    retracted_at: datetime | None
    retraction_reason: str | None


class ClaimsPublic(BaseModel):
    """A page of claims; the next page is in the Link header and ``next_cursor``."""

    data: list[ClaimPublic]
    count: int
    next_cursor: str | None


class MatchPublic(BaseModel):
    """A claim similar to the text asked about."""

    claim_id: int
    text: str
    score: float
    duplicate: bool
    status: ClaimStatus
    language: str | None = None
    signals: list[str] = Field(
        default_factory=list,
        description="lexical (characters, the duplicate scorer) and/or semantic (same meaning, "
        "any language)",
    )
    similarity: float | None = Field(
        default=None, description="Cosine of the two texts' embeddings, when semantic found it."
    )
    verdict: VerdictBrief | None = None


class MatchesPublic(BaseModel):
    """Ranked similar claims."""

    data: list[MatchPublic]
    count: int
    threshold: float


class DuplicateProblem(BaseModel):
    """Body of the 409 answered when a new claim nearly duplicates existing ones."""

    type: str
    title: str
    status: int
    detail: str
    candidates: list[MatchPublic]


# ---- evidence, relations, verdicts, history ---------------------------------------------


class EvidenceCreate(Input):
    """A source's stance toward the claim; name the source by id or URL."""

    model_config = ConfigDict(
        json_schema_extra=exactly_one_of(
            "source_id", "source_url", kinds={"source_id": "integer", "source_url": "string"}
        )
    )

    source_id: Id | None = None
    source_url: (
        Annotated[str, Field(min_length=1, max_length=4096, json_schema_extra=URL_SCHEMA)] | None
    ) = None
    source_kind: SourceKind | None = Field(
        default=None, description="Kind of the source when it is recorded by this request."
    )
    stance: Stance
    quote: LongText
    note: (
        Annotated[str, Field(max_length=5000, json_schema_extra=TEXT), AfterValidator(_clean_text)]
        | None
    ) = None

    @model_validator(mode="after")
    def _one_source(self) -> EvidenceCreate:
        if (self.source_id is None) == (self.source_url is None):
            raise ValueError("give exactly one of source_id or source_url")
        return self


class EvidenceUpdate(Input):
    """A correction to evidence; only the fields sent change. A new source is named by id or
    URL (not both); changing the quote or the source anchors the quote again."""

    model_config = ConfigDict(json_schema_extra=at_most_one_of("source_id", "source_url"))

    # null refused, as for ClaimUpdate
    source_id: Id | None = Field(default=None, json_schema_extra=not_null)
    source_url: (
        Annotated[str, Field(min_length=1, max_length=4096, json_schema_extra=URL_SCHEMA)] | None
    ) = Field(default=None, json_schema_extra=not_null)
    source_kind: SourceKind | None = Field(
        default=None, description="Kind of the source when ``source_url`` records a new one."
    )
    stance: Stance | None = Field(default=None, json_schema_extra=not_null)
    quote: LongText | None = Field(default=None, json_schema_extra=not_null)
    note: (
        Annotated[str, Field(max_length=5000, json_schema_extra=TEXT), AfterValidator(_clean_text)]
        | None
    ) = None

    @field_validator("source_id", "source_url", "stance", "quote", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("cannot be null; leave the field out to keep it")
        return value

    @model_validator(mode="after")
    def _one_source(self) -> EvidenceUpdate:
        if self.source_id is not None and self.source_url is not None:
            raise ValueError("give source_id or source_url, not both")
        return self


class PassagePublic(BaseModel):
    """Where a quote is in one version of the page (W3C TextQuote and TextPosition selectors)."""

    snapshot_id: int | None
    state: AnchorState
    exact: str | None = Field(description="The page's own words (None when not found).")
    prefix: str | None
    suffix: str | None
    start: int | None = Field(description="Code-point offset into the snapshot's text.")
    end: int | None


class AnchorPublic(PassagePublic):
    """Whether the quote is on the source's page, and whether the page still says it."""

    score: float | None = Field(description="1.0 exact; the similarity of the best match else.")
    selectors: list[dict[str, Any]] = Field(description="W3C Web Annotation selectors.")
    anchored_at: datetime | None
    changed_at_source: bool = Field(
        description="The page no longer says what was quoted; ``before`` keeps what it said."
    )
    changed_detected_at: datetime | None
    before: PassagePublic | None = Field(
        description="The passage as anchored before the page changed (when changed_at_source)."
    )


class EvidencePublic(BaseModel):
    """Evidence as the API shows it."""

    id: int
    claim_id: int
    source: SourceRef
    stance: Stance
    quote: str
    note: str | None
    added_by: str
    created_at: datetime
    retracted_at: datetime | None
    retraction_reason: str | None
    anchor: AnchorPublic
    revision: int = Field(
        description='Counts corrections; send it as If-Match (``"<revision>"``) to correct it.'
    )


class EvidenceListPublic(BaseModel):
    """All evidence on a claim, retracted items included and marked."""

    data: list[EvidencePublic]
    count: int


class RelationCreate(Input):
    """A relation with another claim: this claim is the subject unless ``subject_id`` is given.

    ``{"kind": "rebuts", "object_id": 1}`` posted on claim 2 says claim 2 rebuts claim 1;
    ``{"kind": "rebuts", "subject_id": 2}`` posted on claim 1 says the same.
    """

    model_config = ConfigDict(
        json_schema_extra=exactly_one_of(
            "subject_id", "object_id", kinds={"subject_id": "integer", "object_id": "integer"}
        )
    )

    kind: RelationKind
    subject_id: Id | None = None
    object_id: Id | None = None
    first_hand: bool = Field(
        default=False,
        description="The subject's claimant has first-hand knowledge (weighs as primary).",
    )
    note: (
        Annotated[str, Field(max_length=5000, json_schema_extra=TEXT), AfterValidator(_clean_text)]
        | None
    ) = None

    @model_validator(mode="after")
    def _one_other(self) -> RelationCreate:
        if (self.subject_id is None) == (self.object_id is None):
            raise ValueError("give exactly one of subject_id or object_id")
        return self


class RelationUpdate(Input):
    """A correction to a relation; only the fields sent change (its two claims stay)."""

    kind: RelationKind | None = Field(default=None, json_schema_extra=not_null)
    first_hand: bool | None = Field(default=None, json_schema_extra=not_null)
    note: (
        Annotated[str, Field(max_length=5000, json_schema_extra=TEXT), AfterValidator(_clean_text)]
        | None
    ) = None

    @field_validator("kind", "first_hand", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("cannot be null; leave the field out to keep it")
        return value


class RelationPublic(BaseModel):
    """A relation, seen from the claim it was listed for."""

    id: int
    kind: RelationKind
    subject_id: int
    object_id: int
    direction: str = Field(description="outgoing: this claim is the subject; incoming: object")
    other_claim: ClaimStatusPublic
    first_hand: bool
    note: str | None
    added_by: str
    created_at: datetime
    retracted_at: datetime | None
    revision: int = Field(
        description='Counts corrections; send it as If-Match (``"<revision>"``) to correct it.'
    )


class RelationsPublic(BaseModel):
    """Relations in both directions."""

    data: list[RelationPublic]
    count: int


class VerdictCreate(Input):
    """An editor's ruling."""

    rating: Rating
    rationale: LongText


class VerdictPublic(VerdictBrief):
    """A verdict in the history."""

    rationale: str
    superseded_at: datetime | None


class VerdictsPublic(BaseModel):
    """All verdicts, newest first."""

    data: list[VerdictPublic]
    count: int


class RevisionPublic(BaseModel):
    """One entry of a claim's history."""

    id: int
    entity: str
    entity_id: int
    action: str
    actor: str
    at: datetime
    changes: dict[str, Any]


class HistoryPublic(BaseModel):
    """Everything that happened to a claim and what hangs on it, oldest first."""

    data: list[RevisionPublic]
    count: int


SORTS = (
    "-updated_at",
    "updated_at",
    "-created_at",
    "created_at",
    "-contestedness",
    "contestedness",
    "-id",
    "id",
    "relevance",
)


class ClaimQuery(Input):
    """Filters, sort and page of the claim list (query string of GET /claims)."""

    q: (
        Annotated[
            str,
            Field(min_length=1, max_length=500, json_schema_extra=NONBLANK),
            AfterValidator(_clean_text),
        ]
        | None
    ) = Field(
        default=None,
        description="Text search, as the search box: the database's full-text engine, a fuzzy"
        " pass (typos and accents forgiven) and, where cross-lingual matching is on, the same"
        " claim in other words or another language.",
    )
    claimant_id: Id | None = None
    claimant: ShortText | None = Field(default=None, description="Claimant name or alias.")
    status: list[ClaimStatus] | None = Field(default=None, description="One or more statuses.")
    contestedness_min: Annotated[float, Field(ge=0, le=1)] | None = None
    contestedness_max: Annotated[float, Field(ge=0, le=1)] | None = None
    language: Language | None = None
    tag: (
        Annotated[
            str,
            Field(min_length=1, max_length=50, json_schema_extra=NONBLANK),
            AfterValidator(_clean_text),
        ]
        | None
    ) = None
    since: datetime | None = Field(default=None, description="Changed at or after (ISO 8601).")
    include_retracted: bool = False
    sort: Annotated[str, Field(json_schema_extra={"enum": list(SORTS)})] | None = Field(
        default=None,
        description="One of " + ", ".join(SORTS) + "; default relevance with q, else -updated_at.",
    )
    limit: Annotated[int, Field(ge=1, le=100)] = 20
    cursor: (
        Annotated[
            str,
            Field(
                max_length=500,
                json_schema_extra={"pattern": "^[A-Za-z0-9_-]*$"},
                description="Opaque: the next_cursor of the previous page, as given.",
            ),
            AfterValidator(_clean_text),
        ]
        | None
    ) = None

    @field_validator("since", mode="before")
    @classmethod
    def _since_is_iso_8601(cls, value: Any) -> Any:
        # pydantic would also read "0.5" as a Unix time; the document promises a date-time.
        if isinstance(value, str) and not re.match(r"\d{4}-\d{2}-\d{2}", value.strip()):
            raise ValueError("since must be an ISO 8601 date-time such as 2025-07-01T00:00:00Z")
        return value

    @field_validator("since")
    @classmethod
    def _since_in_utc(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        try:
            return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
        except OverflowError as exc:
            raise ValueError("since is out of the representable range") from exc

    @model_validator(mode="after")
    def _coherent(self) -> ClaimQuery:
        if self.sort is not None and self.sort not in SORTS:
            raise ValueError(f"sort must be one of {', '.join(SORTS)}")
        if self.sort == "relevance" and self.q is None:
            raise ValueError("sort=relevance needs q")
        if (
            self.contestedness_min is not None
            and self.contestedness_max is not None
            and self.contestedness_min > self.contestedness_max
        ):
            raise ValueError("contestedness_min is greater than contestedness_max")
        return self


class CreateClaimQuery(Input):
    """Query string of POST /claims."""

    distinct: bool = Field(
        default=False,
        description="Record the claim even if it nearly duplicates another (and skip the "
        "cross-lingual check).",
    )
    translation_of: Id | None = Field(
        default=None,
        description="The claim this one says in another language: a translation_of relation "
        "is recorded with it, so the verdict of either is shown on the other.",
    )


class NoQuery(Input):
    """Routes that take no query parameters refuse any, rather than ignore a misspelt one."""


class MatchQuery(Input):
    """Query string of GET /claims/match."""

    text: ClaimText
    limit: Annotated[int, Field(ge=1, le=50)] = 10


class PageQuery(Input):
    """Offset paging for the small lists."""

    offset: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    limit: Annotated[int, Field(ge=1, le=100)] = 50


class ClaimantQuery(PageQuery):
    """Query string of GET /claimants."""

    name: ShortText | None = Field(default=None, description="Name or alias, any case/accents.")


class SourceQuery(PageQuery):
    """Query string of GET /sources."""

    publisher: (
        Annotated[
            str,
            Field(min_length=1, max_length=253, json_schema_extra=NONBLANK),
            AfterValidator(_clean_text),
        ]
        | None
    ) = Field(default=None, description="Publisher domain, e.g. wired.com.")


class TallyPublic(BaseModel):
    """One side of a publisher's record."""

    claims: int
    right: float
    wrong: float
    unverifiable: int


class RecordPublic(BaseModel):
    """A publisher's stances on rated claims."""

    backed: TallyPublic
    disputed: TallyPublic


class PublisherReliabilityPublic(BaseModel):
    """A publisher with its learned reliability and the record it rests on."""

    id: int
    domain: str
    name: str
    value: float = Field(description="Share of its stances that held up (neutral prior 0.5).")
    backing_weight: float = Field(description="Multiplier of evidence where it supports.")
    disputing_weight: float = Field(description="Multiplier of evidence where it refutes.")
    record: RecordPublic
    mentioned: int
    reason: str


class PublishersPublic(BaseModel):
    """A page of publishers."""

    data: list[PublisherReliabilityPublic]
    count: int


Domain = Annotated[
    str,
    Field(min_length=1, max_length=253, json_schema_extra=NONBLANK),
    AfterValidator(_clean_text),
]


class PublisherQuery(PageQuery):
    """Query string of GET /publishers."""

    domain: (
        Annotated[
            str,
            Field(min_length=1, max_length=253, json_schema_extra=NONBLANK),
            AfterValidator(_clean_text),
        ]
        | None
    ) = None


# ---- imports of others' fact-checks (ClaimReview) -----------------------------------------


class ClaimReviewImport(Input):
    """A fact-checker's page or feed to fetch, or a ClaimReview JSON document (one of them)."""

    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {"required": ["url"], "properties": {"url": {"type": "string"}}},
                {
                    "required": ["document"],
                    "properties": {"document": {"type": ["object", "array"]}},
                },
            ]
        }
    )

    url: (
        Annotated[str, Field(min_length=1, max_length=4096, json_schema_extra=URL_SCHEMA)] | None
    ) = Field(
        default=None, description="A page with ClaimReview markup, or a feed of ClaimReview JSON."
    )
    document: dict[str, Any] | list[Any] | None = Field(
        default=None,
        description='One ClaimReview, a list, or a feed ({"claimReviews": [...]} or "@graph").',
    )

    @model_validator(mode="after")
    def _one_origin(self) -> ClaimReviewImport:
        if (self.url is None) == (self.document is None):
            raise ValueError("give exactly one of url or document")
        return self


class ImportItemPublic(BaseModel):
    """What became of one review, in the document's order."""

    index: int
    status: str = Field(description="created (a new claim), matched (one on record) or rejected")
    reason: str
    claim_id: int | None
    evidence_id: int | None
    rating: Rating | None = Field(description="The publisher's rating on claimdesk's scale.")
    stance: Stance | None
    rating_text: str | None = Field(description="The publisher's own words for its rating.")


class ImportSummaryPublic(BaseModel):
    """The outcome of an import: counts, and every review's outcome with its reason."""

    created: int
    matched: int
    rejected: int
    items: list[ImportItemPublic]
