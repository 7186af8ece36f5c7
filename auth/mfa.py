"""Second factor: TOTP from an authenticator app, with one-time recovery codes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

import pyotp
import segno
from sqlalchemy import bindparam, exists, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from auth.models import RecoveryCode, TotpCredential
from portal.extensions import db
from portal.models import Account, StaffPosition
from portal.models.base import CoreEntity, CoreRow, execute_now, fill_unloaded, utcnow

ISSUER = "Songjiang Portal"
RECOVERY_CODE_COUNT = 10
STEP_SECONDS = 30


class _Totp(pyotp.TOTP):
    # New enrolments get 160-bit secrets; 80 bits (the most common authenticator default, and the
    # published demo secret) is still accepted for secrets enrolled elsewhere.
    min_secret_length_bits = 80


def new_secret() -> str:
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, account_name: str, issuer: str = ISSUER) -> str:
    return _Totp(secret).provisioning_uri(name=account_name, issuer_name=issuer)


def qr_data_uri(uri: str) -> str:
    """The enrolment QR as an SVG data URI (allowed by the page's image policy)."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff", omitsize=False)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def matching_step(secret: str, code: str, at: float | None = None) -> int | None:
    """The 30-second step whose code equals `code`, allowing one step of clock drift."""
    code = code.strip().replace(" ", "")
    if not code.isdigit() or len(code) != 6:
        return None
    now = at if at is not None else time.time()
    totp = _Totp(secret)
    current = int(now // STEP_SECONDS)
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def credential_of(session: Session, account: Account) -> TotpCredential | None:
    return session.scalar(select(TotpCredential).where(TotpCredential.account_id == account.id))


def is_enrolled(account: Account) -> bool:
    return credential_of(db.session, account) is not None


# Built once: every desk page asks it. Positions are read with Core (`CoreEntity`) here as with the
# account below: the same objects either way.
_POSITION = CoreEntity(StaffPosition)
_POSITIONS_AND_ENROLMENT = (
    select(*_POSITION.columns, exists().where(TotpCredential.account_id == bindparam("account_id")))
    .where(StaffPosition.account_id == bindparam("account_id"))
    .order_by(StaffPosition.id)
)
# The account with the same, for a request to the desk: read by the account loader (auth.session).
_ACCOUNT_AND_POSITION = CoreRow(Account, StaffPosition)
_ACCOUNT_WITH_STANDING = (
    select(*_ACCOUNT_AND_POSITION.columns, exists().where(TotpCredential.account_id == Account.id))
    .select_from(Account.__table__.outerjoin(StaffPosition.__table__, StaffPosition.account_id == Account.id))
    .where(Account.public_id == bindparam("public_id"))
    # In a stable order: a page answered early compares these rows in order (portal.read_sets).
    .order_by(StaffPosition.id)
)
# Where the session keeps, until `staff_standing` asks, whether an account read that way has an
# authenticator: {account id: bool}.
_ENROLMENT_READ = "auth.mfa.enrolment_read"


def account_with_standing(session: Session, public_id: str) -> Account | None:
    """The account behind `public_id` with its staff positions and whether it has an authenticator,
    in one statement: what every desk page asks first (`staff_standing`), read with the account."""
    rows = execute_now(session, _ACCOUNT_WITH_STANDING, {"public_id": public_id}).all()
    if not rows:
        return None
    taken = [_ACCOUNT_AND_POSITION.take(session, row) for row in rows]
    account = taken[0][0]
    positions = [position for _, position in taken if position is not None]
    if fill_unloaded(account, "staff_positions", lambda: positions):
        session.info.setdefault(_ENROLMENT_READ, {})[account.id] = bool(rows[0][-1])
    return account


def staff_standing(session: Session, account: Account) -> bool | None:
    """Whether a staff member has an authenticator, in one statement with their positions (which
    the account then holds), or none when `account_with_standing` read it with the account; None
    when the account holds no staff position."""
    rows = []

    def positions() -> list[StaffPosition]:
        rows.extend(execute_now(session, _POSITIONS_AND_ENROLMENT, {"account_id": account.id}))
        return [_POSITION.take(session, row) for row in rows]

    if fill_unloaded(account, "staff_positions", positions):
        return bool(rows[0][-1]) if rows else None
    # Read with the account, and used once: a later question in the same request (after an
    # enrolment, say) reads it afresh.
    read_with_account = session.info.get(_ENROLMENT_READ, {}).pop(account.id, None)
    if not account.staff_positions:
        return None
    return read_with_account if read_with_account is not None else is_enrolled(account)


def _hash_recovery(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").strip().lower().encode()).hexdigest()


def enrol(session: Session, account: Account, secret: str, code: str) -> list[str] | None:
    """Save the authenticator if `code` proves it works; returns fresh recovery codes."""
    step = matching_step(secret, code)
    if step is None:
        return None
    existing = credential_of(session, account)
    if existing is not None:
        session.delete(existing)
        session.flush()
    session.add(TotpCredential(account_id=account.id, secret=secret, last_used_step=step))
    return replace_recovery_codes(session, account)


def replace_recovery_codes(session: Session, account: Account) -> list[str]:
    for old in session.scalars(select(RecoveryCode).where(RecoveryCode.account_id == account.id)):
        session.delete(old)
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = secrets.token_hex(5)
        codes.append(f"{raw[:5]}-{raw[5:]}")
        session.add(RecoveryCode(account_id=account.id, code_hash=_hash_recovery(raw)))
    return codes


TOTP = "totp"
RECOVERY = "recovery"


def verify(session: Session, account: Account, code: str) -> str | None:
    """Check a TOTP or recovery code; returns TOTP or RECOVERY, or None. Codes are single-use."""
    credential = credential_of(session, account)
    if credential is None:
        return None
    step = matching_step(credential.secret, code)
    if step is not None:
        # Used only if no later step was used as it is written: the same code sent twice at once,
        # or this step's and the next's, sign in once.
        used = session.execute(
            update(TotpCredential.__table__)
            .where(TotpCredential.__table__.c.id == credential.id, TotpCredential.__table__.c.last_used_step < step)
            .values(last_used_step=step)
        ).rowcount
        if not used:
            return None
        set_committed_value(credential, "last_used_step", step)
        return TOTP
    digest = _hash_recovery(code)
    unused = (RecoveryCode.account_id == account.id, RecoveryCode.used_at.is_(None))
    for code_id, code_hash in session.execute(select(RecoveryCode.id, RecoveryCode.code_hash).where(*unused)):
        if hmac.compare_digest(code_hash, digest):
            # Spent only if still unused as it is written: the same code sent twice at once signs in once.
            spent = session.execute(update(RecoveryCode).where(RecoveryCode.id == code_id, *unused)
                                    .values(used_at=utcnow())).rowcount
            return RECOVERY if spent else None
    return None


def recovery_codes_left(session: Session, account: Account) -> int:
    return session.scalar(select(func.count(RecoveryCode.id))
                          .where(RecoveryCode.account_id == account.id, RecoveryCode.used_at.is_(None)))


def remove(session: Session, account: Account) -> None:
    credential = credential_of(session, account)
    if credential is not None:
        session.delete(credential)
    for old in session.scalars(select(RecoveryCode).where(RecoveryCode.account_id == account.id)):
        session.delete(old)
