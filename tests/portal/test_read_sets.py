"""What a request read (portal.read_sets): the SELECTs run on the Core path with their rows, and
whether anything else ran; told apart from a database that has changed since."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, insert, select, update
from sqlalchemy.orm import Session

from portal import read_sets
from portal.models.base import execute_now

metadata = MetaData()
place = Table("place", metadata, Column("id", Integer, primary_key=True), Column("name", String(20)))
BY_ID = select(place.c.name).where(place.c.id == 1)


@pytest.fixture
def engine():
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(insert(place), [{"id": 1, "name": "泗泾"}, {"id": 2, "name": "方松"}])
    read_sets.watch(engine)
    return engine


def test_a_select_is_kept_with_its_rows_and_the_caller_gets_the_same_rows(engine):
    with Session(engine) as session, read_sets.recording() as read_set:
        assert execute_now(session, select(place).order_by(place.c.id)).all() == [(1, "泗泾"), (2, "方松")]
        assert execute_now(session, BY_ID).scalar_one() == "泗泾"
    assert read_set.complete
    assert [read.rows for read in read_set.reads] == [((1, "泗泾"), (2, "方松")), (("泗泾",),)]
    sent = read_sets.as_sent(engine, read_set.reads)
    assert [read.rows for read in sent] == [[(1, "泗泾"), (2, "方松")], [("泗泾",)]]
    assert read_sets.unchanged(engine, sent)


def _rename_first_place(engine) -> None:
    with engine.begin() as connection:
        connection.execute(update(place).where(place.c.id == 1).values(name="中山"))


def test_a_changed_row_is_told(engine):
    with Session(engine) as session, read_sets.recording() as read_set:
        execute_now(session, BY_ID).all()
    sent = read_sets.as_sent(engine, read_set.reads)
    _rename_first_place(engine)
    assert not read_sets.unchanged(engine, sent)


def test_reads_that_changed_before_they_were_taken_as_sent_are_not_taken(engine):
    with Session(engine) as session, read_sets.recording() as read_set:
        execute_now(session, BY_ID).all()
    _rename_first_place(engine)
    assert read_sets.as_sent(engine, read_set.reads) is None


@pytest.mark.parametrize("other", ["through the ORM", "a write on the Core path"])
def test_any_other_statement_makes_the_record_incomplete(engine, other):
    with Session(engine) as session, read_sets.recording() as read_set:
        execute_now(session, BY_ID).all()
        if other == "through the ORM":
            session.execute(select(place.c.id)).all()
        else:
            execute_now(session, update(place).values(name="x"))
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
