"""Full-text search kept current by the database (PostgreSQL tsvector + GIN, SQLite FTS5), and
claim embeddings for cross-lingual matching

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 12:40:00.000000

A claim is found by its text, its figures (``claim.figures``, see claims/search/figures.py), the
names and aliases of its claimant, its tags and the titles of the sources it appeared in or rests
on. A claimant is found by name, alias or role; a source by title or URL. Those words live in
several tables, so one view per kind (``*_search_document``) states what a document is, and triggers
on every table a document reads from rewrite the documents they touch: no application code has to
remember to.

PostgreSQL: ``claim_search``/``claimant_search``/``source_search`` hold a weighted tsvector
each (claim text and figures A, people B, tags C, source titles D) under a GIN index. Claims
are parsed with the configuration of their language (``claimdesk_fr``, ``claimdesk_en``, else
``claimdesk_simple``), each a copy of the built-in one with ``unaccent`` before the stemmer, so
"economie" finds "économie" and ``ts_headline`` still sees the accented text. Creating the
``unaccent`` extension needs a role allowed to (the database owner on PostgreSQL 13+, since
unaccent is a trusted extension).

``claim_embedding`` holds each claim's sentence embedding (written by the job worker); a
trigger deletes it when the claim's text changes, so the worker computes it again.

SQLite: FTS5 tables ``claim_fts``/``claimant_fts``/``source_fts`` (rowid = the row's id) with
the ``unicode61 remove_diacritics 2`` tokenizer (``porter`` before it for claims and sources:
English stems; SQLite ships no French stemmer).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from claims.search.figures import figure_terms

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# ---- the documents (one view per kind; the SQL differs only in how it joins words) -----------

_PEOPLE_OF_CLAIM = (
    "SELECT cl.name || ' ' || coalesce((SELECT {agg} FROM claimant_alias a "
    "WHERE a.claimant_id = cl.id), '') FROM claimant cl WHERE cl.id = c.claimant_id"
)
_TAGS_OF_CLAIM = "SELECT {agg_tag} FROM claim_tag t WHERE t.claim_id = c.id"
# Two indexed lookups (where the claim appeared; what its live evidence rests on), not one OR
# over the source table, which would scan every source for every claim written.
_SOURCES_OF_CLAIM = (
    "SELECT {agg_title} FROM (SELECT s.title AS title FROM source s "
    "WHERE s.id = c.appeared_in_id AND s.title IS NOT NULL UNION "
    "SELECT s.title FROM evidence e JOIN source s ON s.id = e.source_id "
    "WHERE e.claim_id = c.id AND e.retracted_at IS NULL AND s.title IS NOT NULL) s"
)
_ALIASES_OF_CLAIMANT = "SELECT {agg} FROM claimant_alias a WHERE a.claimant_id = p.id"


def _parts(agg: str) -> dict[str, str]:
    return {
        "people": _PEOPLE_OF_CLAIM.format(agg=agg.format(col="a.alias")),
        "tags": _TAGS_OF_CLAIM.format(agg_tag=agg.format(col="t.tag")),
        "sources": _SOURCES_OF_CLAIM.format(agg_title=agg.format(col="s.title")),
        "aliases": _ALIASES_OF_CLAIMANT.format(agg=agg.format(col="a.alias")),
    }


_PG = _parts("string_agg({col}, ' ')")
_LITE = _parts("group_concat({col}, ' ')")

PG_DOCUMENT_VIEWS = {
    "claim_search_document": f"""
        SELECT c.id AS claim_id,
          setweight(to_tsvector(claimdesk_ts_config(c.language), c.text), 'A')
          || setweight(to_tsvector('claimdesk_simple', c.figures), 'A')
          || setweight(to_tsvector('claimdesk_simple', coalesce(({_PG["people"]}), '')), 'B')
          || setweight(to_tsvector('claimdesk_simple', coalesce(({_PG["tags"]}), '')), 'C')
          || setweight(to_tsvector(claimdesk_ts_config(c.language),
                                   coalesce(({_PG["sources"]}), '')), 'D') AS document
        FROM claim c""",
    "claimant_search_document": f"""
        SELECT p.id AS claimant_id,
          setweight(to_tsvector('claimdesk_simple', p.name), 'A')
          || setweight(to_tsvector('claimdesk_simple', coalesce(({_PG["aliases"]}), '')), 'A')
          || setweight(to_tsvector('claimdesk_simple', coalesce(p.role, '')), 'C') AS document
        FROM claimant p""",
    "source_search_document": """
        SELECT s.id AS source_id,
          setweight(to_tsvector('claimdesk_en', coalesce(s.title, '')), 'A')
          || setweight(to_tsvector('claimdesk_fr', coalesce(s.title, '')), 'A')
          || setweight(to_tsvector('claimdesk_simple', s.url), 'D') AS document
        FROM source s""",
}

LITE_DOCUMENT_VIEWS = {
    "claim_search_document": f"""
        SELECT c.id AS claim_id, c.text AS text, c.figures AS figures,
          coalesce(({_LITE["people"]}), '') AS people,
          coalesce(({_LITE["tags"]}), '') AS tags,
          coalesce(({_LITE["sources"]}), '') AS sources
        FROM claim c""",
    "claimant_search_document": f"""
        SELECT p.id AS claimant_id, p.name AS name,
          coalesce(({_LITE["aliases"]}), '') AS aliases, coalesce(p.role, '') AS role
        FROM claimant p""",
    "source_search_document": """
        SELECT s.id AS source_id, coalesce(s.title, '') AS title, s.url AS url
        FROM source s""",
}

# kind -> (search table, id column, FTS5 columns, FTS5 tokenizer)
KINDS = {
    "claim": ("claim_search", "claim_id", "text, figures, people, tags, sources", "porter"),
    "claimant": ("claimant_search", "claimant_id", "name, aliases, role", ""),
    "source": ("source_search", "source_id", "title, url", "porter"),
}

# table -> (events, [(kind, SQL selecting the ids of that kind to rewrite, with {row})])
# {row} is NEW or OLD; each trigger runs once per row written.
_CLAIMS_OF_CLAIMANT = "SELECT id FROM claim WHERE claimant_id = {row}.claimant_id"
TRIGGERS: dict[str, tuple[tuple[str, ...], list[tuple[str, str]]]] = {
    "claim": (
        ("INSERT", "UPDATE OF text, figures, language, claimant_id, appeared_in_id"),
        [("claim", "SELECT {row}.id")],
    ),
    "claim_tag": (("INSERT", "DELETE"), [("claim", "SELECT {row}.claim_id")]),
    "evidence": (
        ("INSERT", "UPDATE OF retracted_at, source_id"),
        [("claim", "SELECT {row}.claim_id")],
    ),
    "claimant": (
        ("INSERT", "UPDATE OF name, role"),
        [
            ("claimant", "SELECT {row}.id"),
            ("claim", "SELECT id FROM claim WHERE claimant_id = {row}.id"),
        ],
    ),
    "claimant_alias": (
        ("INSERT", "DELETE", "UPDATE OF alias"),
        [("claimant", "SELECT {row}.claimant_id"), ("claim", _CLAIMS_OF_CLAIMANT)],
    ),
    "source": (
        ("INSERT", "UPDATE OF title, url"),
        [
            ("source", "SELECT {row}.id"),
            (
                "claim",
                "SELECT id FROM claim WHERE appeared_in_id = {row}.id UNION "
                "SELECT claim_id FROM evidence WHERE source_id = {row}.id",
            ),
        ],
    ),
}

PG_CONFIGS = {
    "claimdesk_en": ("english", "english_stem"),
    "claimdesk_fr": ("french", "french_stem"),
    "claimdesk_simple": ("simple", "simple"),
}

PG_CONFIG_FUNCTION = """
CREATE FUNCTION claimdesk_ts_config(language text) RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE lower(split_part(coalesce(language, ''), '-', 1))
    WHEN 'fr' THEN 'claimdesk_fr'::regconfig
    WHEN 'en' THEN 'claimdesk_en'::regconfig
    ELSE 'claimdesk_simple'::regconfig END
$$
"""


def _backfill_figures() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, text, language FROM claim")).all()
    update = sa.text("UPDATE claim SET figures = :figures WHERE id = :id")
    params = [
        {"id": i, "figures": figure_terms(t, lang)} for i, t, lang in rows if figure_terms(t, lang)
    ]
    if params:
        bind.execute(update, params)


def _create_embedding_table() -> None:
    op.create_table(
        "claim_embedding",
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=64), nullable=False),
        sa.Column("dim", sa.Integer(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["claim.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("claim_id"),
    )


# A claim's embedding is of its text: when the text changes the row goes, and the job worker,
# which embeds every claim without a row, computes it again.
PG_FORGET_EMBEDDING = """
CREATE FUNCTION claimdesk_forget_embedding() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.text IS DISTINCT FROM OLD.text THEN
    DELETE FROM claim_embedding WHERE claim_id = NEW.id;
  END IF;
  RETURN NULL;
END;
$$
"""
LITE_FORGET_EMBEDDING = """
CREATE TRIGGER claimdesk_forget_embedding AFTER UPDATE OF text ON claim FOR EACH ROW
WHEN NEW.text IS NOT OLD.text
BEGIN DELETE FROM claim_embedding WHERE claim_id = NEW.id; END
"""


def upgrade() -> None:
    op.add_column("claim", sa.Column("figures", sa.Text(), nullable=False, server_default=""))
    _backfill_figures()
    _create_embedding_table()
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FORGET_EMBEDDING)
        op.execute(
            "CREATE TRIGGER claimdesk_forget_embedding AFTER UPDATE OF text ON claim "
            "FOR EACH ROW EXECUTE FUNCTION claimdesk_forget_embedding()"
        )
    else:
        op.execute(LITE_FORGET_EMBEDDING)
    if op.get_bind().dialect.name == "postgresql":
        _upgrade_postgres()
    else:
        _upgrade_sqlite()


def _upgrade_postgres() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    for name, (base, stemmer) in PG_CONFIGS.items():
        op.execute(f"CREATE TEXT SEARCH CONFIGURATION {name} (COPY = {base})")
        op.execute(
            f"ALTER TEXT SEARCH CONFIGURATION {name} ALTER MAPPING FOR hword, hword_part, word "
            f"WITH unaccent, {stemmer}"
        )
    op.execute(PG_CONFIG_FUNCTION)
    for view, body in PG_DOCUMENT_VIEWS.items():
        op.execute(f"CREATE VIEW {view} AS {body}")
    for kind, (table, id_column, _, _) in KINDS.items():
        op.execute(
            f"CREATE TABLE {table} ({id_column} integer PRIMARY KEY "
            f"REFERENCES {kind}(id) ON DELETE CASCADE, document tsvector NOT NULL)"
        )
        op.execute(f"CREATE INDEX ix_{table}_document ON {table} USING gin (document)")
        op.execute(
            f"CREATE FUNCTION claimdesk_index_{kind}s(ids integer[]) RETURNS void "
            f"LANGUAGE sql AS $$ INSERT INTO {table} ({id_column}, document) "
            f"SELECT {id_column}, document FROM {table}_document WHERE {id_column} = ANY(ids) "
            f"ON CONFLICT ({id_column}) DO UPDATE SET document = EXCLUDED.document $$"
        )
    for table, (events, targets) in TRIGGERS.items():
        for row in ("NEW", "OLD"):
            row_events = [e for e in events if (e == "DELETE") == (row == "OLD")]
            if not row_events:
                continue
            calls = "\n".join(
                f"  PERFORM claimdesk_index_{kind}s(ARRAY({select.format(row=row)}));"
                for kind, select in targets
            )
            name = f"claimdesk_search_{table}_{row.lower()}"
            op.execute(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                f"BEGIN\n{calls}\n  RETURN NULL;\nEND;\n$$"
            )
            op.execute(
                f"CREATE TRIGGER {name} AFTER {' OR '.join(row_events)} ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {name}()"
            )
    for kind in KINDS:
        op.execute(f"SELECT claimdesk_index_{kind}s(ARRAY(SELECT id FROM {kind}))")


def _upgrade_sqlite() -> None:
    for view, body in LITE_DOCUMENT_VIEWS.items():
        op.execute(f"CREATE VIEW {view} AS {body}")
    for kind, (_, _, columns, stemmer) in KINDS.items():
        tokenizer = f"{stemmer} unicode61 remove_diacritics 2".strip()
        op.execute(
            f"CREATE VIRTUAL TABLE {kind}_fts USING fts5({columns}, tokenize = '{tokenizer}')"
        )
        op.execute(
            f"INSERT INTO {kind}_fts (rowid, {columns}) SELECT * FROM {kind}_search_document"
        )
    for table, (events, targets) in TRIGGERS.items():
        for event in events:
            op.execute(_sqlite_trigger(table, event, targets))
    for kind in KINDS:
        # PostgreSQL's search tables cascade; FTS5 tables have no foreign keys.
        op.execute(
            f"CREATE TRIGGER claimdesk_search_{kind}_gone AFTER DELETE ON {kind} FOR EACH ROW "
            f"BEGIN DELETE FROM {kind}_fts WHERE rowid = OLD.id; END"
        )


def _sqlite_trigger(table: str, event: str, targets: list[tuple[str, str]]) -> str:
    """One FTS5 trigger. A single id is looked up as ``rowid = id``: FTS5 answers that from its
    index, while ``rowid IN (subquery)`` scans the whole table (every claim inserted by an
    import then cost a scan: 10,000 claims took 15 s instead of 1.5 s). A row just inserted
    has no document yet (no DELETE), and a new claimant or source has no claims yet."""
    row = "OLD" if event == "DELETE" else "NEW"
    inserting = event == "INSERT"
    if table == "claim_tag":
        # Only the tags column changes: rewrite it alone (an import adds several tags to each
        # claim it writes, and the whole document would be rebuilt for each).
        return (
            f"CREATE TRIGGER claimdesk_search_claim_tag_{event.lower()} AFTER {event} ON claim_tag "
            f"FOR EACH ROW BEGIN UPDATE claim_fts SET tags = coalesce((SELECT group_concat(tag, "
            f"' ') FROM claim_tag WHERE claim_id = {row}.claim_id), '') "
            f"WHERE rowid = {row}.claim_id; END"
        )
    statements = []
    for kind, select in targets:
        ids = select.format(row=row)
        _, id_column, columns, _ = KINDS[kind]
        single = ids.startswith(f"SELECT {row}.")
        if not single and inserting and table in KINDS:
            continue
        if single:
            one = ids.removeprefix("SELECT ")
            if not (inserting and kind == table):
                statements.append(f"DELETE FROM {kind}_fts WHERE rowid = {one};")
            statements.append(
                f"INSERT INTO {kind}_fts (rowid, {columns}) SELECT * FROM "
                f"{kind}_search_document WHERE {id_column} = {one};"
            )
        else:
            statements.append(f"DELETE FROM {kind}_fts WHERE rowid IN ({ids});")
            statements.append(
                f"INSERT INTO {kind}_fts (rowid, {columns}) SELECT * FROM "
                f"{kind}_search_document WHERE {id_column} IN ({ids});"
            )
    name = f"claimdesk_search_{table}_{event.split()[0].lower()}"
    return (
        f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW BEGIN\n"
        + "\n".join(statements)
        + "\nEND"
    )


def downgrade() -> None:
    op.execute(
        "DROP TRIGGER IF EXISTS claimdesk_forget_embedding"
        + (" ON claim" if op.get_bind().dialect.name == "postgresql" else "")
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS claimdesk_forget_embedding()")
    op.drop_table("claim_embedding")
    if op.get_bind().dialect.name == "postgresql":
        for table in TRIGGERS:
            for row in ("new", "old"):
                name = f"claimdesk_search_{table}_{row}"
                op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                op.execute(f"DROP FUNCTION IF EXISTS {name}()")
        for kind, (table, _, _, _) in KINDS.items():
            op.execute(f"DROP FUNCTION IF EXISTS claimdesk_index_{kind}s(integer[])")
            op.execute(f"DROP TABLE IF EXISTS {table}")
        for view in PG_DOCUMENT_VIEWS:
            op.execute(f"DROP VIEW IF EXISTS {view}")
        op.execute("DROP FUNCTION IF EXISTS claimdesk_ts_config(text)")
        for name in PG_CONFIGS:
            op.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {name}")
    else:
        for table, (events, _) in TRIGGERS.items():
            for event in events:
                name = f"claimdesk_search_{table}_{event.split()[0].lower()}"
                op.execute(f"DROP TRIGGER IF EXISTS {name}")
        for kind in KINDS:
            op.execute(f"DROP TRIGGER IF EXISTS claimdesk_search_{kind}_gone")
            op.execute(f"DROP TABLE IF EXISTS {kind}_fts")
        for view in LITE_DOCUMENT_VIEWS:
            op.execute(f"DROP VIEW IF EXISTS {view}")
    op.drop_column("claim", "figures")
