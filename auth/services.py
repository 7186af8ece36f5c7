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

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from auth import mfa, passwords, throttle
from auth.models import PasswordResetCode, PendingRegistration
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


REGISTRATION_CODE_LIFETIME = timedelta(minutes=15)
REGISTRATION_CODE_MAX_ATTEMPTS = 5
# Codes sent to one mobile number for registrations in the last hour, new ones and sent again:
# at most this many, so that nobody can fill a stranger's phone with codes.
REGISTRATION_CODES_PER_NUMBER_AN_HOUR = 5
REGISTRATION_CODE_RESEND_AFTER = timedelta(seconds=60)


def _refuse_taken(session: Session, mobile: str, resident_id_number: str) -> None:
    if session.scalar(select(Account.id).where(Account.mobile == mobile)):
        raise IdentityError("mobile_taken")
    if session.scalar(select(ResidentProfile.id).where(ResidentProfile.resident_id_number == resident_id_number)):
        raise IdentityError("resident_id_taken")


def _registration_codes_sent_lately(session: Session, mobile: str, now: datetime) -> int:
    rows = PendingRegistration.__table__.c
    return session.scalar(select(func.coalesce(func.sum(rows.codes_sent), 0))
                          .where(rows.mobile == mobile, rows.created_at > now - timedelta(hours=1)))


def begin_registration(
    session: Session, *, real_name: str, mobile: str, resident_id_number: str, password: str, origin: Origin,
    message,
) -> str:
    """Check a resident's details and send a code to their mobile number; the account is made by
    `confirm_registration` once the code comes back. The ID number has already passed its GB 11643
    check. `message(code)` returns (subject, body) in the person's language. Returns the public id
    the browser's session keeps for `confirm_registration`."""
    passwords.check_new_password(password, login_names=(mobile, resident_id_number))
    _refuse_taken(session, mobile, resident_id_number)
    now = utcnow()
    if _registration_codes_sent_lately(session, mobile, now) >= REGISTRATION_CODES_PER_NUMBER_AN_HOUR:
        raise IdentityError("registration_codes_used_up")
    # Registrations not finished go an hour after their code expired (the hour above still sees them).
    rows = PendingRegistration.__table__.c
    session.execute(delete(PendingRegistration.__table__).where(rows.expires_at <= now - timedelta(hours=1)))
    code = f"{secrets.randbelow(1_000_000):06d}"
    pending = PendingRegistration(
        public_id=secrets.token_urlsafe(32), mobile=mobile, real_name=real_name,
        resident_id_number=resident_id_number, password_hash=passwords.hash_password(password),
        code_hash=_hash_code(code), created_at=now, code_sent_at=now, expires_at=now + REGISTRATION_CODE_LIFETIME,
    )
    session.add(pending)
    _text_code(session, mobile, code, message)
    audit.record(session, "register_code", origin=origin)
    session.commit()
    return pending.public_id


def _text_code(session: Session, mobile: str, code: str, message) -> None:
    subject, body = message(code)
    outbox.queue(session, channel=Channel.SMS, recipient=mobile, subject=subject, body=body)


def pending_registration(session: Session, public_id: str | None, now: datetime | None = None, *,
                         expired_too: bool = False):
    """The registration a browser is in the middle of, while its code can still be used (with
    `expired_too`, also while it is kept after that, so the details typed can be shown again)."""
    if not public_id:
        return None
    statement = select(PendingRegistration).where(PendingRegistration.public_id == public_id)
    if not expired_too:
        statement = statement.where(PendingRegistration.expires_at > (now or utcnow()))
    return session.scalar(statement)


def resend_registration_code(session: Session, public_id: str | None, origin: Origin, message) -> None:
    """A new code for a registration, in place of the one sent; the first one stops working."""
    now = utcnow()
    pending = pending_registration(session, public_id, now)
    if pending is None:
        raise IdentityError("registration_expired")
    if now - pending.code_sent_at < REGISTRATION_CODE_RESEND_AFTER:
        raise IdentityError("registration_code_just_sent")
    if (pending.codes_sent >= REGISTRATION_CODES_PER_NUMBER_AN_HOUR
            or _registration_codes_sent_lately(session, pending.mobile, now) >= REGISTRATION_CODES_PER_NUMBER_AN_HOUR):
        raise IdentityError("registration_codes_used_up")
    code = f"{secrets.randbelow(1_000_000):06d}"
    pending.code_hash, pending.attempts, pending.code_sent_at = _hash_code(code), 0, now
    pending.codes_sent += 1
    pending.expires_at = now + REGISTRATION_CODE_LIFETIME
    _text_code(session, pending.mobile, code, message)
    audit.record(session, "register_code", origin=origin)
    session.commit()


def confirm_registration(session: Session, public_id: str | None, code: str, origin: Origin) -> Account:
    """Make the account of a registration whose code came back right. Refusals: the code wrong, or
    tried too often; the registration expired; the number or ID number taken meanwhile; and
    "registration_done" when the same right code, sent twice at once, made the account already."""
    now = utcnow()
    rows = PendingRegistration.__table__.c
    live = (rows.public_id == (public_id or ""), rows.expires_at > now)
    # Each try is counted, and committed, before the code is compared (as with reset codes).
    counted = session.execute(
        update(PendingRegistration.__table__).where(*live, rows.attempts < REGISTRATION_CODE_MAX_ATTEMPTS)
        .values(attempts=rows.attempts + 1).returning(rows.code_hash, rows.mobile)
    ).one_or_none()
    session.commit()
    if counted is None:
        if session.scalar(select(rows.id).where(*live)) is None:
            raise IdentityError("registration_expired")
        raise IdentityError("registration_code_used_up")
    if not hmac.compare_digest(counted.code_hash, _hash_code(code.strip())):
        audit.record(session, "register", origin=origin, outcome="failure")
        session.commit()
        raise IdentityError("registration_code_invalid")
    # Taken out as it is used: the same code sent twice at once makes one account.
    taken = session.execute(
        delete(PendingRegistration.__table__).where(*live).returning(
            rows.mobile, rows.real_name, rows.resident_id_number, rows.password_hash)
    ).one_or_none()
    if taken is None:
        session.rollback()
        made = session.scalar(select(Account.id).where(Account.mobile == counted.mobile))
        raise IdentityError("registration_done" if made else "registration_expired")
    try:
        _refuse_taken(session, taken.mobile, taken.resident_id_number)  # taken while the code travelled
        account = Account(mobile=taken.mobile, display_name=taken.real_name, password_hash=taken.password_hash)
        account.resident = ResidentProfile(real_name=taken.real_name, resident_id_number=taken.resident_id_number,
                                           birth_date=birth_date_of(taken.resident_id_number))
        session.add(account)
        session.flush()
    except IntegrityError:  # another registration of the number or ID number, confirmed at the same moment
        session.rollback()
        raise IdentityError("mobile_taken") from None
    except IdentityError:
        session.commit()  # the registration cannot be finished: it goes
        raise
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
