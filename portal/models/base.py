"""Column helpers shared by the tables."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, Executable, TypeDecorator, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Result
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_dict, set_committed_value

from portal import read_sets


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on both SQLite (which drops the zone) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given; use portal.models.base.utcnow()")
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def fill_unloaded(obj, relationship: str, load: Callable[[], object]) -> bool:
    """Give `obj`'s `relationship`, when not loaded yet, what `load()` reads (with a statement built
    once): a relationship's lazy load builds its statement afresh on every request, which on the
    pages everyone opens cost more than running it. True when it was loaded here."""
    if relationship not in inspect(obj).unloaded:
        return False
    set_committed_value(obj, relationship, load())
    return True


def execute_now(session: Session, statement: Executable, parameters: dict | None = None) -> Result:
    """Run a Core statement (one naming tables and columns, not ORM entities) in the session's
    transaction, through its connection rather than the ORM's execution path.

    For the statements hot paths run on every request: a page's version stamp, the rows a token
    exchange writes and never reads back as objects. The ORM's path (or, for a new row, its flush)
    cost two to four times the statement itself. Pending changes are flushed first, so that the
    statement sees them and follows them, as with `session.execute`.
    """
    session.flush()
    read_set = read_sets.current()
    if read_set is not None:  # kept for portal.page_shortcut, which may answer the same request again
        return read_set.execute(session.connection(), statement, parameters)
    return session.connection().execute(statement, parameters)


def dialect_insert(session: Session):
    """The INSERT of the session's database that takes ON CONFLICT (SQLite's or PostgreSQL's)."""
    dialect = session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}.get(dialect)
    if insert is None:  # pragma: no cover - the portal runs on these two
        raise RuntimeError(f"no ON CONFLICT support written for {dialect}")
    return insert


def insert_if_absent(session: Session, entity: type, values: dict) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; True when the row is new.

    No check-then-insert: of two requests racing to create the same row, neither fails.
    """
    # RETURNING rather than rowcount, which some drivers report as -1 for this statement.
    key = next(iter(inspect(entity).primary_key))
    statement = dialect_insert(session)(entity).values(**values).on_conflict_do_nothing().returning(key)
    return session.execute(statement).first() is not None


class CoreEntity:
    """An entity's plain table columns, to SELECT with Core, and the persistent object a row of them
    gives, in the session as if the ORM had loaded it (SQLAlchemy's `make_transient_to_detached`,
    then `add`).

    For the objects hot paths read on every request (the signed-in account, an OAuth client or
    token): the ORM's loading path (its execution context, row processors and identity
    bookkeeping) cost two to three times the statement. The object behaves as one the ORM loaded:
    its relationships and any column not selected load when first read, changes to it are flushed,
    and an object the session already holds is returned as it is, not overwritten (one a commit
    expired reads itself again when first read, where the ORM would refill it from the row).

    Not for every entity: the ORM's `load` event does not fire for these objects (no model here
    listens to it; `Mutable` columns and reconstructors would), and an entity with subclasses
    mapped to it would always give the base class, so it is refused.
    """

    def __init__(self, entity: type):
        mapper = inspect(entity)
        if mapper.polymorphic_on is not None or mapper.inherits is not None:
            raise TypeError(f"{mapper.class_.__name__} is part of an inheritance hierarchy")
        props = [prop for prop in mapper.column_attrs
                 if len(prop.columns) == 1 and isinstance(prop.columns[0], Column) and not prop.deferred]
        self._mapper = mapper
        self._keys = [prop.key for prop in props]
        self.columns = [prop.columns[0] for prop in props]
        # By identity: a column's == builds a SQL expression.
        positions = {id(column): i for i, column in enumerate(self.columns)}
        if any(id(column) not in positions for column in mapper.primary_key):
            raise TypeError(f"{mapper.class_.__name__}'s primary key is not among its plain columns")
        self._identity = [positions[id(column)] for column in mapper.primary_key]

    def take(self, session: Session, row, start: int = 0):
        """The object of `row[start:start + len(columns)]`; None when its primary key is NULL (the
        side of an outer join that found nothing)."""
        identity = [row[start + i] for i in self._identity]
        if any(value is None for value in identity):
            return None
        key = self._mapper.identity_key_from_primary_key(identity)
        held = session.identity_map.get(key)
        if held is not None:
            return held
        obj = self._mapper.class_manager.new_instance()
        instance_dict(obj).update(zip(self._keys, row[start:start + len(self._keys)], strict=True))
        make_transient_to_detached(obj)
        session.add(obj)
        return obj


class CoreRow:
    """Several entities side by side in one statement's rows (a join), read with Core: `columns` to
    SELECT (further columns may follow them), and `take` gives each entity's object of a row
    (`CoreEntity`), None for the side of an outer join that found nothing."""

    def __init__(self, *entities: type):
        self._entities = [CoreEntity(entity) for entity in entities]
        self.columns = [column for entity in self._entities for column in entity.columns]
        self._starts = []
        start = 0
        for entity in self._entities:
            self._starts.append(start)
            start += len(entity.columns)

    def take(self, session: Session, row) -> tuple:
        return tuple(entity.take(session, row, start) for entity, start in zip(self._entities, self._starts,
                                                                                strict=True))


class CoreLoader:
    """Objects of an entity by a Core statement built once (`CoreEntity`): one, or every one the
    criteria find in `order_by`'s order, at most `limit` (a bound parameter, say) when given."""

    def __init__(self, entity: type, *criteria, order_by: tuple = (), limit=None):
        self._entity = CoreEntity(entity)
        statement = select(*self._entity.columns).where(*criteria).order_by(*order_by)
        self._statement = statement if limit is None else statement.limit(limit)

    @property
    def statement(self):
        """The Core statement it runs (its columns are the entity's, in `CoreEntity`'s order)."""
        return self._statement

    def one_or_none(self, session: Session, parameters: dict):
        row = execute_now(session, self._statement, parameters).first()
        return None if row is None else self._entity.take(session, row)

    def all(self, session: Session, parameters: dict) -> list:
        return [self._entity.take(session, row) for row in execute_now(session, self._statement, parameters)]


def new_public_id() -> str:
    """An unguessable identifier for URLs and tokens (never the row's sequential id)."""
    return uuid.uuid4().hex


def random_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)
