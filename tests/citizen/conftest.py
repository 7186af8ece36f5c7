"""Factories for the citizen end's tests: residents, staff, a keyring."""

from __future__ import annotations

import itertools

import pytest

from portal.codes import Keyring
from portal.extensions import db
from portal.identity_numbers import resident_id_check_char
from portal.models import Account, Department, DepartmentKind, ResidentProfile, StaffPosition, StaffRole

_serial = itertools.count(1)


@pytest.fixture
def keyring():
    return Keyring({1: b"k" * 32, 2: b"q" * 32}, current=2)


def _resident_id(n: int) -> str:
    first17 = f"31011719800101{n:03d}"
    return first17 + resident_id_check_char(first17)


@pytest.fixture
def make_resident(app_context):
    """`make_resident("王秀英")` adds a resident with a fresh mobile number and ID number."""

    def create(name: str = "李小明", mobile: str | None = None) -> Account:
        n = next(_serial)
        account = Account(
            mobile=mobile or f"1390000{n:04d}", display_name=name, password_hash="x",
        )
        account.resident = ResidentProfile(real_name=name, resident_id_number=_resident_id(n))
        db.session.add(account)
        db.session.flush()
        return account

    return create


@pytest.fixture
def make_officer(app_context):
    def create(name: str = "赵磊", department_code: str = "fsjd") -> Account:
        n = next(_serial)
        department = db.session.scalar(db.select(Department).filter_by(code=department_code))
        if department is None:
            department = Department(code=department_code, name_zh="方松街道", name_en="Fangsong",
                                    kind=DepartmentKind.SUBDISTRICT)
            db.session.add(department)
        account = Account(username=f"officer{n}", display_name=name, password_hash="x")
        db.session.add(account)
        db.session.flush()
        db.session.add(StaffPosition(account_id=account.id, department_id=department.id, role=StaffRole.OFFICER))
        db.session.flush()
        db.session.refresh(account)
        return account

    return create
