"""Import routes: fact-checks other publishers published as ClaimReview."""

from __future__ import annotations

from claims.claimreview.service import ImportSummary, import_reviews
from claims.schemas import ClaimReviewImport, ImportItemPublic, ImportSummaryPublic
from service import claimreview_sources as claimreviews
from service.api import bp
from service.api.operation import current_actor, operation
from service.db import get_session
from service.problems import ApiProblem
from service.runtime import current_runtime

TAG = "imports"


@operation(
    bp,
    "/imports/claimreview",
    "POST",
    summary="Import fact-checks published as ClaimReview (contributors)",
    tag=TAG,
    body=ClaimReviewImport,
    response=ImportSummaryPublic,
    auth=True,
    errors=(400, 401, 403, 413, 415, 422, 502),
    description="Reads ClaimReview (JSON-LD, microdata or RDFa) from a fact-checker's page, or "
    "ClaimReview JSON from a feed or the request. Each review creates or matches its claim and "
    "records the fact-check as evidence whose stance follows the rating. A review that cannot "
    "be recorded is listed as rejected with its reason and never stops the others. A page that "
    "cannot be fetched answers 422 (address refused) or 502 (the page's server failed).",
)
def import_claimreview(body: ClaimReviewImport) -> ImportSummaryPublic:
    settings = current_runtime().settings
    if body.url is not None:
        try:
            reviews = claimreviews.from_url(body.url, settings=settings)
        except claimreviews.DocumentError as exc:
            raise ApiProblem(422, "Unreadable document", str(exc), slug="unreadable") from exc
    else:
        reviews = claimreviews.from_document(body.document)
    summary = import_reviews(
        session=get_session(),
        reviews=reviews,
        actor=current_actor(),
        duplicate_threshold=settings.duplicate_threshold,
    )
    return summary_public(summary)


def summary_public(summary: ImportSummary) -> ImportSummaryPublic:
    """The API view of an import's summary."""
    return ImportSummaryPublic(
        created=summary.count("created"),
        matched=summary.count("matched"),
        rejected=summary.count("rejected"),
        items=[ImportItemPublic(**vars(item)) for item in summary.items],
    )
