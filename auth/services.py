"""Identity use cases: register, sign in, reset and change passwords, second factor.

Functions take the database session and the request's origin explicitly and record every
outcome in the audit trail; the views only parse forms and call them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from auth import mfa, passwords, throttle
from auth.models import PasswordResetCode
from portal import audit, case_labels, inbox, outbox
from portal.audit import Origin
from portal.identity_numbers import birth_date_of
from portal.models import Account, Channel, ResidentProfile
from portal.models.base import utcnow

RESET_CODE_LIFETIME = timedelta(minutes=15)
RESET_CODE_MAX_ATTEMPTS = 5
# How long after signing in a first authenticator may be turned on without the password again.
PASSWORD_FRESH_FOR_ENROLMENT = timedelta(minutes=15)

Proof = TypeVar("Proof")


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
    name = throttle.name_key(login_name)
    may_check = throttle.take_attempt(session, name, now)
    account = find_by_login_name(session, login_name)
    if not may_check:
        passwords.verify_password(None, password)
        audit.record(session, "sign_in", origin=origin, outcome="locked", actor_id=account and account.id)
        session.commit()
        return SignInOutcome(None, locked=True)
    usable = account is not None and account.is_active
    if not passwords.verify_password(account.password_hash if usable else None, password):
        locked_now = throttle.record_failure(session, name, now)
        audit.record(
            session, "sign_in", origin=origin, outcome="failure", actor_id=account and account.id,
            reason="bad_credentials" if account else "unknown_name",
        )
        if locked_now:
            audit.record(session, "lock", origin=origin, outcome="locked", actor_id=account and account.id)
        session.commit()
        return SignInOutcome(None, locked=locked_now)
    throttle.clear(session, name)
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
    codes = PasswordResetCode.__table__.c
    candidates = []
    if account is not None:
        # Each try takes one of every live code's attempts, committed before the codes are compared,
        # so that tries sent all at once cannot all be compared.
        candidates = session.execute(
            update(PasswordResetCode.__table__)
            .where(codes.account_id == account.id, codes.used_at.is_(None), codes.expires_at > now,
                   codes.attempts < RESET_CODE_MAX_ATTEMPTS)
            .values(attempts=codes.attempts + 1)
            .returning(codes.id, codes.code_hash)
        ).all()
        session.commit()
    match = next((c for c in candidates if hmac.compare_digest(c.code_hash, _hash_code(code.strip()))), None)
    if match is None:
        audit.record(session, "password_reset", origin=origin, outcome="failure", actor_id=account and account.id)
        session.commit()
        raise IdentityError("reset_code_invalid")
    try:
        passwords.check_new_password(new_password, login_names=(account.mobile, account.username))
    except passwords.PasswordRejected:
        # The right code was no guess: the person may choose a better password with it.
        session.execute(update(PasswordResetCode.__table__).where(codes.id == match.id)
                        .values(attempts=codes.attempts - 1))
        session.commit()
        raise
    spent = session.execute(
        update(PasswordResetCode.__table__)
        .where(codes.id.in_([c.id for c in candidates]), codes.used_at.is_(None))
        .values(used_at=now)
        .returning(codes.id)
    ).scalars().all()
    if match.id not in spent:  # the same code, sent twice at once, changed the password once
        session.rollback()
        raise IdentityError("reset_code_invalid")
    _set_password(account, new_password)
    throttle.clear(session, throttle.name_key(login_name))
    audit.record(session, "password_reset", origin=origin, actor_id=account.id)
    _tell_owner(session, account, PASSWORD_CHANGED)
    session.commit()
    return account


def _set_password(account: Account, new_password: str) -> None:
    account.password_hash = passwords.hash_password(new_password)
    account.password_changed_at = utcnow()
    account.session_version += 1  # every other session of this person ends


def _prove(session: Session, account: Account, factor: str, check: Callable[[], Proof | None], *,
           action: str, wrong: str, locked: str, origin: Origin) -> Proof:
    """What `check()` gives when the account proves `factor` (throttle.PASSWORD or SECOND_FACTOR),
    or IdentityError: `wrong` when it fails, `locked` once it has failed too often. The attempts
    are counted per account in the database (`throttle`), so that guesses spread over addresses
    and workers stop all the same; each outcome is audited under `action`."""
    now = utcnow()
    key = throttle.account_key(factor, account.public_id)
    if not throttle.take_attempt(session, key, now):
        audit.record(session, action, origin=origin, outcome="locked", actor_id=account.id)
        session.commit()
        raise IdentityError(locked)
    proof = check()
    if proof is None or proof is False:
        locked_now = throttle.record_failure(session, key, now)
        audit.record(session, action, origin=origin, outcome="failure", actor_id=account.id)
        if locked_now:
            audit.record(session, "lock", origin=origin, outcome="locked", actor_id=account.id, factor=factor)
            # Wrong codes after the right password mean someone has the password.
            _tell_owner(session, account, LOCK_NOTICES[factor], once_while_unread=True)
        session.commit()
        raise IdentityError(locked if locked_now else wrong)
    throttle.clear(session, key)
    return proof


# The language of a message to someone who has chosen none: the portal's first (BABEL_DEFAULT_LOCALE).
MESSAGE_LOCALE = "zh"
LOCK_NOTICES = {throttle.SECOND_FACTOR: "account.second_factor_locked", throttle.PASSWORD: "account.password_locked"}
# Changes to how the account is proven, told to the owner at once so that one they did not make is
# seen while it can still be undone.
PASSWORD_CHANGED = "account.password_changed"  # noqa: S105 (a message key)
AUTHENTICATOR_ON = "account.authenticator_on"
AUTHENTICATOR_MOVED = "account.authenticator_moved"
AUTHENTICATOR_OFF = "account.authenticator_off"
RECOVERY_CODES_NEW = "account.recovery_codes_new"
RECOVERY_CODE_USED = "account.recovery_code_used"
LAST_RECOVERY_CODE_USED = "account.last_recovery_code_used"
ACCOUNT_NOTICES = (*LOCK_NOTICES.values(), PASSWORD_CHANGED, AUTHENTICATOR_ON, AUTHENTICATOR_MOVED,
                   AUTHENTICATOR_OFF, RECOVERY_CODES_NEW, RECOVERY_CODE_USED, LAST_RECOVERY_CODE_USED)
# The inbox is told of every change; an SMS of the same notice goes out at most once in this time,
# so that someone who repeats a change cannot flood the owner's phone.
SMS_QUIET_FOR = timedelta(hours=1)


def _tell_owner(session: Session, account: Account, key: str, *, once_while_unread: bool = False, **params) -> None:
    """Tell the owner at once, in the inbox and by SMS in their language. With `once_while_unread`,
    not again while the last such message is unread: a lock kept on on purpose must not be told
    each time."""
    if once_while_unread and inbox.unread(session, account.id, key):
        return
    texted_lately = inbox.told_since(session, account.id, key, utcnow() - SMS_QUIET_FOR)
    message = inbox.tell(session, account.id, key, **params)
    if account.mobile and not texted_lately:
        subject, body = case_labels.render_notice(message.subject_key, message.body_key, params,
                                                  account.locale or MESSAGE_LOCALE)
        outbox.queue(session, channel=Channel.SMS, recipient=account.mobile, subject=subject, body=body,
                     account_id=account.id)


def _prove_password(session: Session, account: Account, password: str, action: str, origin: Origin) -> None:
    _prove(session, account, throttle.PASSWORD, lambda: passwords.verify_password(account.password_hash, password),
           action=action, wrong="current_password_wrong", locked="password_locked", origin=origin)


def change_password(session: Session, account: Account, current: str, new_password: str, origin: Origin) -> None:
    passwords.check_new_password(new_password, login_names=(account.mobile, account.username))
    _prove_password(session, account, current, "password_change", origin)
    _set_password(account, new_password)
    audit.record(session, "password_change", origin=origin, actor_id=account.id)
    _tell_owner(session, account, PASSWORD_CHANGED)
    session.commit()


def sign_out_everywhere(session: Session, account: Account, origin: Origin) -> None:
    account.session_version += 1
    for hook in SIGN_OUT_EVERYWHERE_HOOKS:
        hook(session, account)
    audit.record(session, "sign_out_everywhere", origin=origin, actor_id=account.id)
    session.commit()


# Other parts of identity (issued OAuth tokens) register what "everywhere" must also end.
SIGN_OUT_EVERYWHERE_HOOKS: list = []


def password_needed_to_enrol(replacing: bool, signed_in_at: datetime, now: datetime) -> bool:
    """Whether turning on an authenticator needs the password typed again: always when it replaces
    one already on, and for a first one unless the session signed in moments ago (the sign-in
    that sent staff there, or a resident turning it on): a session someone has taken over cannot
    put their own phone on the account."""
    return replacing or now - signed_in_at > PASSWORD_FRESH_FOR_ENROLMENT


def enrol_totp(session: Session, account: Account, secret: str, code: str, origin: Origin, *,
               signed_in_at: datetime, now: datetime, password: str | None = None) -> list[str]:
    """Turn on the authenticator whose `secret` gave `code`, with the password when
    `password_needed_to_enrol` (at `now`, the moment the page asked it for)."""
    replacing = mfa.credential_of(session, account) is not None
    if password_needed_to_enrol(replacing, signed_in_at, now):
        _prove_password(session, account, password or "", "mfa_enrol", origin)
    codes = mfa.enrol(session, account, secret, code)
    if codes is None:
        audit.record(session, "mfa_enrol", origin=origin, outcome="failure", actor_id=account.id)
        session.commit()
        raise IdentityError("code_invalid")
    audit.record(session, "mfa_enrol", origin=origin, actor_id=account.id)
    _tell_owner(session, account, AUTHENTICATOR_MOVED if replacing else AUTHENTICATOR_ON)
    session.commit()
    return codes


def verify_second_factor(session: Session, account: Account, code: str, origin: Origin) -> None:
    kind = _prove(session, account, throttle.SECOND_FACTOR, lambda: mfa.verify(session, account, code),
                  action="mfa_verify", wrong="code_invalid", locked="second_factor_locked", origin=origin)
    audit.record(session, "mfa_verify", origin=origin, actor_id=account.id, factor=kind)
    if kind == mfa.RECOVERY:
        left = mfa.recovery_codes_left(session, account)
        _tell_owner(session, account, RECOVERY_CODE_USED if left else LAST_RECOVERY_CODE_USED, left=left)
    session.commit()


def remove_totp(session: Session, account: Account, password: str, origin: Origin) -> None:
    if account.is_staff:
        raise IdentityError("staff_need_mfa")
    _prove_password(session, account, password, "mfa_remove", origin)
    mfa.remove(session, account)
    audit.record(session, "mfa_remove", origin=origin, actor_id=account.id)
    _tell_owner(session, account, AUTHENTICATOR_OFF)
    session.commit()


def new_recovery_codes(session: Session, account: Account, password: str, origin: Origin) -> list[str]:
    if mfa.credential_of(session, account) is None:
        raise IdentityError("no_authenticator")  # recovery codes stand in for the app's codes only
    _prove_password(session, account, password, "mfa_recovery_codes", origin)
    codes = mfa.replace_recovery_codes(session, account)
    audit.record(session, "mfa_recovery_codes", origin=origin, actor_id=account.id)
    _tell_owner(session, account, RECOVERY_CODES_NEW)
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
