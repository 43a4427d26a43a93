"""The locks that keep the ledger's rules true when many writers overlap.

PostgreSQL runs writers side by side, so a rule that reads before it writes takes a lock
first. SQLite needs none of these: every write transaction there begins with ``BEGIN
IMMEDIATE`` (``service/db.py``), which already lets one writer in at a time.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import text
from sqlmodel import Session

# pg_advisory_xact_lock key taken by everything that records claims, so the near-duplicate
# check and the insert it guards run one writer at a time ("claimdesk" in ASCII, truncated).
NEW_CLAIMS_KEY: Final = 0x636C61696D64


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def lock_new_claims(session: Session) -> None:
    """Hold the "recording claims" lock until this transaction ends.

    No index can say "no two live claims nearly repeat each other", so two creates of the same
    claim on two hosts would both pass the check; under this lock the second one finds the
    first (committed, and pulled into its match index) and is refused as a duplicate.
    """
    if is_postgres(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": NEW_CLAIMS_KEY})


def lock_claim_row(session: Session, claim_id: int) -> None:
    """Lock a claim's row against other writers of its stored score until commit.

    ``FOR NO KEY UPDATE``, not ``FOR UPDATE``: inserting evidence or a relation takes a
    ``KEY SHARE`` lock on the claim through its foreign key, which ``FOR UPDATE`` would wait
    for, deadlocking two writers that each added evidence before rescoring.
    """
    if is_postgres(session):
        session.execute(
            text("SELECT id FROM claim WHERE id = :id FOR NO KEY UPDATE"), {"id": claim_id}
        )
