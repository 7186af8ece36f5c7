"""What a request read (portal.read_sets): the SELECTs run on the Core path with their rows, and
whether anything else ran; told apart from a database that has changed since."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, insert, select, text, update
from sqlalchemy.orm import Session

from portal import read_sets
from portal.models.base import execute_now

metadata = MetaData()
place = Table("place", metadata, Column("id", Integer, primary_key=True), Column("name", String(20)))
BY_ID = select(place.c.name).where(place.c.id == 1)


@pytest.fixture
def engine(tmp_path):
    # A file, so that each connection is its own, as in the portal (an in-memory database has one).
    engine = create_engine(f"sqlite:///{tmp_path / 'places.sqlite3'}")
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(insert(place), [{"id": 1, "name": "泗泾"}, {"id": 2, "name": "方松"}])
    read_sets.watch()
    yield engine
    engine.dispose()


def _as_sent(engine, reads):
    with engine.connect() as connection:
        return read_sets.as_sent(connection, reads)


def test_a_select_is_kept_with_its_rows_and_the_caller_gets_the_same_rows(engine):
    with Session(engine) as session, read_sets.recording() as read_set:
        assert execute_now(session, select(place).order_by(place.c.id)).all() == [(1, "泗泾"), (2, "方松")]
        assert execute_now(session, BY_ID).scalar_one() == "泗泾"
    assert read_set.complete
    assert [read.rows for read in read_set.reads] == [((1, "泗泾"), (2, "方松")), (("泗泾",),)]
    sent = _as_sent(engine, read_set.reads)
    assert [read.rows for read in sent] == [[(1, "泗泾"), (2, "方松")], [("泗泾",)]]
    assert read_sets.unchanged(engine, sent)


def _rename_first_place(engine) -> None:
    with engine.begin() as connection:
        connection.execute(update(place).where(place.c.id == 1).values(name="中山"))


def test_a_changed_row_is_told(engine):
    with Session(engine) as session, read_sets.recording() as read_set:
        execute_now(session, BY_ID).all()
    sent = _as_sent(engine, read_set.reads)
    _rename_first_place(engine)
    assert not read_sets.unchanged(engine, sent)


def test_reads_that_changed_before_they_were_taken_as_sent_are_not_taken(engine):
    with Session(engine) as session, read_sets.recording() as read_set:
        execute_now(session, BY_ID).all()
    _rename_first_place(engine)
    assert _as_sent(engine, read_set.reads) is None


_OTHER_STATEMENTS = {
    "through the ORM": lambda session: session.execute(select(place.c.id)).all(),
    "a write on the Core path": lambda session: execute_now(session, update(place).values(name="x")),
    "text on the Core path": lambda session: execute_now(session, text("SELECT name FROM place")).all(),
    "a SELECT that locks": lambda session: execute_now(session, BY_ID.with_for_update()).all(),
    "many rows written at once": lambda session: session.connection().execute(
        insert(place), [{"id": 3, "name": "岳阳"}, {"id": 4, "name": "永丰"}]),
    "on another engine": lambda session: create_engine("sqlite://").connect().exec_driver_sql("SELECT 1"),
}


@pytest.mark.parametrize("other", list(_OTHER_STATEMENTS))
def test_any_other_statement_makes_the_record_incomplete(engine, other):
    with Session(engine) as session, read_sets.recording() as read_set:
        execute_now(session, BY_ID).all()
        assert read_set.complete
        _OTHER_STATEMENTS[other](session)
    assert not read_set.complete


def test_nothing_is_kept_while_paused_or_outside_a_recording(engine):
    with Session(engine) as session:
        execute_now(session, BY_ID).all()
        with read_sets.recording() as read_set:
            with read_sets.paused():
                session.execute(select(place.c.id)).all()
                execute_now(session, BY_ID).all()
            assert read_sets.current() is read_set
    assert read_set.complete and read_set.reads == []


def test_a_request_whose_reads_are_not_wanted_keeps_nothing(engine):
    asked = []
    with Session(engine) as session, read_sets.recording(wanted=lambda: asked.append(1) or False) as read_set:
        assert execute_now(session, BY_ID).scalar_one() == "泗泾"
        execute_now(session, BY_ID).all()
    assert asked == [1]  # asked once, at the first statement
    assert read_set.reads == [] and not read_set.complete


def test_a_statement_that_fails_makes_the_record_incomplete(engine):
    missing = Table("no_such_table", MetaData(), Column("id", Integer, primary_key=True))
    with Session(engine) as session, read_sets.recording() as read_set:
        execute_now(session, BY_ID).all()
        with pytest.raises(Exception, match="no_such_table"):
            execute_now(session, select(missing.c.id))
    assert not read_set.complete
