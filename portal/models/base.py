"""Column helpers shared by the tables."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import DateTime, Executable, Table, TypeDecorator, inspect
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value


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


def execute_now(session: Session, statement: Executable, parameters: dict | None = None) -> CursorResult:
    """Run a Core statement (one naming tables and columns, not ORM entities) in the session's
    transaction, through its connection rather than the ORM's execution path.

    For the statements hot paths run on every request: a page's version stamp, the rows a token
    exchange writes and never reads back as objects. The ORM's path (or, for a new row, its flush)
    cost two to four times the statement itself. Pending changes are flushed first, so that the
    statement sees them and follows them, as with `session.execute`.
    """
    session.flush()
    return session.connection().execute(statement, parameters)


def insert_now(session: Session, table: Table, values: dict) -> None:
    """INSERT one row with `execute_now`; the table's Python-side defaults fill what `values` omits."""
    execute_now(session, table.insert(), values)


def new_public_id() -> str:
    """An unguessable identifier for URLs and tokens (never the row's sequential id)."""
    return uuid.uuid4().hex


def random_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)
