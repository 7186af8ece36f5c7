"""A resident's account is made only once the code sent to the mobile number comes back: nobody can
take a number that is not theirs."""

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from auth.models import PendingRegistration
from portal.audit import Origin
from portal.extensions import db
from portal.models import Account, OutboxMessage
from portal.models.base import utcnow

MOBILE = "13912345678"
DETAILS = {"real_name": "刘洋", "mobile": MOBILE, "resident_id_number": "310117199001011235",
           "password": "Good-pass-2026x", "confirm": "Good-pass-2026x"}


def _codes_sent(app, mobile: str = MOBILE) -> list[str]:
    with app.app_context():
        bodies = db.session.scalars(select(OutboxMessage.body).where(OutboxMessage.recipient == mobile)
                                    .order_by(OutboxMessage.id)).all()
    return [re.search(r"\b(\d{6})\b", body).group(1) for body in bodies]


def _accounts(app, mobile: str = MOBILE) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Account.id)).where(Account.mobile == mobile))


def _move_back(app, **columns):
    """Make the registrations as if `columns` (e.g. code_sent_at) had been that long ago."""
    with app.app_context():
        for registration in db.session.scalars(select(PendingRegistration)):
            for name, ago in columns.items():
                setattr(registration, name, getattr(registration, name) - ago)
        db.session.commit()


def _details_kept(app) -> tuple[str, str, str]:
    with app.app_context():
        kept = db.session.scalar(select(PendingRegistration))
        return kept.real_name, kept.resident_id_number, kept.password_hash


@contextmanager
def _cookie_as_it_was(client):
    """Run the body, then give the browser back the cookie it had before: a second request sent
    before the first's answer came back."""
    with client.session_transaction() as cookie:
        before = dict(cookie)
    yield
    with client.session_transaction() as cookie:
        cookie.clear()
        cookie.update(before)


def _confirm(client, code: str):
    return client.post("/auth/register/confirm", data={"code": code})


def test_the_account_is_made_only_with_the_code_sent_to_the_number(app, client, seeded):
    started = client.post("/auth/register", data=DETAILS)
    assert started.status_code == 303 and started.headers["Location"] == "/auth/register/confirm"
    assert _accounts(app) == 0, "no account before the code comes back"
    (code,) = _codes_sent(app)
    page = client.get("/auth/register/confirm").get_data(as_text=True)
    assert "139****5678" in page and MOBILE not in page

    wrong = _confirm(client, f"{(int(code) + 1) % 1_000_000:06d}")
    assert wrong.status_code == 200 and "That code is not right." in wrong.get_data(as_text=True)
    assert _accounts(app) == 0

    made = _confirm(client, code)
    assert made.headers["Location"] == "/citizen/"
    assert "3101**********1235" in client.get("/auth/account").get_data(as_text=True)
    assert _accounts(app) == 1
    assert _details_kept(app) == ("", "", ""), "the details kept are gone"

    client.post("/auth/logout")
    again = client.post("/auth/register", data=DETAILS)
    assert "already has an account" in again.get_data(as_text=True)
    assert len(_codes_sent(app)) == 1


def test_the_code_message_is_in_the_browsers_language(app, client, seeded):
    client.post("/auth/register", data=DETAILS, headers={"Accept-Language": "zh-CN"})
    with app.app_context():
        body = db.session.scalar(select(OutboxMessage.body).where(OutboxMessage.recipient == MOBILE))
    assert "注册" in body and "15分钟" in body


def test_five_wrong_codes_spend_the_code_until_a_new_one_is_sent(app, client, seeded):
    client.post("/auth/register", data=DETAILS)
    (code,) = _codes_sent(app)
    for n in range(1, 6):
        guess = _confirm(client, f"{(int(code) + n) % 1_000_000:06d}").get_data(as_text=True)
        assert "That code is not right." in guess
    spent = _confirm(client, code).get_data(as_text=True)
    assert "Too many wrong codes. Send a new code and enter that one." in spent
    assert _accounts(app) == 0

    too_soon = client.post("/auth/register/code", follow_redirects=True).get_data(as_text=True)
    assert "We sent a code less than a minute ago." in too_soon and len(_codes_sent(app)) == 1
    _move_back(app, code_sent_at=timedelta(seconds=61))
    resent = client.post("/auth/register/code", follow_redirects=True).get_data(as_text=True)
    assert "We have sent a new code. The one before no longer works." in resent
    first, second = _codes_sent(app)
    if first != second:
        assert "That code is not right." in _confirm(client, first).get_data(as_text=True)
    assert _confirm(client, second).headers["Location"] == "/citizen/"


def test_a_number_is_sent_at_most_five_codes_an_hour(app, seeded):
    from auth.models import SignInThrottle

    browsers = [app.test_client() for _ in range(6)]
    for browser in browsers:
        browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    answers = [browser.post("/auth/register", data=DETAILS) for browser in browsers]
    assert [a.status_code for a in answers[:5]] == [303] * 5
    assert "as many codes as we send in an hour" in answers[5].get_data(as_text=True)
    assert 'value="刘洋"' in answers[5].get_data(as_text=True), "what was typed is kept"
    assert len(_codes_sent(app)) == 5
    _move_back(app, code_sent_at=timedelta(seconds=61))
    refused = browsers[0].post("/auth/register/code", follow_redirects=True).get_data(as_text=True)
    assert "as many codes as we send in an hour" in refused and len(_codes_sent(app)) == 5
    with app.app_context():
        db.session.execute(db.update(SignInThrottle).values(first_failure_at=utcnow() - timedelta(minutes=61)))
        db.session.commit()
    assert browsers[5].post("/auth/register", data=DETAILS).status_code == 303, "an hour later"
    assert len(_codes_sent(app)) == 6


def test_going_back_shows_the_details_typed_but_not_the_password(client, seeded):
    client.post("/auth/register", data=DETAILS)
    page = client.get("/auth/register").get_data(as_text=True)
    assert 'value="刘洋"' in page and f'value="{MOBILE}"' in page and 'value="310117199001011235"' in page
    assert "Good-pass-2026x" not in page


def test_an_expired_registration_asks_again_with_the_details_filled_in(app, client, seeded):
    client.post("/auth/register", data=DETAILS)
    (code,) = _codes_sent(app)
    _move_back(app, expires_at=timedelta(minutes=16))
    answer = _confirm(client, code)
    assert answer.headers["Location"] == "/auth/register"
    page = client.get("/auth/register").get_data(as_text=True)
    assert "that time is over. Check them, enter your password again" in page and 'value="刘洋"' in page
    assert _accounts(app) == 0


def test_without_a_registration_the_code_page_sends_to_the_form(client, seeded):
    answer = client.get("/auth/register/confirm")
    assert answer.headers["Location"] == "/auth/register"
    assert client.post("/auth/register/code").headers["Location"] == "/auth/register"


def test_the_same_right_code_sent_twice_at_once_makes_one_account(app, client, seeded, monkeypatch):
    """The second request counts its try before the first claims the registration; it then finds it
    claimed and is told the account was made, not that something failed."""
    from sqlalchemy.orm import Session

    from auth import services

    client.post("/auth/register", data=DETAILS)
    (code,) = _codes_sent(app)
    with client.session_transaction() as cookie:
        public_id = cookie["pending_registration"]
    compare = services.hmac.compare_digest
    outcomes = []

    def first_request_finishes_meanwhile(a, b):
        monkeypatch.setattr(services.hmac, "compare_digest", compare)
        with Session(db.engine) as other:
            outcomes.append(services.confirm_registration(other, public_id, code, origin=Origin()).mobile)
        return compare(a, b)

    with app.test_request_context("/"):
        monkeypatch.setattr(services.hmac, "compare_digest", first_request_finishes_meanwhile)
        with pytest.raises(services.IdentityError) as refused:
            services.confirm_registration(db.session, public_id, code, origin=Origin())
    assert outcomes == [MOBILE] and refused.value.code == "registration_done"
    assert _accounts(app) == 1


def test_the_code_sent_again_after_the_account_was_made_says_so(app, client, seeded):
    """A double click: the browser shows the second answer, which must not say something failed."""
    client.post("/auth/register", data=DETAILS)
    (code,) = _codes_sent(app)
    with _cookie_as_it_was(client):
        assert _confirm(client, code).headers["Location"] == "/citizen/"
    again = _confirm(client, code)
    assert again.headers["Location"] == "/auth/login"
    assert "Your account has been created. Sign in" in client.get("/auth/login").get_data(as_text=True)
    assert _accounts(app) == 1
    assert _details_kept(app) == ("", "", ""), "details cleared"


def test_a_code_typed_with_full_width_digits_or_spaces_works(app, client, seeded):
    client.post("/auth/register", data=DETAILS)
    (code,) = _codes_sent(app)
    typed = " ".join(chr(ord(digit) - ord("0") + ord("０")) for digit in code)
    assert "6 digits" in _confirm(client, "12345").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(PendingRegistration.attempts)) == 0, "a malformed code costs no try"
    assert _confirm(client, typed).headers["Location"] == "/citizen/"


def test_a_mobile_number_with_a_line_break_after_it_is_refused(app, client, seeded):
    answer = client.post("/auth/register", data={**DETAILS, "mobile": MOBILE + "\n"})
    assert answer.status_code == 200 and "Enter an 11-digit mainland mobile number" in answer.get_data(as_text=True)
    assert _codes_sent(app) == [] and _codes_sent(app, MOBILE + "\n") == []


def test_a_number_taken_while_the_code_travelled_shows_the_details_again(app, client, seeded):
    client.post("/auth/register", data=DETAILS)
    (code,) = _codes_sent(app)
    other = app.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    other.post("/auth/register", data={**DETAILS, "resident_id_number": "11010519491231002X"})
    assert _confirm(other, _codes_sent(app)[-1]).headers["Location"] == "/citizen/"
    taken = _confirm(client, code)
    assert taken.headers["Location"] == "/auth/register"
    page = client.get("/auth/register").get_data(as_text=True)
    assert "This mobile number already has an account." in page and 'value="310117199001011235"' in page
    assert _accounts(app) == 1


def test_unfinished_registrations_go_an_hour_after_their_code_expired(app, client, seeded):
    from auth.services import purge_registrations

    client.post("/auth/register", data=DETAILS)
    app.test_client().post("/auth/register", data={**DETAILS, "mobile": "13912345679"})
    with app.app_context():
        old = db.session.scalar(select(PendingRegistration).where(PendingRegistration.mobile == MOBILE))
        old.expires_at = utcnow() - timedelta(minutes=61)
        db.session.commit()
        assert purge_registrations(db.session) == 1
        db.session.commit()
        assert db.session.scalars(select(PendingRegistration.mobile)).all() == ["13912345679"]


_numbers = iter(range(13950000000, 13960000000))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(code=st.one_of(st.text(max_size=30), st.from_regex(r"\A[0-9]{6}\Z")))
def test_any_code_typed_is_answered_without_an_error(app, seeded, code):
    browser = app.test_client()
    mobile = str(next(_numbers))
    browser.post("/auth/register", data={**DETAILS, "mobile": mobile})
    answer = browser.post("/auth/register/confirm", data={"code": code})
    assert answer.status_code in (200, 302, 400)  # 400: a NUL, refused before any view
    assert _accounts(app, mobile) == 0 or code.strip() in _codes_sent(app, mobile)


def test_asking_for_a_new_code_after_the_account_was_made_says_so(app, client, seeded):
    client.post("/auth/register", data=DETAILS)
    (code,) = _codes_sent(app)
    with _cookie_as_it_was(client):
        _confirm(client, code)
    _move_back(app, code_sent_at=timedelta(seconds=61))
    assert client.post("/auth/register/code").headers["Location"] == "/auth/login"
    assert len(_codes_sent(app)) == 1
