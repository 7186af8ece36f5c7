"""A person's own kept pages (kept with `vary`: the desk's queue, a company's policy matches)
answered before the application's request handling, when every statement the application's answer
read gives the same rows again (portal.page_shortcut, portal.read_sets): the application's own
answer, and the application's answer the moment anything it read has changed."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select, update

from auth.models import TotpCredential
from citizen import services as citizen_services
from portal import city_code, form_tokens, page_cache
from portal.code_keys import app_keyring
from portal.extensions import db
from portal.models import (
    Account,
    Enterprise,
    EnterpriseCertification,
    Membership,
    MembershipStatus,
    StaffPosition,
)
from portal.models.base import utcnow
from portal.rules.vocabulary import Certification
from tests.enterprise.conftest import AGENT, COMPANY_USCC
from tests.gov.test_queue import file_cases
from tests.helpers import sign_in_client
from tests.portal.test_page_shortcut import (
    _early_and_application_answers_agree,
    _handled_by_the_application,
    _own_headers,
)

QUEUE = "/gov/cases"


@pytest.fixture
def kept_app(make_app, seeded):
    app = make_app(PAGE_CACHE_SECONDS=60, WTF_CSRF_ENABLED=False)
    app.handled = []  # the requests the application itself handled
    handle = app.request_context
    app.request_context = lambda environ: (app.handled.append(environ["PATH_INFO"]), handle(environ))[1]
    return app


def _until_answered_early(app, browser, path: str) -> None:
    """Open `path` as a reload would until the answer comes early: the first answers render the
    page, and set the cookie that keeps the session's CSRF token."""
    for _ in range(4):
        if not _handled_by_the_application(app, browser, path)[1]:
            return
    pytest.fail(f"{path} was never answered early")


def _matches_url(app) -> str:
    with app.app_context():
        company = db.session.scalar(select(Enterprise.public_id).where(Enterprise.uscc == COMPANY_USCC))
    return f"/enterprise/c/{company}/matches"


def _change(app, statement) -> None:
    with app.app_context():
        db.session.execute(statement)
        db.session.commit()


def _account_id(app, **where) -> int:
    with app.app_context():
        return db.session.scalar(select(Account.id).filter_by(**where))


def test_the_officers_queue_is_the_applications_own_answer(kept_app):
    file_cases(kept_app, 1, title="Early queue case")
    officer = sign_in_client(kept_app, "officer.jw")
    _until_answered_early(kept_app, officer, QUEUE)
    page = _early_and_application_answers_agree(kept_app, officer, QUEUE).get_data(as_text=True)
    assert "Early queue case 0" in page


def test_another_officer_gets_their_own_queue_from_the_application(kept_app):
    officer = sign_in_client(kept_app, "officer.jw")
    _until_answered_early(kept_app, officer, QUEUE)
    other = sign_in_client(kept_app, "officer.fs")
    answer, handled = _handled_by_the_application(kept_app, other, QUEUE)
    assert handled


@pytest.mark.parametrize("change", ["staff position withdrawn", "authenticator removed", "signed out everywhere"])
def test_a_change_to_the_officers_standing_goes_to_the_application(kept_app, change):
    officer = sign_in_client(kept_app, "officer.jw")
    _until_answered_early(kept_app, officer, QUEUE)
    account_id = _account_id(kept_app, username="officer.jw")
    _change(kept_app, {
        "staff position withdrawn": delete(StaffPosition).where(StaffPosition.account_id == account_id),
        "authenticator removed": delete(TotpCredential).where(TotpCredential.account_id == account_id),
        "signed out everywhere": update(Account).where(Account.id == account_id)
        .values(session_version=Account.session_version + 1),
    }[change])
    answer, handled = _handled_by_the_application(kept_app, officer, QUEUE)
    assert handled
    assert answer.status_code != 200


def test_a_new_case_in_the_queue_goes_to_the_application_and_shows(kept_app):
    officer = sign_in_client(kept_app, "officer.jw")
    _until_answered_early(kept_app, officer, QUEUE)
    file_cases(kept_app, 1, title="Newly filed case", start=datetime(2026, 3, 4, 1, 0, tzinfo=UTC))
    answer, handled = _handled_by_the_application(kept_app, officer, QUEUE)
    assert handled and "Newly filed case 0" in answer.get_data(as_text=True)


def test_a_companys_matches_are_the_applications_own_answer(kept_app):
    agent = sign_in_client(kept_app, AGENT)
    url = _matches_url(kept_app)
    _until_answered_early(kept_app, agent, url)
    _early_and_application_answers_agree(kept_app, agent, url)


def test_an_agent_whose_membership_ends_is_refused_at_once(kept_app):
    agent = sign_in_client(kept_app, AGENT)
    url = _matches_url(kept_app)
    _until_answered_early(kept_app, agent, url)
    account_id = _account_id(kept_app, mobile=AGENT)
    _change(kept_app, update(Membership).where(Membership.account_id == account_id)
            .values(status=MembershipStatus.REVOKED))
    answer, handled = _handled_by_the_application(kept_app, agent, url)
    assert handled and answer.status_code == 404


@pytest.mark.parametrize("change", ["the company's figures", "a certification"])
def test_a_change_to_what_the_matches_depend_on_goes_to_the_application(kept_app, change):
    agent = sign_in_client(kept_app, AGENT)
    url = _matches_url(kept_app)
    _until_answered_early(kept_app, agent, url)
    with kept_app.app_context():
        company = db.session.scalar(select(Enterprise).where(Enterprise.uscc == COMPANY_USCC))
        if change == "the company's figures":
            company.employees = (company.employees or 0) + 1
        else:
            held = {row.certification for row in company.certification_rows}
            db.session.add(EnterpriseCertification(enterprise_id=company.id,
                                                   certification=next(c for c in Certification if c not in held)))
        db.session.commit()
    answer, handled = _handled_by_the_application(kept_app, agent, url)
    assert handled and answer.status_code == 200


def test_a_request_that_read_outside_the_core_path_is_not_answered_early(kept_app, monkeypatch):
    # Say the desk's hooks read something through the ORM: what it read is not kept, so the
    # answer cannot be known to stay the same.
    def read_through_the_orm():
        db.session.scalar(select(Account.id).limit(1))

    kept_app.before_request_funcs.setdefault("gov", []).append(read_through_the_orm)
    try:
        officer = sign_in_client(kept_app, "officer.jw")
        for _ in range(4):
            assert _handled_by_the_application(kept_app, officer, QUEUE)[1]
    finally:
        kept_app.before_request_funcs["gov"].remove(read_through_the_orm)


# --- the city code page ------------------------------------------------------------------------------

CODE = "/citizen/code"
RESIDENT = "13800000002"  # a resident with a verified name: the page shows a live code and paper codes


def _form_tokens(page: str) -> list[str]:
    return re.findall(r'name="form_token" type="hidden" value="([^"]+)"', page)


def _countdown(page: str) -> int:
    return int(re.search(r'data-refresh="(\d+)"', page).group(1))


@pytest.fixture
def stopped_clock(monkeypatch):
    """The clock the code page reads, stopped: its countdown stays where it is, so the moment it
    would tick never comes, while a test compares answers or changes what the page shows."""
    now = utcnow()
    for module in (citizen_services, city_code, page_cache):
        monkeypatch.setattr(module, "utcnow", lambda: now)
    monkeypatch.setattr(city_code, "shown_alike_until", lambda live: now + timedelta(days=1))
    return now


def test_the_city_code_page_is_the_applications_own_answer_with_its_own_form_token(kept_app, stopped_clock):
    resident = sign_in_client(kept_app, RESIDENT)
    _until_answered_early(kept_app, resident, CODE)
    early, handled = _handled_by_the_application(kept_app, resident, CODE)
    assert not handled
    # The application's own answer, rendered afresh: nothing kept, nothing answered early.
    kept = {name: kept_app.extensions.pop(name) for name in ("page_shortcut", "page_cache", "page_cache.by_the_clock")}
    application, handled = _handled_by_the_application(kept_app, resident, CODE)
    kept_app.extensions.update(kept)
    assert handled
    assert _own_headers(early) == _own_headers(application)
    early_page, application_page = early.get_data(as_text=True), application.get_data(as_text=True)
    # The form that prints a paper code has its own token in each answer; the rest is the same.
    tokens = _form_tokens(early_page) + _form_tokens(application_page)
    assert len(tokens) == 2 and len(set(tokens)) == 2
    assert early_page.replace(tokens[0], "") == application_page.replace(tokens[1], "")
    assert form_tokens.SLOT not in early_page and page_cache.CSRF_SLOT not in early_page
    assert _form_tokens(resident.get(CODE).get_data(as_text=True))[0] not in tokens  # and the next its own
    # The early answer's token is good: it prints a paper code.
    made = resident.post("/citizen/code/paper", data={"form_token": tokens[0]})
    assert made.status_code == 302 and "/citizen/code/paper/" in made.headers["Location"]


def test_the_city_code_page_is_answered_early_no_longer_than_its_countdown_stands(kept_app):
    resident = sign_in_client(kept_app, RESIDENT)
    _until_answered_early(kept_app, resident, CODE)
    shown = _countdown(resident.get(CODE).get_data(as_text=True))
    time.sleep(1.05)  # the countdown ticks at least once
    answer, handled = _handled_by_the_application(kept_app, resident, CODE)
    assert handled and _countdown(answer.get_data(as_text=True)) < shown


def _scan(app, digits: str) -> None:
    with app.app_context():
        officer = db.session.scalar(select(Account).filter_by(username="officer.fs"))
        assert city_code.verify_city_code(db.session, digits, "entry", officer, keyring=app_keyring()).verified
        db.session.commit()


def _print_a_paper_code(app, _digits: str) -> None:
    with app.app_context():
        resident = db.session.scalar(select(Account).filter_by(mobile=RESIDENT))
        city_code.issue_paper_code(db.session, app_keyring(), actor=resident, subject=resident, origin=None)
        db.session.commit()


@pytest.mark.parametrize("change, shows", [(_scan, "Entry to a building"),
                                           (_print_a_paper_code, "Revoke it: it was lost")])
def test_a_change_to_the_city_code_page_goes_to_the_application_and_shows(kept_app, stopped_clock, change, shows):
    resident = sign_in_client(kept_app, RESIDENT)
    _until_answered_early(kept_app, resident, CODE)
    before, handled = _handled_by_the_application(kept_app, resident, CODE)
    assert not handled and shows not in before.get_data(as_text=True)
    digits = re.search(r'id="numeric-code"[^>]*>(\d{5} \d{5})<', before.get_data(as_text=True)).group(1)
    change(kept_app, digits)
    answer, handled = _handled_by_the_application(kept_app, resident, CODE)
    page = answer.get_data(as_text=True)
    assert handled and shows in page
    if change is _scan:
        assert digits not in page  # a code once used is never shown again
