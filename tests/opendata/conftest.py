"""A small district with known figures, and its published catalogue.

March 2024, in four departments:
  区发展和改革委员会 (fgw, a bureau), category od-fgw, reply within 5 working days:
    6 cases from a resident living in 方松街道 (fsjd), each closed on time and rated satisfied,
    2 cases from a resident whose home area is unknown, still open.
  岳阳街道 (yljd, a sub-district), category od-yljd:
    7 cases, 6 closed on time and 1 closed late; 2 of them rated.
  方松街道 and 区数据局 (sjj, the publisher): no cases.
One published and one draft policy; the holiday calendar from the chinesecalendar package.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from portal.cases import load_calendar_years, submit_case, transition, work_calendar
from portal.extensions import db
from portal.models import (
    Account,
    ApplicationMethod,
    CaseCategory,
    CaseKind,
    Department,
    DepartmentKind,
    Policy,
    PolicyStatus,
    PolicyTopic,
    ResidentHomeArea,
    StaffPosition,
    StaffRole,
)

AFTER_MARCH = datetime(2024, 4, 2, 2, 0, tzinfo=UTC)  # 2 April 2024, 10:00 in the district


def at(day: str, hour: int = 10) -> datetime:
    """A moment in the district (UTC+8) on that day."""
    d = date.fromisoformat(day)
    return datetime(d.year, d.month, d.day, hour - 8, 0, tzinfo=UTC)


@dataclass
class District:
    departments: dict[str, int]
    categories: dict[str, int]


DEPARTMENTS = [
    ("fgw", DepartmentKind.BUREAU, "区发展和改革委员会", "District Development and Reform Commission", "021-37735300"),
    ("yljd", DepartmentKind.SUBDISTRICT, "岳阳街道", "Yueyang Sub-district", "021-57812300"),
    ("fsjd", DepartmentKind.SUBDISTRICT, "方松街道", "Fangsong Sub-district", "021-57812500"),
    ("sjj", DepartmentKind.BUREAU, "区数据局", "District Data Bureau", "021-37736400"),
]


def _person(session, name: str, mobile: str | None = None, username: str | None = None) -> Account:
    account = Account(mobile=mobile, username=username, display_name=name, password_hash="!")
    session.add(account)
    session.flush()
    return account


def build_small_district(session) -> District:
    load_calendar_years(session)
    calendar = work_calendar(session)
    depts = {}
    for code, kind, zh, en, phone in DEPARTMENTS:
        depts[code] = Department(code=code, kind=kind, name_zh=zh, name_en=en, phone=phone)
        session.add(depts[code])
    session.flush()
    categories = {}
    for code, dept in (("od-fgw", "fgw"), ("od-yljd", "yljd")):
        categories[dept] = CaseCategory(code=code, name_zh=f"类别{dept}", name_en=f"Category {dept}",
                                        department=depts[dept], accept_days=1, reply_days=5, rectify_days=15)
        session.add(categories[dept])
    resident = _person(session, "居民甲", mobile="13900000001")
    newcomer = _person(session, "居民乙", mobile="13900000002")
    session.add(ResidentHomeArea(account_id=resident.id, department_id=depts["fsjd"].id))
    officers = {}
    for dept in ("fgw", "yljd"):
        officers[dept] = _person(session, f"Officer {dept}", username=f"officer.od.{dept}")
        session.add(StaffPosition(account_id=officers[dept].id, department_id=depts[dept].id, role=StaffRole.OFFICER))
    session.flush()
    for officer in officers.values():
        session.refresh(officer)

    def case(dept, sender, submitted, closed=None, rating=None):
        filed = submit_case(session, sender, kind=CaseKind.REQUEST, category=categories[dept],
                            title=f"{dept} {submitted}", body="b", now=at(submitted), calendar=calendar)
        if closed:
            officer = officers[dept]
            transition(session, filed, "accept", officer, now=at(submitted, 15), calendar=calendar)
            transition(session, filed, "reply", officer, now=at(closed, 15), calendar=calendar, notes="r")
            transition(session, filed, "close", officer, now=at(closed, 16), calendar=calendar)
        if rating:
            transition(session, filed, "rate", sender, now=at(closed, 17), calendar=calendar, rating=rating)

    for day in ("2024-03-04", "2024-03-05", "2024-03-06", "2024-03-07", "2024-03-11", "2024-03-12"):
        case("fgw", resident, day, closed=day, rating="satisfied")
    case("fgw", newcomer, "2024-03-13")
    case("fgw", newcomer, "2024-03-14")
    for day in ("2024-03-04", "2024-03-05", "2024-03-06", "2024-03-07", "2024-03-11", "2024-03-12"):
        case("yljd", newcomer, day, closed=day, rating="satisfied" if day in ("2024-03-04", "2024-03-05") else None)
    case("yljd", newcomer, "2024-03-01", closed="2024-03-20")  # due 8 March: late

    session.add_all([
        Policy(title_zh="数字化转型补贴", title_en="Digital transformation grant", department_id=depts["fgw"].id,
               topic=PolicyTopic.DIGITAL, application_method=ApplicationMethod.APPLY_ONLINE, criteria={"all": []},
               status=PolicyStatus.PUBLISHED, published_at=at("2024-02-01"), document_number="沪松发改规〔2024〕1号"),
        Policy(title_zh="草稿政策", department_id=depts["fgw"].id, topic=PolicyTopic.GREEN,
               application_method=ApplicationMethod.FAST_TRACK, criteria={"all": []}, status=PolicyStatus.DRAFT),
    ])
    session.commit()
    return District({c: d.id for c, d in depts.items()}, {c.code: c.id for c in categories.values()})


@pytest.fixture
def small_district(app) -> District:
    with app.app_context():
        return build_small_district(db.session)


@pytest.fixture
def published(app, small_district) -> District:
    """The small district's catalogue, refreshed on 2 April 2024."""
    from portal.opendata import refresh

    with app.app_context():
        report = refresh(db.session, now=AFTER_MARCH)
    assert report.failed == {}
    return small_district


def snapshot(slug: str):
    from portal.models import OpenDataSnapshot

    return db.session.scalar(select(OpenDataSnapshot).where(OpenDataSnapshot.slug == slug))
