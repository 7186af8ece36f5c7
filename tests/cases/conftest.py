"""Fixtures for the case domain: a small district with people in the roles a case involves."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.cases import submit_case, transition
from portal.cases.calendar import package_years
from portal.cases.deadlines import WorkCalendar
from portal.extensions import db
from portal.models import Account, CaseCategory, CaseKind, Department, DepartmentKind, StaffPosition, StaffRole


def package_calendar() -> WorkCalendar:
    """The chinesecalendar package's years as a calendar, without touching the database."""
    holidays, workdays = {}, {}
    years = package_years()
    for h, w in years.values():
        holidays.update(h)
        workdays.update(w)
    return WorkCalendar.from_days(holidays, workdays, years)


@pytest.fixture(scope="session")
def calendar() -> WorkCalendar:
    return package_calendar()


# Monday 2 March 2026, 09:00 in the district (UTC+8): a plain working week.
MONDAY = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@dataclass
class World:
    session: object
    calendar: WorkCalendar
    now: datetime
    departments: dict[str, Department]
    people: dict[str, Account] = field(default_factory=dict)
    category: CaseCategory | None = None

    def __getattr__(self, name):
        people = self.__dict__.get("people", {})
        if name in people:
            return people[name]
        raise AttributeError(name)

    def dept(self, code: str) -> Department:
        return self.departments[code]

    def person(self, name: str, *positions: tuple[str, StaffRole], email: str | None = None) -> Account:
        account = Account(display_name=name, username=name, password_hash="!", email=email)
        self.session.add(account)
        self.session.flush()
        for code, role in positions:
            self.session.add(StaffPosition(account=account, department=self.dept(code), role=role))
        self.session.flush()
        self.people[name] = account
        return account

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now

    def submit(self, sender: Account | None = None, **overrides):
        data = {
            "kind": CaseKind.REQUEST,
            "category": self.category,
            "title": "Street light out on Renmin Road",
            "body": "The light outside number 61 has been dark for a week.",
        }
        data.update(overrides)
        case = submit_case(
            self.session, sender or self.people["sender"], now=self.now, calendar=self.calendar, **data
        )
        self.session.flush()
        return case

    def act(self, case, action, actor, **details):
        details.setdefault("now", self.now)
        details.setdefault("calendar", self.calendar)
        return transition(self.session, case, action, actor, **details)


DEPARTMENTS = [
    ("xzfwzx", "区行政服务中心", "District Administrative Service Centre"),
    ("jjw", "区经济委员会", "District Economic Commission"),
    ("kw", "区科学技术委员会", "District Science and Technology Commission"),
    ("fgw", "区发展和改革委员会", "District Development and Reform Commission"),
    ("sthjj", "区生态环境局", "District Ecology and Environment Bureau"),
    ("rsj", "区人力资源和社会保障局", "District Human Resources and Social Security Bureau"),
]


@pytest.fixture
def world(app_context, calendar) -> World:
    """A sender; staff of the owning department (jjw), an assisting one (kw), a receiving one for
    transfers (fgw), another (sthjj), a third one that has nothing to do with the case (rsj), and
    the service centre's administrator, the dispatcher (xzfwzx)."""
    session = db.session
    for code, name_zh, name_en in DEPARTMENTS:
        session.add(Department(code=code, name_zh=name_zh, name_en=name_en, kind=DepartmentKind.BUREAU))
    session.flush()
    departments = {d.code: d for d in session.scalars(select(Department))}
    w = World(session=session, calendar=calendar, now=MONDAY, departments=departments)
    w.person("sender", email="sender@example.test")
    w.person("officer", ("jjw", StaffRole.OFFICER), email="officer@example.test")
    w.person("officer2", ("jjw", StaffRole.OFFICER))
    w.person("lead", ("jjw", StaffRole.LEAD), email="lead@example.test")
    w.person("lead2", ("jjw", StaffRole.LEAD))
    w.person("assistant", ("kw", StaffRole.OFFICER))
    w.person("assist_lead", ("kw", StaffRole.LEAD))
    w.person("receiver", ("fgw", StaffRole.OFFICER))
    w.person("receiver_lead", ("fgw", StaffRole.LEAD))
    w.person("other_lead", ("sthjj", StaffRole.LEAD))
    w.person("outsider", ("rsj", StaffRole.OFFICER))
    w.person("dispatcher", ("xzfwzx", StaffRole.ADMIN))
    w.person("neighbour")
    w.category = CaseCategory(
        code="street-lights",
        name_zh="路灯",
        name_en="Street lights",
        department=w.dept("jjw"),
        accept_days=1,
        reply_days=5,
        rectify_days=15,
    )
    session.add(w.category)
    session.flush()
    return w
