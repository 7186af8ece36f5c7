import re
from datetime import timedelta

import pyotp

from auth.models import TotpCredential
from portal.extensions import db
from portal.models.base import utcnow
from tests.helpers import DEMO_PASSWORD, statements_run, totp_code


def test_government_pages_need_the_second_factor(client, seeded):
    response = client.post("/auth/login", data={"username": "officer.jw", "password": DEMO_PASSWORD})
    assert response.headers["Location"].startswith("/auth/mfa")
    # Password alone signs nobody in.
    assert client.get("/gov/").headers["Location"].startswith("/auth/login")
    assert client.get("/auth/account").status_code == 302


def test_officer_with_code_opens_the_desk(client, login):
    response = login("officer.jw")
    assert response.status_code == 302
    page = client.get("/gov/")
    assert page.status_code == 200
    assert "District Economic Commission" in page.get_data(as_text=True)


def test_a_code_is_accepted_only_once(client, seeded):
    client.post("/auth/login", data={"username": "officer.fs", "password": DEMO_PASSWORD})
    code = totp_code()
    assert client.post("/auth/mfa", data={"code": code}).headers["Location"] == "/"
    client.post("/auth/logout")
    client.post("/auth/login", data={"username": "officer.fs", "password": DEMO_PASSWORD})
    replay = client.post("/auth/mfa", data={"code": code})
    assert replay.status_code == 200
    assert "not right" in replay.get_data(as_text=True)


def test_resident_cannot_open_the_desk(client, login):
    login("13800000001")
    assert client.get("/gov/").status_code == 403


def test_staff_without_an_authenticator_must_enrol_first(app, client, login, seeded):
    from portal.models import Account

    with app.app_context():
        officer = db.session.scalar(db.select(Account).filter_by(username="lead.fs"))
        db.session.delete(db.session.scalar(db.select(TotpCredential).filter_by(account_id=officer.id)))
        db.session.commit()
    login("lead.fs")
    assert client.get("/gov/").headers["Location"].startswith("/auth/mfa/setup")
    page = client.get("/auth/mfa/setup").get_data(as_text=True)
    secret = re.search(r'class="secret">([A-Z2-7]+)<', page).group(1)
    done = client.post("/auth/mfa/setup", data={"code": pyotp.TOTP(secret).now()})
    codes = re.findall(r"<li>([0-9a-f]{5}-[0-9a-f]{5})</li>", done.get_data(as_text=True))
    assert len(codes) == 10
    assert client.get("/gov/").status_code == 200
    # A recovery code works once in place of the app.
    client.post("/auth/logout")
    client.post("/auth/login", data={"username": "lead.fs", "password": DEMO_PASSWORD})
    assert client.post("/auth/mfa", data={"code": codes[0]}).status_code == 302
    client.post("/auth/logout")
    client.post("/auth/login", data={"username": "lead.fs", "password": DEMO_PASSWORD})
    assert client.post("/auth/mfa", data={"code": codes[0]}).status_code == 200


def test_resident_may_turn_the_second_factor_on(client, login):
    login("13800000001")
    page = client.get("/auth/mfa/setup").get_data(as_text=True)
    secret = re.search(r'class="secret">([A-Z2-7]+)<', page).group(1)
    assert 'src="data:image/svg+xml;base64,' in page
    client.post("/auth/mfa/setup", data={"code": "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"})
    assert client.get("/auth/account").get_data(as_text=True).count("Off.") + 1
    client.post("/auth/mfa/setup", data={"code": pyotp.TOTP(secret).now()})
    client.post("/auth/logout")
    response = client.post("/auth/login", data={"username": "13800000001", "password": DEMO_PASSWORD})
    assert response.headers["Location"].startswith("/auth/mfa")


def test_a_desk_request_reads_the_staff_standing_with_the_account(app_context, seeded):
    from auth import mfa
    from portal.models import Account

    officer, resident = (db.session.scalar(db.select(Account.public_id).where(condition)) for condition in
                         (Account.username == "officer.jw", Account.mobile == "13800000001"))
    with statements_run() as statements:
        account = mfa.account_with_standing(db.session, officer)
        assert account.staff_positions and mfa.staff_standing(db.session, account) is True
    assert len(statements) == 1, statements
    with statements_run() as statements:  # asked again in the same request: read afresh
        assert mfa.staff_standing(db.session, account) is True
    assert len(statements) == 1, statements
    with statements_run() as statements:
        assert mfa.staff_standing(db.session, mfa.account_with_standing(db.session, resident)) is None
        assert mfa.account_with_standing(db.session, "no-such-account") is None
    assert len(statements) == 2, statements


def test_an_authenticator_removed_shows_on_the_next_desk_page(app, client, login, seeded):
    from portal.models import Account

    login("officer.jw")
    assert client.get("/gov/").status_code == 200
    with app.app_context():
        officer = db.session.scalar(db.select(Account).filter_by(username="officer.jw"))
        db.session.delete(db.session.scalar(db.select(TotpCredential).filter_by(account_id=officer.id)))
        db.session.commit()
    assert client.get("/gov/cases").headers["Location"].startswith("/auth/mfa/setup")


def test_removing_the_authenticator_stops_after_five_wrong_passwords(app, client, login):
    login("13800000001")
    _enrol(client)

    def remove(password):
        response = client.post("/auth/mfa/remove", data={"password": password}, follow_redirects=True)
        return response.get_data(as_text=True)

    answers = [remove(f"Guess-{n}-2026") for n in range(5)]
    assert all("Your current password is not right." in page for page in answers[:4])
    assert "Too many wrong passwords" in answers[4]
    assert "Too many wrong passwords" in remove(DEMO_PASSWORD), "the right password waits too"
    assert _secret_on_file(app, "13800000001") is not None
    # The owner is told, in the inbox and by SMS, once.
    assert client.get("/citizen/inbox").get_data(as_text=True).count("Your account page is locked for 15 minutes") == 1
    with app.app_context():
        from portal.models import OutboxMessage

        sms = db.session.scalars(db.select(OutboxMessage.body).filter_by(recipient="13800000001")).all()
    assert [body for body in sms if "账号页面连续输错了5次密码" in body] == [sms[-1]]

    # Locked again once the lock is over, while the notice is still unread: not told twice.
    with app.app_context():
        from auth.models import SignInThrottle

        db.session.execute(db.update(SignInThrottle).values(locked_until=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert "Too many wrong passwords" in [remove(f"Guess-{n}-2027") for n in range(5)][-1]
    assert client.get("/citizen/inbox").get_data(as_text=True).count("Your account page is locked for 15 minutes") == 1
    with app.app_context():
        sent = db.session.scalar(db.select(db.func.count(OutboxMessage.id)).filter_by(recipient="13800000001"))
    assert sent == len(sms)


def _enrol(client) -> str:
    page = client.get("/auth/mfa/setup").get_data(as_text=True)
    secret = re.search(r'class="secret">([A-Z2-7]+)<', page).group(1)
    client.post("/auth/mfa/setup", data={"code": pyotp.TOTP(secret).now()})
    return secret


def _secret_on_file(app, mobile: str) -> str | None:
    from portal.models import Account

    with app.app_context():
        account = db.session.scalar(db.select(Account).filter_by(mobile=mobile))
        return db.session.scalar(db.select(TotpCredential.secret).filter_by(account_id=account.id))


def test_moving_the_authenticator_to_a_new_phone_needs_the_password(app, client, login):
    login("13800000001")
    old_secret = _enrol(client)
    page = client.get("/auth/mfa/setup").get_data(as_text=True)
    assert 'name="password"' in page and "This replaces the authenticator app you use now" in page
    new_secret = re.search(r'class="secret">([A-Z2-7]+)<', page).group(1)
    code = pyotp.TOTP(new_secret).now()

    missing = client.post("/auth/mfa/setup", data={"code": code})
    assert missing.status_code == 200 and "Enter your password." in missing.get_data(as_text=True)
    wrong = client.post("/auth/mfa/setup", data={"code": code, "password": "Guess-1-2026"})
    assert re.search(r'id="password-error">.*Your current password is not right\.', wrong.get_data(as_text=True))
    assert _secret_on_file(app, "13800000001") == old_secret, "a session alone cannot move the second factor"

    moved = client.post("/auth/mfa/setup", data={"code": code, "password": DEMO_PASSWORD})
    assert len(re.findall(r"<li>([0-9a-f]{5}-[0-9a-f]{5})</li>", moved.get_data(as_text=True))) == 10
    assert _secret_on_file(app, "13800000001") == new_secret


def test_setting_up_a_first_authenticator_asks_no_password(client, login):
    login("13800000001")
    page = client.get("/auth/mfa/setup").get_data(as_text=True)
    assert 'name="password"' not in page


def test_a_first_authenticator_long_after_signing_in_needs_the_password(app, client, login):
    """A session someone has taken over cannot put their own phone on an account without one."""
    import time

    login("13800000001")
    with client.session_transaction() as cookie:
        cookie["auth_time"] = int(time.time()) - 16 * 60
    page = client.get("/auth/mfa/setup").get_data(as_text=True)
    assert 'name="password"' in page and "Enter your password as well" in page
    code = pyotp.TOTP(re.search(r'class="secret">([A-Z2-7]+)<', page).group(1)).now()
    refused = client.post("/auth/mfa/setup", data={"code": code, "password": "Guess-1-2026"})
    assert re.search(r'id="password-error">.*Your current password is not right\.', refused.get_data(as_text=True))
    assert _secret_on_file(app, "13800000001") is None
    turned_on = client.post("/auth/mfa/setup", data={"code": code, "password": DEMO_PASSWORD})
    assert len(re.findall(r"<li>([0-9a-f]{5}-[0-9a-f]{5})</li>", turned_on.get_data(as_text=True))) == 10


def test_the_same_app_code_sent_twice_at_once_signs_in_once(app, seeded):
    """Two requests that both read the authenticator before either wrote: one code, one sign-in."""
    from sqlalchemy.orm import Session

    from auth import mfa
    from portal.models import Account
    from tests.helpers import DEMO_TOTP_SECRET

    with app.app_context(), Session(db.engine) as first, Session(db.engine) as second:
        officer = [s.scalar(db.select(Account).filter_by(username="officer.jw")) for s in (first, second)]
        # Read by the second request before the first writes (held, as a request holds what it read).
        read_before = mfa.credential_of(second, officer[1])
        code = totp_code(DEMO_TOTP_SECRET)
        assert mfa.verify(first, officer[0], code) == mfa.TOTP
        first.commit()
        assert read_before.last_used_step == 0, "the second request still holds what it read"
        assert mfa.verify(second, officer[1], code) is None


def test_an_app_code_typed_in_full_width_digits_is_taken(client, seeded):
    from tests.helpers import DEMO_TOTP_SECRET

    client.post("/auth/login", data={"username": "officer.jw", "password": DEMO_PASSWORD})
    typed = " ".join(chr(ord(digit) + 0xFEE0) for digit in totp_code(DEMO_TOTP_SECRET))
    assert client.post("/auth/mfa", data={"code": typed}).status_code == 302
