"""What a request read from the database, so that a later, identical request can be told whether
it would read the same.

While `recording()` lasts, every SELECT run by `portal.models.base.execute_now` (the Core path the
pages everyone opens take) is kept with its parameters and the rows it gave. Any other statement
(one through the ORM's path, a lazy load, a flush, an INSERT) makes the record incomplete, because
what it read or changed is not kept. A complete record of a request whose answer depends only on
the request itself and on the database holds everything that answer depends on: the same request,
with the same statements giving the same rows (`unchanged`), gets the same answer.

Plain SQLAlchemy: no Flask here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import NamedTuple

from sqlalchemy import Engine, event
from sqlalchemy.engine import Connection, Result


class Read(NamedTuple):
    statement: object
    parameters: dict
    rows: tuple


class ReadSet:
    """The reads of one request; `complete` is False once a statement ran that is not among them."""

    def __init__(self) -> None:
        self.reads: list[Read] = []
        self.complete = True
        self._running_own = False

    def execute(self, connection: Connection, statement, parameters: dict | None) -> Result:
        """`connection.execute(statement, parameters)`, kept when it is a SELECT; the rows are read
        at once (what the caller gets reads them from memory, in the same order)."""
        if not getattr(statement, "is_select", False):
            self.complete = False
            return connection.execute(statement, parameters)
        self._running_own = True
        try:
            frozen = connection.execute(statement, parameters).freeze()
        finally:
            self._running_own = False
        self.reads.append(Read(statement, dict(parameters or {}), tuple(tuple(row) for row in frozen.data)))
        return frozen()

    def note_statement(self) -> None:
        if not self._running_own:
            self.complete = False


_current: ContextVar[ReadSet | None] = ContextVar("portal_read_set", default=None)


def current() -> ReadSet | None:
    return _current.get()


@contextmanager
def recording() -> Iterator[ReadSet]:
    read_set = ReadSet()
    token = _current.set(read_set)
    try:
        yield read_set
    finally:
        _current.reset(token)


@contextmanager
def paused() -> Iterator[None]:
    """What runs meanwhile is neither kept nor marks the record incomplete: for work whose outcome
    is kept elsewhere, and checked there (a page rendered into the page cache, under a key read
    outside the pause)."""
    token = _current.set(None)
    try:
        yield
    finally:
        _current.reset(token)


def _before_cursor_execute(_connection, _cursor, _statement, _parameters, _context, _executemany) -> None:
    read_set = _current.get()
    if read_set is not None:
        read_set.note_statement()


def watch(engine: Engine) -> None:
    """Have every statement `engine` runs outside `ReadSet.execute` mark the record incomplete."""
    if not event.contains(engine, "before_cursor_execute", _before_cursor_execute):
        event.listen(engine, "before_cursor_execute", _before_cursor_execute)


def unchanged(connection: Connection, reads: list[Read] | tuple[Read, ...]) -> bool:
    """Whether every statement of `reads`, run again on `connection` in one transaction, gives the
    rows it gave then."""
    for read in reads:
        if tuple(tuple(row) for row in connection.execute(read.statement, read.parameters)) != read.rows:
            return False
    return True
