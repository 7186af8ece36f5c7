"""Every change to how an account is proven is told to its owner at once, in the inbox and by SMS,
so that a change they did not make is seen while it can still be undone."""

import re

import pyotp
from sqlalchemy import select

from portal.extensions import db
from portal.models import Account, OutboxMessage
from tests.auth.test_password_reset import last_code
from tests.helpers import DEMO_PASSWORD

RESIDENT = "13800000001"


def _sms(app, mobile: str = RESIDENT) -> list[str]:
    with app.app_context():
        return db.session.scalars(select(OutboxMessage.body).where(OutboxMessage.recipient == mobile)
                                  .order_by(OutboxMessage.id)).all()


def _inbox(client) -> str:
    return client.get("/citizen/inbox").get_data(as_text=True)


def _set_up_authenticator(client, password: str | None = None) -> tuple[str, list[str]]:
    page = client.get("/auth/mfa/setup").get_data(as_text=True)
    secret = re.search(r'class="secret">([A-Z2-7]+)<', page).group(1)
    data = {"code": pyotp.TOTP(secret).now()} | ({"password": password} if password else {})
    answer = client.post("/auth/mfa/setup", data=data).get_data(as_text=True)
    return secret, re.findall(r"<li>([0-9a-f]{5}-[0-9a-f]{5})</li>", answer)


def test_each_change_to_the_second_factor_is_told_once_in_the_inbox_and_by_sms(app, client, login):
    login(RESIDENT)
    sent = len(_sms(app))
    _, recovery_codes = _set_up_authenticator(client)
    assert len(recovery_codes) == 10
    assert _inbox(client).count("An authenticator app was turned on for your account") == 1
    assert "身份验证器" in _sms(app)[-1] and len(_sms(app)) == sent + 1, "in the account's language, Chinese"

    fresh = client.post("/auth/mfa/recovery-codes", data={"password": DEMO_PASSWORD}).get_data(as_text=True)
    recovery_codes = re.findall(r"<li>([0-9a-f]{5}-[0-9a-f]{5})</li>", fresh)
    assert _inbox(client).count("New recovery codes were made for your account") == 1

    client.post("/auth/logout")
    client.post("/auth/login", data={"username": RESIDENT, "password": DEMO_PASSWORD})
    assert client.post("/auth/mfa", data={"code": recovery_codes[0]}).status_code == 302
    inbox = _inbox(client)
    assert inbox.count("Your account was signed in to with a recovery code") == 1 and "You have 9 left" in inbox

    _set_up_authenticator(client, password=DEMO_PASSWORD)
    assert _inbox(client).count("Your sign-in codes moved to a new authenticator app") == 1

    client.post("/auth/mfa/remove", data={"password": DEMO_PASSWORD})
    assert _inbox(client).count("The authenticator app was turned off for your account") == 1
    assert len(_sms(app)) == sent + 5, "one SMS for each change"


def test_a_refused_change_tells_nothing(app, client, login):
    login(RESIDENT)
    sent = len(_sms(app))
    refused = client.post("/auth/password", data={"current_password": "Guess-1-2026", "password": "Brand-new-pass-42",
                                                  "confirm": "Brand-new-pass-42"})
    assert "Your current password is not right." in refused.get_data(as_text=True)
    no_app = client.post("/auth/mfa/recovery-codes", data={"password": DEMO_PASSWORD}, follow_redirects=True)
    assert "Recovery codes come with an authenticator app: turn one on first." in no_app.get_data(as_text=True)
    wrong_code = client.post("/auth/mfa/setup", data={"code": "not-a-code"})
    assert wrong_code.status_code == 200
    _set_up_authenticator(client)
    sent += 1
    for path, data in (("/auth/mfa/recovery-codes", {"password": "Guess-2-2026"}),
                       ("/auth/mfa/remove", {"password": "Guess-3-2026"}),
                       ("/auth/mfa/setup", {"code": "123456", "password": "Guess-4-2026"})):
        assert "Your current password is not right." in client.post(path, data=data, follow_redirects=True
                                                                     ).get_data(as_text=True), path
    client.post("/auth/reset/confirm", data={"username": RESIDENT, "code": "000000", "password": "Brand-new-pass-42",
                                             "confirm": "Brand-new-pass-42"})
    assert len(_sms(app)) == sent
    inbox = _inbox(client)
    for notice in ("Your password was changed", "New recovery codes were made", "turned off", "moved to a new"):
        assert notice not in inbox


def test_a_lock_tells_of_the_lock_alone(app, client, login):
    login(RESIDENT)
    _set_up_authenticator(client)
    for n in range(5):
        client.post("/auth/mfa/remove", data={"password": f"Guess-{n}-2026"})
    inbox = _inbox(client)
    assert "Your account page is locked for 15 minutes" in inbox
    assert "The authenticator app was turned off" not in inbox


def test_a_repeated_change_is_texted_once_an_hour_and_put_in_the_inbox_each_time(app, client, login):
    login(RESIDENT)
    _set_up_authenticator(client)
    sent = len(_sms(app))
    for _ in range(3):
        assert client.post("/auth/mfa/recovery-codes", data={"password": DEMO_PASSWORD}).status_code == 200
    assert _inbox(client).count("New recovery codes were made for your account") == 3
    assert len(_sms(app)) == sent + 1


def test_the_last_recovery_code_used_says_to_get_new_ones(app, client, login):
    from auth.mfa import _hash_recovery
    from auth.models import RecoveryCode

    login(RESIDENT)
    _, recovery_codes = _set_up_authenticator(client)
    with app.app_context():
        db.session.execute(db.update(RecoveryCode).where(RecoveryCode.code_hash != _hash_recovery(recovery_codes[-1]))
                           .values(used_at=db.func.current_timestamp()))
        db.session.commit()
    client.post("/auth/logout")
    client.post("/auth/login", data={"username": RESIDENT, "password": DEMO_PASSWORD})
    assert client.post("/auth/mfa", data={"code": recovery_codes[0]}).status_code == 200, "spent codes are refused"
    assert client.post("/auth/mfa", data={"code": recovery_codes[-1]}).status_code == 302
    inbox = _inbox(client)
    assert inbox.count("Your last recovery code was used") == 1 and "0 left" not in inbox


def test_a_changed_password_is_told_in_the_owners_language_with_the_hotline(app, client, login):
    with app.app_context():
        db.session.execute(db.update(Account).where(Account.mobile == RESIDENT).values(locale="en"))
        db.session.commit()
    login(RESIDENT)
    changed = client.post("/auth/password", data={"current_password": DEMO_PASSWORD, "password": "Brand-new-pass-42",
                                                  "confirm": "Brand-new-pass-42"})
    assert changed.status_code == 302
    sms = _sms(app)[-1]
    assert "The password of your account was changed" in sms and "call the hotline 12345." in sms
    client.post("/auth/login", data={"username": RESIDENT, "password": "Brand-new-pass-42"})
    assert _inbox(client).count("Your password was changed") == 1


def test_a_password_reset_is_told_to_the_owner(app, client, seeded):
    client.post("/auth/reset", data={"username": RESIDENT})
    code = last_code(app, RESIDENT)
    client.post("/auth/reset/confirm", data={"username": RESIDENT, "code": code, "password": "Brand-new-pass-42",
                                             "confirm": "Brand-new-pass-42"})
    assert "账号密码已更改" in _sms(app)[-1] and "热线12345" in _sms(app)[-1]
    client.post("/auth/login", data={"username": RESIDENT, "password": "Brand-new-pass-42"})
    assert _inbox(client).count("Your password was changed") == 1


def test_staff_without_a_mobile_number_are_told_in_the_desks_messages(app, client, login):
    login("officer.jw")
    fresh = client.post("/auth/mfa/recovery-codes", data={"password": DEMO_PASSWORD})
    assert fresh.status_code == 200
    page = client.get("/gov/messages").get_data(as_text=True)
    assert page.count("New recovery codes were made for your account") == 1
    assert "call the hotline 12345." in page
    with app.app_context():
        officer = db.session.scalar(select(Account).where(Account.username == "officer.jw"))
        assert officer.mobile is None
        assert db.session.scalar(select(db.func.count(OutboxMessage.id))
                                 .where(OutboxMessage.account_id == officer.id)) == 0
