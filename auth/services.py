"""Identity use cases: register, sign in, reset and change passwords, second factor.

Functions take the database session and the request's origin explicitly and record every
outcome in the audit trail; the views only parse forms and call them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from auth import mfa, passwords, throttle
from auth.models import PasswordResetCode
from portal import audit, outbox
from portal.audit import Origin
from portal.identity_numbers import birth_date_of
from portal.models import Account, Channel, ResidentProfile
from portal.models.base import utcnow

RESET_CODE_LIFETIME = timedelta(minutes=15)
RESET_CODE_MAX_ATTEMPTS = 5


class IdentityError(ValueError):
    """A refusal the person can act on; `code` selects the translated message."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class SignInOutcome:
    account: Account | None
    locked: bool = False

    @property
    def ok(self) -> bool:
        return self.account is not None


def find_by_login_name(session: Session, login_name: str) -> Account | None:
    name = login_name.strip()
    if not name:
        return None
    return session.scalar(
        select(Account).where(or_(Account.mobile == name, Account.username == name.lower()))
    )


def authenticate(session: Session, login_name: str, password: str, origin: Origin, now: datetime | None = None):
    """Check a password. Unknown names, wrong passwords and locked names look alike to the caller
    except for `locked`, which is reported the same way whether or not the account exists."""
    now = now or utcnow()
    account = find_by_login_name(session, login_name)
    if throttle.locked_until(session, login_name, now):
        passwords.verify_password(None, password)
        audit.record(session, "sign_in", origin=origin, outcome="locked", actor_id=account and account.id)
        session.commit()
        return SignInOutcome(None, locked=True)
    usable = account is not None and account.is_active
    if not passwords.verify_password(account.password_hash if usable else None, password):
        locked_now = throttle.record_failure(session, login_name, now)
        audit.record(
            session, "sign_in", origin=origin, outcome="failure", actor_id=account and account.id,
            reason="bad_credentials" if account else "unknown_name",
        )
        if locked_now:
            audit.record(session, "lock", origin=origin, outcome="locked", actor_id=account and account.id)
        session.commit()
        return SignInOutcome(None, locked=locked_now)
    throttle.clear(session, login_name)
    if passwords.needs_rehash(account.password_hash):
        account.password_hash = passwords.hash_password(password)
    account.last_login_at = now
    audit.record(session, "sign_in", origin=origin, actor_id=account.id, factor="password")
    session.commit()
    return SignInOutcome(account)


def register_resident(
    session: Session, *, real_name: str, mobile: str, resident_id_number: str, password: str, origin: Origin
) -> Account:
    """Create a resident's account. The ID number has already passed its GB 11643 check."""
    passwords.check_new_password(password, login_names=(mobile, resident_id_number))
    if session.scalar(select(Account.id).where(Account.mobile == mobile)):
        raise IdentityError("mobile_taken")
    if session.scalar(select(ResidentProfile.id).where(ResidentProfile.resident_id_number == resident_id_number)):
        raise IdentityError("resident_id_taken")
    account = Account(mobile=mobile, display_name=real_name, password_hash=passwords.hash_password(password))
    account.resident = ResidentProfile(
        real_name=real_name, resident_id_number=resident_id_number, birth_date=birth_date_of(resident_id_number)
    )
    session.add(account)
    session.flush()
    audit.record(session, "register", origin=origin, actor_id=account.id)
    session.commit()
    return account


def _hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def request_password_reset(session: Session, login_name: str, origin: Origin, message) -> None:
    """Send a reset code to the account's contact, if the account exists; the caller shows the
    same answer either way. `message(code)` returns (subject, body) in the person's language."""
    account = find_by_login_name(session, login_name)
    if account is None or not account.is_active or not account.mobile:
        audit.record(session, "password_reset_request", origin=origin, outcome="unknown_name")
        session.commit()
        return
    code = f"{secrets.randbelow(1_000_000):06d}"
    session.add(
        PasswordResetCode(account_id=account.id, code_hash=_hash_code(code), expires_at=utcnow() + RESET_CODE_LIFETIME)
    )
    subject, body = message(code)
    outbox.queue(
        session, channel=Channel.SMS, recipient=account.mobile, subject=subject, body=body, account_id=account.id
    )
    audit.record(session, "password_reset_request", origin=origin, actor_id=account.id)
    session.commit()


def reset_password(session: Session, login_name: str, code: str, new_password: str, origin: Origin) -> Account:
    account = find_by_login_name(session, login_name)
    now = utcnow()
    candidates = []
    if account is not None:
        candidates = session.scalars(
            select(PasswordResetCode).where(
                PasswordResetCode.account_id == account.id,
                PasswordResetCode.used_at.is_(None),
                PasswordResetCode.expires_at > now,
                PasswordResetCode.attempts < RESET_CODE_MAX_ATTEMPTS,
            )
        ).all()
    match = next((c for c in candidates if hmac.compare_digest(c.code_hash, _hash_code(code.strip()))), None)
    if match is None:
        for candidate in candidates:
            candidate.attempts += 1
        audit.record(session, "password_reset", origin=origin, outcome="failure", actor_id=account and account.id)
        session.commit()
        raise IdentityError("reset_code_invalid")
    passwords.check_new_password(new_password, login_names=(account.mobile, account.username))
    for candidate in candidates:
        candidate.used_at = now
    _set_password(account, new_password)
    throttle.clear(session, login_name)
    audit.record(session, "password_reset", origin=origin, actor_id=account.id)
    session.commit()
    return account


def _set_password(account: Account, new_password: str) -> None:
    account.password_hash = passwords.hash_password(new_password)
    account.password_changed_at = utcnow()
    account.session_version += 1  # every other session of this person ends


def change_password(session: Session, account: Account, current: str, new_password: str, origin: Origin) -> None:
    if not passwords.verify_password(account.password_hash, current):
        audit.record(session, "password_change", origin=origin, outcome="failure", actor_id=account.id)
        session.commit()
        raise IdentityError("current_password_wrong")
    passwords.check_new_password(new_password, login_names=(account.mobile, account.username))
    _set_password(account, new_password)
    audit.record(session, "password_change", origin=origin, actor_id=account.id)
    session.commit()


def sign_out_everywhere(session: Session, account: Account, origin: Origin) -> None:
    account.session_version += 1
    for hook in SIGN_OUT_EVERYWHERE_HOOKS:
        hook(session, account)
    audit.record(session, "sign_out_everywhere", origin=origin, actor_id=account.id)
    session.commit()


# Other parts of identity (issued OAuth tokens) register what "everywhere" must also end.
SIGN_OUT_EVERYWHERE_HOOKS: list = []


def enrol_totp(session: Session, account: Account, secret: str, code: str, origin: Origin) -> list[str]:
    codes = mfa.enrol(session, account, secret, code)
    if codes is None:
        audit.record(session, "mfa_enrol", origin=origin, outcome="failure", actor_id=account.id)
        session.commit()
        raise IdentityError("code_invalid")
    audit.record(session, "mfa_enrol", origin=origin, actor_id=account.id)
    session.commit()
    return codes


def verify_second_factor(session: Session, account: Account, code: str, origin: Origin) -> None:
    kind = mfa.verify(session, account, code)
    if kind is None:
        audit.record(session, "mfa_verify", origin=origin, outcome="failure", actor_id=account.id)
        session.commit()
        raise IdentityError("code_invalid")
    audit.record(session, "mfa_verify", origin=origin, actor_id=account.id, factor=kind)
    session.commit()


def remove_totp(session: Session, account: Account, password: str, origin: Origin) -> None:
    if account.is_staff:
        raise IdentityError("staff_need_mfa")
    if not passwords.verify_password(account.password_hash, password):
        raise IdentityError("current_password_wrong")
    mfa.remove(session, account)
    audit.record(session, "mfa_remove", origin=origin, actor_id=account.id)
    session.commit()


def new_recovery_codes(session: Session, account: Account, origin: Origin) -> list[str]:
    codes = mfa.replace_recovery_codes(session, account)
    audit.record(session, "mfa_recovery_codes", origin=origin, actor_id=account.id)
    session.commit()
    return codes


def save_preferences(session: Session, account: Account, *, locale: str | None = None, elder_mode: bool | None = None):
    if locale is not None:
        account.locale = locale
    if elder_mode is not None:
        account.elder_mode = elder_mode
    session.commit()


def find_account(session: Session, public_id: str) -> Account | None:
    return session.scalar(select(Account).where(Account.public_id == public_id, Account.is_active.is_(True)))


def check_password(account: Account, password: str) -> bool:
    return passwords.verify_password(account.password_hash, password)
