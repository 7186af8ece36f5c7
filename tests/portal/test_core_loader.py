"""An object read by a Core statement behaves as one the ORM loaded."""

from __future__ import annotations

import pytest
from sqlalchemy import String, bindparam, inspect, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.orm.attributes import set_committed_value

from portal.extensions import db
from portal.models import Account
from portal.models.base import CoreLoader
from tests.helpers import statements_run

_BY_MOBILE = CoreLoader(Account, Account.mobile == bindparam("mobile"))


def _fresh_session():
    db.session.rollback()
    db.session.expunge_all()


def test_the_object_holds_what_the_orm_would_have_loaded(app_context, seeded):
    _fresh_session()
    with statements_run() as statements:
        account = _BY_MOBILE.one_or_none(db.session, {"mobile": "13800000001"})
    assert len(statements) == 1 and "resident_profile" not in statements[0]
    state = inspect(account)
    assert state.persistent and account in db.session and not db.session.dirty
    columns = [attribute.key for attribute in inspect(Account).column_attrs]
    loaded = {key: getattr(account, key) for key in columns}
    _fresh_session()
    by_orm = db.session.scalar(select(Account).where(Account.mobile == "13800000001"))
    assert loaded == {key: getattr(by_orm, key) for key in columns}
    assert loaded["created_at"].tzinfo is not None  # the column types' own conversions ran


def test_its_relationships_load_when_first_read_and_the_account_is_not_read_again(app_context, seeded):
    _fresh_session()
    account = _BY_MOBILE.one_or_none(db.session, {"mobile": "13800000001"})
    with statements_run() as statements:
        assert account.resident is not None and account.staff_positions == []
        assert account.display_name
    assert len(statements) == 2, statements
    assert not any(statement.lstrip().upper().startswith("SELECT ACCOUNT.") for statement in statements)


def test_a_change_to_it_is_written_with_the_transaction(app_context, seeded):
    _fresh_session()
    account = _BY_MOBILE.one_or_none(db.session, {"mobile": "13800000002"})
    account.display_name = "Renamed by the test"
    db.session.commit()
    _fresh_session()
    assert db.session.scalar(select(Account.display_name).where(Account.mobile == "13800000002")) == \
        "Renamed by the test"


def test_an_object_the_session_holds_is_returned_as_it_is_not_overwritten_by_the_row(app_context, seeded):
    _fresh_session()
    held = db.session.scalar(select(Account).where(Account.mobile == "13800000001"))
    set_committed_value(held, "display_name", "As the session holds it")  # not what the row says
    assert _BY_MOBILE.one_or_none(db.session, {"mobile": "13800000001"}) is held
    assert held.display_name == "As the session holds it"
    db.session.rollback()


def test_entities_it_cannot_stand_for_are_refused(app_context):
    from portal.models.base import CoreEntity

    class Base(DeclarativeBase):
        pass

    class Shape(Base):
        __tablename__ = "shape"
        id: Mapped[int] = mapped_column(primary_key=True)
        kind: Mapped[str] = mapped_column(String(10))
        __mapper_args__ = {"polymorphic_on": kind, "polymorphic_identity": "shape"}

    class Circle(Shape):
        __mapper_args__ = {"polymorphic_identity": "circle"}

    class Tally(Base):
        __tablename__ = "tally"
        key: Mapped[str] = mapped_column(String(10), primary_key=True, deferred=True)
        count: Mapped[int]

    for entity in (Shape, Circle, Tally):
        with pytest.raises(TypeError):
            CoreEntity(entity)


def test_no_row_gives_none(app_context, seeded):
    assert _BY_MOBILE.one_or_none(db.session, {"mobile": "no such number"}) is None


def test_a_joined_row_gives_each_entitys_object_and_none_for_a_side_that_found_nothing(app_context, seeded):
    from portal.models import StaffPosition
    from portal.models.base import CoreRow, execute_now

    account_and_position = CoreRow(Account, StaffPosition)
    statement = (
        select(*account_and_position.columns, Account.mobile)
        .select_from(Account.__table__.outerjoin(StaffPosition.__table__, StaffPosition.account_id == Account.id))
        .where(Account.public_id == bindparam("public_id"))
    )
    _fresh_session()
    officer = db.session.scalar(select(StaffPosition).limit(1)).account
    resident = db.session.scalar(select(Account).where(Account.mobile == "13800000001"))
    officer_id = officer.public_id
    expected = {officer_id: [(p.id, p.department_id) for p in officer.staff_positions], resident.public_id: []}
    for public_id, positions in expected.items():
        _fresh_session()
        rows = execute_now(db.session, statement, {"public_id": public_id}).all()
        taken = [account_and_position.take(db.session, row) for row in rows]
        assert {account.public_id for account, _ in taken} == {public_id}
        assert len({id(account) for account, _ in taken}) == 1  # one object, as the ORM gives
        assert sorted((p.id, p.department_id) for _, p in taken if p is not None) == sorted(positions)
        assert all(isinstance(p, StaffPosition) for _, p in taken if p is not None)
    assert expected[officer_id]


_RESIDENTS_NEWEST_NUMBER_FIRST = CoreLoader(
    Account, Account.mobile.like(bindparam("prefix")), order_by=(Account.mobile.desc(),), limit=bindparam("limit"),
)


def test_all_gives_the_objects_found_in_order_and_no_more_than_the_limit(app_context, seeded):
    _fresh_session()
    with statements_run() as statements:
        found = _RESIDENTS_NEWEST_NUMBER_FIRST.all(db.session, {"prefix": "1380000000%", "limit": 2})

    assert [account.mobile for account in found] == ["13800000003", "13800000002"]
    assert len(statements) == 1
    assert all(inspect(account).persistent and account in db.session for account in found)
    assert _RESIDENTS_NEWEST_NUMBER_FIRST.all(db.session, {"prefix": "139%", "limit": 2}) == []
