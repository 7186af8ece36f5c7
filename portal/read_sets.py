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

import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from contextvars import ContextVar
from typing import NamedTuple

from sqlalchemy import CompoundSelect, Engine, Select, event
from sqlalchemy.engine import Connection, Result


class Read(NamedTuple):
    statement: object
    parameters: dict
    rows: tuple  # as the caller got them
    sql: str  # what the driver was given
    driver_parameters: object


class DriverRead(NamedTuple):
    """A read as the database driver sees it: what `unchanged` runs again."""

    sql: str
    parameters: object
    rows: list


class ReadSet:
    """The reads of one request; `complete` is False once a statement ran that is not among them.
    Nothing is kept unless `wanted()`, asked at the first statement, says the reads will be used."""

    def __init__(self, wanted: Callable[[], bool]) -> None:
        self.reads: list[Read] = []
        self.complete = True
        # time.monotonic() when the request began: what it compared with the clock, it did after.
        self.started = time.monotonic()
        self._wanted = wanted
        self._asked = False
        self._running_own = False
        self._sent: tuple | None = None

    def execute(self, connection: Connection, statement, parameters: dict | None) -> Result:
        """`connection.execute(statement, parameters)`, kept when it is a SELECT; the rows are read
        at once (what the caller gets reads them from memory, in the same order)."""
        if not self._asked:
            self._asked, self.complete = True, False  # until `wanted()` has answered
            self.complete = self._wanted()
        if not self.complete or not _plain_select(statement):
            self.complete = False
            return connection.execute(statement, parameters)
        self._running_own = True
        self._sent = None
        try:
            frozen = connection.execute(statement, parameters).freeze()
        except BaseException:
            # What the statement read is not kept, and a caller that goes on without it answers
            # from less than the record would say.
            self.complete = False
            raise
        finally:
            self._running_own = False
        if self._sent is None:  # no statement reached the driver
            self.complete = False
        else:
            self.reads.append(Read(statement, dict(parameters or {}), _plain(frozen.data), *self._sent))
        return frozen()

    def note_statement(self, sql: str, driver_parameters) -> None:
        if self._running_own and self._sent is None:
            self._sent = (sql, driver_parameters)
        else:
            self.complete = False


_current: ContextVar[ReadSet | None] = ContextVar("portal_read_set", default=None)


def current() -> ReadSet | None:
    return _current.get()


@contextmanager
def recording(wanted: Callable[[], bool] = lambda: True) -> Iterator[ReadSet]:
    read_set = ReadSet(wanted)
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


def _plain_select(statement) -> bool:
    """A SELECT built with SQLAlchemy's constructs that only reads, and so may be run again at will:
    not text, nor one that locks the rows it reads (FOR UPDATE, which SQLAlchemy keeps in
    `_for_update_arg`)."""
    return isinstance(statement, Select | CompoundSelect) and getattr(statement, "_for_update_arg", None) is None


def _before_cursor_execute(_connection, _cursor, statement, parameters, _context, executemany) -> None:
    read_set = _current.get()
    if read_set is not None:
        if executemany:
            read_set.complete = False
        else:
            read_set.note_statement(statement, parameters)


def watch() -> None:
    """Have every statement any engine runs outside `ReadSet.execute` mark the record incomplete
    (every engine: a read through another one is as much outside the record)."""
    if not event.contains(Engine, "before_cursor_execute", _before_cursor_execute):
        event.listen(Engine, "before_cursor_execute", _before_cursor_execute)


def _plain(rows) -> tuple:
    return tuple(tuple(row) for row in rows)


def as_sent(connection: Connection, reads: list[Read] | tuple[Read, ...]) -> tuple[DriverRead, ...] | None:
    """`reads` as the driver sees them, to be checked again by `unchanged`; None when one of them
    reads differently now. Run on `connection`, the request's own (a second one from the pool
    while the request holds its first could leave a busy pool waiting on itself).

    Each is run as the driver was given it, then again as the caller ran it: when the second
    gives what the caller got, the first (between the caller's run and the second) read what the
    caller's run did.
    """
    sent = []
    with closing(connection.connection.driver_connection.cursor()) as cursor:
        for read in reads:
            cursor.execute(read.sql, read.driver_parameters)
            sent.append(DriverRead(read.sql, read.driver_parameters, cursor.fetchall()))
    for read in reads:
        if _plain(connection.execute(read.statement, read.parameters)) != read.rows:
            return None
    return tuple(sent)


def unchanged(engine: Engine, reads: tuple[DriverRead, ...]) -> bool:
    """Whether every one of `reads` gives the rows it gave before: run as the driver was given it,
    without SQLAlchemy's execution and result handling (which cost several times the statements)."""
    with _driver_cursor(engine) as cursor:
        for read in reads:
            cursor.execute(read.sql, read.parameters)
            if cursor.fetchall() != read.rows:
                return False
    return True


@contextmanager
def _driver_cursor(engine: Engine):
    # From the pool, which rolls back what it began on its return.
    with closing(engine.raw_connection()) as connection, closing(connection.cursor()) as cursor:
        yield cursor
