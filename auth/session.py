"""The signed-in session: who signed in, how, when, and on whose behalf they act.

The rest of the portal reads identity only through these functions (and Flask-Login's
`current_user`), never from `flask.session` directly.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Blueprint, current_app, g, request, session
from flask_login import current_user, login_user, logout_user
from sqlalchemy.orm import Session

from portal.extensions import db, login_manager
from portal.models import Account
from portal.models.base import CoreLoader

ACR_PASSWORD = "urn:portal:acr:password"  # noqa: S105 - an assurance level, not a secret
ACR_MFA = "urn:portal:acr:password+totp"

# What a sign-in leaves in the session besides its CSRF token: Flask-Login's marks (`_user_id`, who
# with the session's version; `_fresh`; `_id`, its session protection), whether the session is
# permanent, and how and when (`start_session`, `raise_to_second_factor`). portal.page_shortcut
# answers a signed-in session early only while it holds no more than these.
SIGN_IN_SESSION_KEYS = frozenset({"_user_id", "_fresh", "_id", "_permanent", "auth_time", "acr", "amr", "mfa_time"})


@dataclass(frozen=True)
class SignIn:
    account: Account
    auth_time: int  # seconds since the epoch
    acr: str
    amr: tuple[str, ...]

    @property
    def with_second_factor(self) -> bool:
        return self.acr == ACR_MFA

    @property
    def signed_in_at(self) -> datetime:
        return datetime.fromtimestamp(self.auth_time, UTC)


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


def _public_id_and_version(user_id: str) -> tuple[str, str]:
    """What a session's `_user_id` (`SessionUser.get_id`) names: the account and the session's version."""
    public_id, _, version = user_id.partition(":")
    return public_id, version


def _signs_in(is_active: bool | None, session_version: int | None, version: str) -> bool:
    """A session stamped with `version` signs the account in while it is active and its session
    version is still the session's ("sign out everywhere" and a password change bump it)."""
    return bool(is_active) and str(session_version) == version


# Built once: every signed-in request runs it, and building the statement cost as much as running it.
# The account alone, read without the ORM's loading path (`CoreLoader`): a joined load of its staff
# positions or resident profile cost every signed-in page more than the separate query saved the
# pages that use them. A blueprint whose every page asks for more names what (`read_with_account`).
_ACCOUNT_BY_PUBLIC_ID = CoreLoader(Account, Account.public_id == db.bindparam("public_id"))

# app.extensions key: {blueprint name: loader(session, public_id)}, from `read_with_account`.
ACCOUNT_LOADERS = "auth.account_loaders"


def read_with_account(blueprint: Blueprint, loader: Callable[[Session, str], Account | None]) -> None:
    """On `blueprint`'s pages, the signed-in account is read by `loader(session, public_id)`, which
    reads with it what every one of those pages asks next (the desk: the officer's staff positions
    and whether they have an authenticator). Other pages read the account alone."""

    def register(state) -> None:
        state.app.extensions.setdefault(ACCOUNT_LOADERS, {})[blueprint.name] = loader

    blueprint.record_once(register)


def _account_alone(db_session: Session, public_id: str) -> Account | None:
    return _ACCOUNT_BY_PUBLIC_ID.one_or_none(db_session, {"public_id": public_id})


@login_manager.user_loader
def _load_user(user_id: str) -> SessionUser | None:
    public_id, version = _public_id_and_version(user_id)
    loader = current_app.extensions.get(ACCOUNT_LOADERS, {}).get(request.blueprint, _account_alone)
    account = loader(db.session, public_id)
    if account is None or not _signs_in(account.is_active, account.session_version, version):
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
