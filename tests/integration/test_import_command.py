"""``claimdesk import claims``: created, matched and rejected rows, each row all or nothing."""

from __future__ import annotations

import json
from itertools import islice
from pathlib import Path

import pytest
from sqlmodel import Session, col, func, select

from claims.importing.rows import read_rows
from claims.importing.service import Importer
from claims.models import Claim, Claimant, ClaimTag, Revision, Verdict
from claims.policy import Actor
from claims.schemas import ClaimUpdate

LIAR_VALID = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "liar" / "valid.tsv"

MIXED_CSV = """text,claimant,claimant_role,tags,verdict,rationale
The river rose three metres overnight.,Ada Example,Mayor,floods; weather,false,Gauges say 1 m.
Bridges in the county are all unsafe.,Ada Example,,infrastructure,,
,Nobody,,,,
The river rose three meters overnight!,Bob Other,,,,
Wind turbines cause cancer.,Bob Other,,health,maybe,Because.
School budgets grew by 12% this year.,,,education,mostly_true,Budget documents.
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def count(session: Session, model: type) -> int:
    return int(session.exec(select(func.count()).select_from(model)).one())


def test_a_mixed_csv_reports_created_matched_and_rejected_rows_by_line(
    runner, session: Session, tmp_path: Path
) -> None:
    result = runner.invoke(args=["import", "claims", str(write(tmp_path, "m.csv", MIXED_CSV))])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "6 rows: created 3, matched 1 as duplicates, rejected 2" in out
    first = session.exec(select(Claim).where(Claim.text.startswith("The river"))).one()  # type: ignore[attr-defined]
    assert f"line 5: matched claim {first.id}" in out
    assert "line 4: rejected: text:" in out
    assert "line 6: rejected: verdict:" in out
    assert count(session, Claim) == 3
    ada = session.exec(select(Claimant).where(Claimant.name == "Ada Example")).one()
    assert ada.role == "Mayor"
    assert first.claimant_id == ada.id
    tags = session.exec(select(ClaimTag.tag).where(ClaimTag.claim_id == first.id)).all()
    assert sorted(tags) == ["floods", "weather"]
    verdict = session.exec(select(Verdict).where(Verdict.claim_id == first.id)).one()
    assert (verdict.rating, verdict.rationale, verdict.editor) == (
        "false",
        "Gauges say 1 m.",
        "import",
    )
    logged = session.exec(select(Revision.entity).where(Revision.claim_id == first.id)).all()
    assert sorted(logged) == ["claim", "verdict"]


def test_the_progress_bar_goes_to_stderr_and_the_summary_to_stdout(runner, tmp_path: Path) -> None:
    result = runner.invoke(args=["import", "claims", str(write(tmp_path, "m.csv", MIXED_CSV))])
    assert "importing m.csv" in result.stderr
    assert "importing" not in result.stdout


def test_importing_the_same_file_again_matches_everything_and_creates_nothing(
    runner, session: Session, tmp_path: Path
) -> None:
    path = write(tmp_path, "m.csv", MIXED_CSV)
    assert runner.invoke(args=["import", "claims", str(path)]).exit_code == 0
    before = (count(session, Claim), count(session, Claimant), count(session, Verdict))
    again = runner.invoke(args=["import", "claims", str(path)])
    assert again.exit_code == 0, again.output
    assert "6 rows: created 0, matched 4 as duplicates, rejected 2" in again.stdout
    assert (count(session, Claim), count(session, Claimant), count(session, Verdict)) == before


def test_distinct_creates_near_duplicates_and_dry_run_writes_nothing(
    runner, session: Session, tmp_path: Path
) -> None:
    path = write(tmp_path, "m.csv", MIXED_CSV)
    dry = runner.invoke(args=["import", "claims", str(path), "--distinct", "--dry-run"])
    assert "would create 4" in dry.stdout and "nothing was written" in dry.stdout
    assert count(session, Claim) == 0 and count(session, Claimant) == 0
    real = runner.invoke(args=["import", "claims", str(path), "--distinct", "--actor", "desk"])
    assert "created 4, matched 0" in real.stdout
    assert count(session, Claim) == 4
    assert set(session.exec(select(Claim.created_by)).all()) == {"desk"}


def test_a_row_the_database_refuses_is_reported_and_leaves_nothing_half_written(
    session: Session, editor: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A write the database refuses (here a NOT NULL violation slipped in while row 4 is
    # written) stands in for any constraint it enforces: the batch is rolled back, replayed
    # row by row, and only that row is refused, with its claimant and verdict.
    topics = ["harbour dredging", "tram fares", "library hours", "school meals", "bin collection"]
    text = "text,claimant,verdict,rationale\n" + "".join(
        f"The council doubled spending on {t},Person {n},true,Checked.\n"
        for n, t in enumerate(topics)
    )
    rows = list(read_rows(text.splitlines(keepends=True), "csv"))
    importer = Importer(session=session, actor=editor)
    original = importer._claimant

    def claimant(row, new):  # type: ignore[no-untyped-def]
        if row.claim.claimant_name == "Person 2":
            session.connection().exec_driver_sql("INSERT INTO claimant (id) VALUES (NULL)")
        return original(row, new)

    monkeypatch.setattr(importer, "_claimant", claimant)
    outcome = importer.write(rows, origin="f.csv")
    session.commit()
    assert len(outcome.created) == 4
    assert [e.line for e in outcome.rejected] == [4]
    assert "database refused" in outcome.rejected[0].reason
    names = set(session.exec(select(Claimant.name)).all())
    assert names == {"Person 0", "Person 1", "Person 3", "Person 4"}
    assert count(session, Verdict) == 4
    assert not session.exec(select(Claim).where(col(Claim.text).contains("number 2"))).all()
    assert count(session, Revision) == 4 * 3  # claimant, claim and verdict for each row


def test_one_bad_row_in_a_json_lines_file_does_not_stop_the_rows_after_it(
    runner, session: Session, tmp_path: Path
) -> None:
    lines = [
        json.dumps({"text": "Ferries are free on Sundays.", "tags": ["transport"]}),
        json.dumps({"text": "Ferries run hourly.", "appeared_in_url": "not a url"}),
        "{broken",
        json.dumps(
            {"text": "The port handled 2 million containers.", "claimant": "Port Authority"}
        ),
    ]
    path = write(tmp_path, "c.jsonl", "\n".join(lines) + "\n")
    result = runner.invoke(args=["import", "claims", str(path), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    assert "4 rows: created 2, matched 0 as duplicates, rejected 2" in result.stdout
    assert "line 2: rejected: appeared_in_url" in result.stdout
    assert "line 3: rejected: not valid JSON" in result.stdout
    assert count(session, Claim) == 2


def test_a_file_without_a_text_column_is_refused_before_anything_is_written(
    runner, session: Session, tmp_path: Path
) -> None:
    result = runner.invoke(args=["import", "claims", str(write(tmp_path, "x.csv", "claim\nx\n"))])
    assert result.exit_code != 0 and "text" in result.output
    assert count(session, Claim) == 0


def test_liar_records_import_with_verdicts_and_claimants(
    runner, session: Session, tmp_path: Path
) -> None:
    if not LIAR_VALID.exists():
        pytest.skip(f"{LIAR_VALID} is not here")
    with LIAR_VALID.open(encoding="utf-8") as handle:
        head = "".join(islice(handle, 50))
    path = write(tmp_path, "valid-50.tsv", head)
    result = runner.invoke(args=["import", "claims", str(path), "--format", "liar"])
    assert result.exit_code == 0, result.output
    assert "50 rows: created 50, matched 0 as duplicates, rejected 0" in result.stdout
    assert count(session, Claim) == 50 and count(session, Verdict) == 50
    claim = session.exec(select(Claim).where(Claim.text.startswith("We have less Americans"))).one()  # type: ignore[attr-defined]
    claimant = session.get(Claimant, claim.claimant_id)
    assert claimant is not None
    assert (claimant.name, claimant.role) == ("Vicky Hartzler", "U.S. Representative")
    verdict = session.exec(select(Verdict).where(Verdict.claim_id == claim.id)).one()
    assert verdict.rating == "mostly_false" and "PolitiFact" in verdict.rationale
    assert claim.status == "unsourced"
    assert sorted(
        session.exec(select(ClaimTag.tag).where(ClaimTag.claim_id == claim.id)).all()
    ) == [
        "economy",
        "jobs",
    ]


def test_an_importer_without_the_right_to_rule_refuses_only_the_rows_with_verdicts(
    session: Session, contributor: Actor
) -> None:
    text = (
        "text,verdict,rationale\n"
        "Tram fares rose by half this spring.,false,Fares rose 5%.\n"
        "The new library opens on Sundays.,,\n"
    )
    outcome = Importer(session=session, actor=contributor).write(
        list(read_rows(text.splitlines(keepends=True), "csv"))
    )
    session.commit()
    assert len(outcome.created) == 1
    assert [(e.line, e.reason) for e in outcome.rejected] == [
        (2, "verdict: contributor may not give verdicts")
    ]
    assert count(session, Verdict) == 0


def test_an_imported_claim_row_holds_what_the_per_row_path_stores(
    session: Session, editor: Actor
) -> None:
    # The empty score, counts, actor and time are bound once per statement: the stored values
    # (and the revision log's actor and action) must be those create_claim writes for a row.
    from claims.schemas import ClaimCreate
    from claims.services import ledger

    made = ledger.create_claim(
        session=session, claim_in=ClaimCreate(text="Ferries ran late all week."), actor=editor
    )
    text = "text\nThe harbour bridge closed twice in May.\nTram fares rose by half.\n"
    outcome = Importer(session=session, actor=editor).write(
        list(read_rows(text.splitlines(keepends=True), "csv"))
    )
    session.commit()
    assert len(outcome.created) == 2
    fields = (
        "status", "lean", "contestedness", "support_weight", "oppose_weight", "explanation",
        "n_supporting", "n_refuting", "n_mentioning", "n_rebuttals", "n_qualifications",
        "n_backings", "revision", "created_by", "review_state",
    )  # fmt: skip
    session.expire_all()
    for claim_id in outcome.created:
        claim = session.get(Claim, claim_id)
        assert claim is not None
        assert {f: getattr(claim, f) for f in fields} == {f: getattr(made, f) for f in fields}
        assert claim.created_at == claim.updated_at
        logged = session.exec(select(Revision).where(Revision.claim_id == claim_id)).one()
        assert (logged.entity, logged.action, logged.actor) == ("claim", "create", editor.name)
        assert logged.at == claim.created_at and logged.changes["text"] == claim.text


def test_an_imported_row_writes_the_rows_and_log_entries_the_api_path_writes(
    session: Session, editor: Actor
) -> None:
    # One write path: the claim, its tags, a new claimant and a verdict, and the log entry of
    # each, are those ledger.create_claim and verdicts.add_verdict write, but for the ids, the
    # claimant's name and where the row came from.
    from claims.schemas import ClaimCreate, VerdictCreate
    from claims.services import ledger, verdicts

    made = ledger.create_claim(
        session=session,
        claim_in=ClaimCreate(
            text="Tram fares rose by 50% in 2024.",
            language="en",
            claimant_name="Ada Example",
            said_on="2024-05",
            tags=["transport", "prices"],
        ),
        actor=editor,
    )
    verdicts.add_verdict(
        session=session,
        claim_id=made.id,  # type: ignore[arg-type]
        verdict_in=VerdictCreate(rating="mostly_false", rationale="Fares rose 5%."),
        actor=editor,
    )
    text = (
        "text,language,claimant,said_on,tags,verdict,rationale\n"
        "Ferry fares rose by 50% in 2024.,en,Bea Example,2024-05,transport; prices,"
        "mostly_false,Fares rose 5%.\n"
    )
    outcome = Importer(session=session, actor=editor, distinct=True).write(
        list(read_rows(text.splitlines(keepends=True), "csv")), origin="f.csv"
    )
    session.commit()
    session.expire_all()
    (imported_id,) = outcome.created
    api, imported = session.get(Claim, made.id), session.get(Claim, imported_id)
    assert api is not None and imported is not None

    def claim_columns(c: Claim) -> dict[str, object]:
        fields = ("language", "said_on", "figures", "created_by", "review_state", "appeared_in_id")
        return {f: getattr(c, f) for f in fields}

    assert claim_columns(imported) == claim_columns(api)
    assert api.figures  # the same figures in both texts: 50% and 2024

    def tags(claim_id: int | None) -> list[str]:
        return sorted(session.exec(select(ClaimTag.tag).where(ClaimTag.claim_id == claim_id)))

    assert tags(imported.id) == tags(api.id) == ["prices", "transport"]

    def logged(entity: str, claim_id: int | None) -> tuple[str, str, dict[str, object]]:
        entry = session.exec(
            select(Revision).where(Revision.entity == entity, Revision.claim_id == claim_id)
        ).one()
        changes = {k: v for k, v in entry.changes.items() if k not in ("text", "claimant_id")}
        return entry.action, entry.actor, changes

    assert logged("claim", imported.id) == (
        "create",
        editor.name,
        logged("claim", api.id)[2] | {"imported_from": "f.csv:2"},
    )
    assert logged("verdict", imported.id) == logged("verdict", api.id)

    def verdict_columns(claim_id: int | None) -> tuple[object, ...]:
        v = session.exec(select(Verdict).where(Verdict.claim_id == claim_id)).one()
        return v.rating, v.rating_value, v.alternate_name, v.rationale, v.editor, v.superseded_at

    assert verdict_columns(imported.id) == verdict_columns(api.id)

    def claimant(claim: Claim) -> tuple[tuple[object, ...], dict[str, object]]:
        c = session.get(Claimant, claim.claimant_id)
        assert c is not None
        entry = session.exec(
            select(Revision).where(Revision.entity == "claimant", Revision.entity_id == c.id)
        ).one()
        changes = {k: v for k, v in entry.changes.items() if k != "name"}
        return (c.kind, c.role, c.created_by, entry.action, entry.actor), changes

    assert claimant(imported) == claimant(api)


# ---- the full-text index after a bulk import (SQLite defers it to the end of each batch) ------

BETWEEN = ["Hippocrene", "Xylotomy", "Mandragore", "Quembrilo"]
WORDS = ["zorbalune", "quirtafen", "blemovar", "sprodique", "vantilex", "gruffalon", "pellumbra"]


def _sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _assert_index_exact(session: Session) -> None:
    """Every claim and claimant has exactly one document, equal to what its view says now."""
    conn = session.connection()
    for kind, columns in (
        ("claim", ("text", "figures", "people", "tags", "sources")),
        ("claimant", ("name", "aliases", "role")),
        ("source", ("title", "url")),
    ):
        rows = conn.exec_driver_sql(f"SELECT count(*) FROM {kind}").scalar()
        if _sqlite(session):
            docs = conn.exec_driver_sql(f"SELECT count(*) FROM {kind}_fts").scalar()
            same = " AND ".join(f"f.{c} = d.{c}" for c in columns)
            exact = conn.exec_driver_sql(
                f"SELECT count(*) FROM {kind}_search_document d "
                f"JOIN {kind}_fts f ON f.rowid = d.{kind}_id WHERE {same}"
            ).scalar()
        else:
            docs = conn.exec_driver_sql(f"SELECT count(*) FROM {kind}_search").scalar()
            exact = conn.exec_driver_sql(
                f"SELECT count(*) FROM {kind}_search s JOIN {kind}_search_document d "
                f"USING ({kind}_id) WHERE s.document = d.document"
            ).scalar()
        assert (kind, docs, exact) == (kind, rows, rows)
    if _sqlite(session):
        assert conn.exec_driver_sql("SELECT count(*) FROM fts_deferred").scalar() == 0


def _found(client, q: str) -> list[int]:
    body = client.get("/api/v1/search", query_string={"q": q}).get_json()
    return [h["claim"]["id"] for h in body["claims"]]


def _import_csv(session: Session, editor: Actor, path: Path, **kwargs: object) -> list[int]:
    from service.import_command import import_claims

    summary = import_claims(
        session=session,
        path=path,
        fmt="csv",
        actor=editor,
        parallel=False,
        distinct=True,
        **kwargs,
    )
    return list(summary.outcome.created)


def _rows_csv(tmp_path: Path) -> Path:
    lines = ["text,claimant,claimant_role,tags,appeared_in_url"]
    for n, word in enumerate(WORDS):
        who = "Adaex" if n % 2 else "Zed Newperson"
        lines.append(
            f"The {word} ferry carried {n + 2} thousand people last year.,{who},Skipper,"
            f"ferries; tagzorb,https://news.example/ferries/{n % 3}"
        )
    return write(tmp_path, "ferries.csv", "\n".join(lines) + "\n")


def test_an_import_leaves_the_search_index_exact_and_finds_every_claim(
    session: Session, editor: Actor, client, make_claimant, make_claim, tmp_path: Path
) -> None:
    ada = make_claimant("Ada Example", aliases=["Adaex"])  # older than the import
    older = make_claim("Tram fares rose by half this spring.", claimant_id=ada.id)
    created = _import_csv(session, editor, _rows_csv(tmp_path), batch_size=3)
    session.commit()
    assert len(created) == len(WORDS)
    _assert_index_exact(session)
    for word, claim_id in zip(WORDS, created, strict=True):
        assert _found(client, word) == [claim_id]
    assert sorted(_found(client, "tagzorb")) == sorted(created)
    assert set(_found(client, "Newperson")) == set(created[0::2])
    assert set(_found(client, "Adaex")) == {older.id, *created[1::2]}


def test_writes_between_import_batches_keep_the_search_index_current(
    session: Session, editor: Actor, client, make_claimant, tmp_path: Path
) -> None:
    # On SQLite another writer gets the lock only between batches: do its writes there.
    from claims.schemas import ClaimantUpdate, ClaimCreate
    from claims.services import claimants, ledger

    ada = make_claimant("Ada Example", aliases=["Adaex"])
    written: list[int] = []

    def between(_lines: int) -> None:
        n = len(written)
        claim = ledger.create_claim(
            session=session,
            claim_in=ClaimCreate(text=f"{BETWEEN[n]} fares doubled.", claimant_id=ada.id),
            actor=editor,
            allow_duplicate=True,
        )
        claimants.update_claimant(
            session=session,
            claimant_id=ada.id,
            claimant_in=ClaimantUpdate(aliases=[f"Adalias{n}"]),
            actor=editor,
        )
        session.commit()
        assert claim.id is not None
        written.append(claim.id)

    created = _import_csv(session, editor, _rows_csv(tmp_path), batch_size=3, progress=between)
    session.commit()
    assert len(written) == 3
    _assert_index_exact(session)
    for n, claim_id in enumerate(written):
        assert _found(client, BETWEEN[n]) == [claim_id]
    assert set(_found(client, "Adalias0")) == {*written, *created[1::2]}


def test_inside_a_deferred_batch_only_the_batch_s_new_rows_wait_for_its_end(
    session: Session, editor: Actor, make_claim
) -> None:
    from claims.schemas import ClaimantCreate, ClaimantUpdate, ClaimCreate
    from claims.search.batch import deferred_search_index
    from claims.services import claimants, ledger

    if not _sqlite(session):
        pytest.skip("PostgreSQL's triggers are not deferred")
    conn = session.connection()

    def indexed(claim_id: int) -> str | None:
        return conn.exec_driver_sql(
            "SELECT text FROM claim_fts WHERE rowid = ?", (claim_id,)
        ).scalar()

    older = make_claim("Tram fares rose by half this spring.")
    with deferred_search_index(session):
        ledger.update_claim(
            session=session,
            claim_id=older.id,
            claim_in=ClaimUpdate(text="Tram fares fell by half this spring."),
            actor=editor,
        )
        # An older claim given to a claimant new in the batch, whose aliases then change:
        # its document is rewritten at the end too.
        zed = claimants.create_claimant(
            session=session, claimant_in=ClaimantCreate(name="Zed Newperson"), actor=editor
        )
        ledger.update_claim(
            session=session,
            claim_id=older.id,
            claim_in=ClaimUpdate(claimant_id=zed.id),
            actor=editor,
        )
        claimants.update_claimant(
            session=session,
            claimant_id=zed.id,
            claimant_in=ClaimantUpdate(aliases=["Zedalias"]),
            actor=editor,
        )
        new = ledger.create_claim(
            session=session, claim_in=ClaimCreate(text="Gondolas run all night."), actor=editor
        )
        session.flush()
        assert indexed(older.id) == "Tram fares fell by half this spring."  # at once
        assert indexed(new.id) is None  # at the end of the batch
    assert indexed(new.id) == "Gondolas run all night."
    session.commit()
    _assert_index_exact(session)
    after = make_claim("Ferries are free on Sundays.")  # outside a batch: at once, as ever
    assert indexed(after.id) == "Ferries are free on Sundays."
