"""The signed-in session: who signed in, how, when, and on whose behalf they act.

The rest of the portal reads identity only through these functions (and Flask-Login's
`current_user`), never from `flask.session` directly.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import g, request, session
from flask_login import current_user, login_user, logout_user

from auth import mfa
from portal.extensions import db, login_manager
from portal.models import Account

ACR_PASSWORD = "urn:portal:acr:password"  # noqa: S105 - an assurance level, not a secret
ACR_MFA = "urn:portal:acr:password+totp"


@dataclass(frozen=True)
class SignIn:
    account: Account
    auth_time: int  # seconds since the epoch
    acr: str
    amr: tuple[str, ...]

    @property
    def with_second_factor(self) -> bool:
        return self.acr == ACR_MFA


class SessionUser:
    """What Flask-Login keeps as `current_user`: the account plus the session's version stamp."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, account: Account):
        self.account = account

    def get_id(self) -> str:
        return f"{self.account.public_id}:{self.account.session_version}"

    def __getattr__(self, name):
        return getattr(self.account, name)


# Built once: every signed-in request runs it, and building the statement cost as much as running it.
# Nothing is loaded with the account, but on the desk: a joined load of its staff positions or
# resident profile cost every signed-in page more than the separate query saved the pages that use
# them; every desk page asks for the positions first, so there they are read with the account.
_ACCOUNT_BY_PUBLIC_ID = db.select(Account).where(Account.public_id == db.bindparam("public_id"))


@login_manager.user_loader
def _load_user(user_id: str) -> SessionUser | None:
    public_id, _, version = user_id.partition(":")
    if request.blueprint == "gov":
        account = mfa.account_with_standing(db.session, public_id)
    else:
        account = db.session.scalar(_ACCOUNT_BY_PUBLIC_ID, {"public_id": public_id})
    if account is None or not account.is_active or str(account.session_version) != version:
        return None
    return SessionUser(account)


def clear_session() -> None:
    """Empty the session, its CSRF token included: a page rendered later in this request must not
    carry the token of the session that was (Flask-WTF keeps the request's signed token in `g`)."""
    session.clear()
    g.pop("csrf_token", None)


def start_session(account: Account, *, acr: str, amr: tuple[str, ...]) -> None:
    """Sign `account` in, replacing whatever the session held before (no fixation)."""
    clear_session()
    login_user(SessionUser(account))
    session["auth_time"] = int(time.time())
    session["acr"] = acr
    session["amr"] = list(amr)
    session.permanent = False


def raise_to_second_factor() -> None:
    """The signed-in person has just passed their second factor."""
    session["acr"] = ACR_MFA
    session["amr"] = ["pwd", "otp"]
    session["mfa_time"] = int(time.time())


def end_session() -> None:
    logout_user()
    clear_session()


def current_account() -> Account | None:
    if current_user.is_authenticated:
        return current_user.account
    return None


def current_sign_in() -> SignIn | None:
    account = current_account()
    if account is None:
        return None
    return SignIn(
        account=account,
        auth_time=int(session.get("auth_time", 0)),
        acr=session.get("acr", ACR_PASSWORD),
        amr=tuple(session.get("amr", ["pwd"])),
    )


def acting_for() -> Account | None:
    """The person (an elder) on whose behalf the signed-in person acts, if any."""
    cached = g.get("_acting_for", False)
    if cached is not False:
        return cached
    subject = None
    public_id = session.get("acting_for")
    if public_id and current_user.is_authenticated:
        subject = db.session.scalar(db.select(Account).where(Account.public_id == public_id))
    g._acting_for = subject
    return subject


def set_acting_for(subject: Account | None) -> None:
    if subject is None:
        session.pop("acting_for", None)
    else:
        session["acting_for"] = subject.public_id
    g.pop("_acting_for", None)
