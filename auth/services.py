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

from sqlalchemy import delete, or_, select, update
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
# Codes texted to one mobile number for registrations, new ones and sent again, whoever asks: at
# most this many an hour, so that nobody can fill a stranger's phone with codes.
REGISTRATION_TEXTS_PER_NUMBER = 5
REGISTRATION_TEXTS_WINDOW = timedelta(hours=1)
REGISTRATION_CODE_RESEND_AFTER = timedelta(seconds=60)
# A registration, finished or not, is deleted this long after its code expired.
REGISTRATION_KEPT_AFTER_EXPIRY = timedelta(hours=1)

_REGISTRATIONS = PendingRegistration.__table__
_REGISTRATION = _REGISTRATIONS.c


def _refuse_taken(session: Session, mobile: str, resident_id_number: str) -> None:
    if session.scalar(select(Account.id).where(Account.mobile == mobile)):
        raise IdentityError("mobile_taken")
    if session.scalar(select(ResidentProfile.id).where(ResidentProfile.resident_id_number == resident_id_number)):
        raise IdentityError("resident_id_taken")


def _new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def _text_registration_code(session: Session, mobile: str, code: str, now: datetime, message) -> None:
    """Queue the code's text, counted against the number's texts this hour; when they are all
    used, nothing of the request stays (rolled back) and the person is told."""
    if not throttle.take_use(session, throttle.texts_key(mobile), now, limit=REGISTRATION_TEXTS_PER_NUMBER,
                             window=REGISTRATION_TEXTS_WINDOW):
        session.rollback()
        raise IdentityError("registration_texts_used_up")
    subject, body = message(code)
    outbox.queue(session, channel=Channel.SMS, recipient=mobile, subject=subject, body=body)


def begin_registration(
    session: Session, *, real_name: str, mobile: str, resident_id_number: str, password: str, origin: Origin,
    message,
) -> str:
    """Check a resident's details and text a code to their mobile number; the account is made by
    `confirm_registration` once the code comes back. The ID number has already passed its GB 11643
    check. `message(code)` returns (subject, body) in the person's language. Returns the public id
    the browser's session keeps for `confirm_registration`."""
    passwords.check_new_password(password, login_names=(mobile, resident_id_number))
    _refuse_taken(session, mobile, resident_id_number)
    password_hash = passwords.hash_password(password)  # before any write: SQLite holds its lock from then
    now, code = utcnow(), _new_code()
    pending = PendingRegistration(
        public_id=secrets.token_urlsafe(32), mobile=mobile, real_name=real_name,
        resident_id_number=resident_id_number, password_hash=password_hash, code_hash=_hash_code(code),
        created_at=now, code_sent_at=now, expires_at=now + REGISTRATION_CODE_LIFETIME,
    )
    _text_registration_code(session, mobile, code, now, message)
    session.add(pending)
    audit.record(session, "register_code", origin=origin)
    session.commit()
    return pending.public_id


def pending_registration(session: Session, public_id: str | None, now: datetime | None = None, *,
                         expired_too: bool = False) -> PendingRegistration | None:
    """The registration a browser is in the middle of, while its code can still be used (with
    `expired_too`, also while it is kept after that, so the details typed can be shown again)."""
    if not public_id:
        return None
    statement = select(PendingRegistration).where(_REGISTRATION.public_id == public_id)
    if not expired_too:
        statement = statement.where(_REGISTRATION.expires_at > (now or utcnow()))
    return session.scalar(statement)


def resend_registration_code(session: Session, public_id: str | None, origin: Origin, message) -> None:
    """A new code for a registration, in place of the one sent; the first one stops working."""
    now, code = utcnow(), _new_code()
    live = (_REGISTRATION.public_id == (public_id or ""), _REGISTRATION.expires_at > now,
            _REGISTRATION.confirmed_at.is_(None))
    # One statement, so that requests sent at once cannot each find the minute over.
    mobile = session.execute(
        update(_REGISTRATIONS).where(*live, _REGISTRATION.code_sent_at <= now - REGISTRATION_CODE_RESEND_AFTER)
        .values(code_hash=_hash_code(code), attempts=0, code_sent_at=now, expires_at=now + REGISTRATION_CODE_LIFETIME)
        .returning(_REGISTRATION.mobile)
    ).scalar()
    if mobile is None:
        session.rollback()
        raise IdentityError(_why_not_open(session, public_id, now, still_open="registration_code_just_sent"))
    _text_registration_code(session, mobile, code, now, message)
    audit.record(session, "register_code", origin=origin)
    session.commit()


def confirm_registration(session: Session, public_id: str | None, code: str, origin: Origin) -> Account:
    """Make the account of a registration whose code came back right. Refusals: the code wrong, or
    tried too often; the registration expired; the number or ID number taken meanwhile; and
    "registration_done" when its account was made already (the same code sent again)."""
    now = utcnow()
    open_ = (_REGISTRATION.public_id == (public_id or ""), _REGISTRATION.expires_at > now,
             _REGISTRATION.confirmed_at.is_(None))
    # Each try is counted, and committed, before the code is compared (as with reset codes).
    counted = session.execute(
        update(_REGISTRATIONS).where(*open_, _REGISTRATION.attempts < REGISTRATION_CODE_MAX_ATTEMPTS)
        .values(attempts=_REGISTRATION.attempts + 1)
        .returning(_REGISTRATION.id, _REGISTRATION.code_hash, _REGISTRATION.mobile, _REGISTRATION.real_name,
                   _REGISTRATION.resident_id_number, _REGISTRATION.password_hash)
    ).one_or_none()
    session.commit()
    if counted is None:
        raise IdentityError(_why_not_open(session, public_id, now, still_open="registration_code_used_up"))
    if not hmac.compare_digest(counted.code_hash, _hash_code(code)):
        audit.record(session, "register", origin=origin, outcome="failure")
        session.commit()
        raise IdentityError("registration_code_invalid")
    # Claimed once: of the same right code sent twice at once, one makes the account.
    claimed = session.execute(
        update(_REGISTRATIONS).where(_REGISTRATION.id == counted.id, _REGISTRATION.confirmed_at.is_(None))
        .values(confirmed_at=now, real_name="", resident_id_number="", password_hash="", code_hash="")
        .returning(_REGISTRATION.id)
    ).scalar()
    if claimed is None:
        session.rollback()
        raise IdentityError(_why_not_open(session, public_id, now, still_open="registration_done"))
    try:
        _refuse_taken(session, counted.mobile, counted.resident_id_number)  # taken while the code travelled
        account = Account(mobile=counted.mobile, display_name=counted.real_name, password_hash=counted.password_hash)
        account.resident = ResidentProfile(real_name=counted.real_name, resident_id_number=counted.resident_id_number,
                                           birth_date=birth_date_of(counted.resident_id_number))
        session.add(account)
        session.flush()
    except IntegrityError:  # another registration of the number or ID number, made at the same moment
        session.rollback()
        _refuse_taken(session, counted.mobile, counted.resident_id_number)
        raise
    except IdentityError:
        session.rollback()  # the details stay, to be shown again and corrected
        raise
    audit.record(session, "register", origin=origin, actor_id=account.id)
    session.commit()
    return account


def _why_not_open(session: Session, public_id: str | None, now: datetime, *, still_open: str) -> str:
    """Why a statement on a registration found nothing to change: made already, expired or never
    there, or else `still_open` (what the statement's own condition refused)."""
    row = session.execute(select(_REGISTRATION.confirmed_at, _REGISTRATION.expires_at)
                          .where(_REGISTRATION.public_id == (public_id or ""))).one_or_none()
    if row is not None and row.confirmed_at is not None:
        return "registration_done"
    if row is None or row.expires_at <= now:
        return "registration_expired"
    return still_open


def purge_registrations(session: Session, now: datetime | None = None) -> int:
    """Delete registrations whose code expired over `REGISTRATION_KEPT_AFTER_EXPIRY` ago (the caller
    commits)."""
    cutoff = (now or utcnow()) - REGISTRATION_KEPT_AFTER_EXPIRY
    return session.execute(delete(_REGISTRATIONS).where(_REGISTRATION.expires_at <= cutoff)).rowcount or 0


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
    code = _new_code()
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
