"""Claimants and their aliases: lookup by any name, case- and accent-insensitively."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import delete, func, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from claims.errors import Conflict, InvalidRequest, NotFound
from claims.models import Claimant, ClaimantAlias, ClaimantKind, ClaimantName
from claims.policy import Action, Actor, require
from claims.schemas import ClaimantCreate, ClaimantPublic, ClaimantUpdate
from claims.services import claim_rows, history
from claims.text import normalise_name
from clock import as_utc, utcnow


def get_claimant(*, session: Session, claimant_id: int) -> Claimant:
    """The claimant with that id, or NotFound."""
    claimant = session.get(Claimant, claimant_id)
    if claimant is None:
        raise NotFound("claimant", claimant_id)
    return claimant


def find_claimants(*, session: Session, name: str) -> list[Claimant]:
    """Claimants whose name or any alias equals ``name`` once case and accents are folded."""
    key = normalise_name(name)
    if not key:
        return []
    alias_owner = select(ClaimantAlias.claimant_id).where(ClaimantAlias.alias_norm == key)
    return list(
        session.exec(
            select(Claimant)
            .where(or_(col(Claimant.name_norm) == key, col(Claimant.id).in_(alias_owner)))
            .order_by(col(Claimant.id))
        ).all()
    )


def create_claimant(*, session: Session, claimant_in: ClaimantCreate, actor: Actor) -> Claimant:
    """Record a claimant with its aliases; Conflict if one of them already names someone.

    A name or alias that is already another claimant's is refused (409, naming the claimant
    on record), since it would make that name ambiguous for everyone; an editor who knows it
    is a different person says so with ``homonym``.
    """
    require(actor, Action.add)
    if claimant_in.homonym:
        require(actor, Action.review)
    claimant = Claimant(
        **claim_rows.claimant_values(
            name=claimant_in.name, kind=claimant_in.kind, role=claimant_in.role, actor=actor
        )
    )
    history.save(
        session=session,
        actor=actor,
        row=claimant,
        action="create",
        changes=claim_rows.claimant_created(
            name=claimant_in.name,
            kind=claimant_in.kind,
            role=claimant_in.role,
            aliases=claimant_in.aliases,
            homonym=claimant_in.homonym,
        ),
    )
    _register_names(
        session=session,
        claimant=claimant,
        names=[claimant_in.name, *claimant_in.aliases],
        homonym=claimant_in.homonym,
    )
    _add_aliases(session=session, claimant=claimant, aliases=claimant_in.aliases)
    return claimant


def resolve_or_create(*, session: Session, name: str, actor: Actor) -> Claimant:
    """The one claimant known by ``name``; a new person if none; Conflict if several.

    Two writers may both find nobody and both create: the name register lets one of them
    through, and the other (inside a SAVEPOINT, so its transaction survives) takes the
    claimant the first one recorded.
    """
    for _ in range(2):
        found = find_claimants(session=session, name=name)
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            ids = ", ".join(str(c.id) for c in found)
            raise Conflict(f"{name!r} names several claimants ({ids}): give claimant_id instead")
        try:
            with session.begin_nested():
                return create_claimant(
                    session=session,
                    claimant_in=ClaimantCreate(name=name, kind=ClaimantKind.person),
                    actor=actor,
                )
        except NameTaken:
            continue  # recorded meanwhile by a concurrent writer: look it up again
    raise Conflict(f"{name!r} is being recorded by someone else; try again")


def update_claimant(
    *, session: Session, claimant_id: int, claimant_in: ClaimantUpdate, actor: Actor
) -> Claimant:
    """Correct a claimant; aliases sent are added to the existing ones."""
    require(actor, Action.edit)
    claimant = get_claimant(session=session, claimant_id=claimant_id)
    data = claimant_in.model_dump(exclude_unset=True, mode="json")
    aliases = data.pop("aliases", None) or []
    before = {k: getattr(claimant, k) for k in data}
    if data.get("name") is not None:
        data["name_norm"] = normalise_name(data["name"])
    for field in ("name", "kind"):
        if field in data and data[field] is None:
            raise InvalidRequest(f"{field} cannot be cleared", field=field)
    old_key = claimant.name_norm
    claimant.sqlmodel_update(data)
    claimant.updated_at = utcnow()
    changes = history.diff(before, {k: v for k, v in data.items() if k != "name_norm"})
    if aliases:
        changes["aliases_added"] = aliases
    history.save(session=session, actor=actor, row=claimant, action="update", changes=changes)
    if claimant.name_norm != old_key:
        _release_name(session=session, claimant=claimant, key=old_key)
    _register_names(session=session, claimant=claimant, names=[claimant.name, *aliases])
    _add_aliases(session=session, claimant=claimant, aliases=aliases)
    return claimant


def names_of(*, session: Session, claimant_ids: Collection[int]) -> dict[int, str]:
    """Each claimant's name by id, in one query (none for no ids)."""
    if not claimant_ids:
        return {}
    rows = session.exec(
        select(Claimant.id, Claimant.name).where(col(Claimant.id).in_(sorted(claimant_ids)))
    ).all()
    return {claimant_id: name for claimant_id, name in rows if claimant_id is not None}


def aliases_of(*, session: Session, claimant_ids: list[int]) -> dict[int, list[str]]:
    """Each claimant's aliases, in the order they were added."""
    result: dict[int, list[str]] = {i: [] for i in claimant_ids}
    if not claimant_ids:
        return result
    rows = session.exec(
        select(ClaimantAlias)
        .where(col(ClaimantAlias.claimant_id).in_(claimant_ids))
        .order_by(col(ClaimantAlias.id))
    ).all()
    for row in rows:
        result[row.claimant_id].append(row.alias)
    return result


def to_public(*, session: Session, claimant: Claimant) -> ClaimantPublic:
    """The API view of a claimant."""
    return many_to_public(session=session, claimants=[claimant])[0]


def many_to_public(*, session: Session, claimants: list[Claimant]) -> list[ClaimantPublic]:
    """API views of several claimants, their aliases fetched in one query."""
    aliases = aliases_of(session=session, claimant_ids=[c.id for c in claimants if c.id])
    return [
        ClaimantPublic(
            id=c.id,
            name=c.name,
            kind=ClaimantKind(c.kind),
            role=c.role,
            aliases=aliases[c.id],
            created_at=as_utc(c.created_at),
        )
        for c in claimants
        if c.id is not None
    ]


def list_claimants(
    *, session: Session, name: str | None, offset: int, limit: int
) -> tuple[list[Claimant], int]:
    """Claimants (optionally those known by ``name``), by name, with the total count."""
    if name:
        found = find_claimants(session=session, name=name)
        return found[offset : offset + limit], len(found)
    total = session.exec(select(func.count()).select_from(Claimant)).one()
    rows = session.exec(
        select(Claimant)
        .order_by(col(Claimant.name_norm), col(Claimant.id))
        .offset(offset)
        .limit(limit)
    ).all()
    return list(rows), int(total)


class NameTaken(Conflict):
    """A name or alias already belongs to another claimant."""

    def __init__(self, name: str, owner: int | None) -> None:
        where = f"claimant {owner}" if owner is not None else "another claimant"
        super().__init__(
            f"{name!r} is already a name or alias of {where}; use that claimant, or (editors) "
            "record a different person who shares the name with homonym: true"
        )
        self.owner = owner


def _register_names(
    *, session: Session, claimant: Claimant, names: list[str], homonym: bool = False
) -> None:
    """Enter each folded name in the register; NameTaken if another claimant holds one.

    ``INSERT ... ON CONFLICT DO NOTHING`` waits for a concurrent writer of the same name and
    then does nothing, so the loser learns it from the row count without aborting its
    transaction.
    """
    assert claimant.id is not None
    bind = session.connection()
    dialect = postgresql if bind.dialect.name == "postgresql" else sqlite
    seen: set[str] = set()
    for name in names:
        key = normalise_name(name)
        if not key or key in seen:
            continue
        seen.add(key)
        mine = session.exec(
            select(ClaimantName.id).where(
                ClaimantName.claimant_id == claimant.id, ClaimantName.key == key
            )
        ).first()
        if mine is not None:
            continue
        inserted = bind.execute(
            dialect.insert(ClaimantName)
            .values(**claim_rows.name_values(claimant_id=claimant.id, key=key, homonym=homonym))
            .on_conflict_do_nothing()
            .returning(ClaimantName.id)
        )
        # RETURNING, not the row count: psycopg reports -1 for an insert that returns rows.
        if inserted.first() is None:
            owner = session.exec(
                select(ClaimantName.claimant_id).where(
                    ClaimantName.key == key, col(ClaimantName.homonym).is_(False)
                )
            ).first()
            raise NameTaken(name, owner)


def _release_name(*, session: Session, claimant: Claimant, key: str) -> None:
    """A claimant renamed: its old name no longer names it (its aliases stay)."""
    aliases = {
        a for a in aliases_of(session=session, claimant_ids=[claimant.id or 0])[claimant.id or 0]
    }
    if key in {normalise_name(a) for a in aliases}:
        return
    session.execute(
        delete(ClaimantName).where(
            col(ClaimantName.claimant_id) == claimant.id, col(ClaimantName.key) == key
        )
    )


def _add_aliases(*, session: Session, claimant: Claimant, aliases: list[str]) -> None:
    assert claimant.id is not None
    existing = {
        a.alias_norm
        for a in session.exec(
            select(ClaimantAlias).where(ClaimantAlias.claimant_id == claimant.id)
        ).all()
    }
    for alias in aliases:
        key = normalise_name(alias)
        if not key or key in existing or key == claimant.name_norm:
            continue
        existing.add(key)
        session.add(ClaimantAlias(claimant_id=claimant.id, alias=alias, alias_norm=key))
    session.flush()
