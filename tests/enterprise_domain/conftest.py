"""Factories for the enterprise domain: a small district, people, enterprises, policies.

Tests here need no HTTP: they hold an app context (`app_context`) and use `db.session`.
"""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime

import pytest

from portal.enterprise_codes import generate_uscc
from portal.extensions import db
from portal.models import (
    Account,
    ApplicationMethod,
    Department,
    DepartmentKind,
    Enterprise,
    EnterpriseCertification,
    Membership,
    MembershipRole,
    MembershipStatus,
    Policy,
    PolicyStatus,
    PolicyTopic,
    StaffPosition,
    StaffRole,
)
from portal.rules import EnterpriseType, industry_section_of, leaves, parse

# Monday 2 March 2026, 09:00 in the district.
NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)

DISTRICT = [
    ("jtz", DepartmentKind.TOWN, "九亭镇", "Jiuting Town"),
    ("sjz", DepartmentKind.TOWN, "泗泾镇", "Sijing Town"),
    ("yljd", DepartmentKind.SUBDISTRICT, "岳阳街道", "Yueyang Sub-district"),
    ("kw", DepartmentKind.BUREAU, "区科学技术委员会", "District Science and Technology Commission"),
    ("jjw", DepartmentKind.BUREAU, "区经济委员会", "District Economic Commission"),
    ("rsj", DepartmentKind.BUREAU, "区人力资源和社会保障局", "District Human Resources and Social Security Bureau"),
]


@pytest.fixture
def session(app_context):
    return db.session


@pytest.fixture
def district(session) -> dict[str, Department]:
    departments = {}
    for code, kind, name_zh, name_en in DISTRICT:
        departments[code] = Department(code=code, kind=kind, name_zh=name_zh, name_en=name_en)
        session.add(departments[code])
    # Committed, so that tests which roll back keep their district (tables are emptied after each test).
    session.commit()
    return departments


@pytest.fixture
def make_account(session, district):
    counter = itertools.count(1)

    def make(name: str | None = None, *, staff_in: str | None = None, role: StaffRole = StaffRole.OFFICER) -> Account:
        n = next(counter)
        account = Account(display_name=name or f"person{n}", username=f"user{n}", password_hash="!")
        session.add(account)
        session.flush()
        if staff_in is not None:
            session.add(StaffPosition(account_id=account.id, department_id=district[staff_in].id, role=role))
            session.flush()
        return account

    return make


@pytest.fixture
def make_enterprise(session, district):
    rng = random.Random(7)
    counter = itertools.count(1)

    def make(name: str | None = None, *, town: str | None = "jtz", certifications=(), **fields) -> Enterprise:
        n = next(counter)
        fields.setdefault("enterprise_type", EnterpriseType.LIMITED_COMPANY)
        fields.setdefault("industry_code", "3491")
        fields.setdefault("industry_section", industry_section_of(fields["industry_code"] or ""))
        enterprise = Enterprise(
            uscc=generate_uscc(rng),
            name_zh=name or f"上海测试{n}有限公司",
            name_en=f"Shanghai Test {n} Co., Ltd.",
            town_id=district[town].id if town else None,
            certification_rows=[EnterpriseCertification(certification=c) for c in certifications],
            **fields,
        )
        session.add(enterprise)
        session.flush()
        return enterprise

    return make


@pytest.fixture
def make_member(session):
    def make(
        account: Account,
        enterprise: Enterprise,
        role: MembershipRole = MembershipRole.LEGAL_REPRESENTATIVE,
        *,
        status: MembershipStatus = MembershipStatus.ACTIVE,
        scopes=("affairs", "policies", "appeals", "profile"),
        valid_until: datetime | None = None,
    ) -> Membership:
        membership = Membership(
            account_id=account.id,
            enterprise_id=enterprise.id,
            role=role,
            status=status,
            scopes=list(scopes),
            valid_from=datetime(2020, 1, 1, tzinfo=UTC),
            valid_until=valid_until,
        )
        session.add(membership)
        session.flush()
        return membership

    return make


@pytest.fixture
def make_policy(session, district):
    def make(
        criteria: dict,
        *,
        department: str = "kw",
        method: ApplicationMethod = ApplicationMethod.APPLY_ONLINE,
        topic: PolicyTopic = PolicyTopic.INNOVATION,
        clauses: dict | None = None,
        title: str = "研发费用补贴",
        **fields,
    ) -> Policy:
        if clauses is None:
            clauses = {leaf.clause: f"{leaf.clause}：条款原文" for leaf in leaves(parse(criteria)) if leaf.clause}
        policy = Policy(
            title_zh=title,
            title_en="R&D subsidy",
            department_id=district[department].id,
            topic=topic,
            application_method=method,
            status=fields.pop("status", PolicyStatus.DRAFT),
            criteria=criteria,
            clauses=clauses,
            **fields,
        )
        session.add(policy)
        session.flush()
        return policy

    return make
