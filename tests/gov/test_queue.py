"""The work queue: scope, filters, search, keyset pages in the URL."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from sqlalchemy import select

from portal.cases import submit_case, transition, work_calendar
from portal.extensions import db
from portal.models import Account, CaseCategory, CaseKind
from tests.gov.conftest import page_text, queue_references
from tests.helpers import sign_in_client


def file_cases(app, count: int, *, category: str = "business-policy", start=None, title="Queue test case"):
    """`count` cases a minute apart from `start`, filed by a demo resident; returns their references."""
    start = start or datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    with app.app_context():
        sender = db.session.scalar(select(Account).where(Account.mobile == "13800000001"))
        chosen = db.session.scalar(select(CaseCategory).where(CaseCategory.code == category))
        calendar = work_calendar(db.session)
        refs = [
            submit_case(db.session, sender, kind=CaseKind.REQUEST, category=chosen, title=f"{title} {n}",
                        body="Body text", now=start + timedelta(minutes=n), calendar=calendar).reference
            for n in range(count)
        ]
        db.session.commit()
        return refs


def test_pages_follow_the_cursor_in_the_url_without_gaps_or_repeats(app, browser_for):
    mine = file_cases(app, 60)
    officer = browser_for("officer.jw")
    seen: list[str] = []
    response = officer.get("/gov/cases", query_string={"q": "Queue test case"})
    pages = 0
    while True:
        html = response.get_data(as_text=True)
        pages += 1
        seen += re.findall(r">([A-Z]{2}-\d{4}-\d{6})</a></td>", html)
        match = re.search(r'rel="next" href="([^"]+)"', html)
        if not match:
            break
        assert "after=" in match.group(1) and "q=Queue+test+case" in match.group(1)  # filters kept
        response = officer.get(unescape(match.group(1)))
        assert "First page" in page_text(response)
    assert pages == 3  # 25 a page
    assert seen == mine  # oldest first, each once


def test_a_damaged_cursor_shows_the_first_page_with_a_notice(app, browser_for):
    file_cases(app, 3)
    officer = browser_for("officer.jw")
    text = page_text(officer.get("/gov/cases?after=not-a-cursor"))
    assert "That page link is not valid. Showing the first page." in text
    assert "Queue test case 0" in text


def test_filters_and_search(app, browser_for):
    old = file_cases(app, 2, title="Ancient")  # March 2026: long overdue by now
    officer = browser_for("officer.jw")
    with app.app_context():
        from portal.models import Case

        case = db.session.scalar(select(Case).where(Case.reference == old[0]))
        officer_account = db.session.scalar(select(Account).where(Account.username == "officer.jw"))
        transition(db.session, case, "accept", officer_account, now=datetime(2026, 3, 2, 3, 0, tzinfo=UTC))
        db.session.commit()

    assert queue_references(officer, q=old[1]) == {old[1]}  # by reference
    assert queue_references(officer, q=old[1].lower()) == {old[1]}
    assert set(old) <= queue_references(officer, q="ancient")  # by words, any case
    assert queue_references(officer, q="ancient", state="accepted") == {old[0]}
    assert queue_references(officer, q="ancient", mine="y") == {old[0]}
    assert set(old) <= queue_references(officer, overdue="y")
    assert queue_references(officer, q="ancient", kind="appeal") == set()
    with app.app_context():
        policy = db.session.scalar(select(CaseCategory.id).where(CaseCategory.code == "business-policy"))
        other = db.session.scalar(select(CaseCategory.id).where(CaseCategory.code == "roads"))
    assert set(old) <= queue_references(officer, category=policy)
    assert queue_references(officer, category=other) == set()  # roads are not jjw's
    # The default view is every case still being worked on.
    assert old[0] in queue_references(officer)
    # A choice that is not on the list is an error on the page, and the default view is shown.
    response = officer.get("/gov/cases?state=nonsense")
    assert response.status_code == 200 and "There is a problem" in page_text(response)


def test_each_officer_sees_their_departments_cases_and_the_administrator_all(app, browser_for):
    jjw_refs = file_cases(app, 2, title="Policy question")
    fs_refs = file_cases(app, 2, category="community", title="Community question")
    officer_jw, officer_fs, admin = browser_for("officer.jw"), browser_for("officer.fs"), browser_for("admin")
    assert set(jjw_refs) <= queue_references(officer_jw)
    assert not set(fs_refs) & queue_references(officer_jw)
    assert set(fs_refs) <= queue_references(officer_fs)
    assert not set(jjw_refs) & queue_references(officer_fs)
    everything = queue_references(admin)
    assert set(jjw_refs + fs_refs) <= everything
    with app.app_context():
        from portal.models import Department

        fsjd = db.session.scalar(select(Department.id).where(Department.code == "fsjd"))
    assert set(fs_refs) <= queue_references(admin, department=fsjd)
    assert not set(jjw_refs) & queue_references(admin, department=fsjd)
    # Only an administrator gets the department filter.
    assert 'name="department"' not in officer_jw.get("/gov/cases").get_data(as_text=True)


def test_rows_show_the_due_date_and_a_worded_light(app, browser_for):
    refs = file_cases(app, 1, title="Lit case")
    text = page_text(browser_for("officer.jw").get("/gov/cases", query_string={"q": refs[0]}))
    assert "Overdue" in text  # filed in March 2026: long past
    assert "Mar 3, 2026" in text  # its acceptance deadline, one working day after a Monday


def test_blank_filters_mean_any(app, browser_for):
    file_cases(app, 2)
    officer = browser_for("officer.jw")
    response = officer.get("/gov/cases?kind=+&state=%09&category=+&department=+")
    assert response.status_code == 200
    assert "Queue test case 1" in page_text(response)


@pytest.fixture
def kept_app(make_app, seeded):
    """The desk with pages kept, as in production (the test configuration turns keeping off)."""
    return make_app(PAGE_CACHE_SECONDS=60, WTF_CSRF_ENABLED=False)


def _accept(app, reference: str, login: str = "officer.jw") -> None:
    from portal.models import Case

    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.reference == reference))
        officer = db.session.scalar(select(Account).where(Account.username == login))
        transition(db.session, case, "accept", officer, now=datetime(2026, 3, 2, 3, 0, tzinfo=UTC))
        db.session.commit()


def test_a_kept_queue_shows_every_change_to_a_case_at_once(kept_app):
    first = file_cases(kept_app, 1, title="Kept queue case")
    officer = sign_in_client(kept_app, "officer.jw")
    assert queue_references(officer, q="Kept queue case", state="submitted") == set(first)
    second = file_cases(kept_app, 1, title="Kept queue case", start=datetime(2026, 3, 3, 1, 0, tzinfo=UTC))
    assert queue_references(officer, q="Kept queue case", state="submitted") == set(first + second)
    _accept(kept_app, first[0])
    assert queue_references(officer, q="Kept queue case", state="submitted") == set(second)
    assert queue_references(officer, q="Kept queue case", state="accepted") == set(first)


def test_a_kept_queue_is_rendered_once_until_something_changes(kept_app, monkeypatch):
    from gov import services

    file_cases(kept_app, 1, title="Counted case")
    officer = sign_in_client(kept_app, "officer.jw")
    rendered = []
    real_queue = services.queue
    monkeypatch.setattr(services, "queue", lambda *args, **kwargs: rendered.append(1) or real_queue(*args, **kwargs))
    for _ in range(3):
        assert officer.get("/gov/cases").status_code == 200
    assert len(rendered) == 1
    file_cases(kept_app, 1, title="Counted case", start=datetime(2026, 3, 3, 1, 0, tzinfo=UTC))
    officer.get("/gov/cases")
    assert len(rendered) == 2


def test_officers_never_get_each_others_kept_queue(kept_app):
    jw = file_cases(kept_app, 2, title="Scoped kept case")
    fs = file_cases(kept_app, 2, category="community", title="Scoped kept case")
    officer_jw, officer_fs = sign_in_client(kept_app, "officer.jw"), sign_in_client(kept_app, "officer.fs")
    lead_jw = sign_in_client(kept_app, "lead.jw")
    for _ in range(2):  # the second round is answered from what the first kept
        assert queue_references(officer_jw, q="Scoped kept case") == set(jw)
        assert queue_references(officer_fs, q="Scoped kept case") == set(fs)
        assert queue_references(lead_jw, q="Scoped kept case") == set(jw)


@pytest.fixture
def colleague(kept_app):
    """A second officer in officer.jw's department, with the same role."""
    from auth.models import TotpCredential
    from auth.passwords import hash_password
    from portal.models import StaffPosition, StaffRole
    from tests.helpers import DEMO_PASSWORD, DEMO_TOTP_SECRET

    with kept_app.app_context():
        officer = db.session.scalar(select(Account).where(Account.username == "officer.jw"))
        department_id = officer.staff_positions[0].department_id
        account = Account(username="colleague.jw", display_name="同事", password_hash=hash_password(DEMO_PASSWORD))
        db.session.add(account)
        db.session.flush()
        db.session.add(StaffPosition(account_id=account.id, department_id=department_id, role=StaffRole.OFFICER))
        db.session.add(TotpCredential(account_id=account.id, secret=DEMO_TOTP_SECRET))
        db.session.commit()
    return "colleague.jw"


def test_colleagues_with_the_same_standing_never_get_each_others_kept_queue(kept_app, colleague):
    mine = file_cases(kept_app, 1, title="Assigned kept case")
    _accept(kept_app, mine[0])  # accepted by officer.jw, and so assigned to them
    officer, other = sign_in_client(kept_app, "officer.jw"), sign_in_client(kept_app, colleague)
    for _ in range(2):
        assert queue_references(officer, q="Assigned kept case", mine="y") == set(mine)
        assert queue_references(other, q="Assigned kept case", mine="y") == set()
