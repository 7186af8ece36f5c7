"""What a signed-in request reads with the account depends on the pages it is for."""

from __future__ import annotations

from sqlalchemy import inspect, select

from auth.session import _load_user
from portal.extensions import db
from portal.models import Account
from tests.helpers import statements_run


def _session_id(username: str) -> str:
    account = db.session.scalar(select(Account).where(Account.username == username))
    user_id = f"{account.public_id}:{account.session_version}"
    db.session.expunge_all()
    return user_id


def test_desk_pages_read_the_staff_standing_with_the_account_and_others_the_account_alone(app, seeded):
    with app.app_context():
        user_id = _session_id("officer.jw")
    with app.test_request_context("/gov/cases"), statements_run() as statements:
        account = _load_user(user_id).account
        assert account.staff_positions
    assert len(statements) == 1 and "staff_position" in statements[0]
    for path in ("/citizen/", "/enterprise/", "/auth/account"):
        with app.test_request_context(path), statements_run() as statements:
            account = _load_user(user_id).account
            assert "staff_positions" in inspect(account).unloaded
        assert len(statements) == 1 and "staff_position" not in statements[0], path


def test_an_old_session_version_signs_nobody_in_on_any_page(app, seeded):
    with app.app_context():
        public_id, _, version = _session_id("officer.jw").partition(":")
    for path in ("/gov/cases", "/citizen/"):
        with app.test_request_context(path):
            assert _load_user(f"{public_id}:{int(version) - 1}") is None
            assert _load_user(f"{public_id}:{version}") is not None


def test_the_standing_of_an_account_read_alone_is_read_when_first_asked(app, seeded):
    from auth.mfa import staff_standing
    from auth.session import _account_alone

    with app.app_context():
        officer_id = _session_id("officer.jw").partition(":")[0]
        resident_id = db.session.scalar(select(Account.public_id).where(Account.mobile == "13800000001"))
        db.session.expunge_all()
        with statements_run() as statements:
            officer = _account_alone(db.session, officer_id)
            assert staff_standing(db.session, officer) is True  # officer.jw has an authenticator
            assert officer.staff_positions and all(p.account_id == officer.id for p in officer.staff_positions)
        assert len(statements) == 2 and "staff_position" in statements[1]
        assert staff_standing(db.session, _account_alone(db.session, resident_id)) is None
