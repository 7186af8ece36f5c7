"""The workbench home, announcements with read receipts, department system tiles, the holiday
calendar and its warning, access to the desk."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from gov import services
from portal.cases import work_calendar
from portal.extensions import db
from portal.models import Case
from tests.gov.conftest import page_text
from tests.gov.test_queue import file_cases

DESK_ROUTES = {
    ("gov.index", "/gov/"),
    ("gov.queue", "/gov/cases"),
    ("gov.case", "/gov/cases/<public_id>"),
    ("gov.act", "/gov/cases/<public_id>/<action>"),
    ("gov.messages", "/gov/messages"),
    ("gov.read_messages", "/gov/messages/read"),
    ("gov.read_announcement", "/gov/announcements/<public_id>/read"),
    ("gov.announcements", "/gov/announcements"),
    ("gov.withdraw_announcement", "/gov/announcements/<public_id>/withdraw"),
    ("gov.calendar", "/gov/calendar"),
    ("gov.stats", "/gov/stats"),
    ("gov.stats_csv", "/gov/stats.csv"),
    ("citizen.cases", "/citizen/cases"),
    ("citizen.case", "/citizen/cases/<public_id>"),
    ("citizen.resubmit_case", "/citizen/cases/<public_id>/information"),
    ("citizen.rate_case", "/citizen/cases/<public_id>/rating"),
    ("citizen.new_request", "/citizen/requests/new"),
    ("citizen.inbox", "/citizen/inbox"),
    ("citizen.read_inbox", "/citizen/inbox/read"),
}


def test_the_desk_routes_are_the_ones_we_expect(app):
    routes = {(rule.endpoint, rule.rule) for rule in app.url_map.iter_rules()}
    assert routes >= DESK_ROUTES


@pytest.mark.parametrize("url", ["/gov/", "/gov/cases", "/gov/stats", "/gov/messages", "/gov/calendar"])
def test_the_desk_needs_a_signed_in_staff_member(client, browser_for, url):
    assert "/auth/login" in client.get(url).headers["Location"]
    assert browser_for("13800000001").get(url).status_code == 403


def test_administration_pages_are_for_administrators(browser_for):
    officer = browser_for("officer.jw")
    for url in ("/gov/announcements", "/gov/calendar"):
        assert officer.get(url).status_code == 403
    assert officer.post("/gov/calendar", data={"year": "2030"}).status_code == 403


def test_workbench_counts_to_dos_across_kinds(app, browser_for):
    file_cases(app, 3, title="Unsigned")
    text = page_text(browser_for("officer.jw").get("/gov/"))
    assert "Collaboration desk" in text and "赵磊, Officer, District Economic Commission" in text
    for label in ("Waiting to be signed for", "Assigned to me", "Transfers offered to your department",
                  "Replied, waiting to be closed", "All open cases you can see", "overdue",
                  "due within 2 working days"):
        assert label in text
    assert "Extensions waiting for your approval" not in text  # an officer leads nothing
    with app.test_request_context("/gov/", headers={"Accept-Language": "en"}):
        from portal.models import Account

        officer = db.session.scalar(select(Account).where(Account.username == "officer.jw"))
        bench = services.workbench(db.session, officer, datetime.now(UTC), "en")
        todos = {todo.key: todo for todo in bench.todos}
        to_sign = db.session.scalar(
            select(db.func.count()).select_from(Case).where(
                Case.state == "submitted", Case.department_id == officer.staff_positions[0].department_id
            )
        )
    assert todos["to_sign"].count == to_sign >= 3
    assert sum(todos["to_sign"].by_kind.values()) == to_sign
    assert bench.overdue >= 3  # the three filed in March 2026 are long overdue
    lead_text = page_text(browser_for("lead.jw").get("/gov/"))
    assert "Extensions waiting for your approval" in lead_text


def test_announcements_are_published_read_and_counted(browser_for):
    admin, officer = browser_for("admin"), browser_for("officer.jw")
    response = admin.post("/gov/announcements", data={"title": "", "body": "No title"})
    assert "Enter a title." in page_text(response) and "No title</textarea>" in response.get_data(as_text=True)
    response = admin.post("/gov/announcements", data={"title": "Flood drill on Friday", "body": "All staff: 15:00."})
    assert response.status_code == 303
    assert "0 of 5 staff" in page_text(admin.get("/gov/announcements"))

    html = officer.get("/gov/").get_data(as_text=True)
    assert "Flood drill on Friday" in html and "Unread" in html
    read_url = form_action(html, "/read", "Flood drill on Friday")
    assert officer.post(read_url).status_code == 303
    assert "You confirmed reading it on" in page_text(officer.get("/gov/"))
    assert "1 of 5 staff" in page_text(admin.get("/gov/announcements"))
    officer.post(read_url)  # twice is once
    assert "1 of 5 staff" in page_text(admin.get("/gov/announcements"))

    withdraw_url = form_action(admin.get("/gov/announcements").get_data(as_text=True), "/withdraw", "Flood drill")
    assert admin.post(withdraw_url).status_code == 303
    assert "Flood drill on Friday" not in page_text(officer.get("/gov/"))
    assert "Withdrawn" in page_text(admin.get("/gov/announcements"))


def form_action(html: str, ending: str, containing: str) -> str:
    """The address of the POST form whose button or fields mention `containing`."""
    for action, body in re.findall(r'<form method="post" action="([^"]+)">(.*?)</form>', html, flags=re.S):
        if action.endswith(ending) and containing in body:
            return action
    raise AssertionError(f"no form ending {ending} about {containing}")


def test_department_systems_open_at_their_own_address(browser_for):
    html = browser_for("officer.fs").get("/gov/").get_data(as_text=True)
    assert 'href="http://127.0.0.1:8001/"' in html  # the demo department system's first redirect origin
    assert "Demo API" not in html  # an interface that only checks tokens is nothing to open


def test_the_desk_warns_while_a_due_date_runs_into_a_year_not_loaded(app, browser_for):
    # Filed on the last working days of 2026: due in 2027, which the package does not know.
    [ref] = file_cases(app, 1, start=datetime(2026, 12, 30, 2, 0, tzinfo=UTC), title="Year end")
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.reference == ref))
        estimated_due = case.reply_due
        assert case.due_estimated
        assert services.unloaded_years_ahead(db.session, work_calendar(db.session), date(2026, 3, 1)) == (2027,)
    officer, admin = browser_for("officer.jw"), browser_for("admin")
    assert "The holiday calendar for 2027 is not loaded." in page_text(officer.get("/gov/"))
    public_id = case.public_id
    assert "The due dates are estimated" in page_text(officer.get(f"/gov/cases/{public_id}"))

    # The administrator loads 2027 when the State Council publishes it.
    bad = admin.post("/gov/calendar", data={"year": "2027", "holidays": "2027-13-01 Nonsense", "workdays": ""})
    assert "Line 1 is not a date or a range of dates" in page_text(bad)
    assert "2027-13-01 Nonsense</textarea>" in bad.get_data(as_text=True)
    weekday = admin.post("/gov/calendar", data={"year": "2027", "holidays": "", "workdays": "2027-01-04 Monday"})
    assert "is a weekday; adjusted working days fall on weekends" in page_text(weekday)
    response = admin.post("/gov/calendar", data={
        "year": "2027",
        "holidays": "2027-01-01..2027-01-03 New Year's Day\n2027-02-06..2027-02-12 Spring Festival",
        "workdays": "2027-02-13 Spring Festival",
    })
    assert response.status_code == 303
    listing = page_text(admin.get("/gov/calendar"))
    assert "Edit 2027" in listing and "Entered by an administrator" in listing
    edit = admin.get("/gov/calendar?year=2027").get_data(as_text=True)
    assert "2027-02-06 Spring Festival" in edit
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.reference == ref))
        assert not case.due_estimated
        assert case.reply_due > estimated_due  # New Year's days off now count
    assert "The holiday calendar for 2027 is not loaded." not in page_text(officer.get("/gov/"))
    assert "The due dates are estimated" not in page_text(officer.get(f"/gov/cases/{public_id}"))


def test_staff_messages_list_and_mark_read(app, browser_for):
    [ref] = file_cases(app, 1)
    lead_fs, officer = browser_for("lead.fs"), browser_for("officer.jw")
    with app.app_context():
        public_id = db.session.scalar(select(Case.public_id).where(Case.reference == ref))
    officer.post(f"/gov/cases/{public_id}/accept")
    officer.post(f"/gov/cases/{public_id}/invite", data={"invite-department": str(_dept(app, "fsjd"))})
    text = page_text(lead_fs.get("/gov/messages"))  # told: the department's lead
    assert f"Your department is asked to assist on case {ref}" in text and "Unread" in text
    assert lead_fs.post("/gov/messages/read").status_code == 303
    assert "Unread" not in page_text(lead_fs.get("/gov/messages"))


def _dept(app, code):
    from portal.models import Department

    with app.app_context():
        return db.session.scalar(select(Department.id).where(Department.code == code))


def test_desk_pages_stay_under_the_size_budget(app, browser_for):
    """HTML plus the CSS and scripts it loads, under 60 KB, for the biggest pages of each kind."""
    file_cases(app, 30, title="Budget")
    admin, officer, resident = browser_for("admin"), browser_for("officer.jw"), browser_for("13800000001")
    with app.app_context():
        public_id = db.session.scalar(select(Case.public_id).where(Case.title == "Budget 0"))
    pages = [
        (admin, "/gov/"), (admin, "/gov/cases?state=all"), (admin, "/gov/stats"), (admin, "/gov/calendar"),
        (admin, "/gov/announcements"), (officer, f"/gov/cases/{public_id}"), (officer, "/gov/messages"),
        (resident, "/citizen/cases"), (resident, f"/citizen/cases/{public_id}"), (resident, "/citizen/requests/new"),
        (resident, "/citizen/inbox"),
    ]
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data()
        total = len(html)
        for asset in re.findall(r'(?:href|src)="(/static/[^"?]+)', html.decode()):
            with client.get(asset) as static:
                total += len(static.get_data())
        assert total < 60 * 1024, (url, total)
