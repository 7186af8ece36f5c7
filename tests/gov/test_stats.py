"""Statistics on a small known set of cases, computed by SQL and shown as table, charts and CSV."""

from __future__ import annotations

import csv
import io
import random
import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import literal, select

from portal.cases import load_calendar_years, submit_case, transition, work_calendar
from portal.cases.deadlines import working_days_between
from portal.cases.statistics import department_figures, working_days_sql
from portal.extensions import db
from portal.models import Account, CaseCategory, CaseKind, Department
from tests.gov.conftest import page_text


def at(day: str, hour: int = 10) -> datetime:
    """A moment in the district (UTC+8) on that day."""
    d = date.fromisoformat(day)
    return datetime(d.year, d.month, d.day, hour - 8, 0, tzinfo=UTC)


def known_set(app):
    """Five cases in 2024 in two departments no demo case belongs to (fgw and yljd).

    fgw, limits 1/5 working days:
      A  Thu 8 Feb → closed Mon 19 Feb: over the Spring Festival (10-17 Feb off, Sun 18 Feb worked),
         3 working days, due 21 Feb: on time; rated very satisfied.
      B  Mon 4 Mar → closed Mon 18 Mar; rated dissatisfied, which reopens it: no longer counted as
         closed, and overdue now (its rectification was due in April).
      C  Wed 20 Mar, signed for and never answered: overdue now.
      F  Wed 6 Mar → closed Wed 20 Mar: 10 working days, due 13 Mar: late; rated satisfied.
      D  Mon 25 Mar, not accepted (rejected): received only.
    yljd:
      E  Fri 1 Mar → closed Mon 4 Mar: 1 working day, on time, not rated.
    """
    with app.app_context():
        session = db.session
        load_calendar_years(session)
        calendar = work_calendar(session)
        depts = {d.code: d for d in session.scalars(select(Department).where(Department.code.in_(["fgw", "yljd"])))}
        categories = {}
        for code, dept in (("stats-fgw", "fgw"), ("stats-yljd", "yljd")):
            categories[dept] = CaseCategory(code=code, name_zh=code, name_en=code, department=depts[dept],
                                            accept_days=1, reply_days=5, rectify_days=15)
            session.add(categories[dept])
        sender = session.scalar(select(Account).where(Account.mobile == "13800000001"))
        staff = Account(username="officer.fgw", display_name="Officer FGW", password_hash="!")
        staff2 = Account(username="officer.yljd", display_name="Officer YLJD", password_hash="!")
        session.add_all([staff, staff2])
        session.flush()
        from portal.models import StaffPosition, StaffRole

        session.add(StaffPosition(account_id=staff.id, department_id=depts["fgw"].id, role=StaffRole.OFFICER))
        session.add(StaffPosition(account_id=staff2.id, department_id=depts["yljd"].id, role=StaffRole.OFFICER))
        session.flush()
        session.refresh(staff)
        session.refresh(staff2)

        def case(dept, submitted, steps, officer):
            filed = submit_case(session, sender, kind=CaseKind.REQUEST, category=categories[dept],
                                title=f"Stats {submitted}", body="b", now=at(submitted), calendar=calendar)
            for action, day, extra in steps:
                who = sender if action == "rate" else officer
                transition(session, filed, action, who, now=at(day, 15), calendar=calendar, **extra)
            return filed

        case("fgw", "2024-02-08", [("accept", "2024-02-08", {}), ("reply", "2024-02-19", {"notes": "r"}),
                                   ("close", "2024-02-19", {}),
                                   ("rate", "2024-02-20", {"rating": "very_satisfied"})], staff)
        case("fgw", "2024-03-04", [("accept", "2024-03-04", {}), ("reply", "2024-03-18", {"notes": "r"}),
                                   ("close", "2024-03-18", {}), ("rate", "2024-03-19", {"rating": "dissatisfied"})],
             staff)
        case("fgw", "2024-03-06", [("accept", "2024-03-06", {}), ("reply", "2024-03-20", {"notes": "r"}),
                                   ("close", "2024-03-20", {}), ("rate", "2024-03-21", {"rating": "satisfied"})], staff)
        case("fgw", "2024-03-20", [("accept", "2024-03-20", {})], staff)
        case("fgw", "2024-03-25", [("reject", "2024-03-25", {"reason": "Not for us"})], staff)
        case("yljd", "2024-03-01", [("accept", "2024-03-01", {}), ("reply", "2024-03-04", {"notes": "r"}),
                                    ("close", "2024-03-04", {})], staff2)
        session.commit()
        return {code: d.id for code, d in depts.items()}


def test_figures_for_a_known_set(app, seeded):
    depts = known_set(app)
    with app.app_context():
        figures = department_figures(db.session, date(2024, 2, 1), date(2024, 3, 31), date(2026, 1, 5),
                                     [depts["fgw"], depts["yljd"]])
    fgw, yljd = figures[depts["fgw"]], figures[depts["yljd"]]
    assert (fgw.received, fgw.closed, fgw.closed_on_time, fgw.overdue_now) == (5, 2, 1, 2)
    assert fgw.on_time_percent == 50.0
    assert fgw.handling_days_total == 3 + 10 and fgw.average_handling_days == 6.5
    assert (fgw.rated, fgw.satisfied, fgw.score_total) == (3, 2, 5 + 2 + 4)
    assert (yljd.received, yljd.closed, yljd.closed_on_time, yljd.average_handling_days) == (1, 1, 1, 1.0)
    assert (yljd.rated, yljd.satisfaction_percent, yljd.overdue_now) == (0, None, 0)
    with app.app_context():  # a period that holds only February
        february = department_figures(db.session, date(2024, 2, 1), date(2024, 2, 29), date(2026, 1, 5),
                                      [depts["fgw"]])[depts["fgw"]]
    assert (february.received, february.closed, february.rated) == (1, 1, 1)


def test_the_page_the_charts_and_the_csv(app, browser_for):
    depts = known_set(app)
    admin = browser_for("admin")
    response = admin.get("/gov/stats?start=2024-02-01&end=2024-03-31")
    html = response.get_data(as_text=True)
    text = page_text(response)
    row = re.search(r"District Development and Reform Commission ([^A-Z]*)", text).group(1).split()
    assert row[:9] == ["5", "2", "1", "50.0%", "2", "6.5", "3", "66.7%", "3.7"]
    assert "Yueyang Sub-district 1 1 1 100.0% 0 1.0 0 — —" in text
    # Two inline SVG charts, labelled for assistive technology, with no inline styles (CSP).
    assert html.count("<svg") == 2 and 'role="img"' in html and "<title id=\"chart-volume-title\">" in html
    assert "style=" not in html and "<script" not in html
    assert re.search(r'<rect class="bar bar-received" x="4" y="\d+" width="\d+" height="14"><title>'
                     r"District Development and Reform Commission: Received 5</title>", html)

    response = admin.get("/gov/stats.csv?start=2024-02-01&end=2024-03-31")
    assert response.mimetype == "text/csv"
    assert 'filename="case-statistics-2024-02-01-2024-03-31.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["From", "2024-02-01", "To", "2024-03-31"]
    assert rows[1][:3] == ["Department", "Received", "Closed"]
    by_name = {r[0]: r for r in rows[2:]}
    assert by_name["District Development and Reform Commission"][1:] == [
        "5", "2", "1", "50.0%", "2", "6.5", "3", "66.7%", "3.7"]

    # An officer sees their own department only; a bad period is an error, not a crash.
    officer = browser_for("officer.jw")
    text = page_text(officer.get("/gov/stats?start=2024-02-01&end=2024-03-31"))
    assert "District Economic Commission" in text and "Yueyang" not in text
    assert depts  # used above
    text = page_text(officer.get("/gov/stats?start=2024-03-31&end=2024-02-01"))
    assert "The end of the period must not be before its start." in text
    # A date past what a period's closing midnight can be computed for is refused with a reason.
    response = officer.get("/gov/stats?end=9999-12-31")
    assert response.status_code == 200
    assert "Enter a date between 1900-01-01 and 2199-12-31." in page_text(response)


def test_working_days_in_sql_agree_with_the_deadline_module(app_context):
    """The SQL count over the calendar table matches `working_days_between`, across holidays,
    adjusted weekends and a year the calendar does not know (2027)."""
    load_calendar_years(db.session)
    calendar = work_calendar(db.session)
    rng = random.Random(4)
    pairs = [(date(2024, 2, 8), date(2024, 2, 19)), (date(2026, 2, 13), date(2026, 2, 24)),
             (date(2026, 12, 30), date(2027, 1, 11))]
    for _ in range(40):
        start = date(2023, 12, 1) + timedelta(days=rng.randrange(0, 1300))
        pairs.append((start, start + timedelta(days=rng.randrange(0, 60))))
    for start, end in pairs:
        sql = db.session.scalar(select(working_days_sql(literal(start), literal(end))))
        assert sql == working_days_between(start, end, calendar), (start, end)
