"""The city code (城市码): a resident's live QR code, its numeric twin, paper codes, and the
verification a desk runs on any of them. No Flask: callers pass the session, keyring and origin.

The live code lasts CODE_LIFETIME and is good once per scan purpose; the page shows a new one
every REFRESH_SECONDS, and opened again within that minute shows the same code until it is used.
A paper code lasts 180 days, is good for many scans and can be revoked at once. The scanner
learns only what the scan purpose needs (never the ID number), and each verification is recorded
twice: in the resident's own history and in the audit trail.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from html import escape

import segno
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from portal import audit
from portal.audit import Origin
from portal.codes import (
    Claims,
    CodeRefused,
    Keyring,
    Purpose,
    Reason,
    group,
    is_spent,
    issue,
    issue_numeric,
    looks_numeric,
    purge_expired,
    redeem_numeric,
    revoke,
    verify,
)
from portal.models.account import Account
from portal.models.base import CoreLoader, utcnow
from portal.models.city_code import CodeVerification, PaperCode
from portal.models.department import Department

REFRESH_SECONDS = 60
# Shown for a minute; accepted half a minute longer, for the scan that starts just before the swap.
CODE_LIFETIME = timedelta(seconds=REFRESH_SECONDS + 30)
PAPER_LIFETIME = timedelta(days=180)
CITY_PURPOSES = frozenset({Purpose.CITY_CODE, Purpose.PAPER_CODE})


@dataclass(frozen=True)
class Disclosure:
    """What a scan for one purpose may show the person scanning."""

    name: bool  # the name, with its middle masked


# Scan purposes a desk may choose, and what each may see. None sees the ID number.
SCAN_PURPOSES: dict[str, Disclosure] = {
    "identity": Disclosure(name=True),  # 身份核验 at a service window
    "pickup": Disclosure(name=True),  # 证照领取: collecting a certificate
    "entry": Disclosure(name=False),  # 场所通行: entering a building, presence only
}


@dataclass(frozen=True)
class LiveCode:
    token: str
    digits: str  # the numeric code, ungrouped
    issued_at: datetime
    expires_at: datetime
    token_id: str
    refresh_seconds: int = REFRESH_SECONDS  # until the page asks for the next code
    shown_before: bool = False  # shown on an earlier page: nothing was written for it

    @property
    def grouped_digits(self) -> str:
        return group(self.digits)

    def kept(self) -> dict:
        """What a session keeps of the code, to show it again (`from_kept`)."""
        return {"token": self.token, "digits": self.digits, "token_id": self.token_id,
                "issued_at": self.issued_at.isoformat(), "expires_at": self.expires_at.isoformat()}

    @classmethod
    def from_kept(cls, kept) -> LiveCode | None:
        try:
            return cls(token=kept["token"], digits=kept["digits"], token_id=kept["token_id"],
                       issued_at=datetime.fromisoformat(kept["issued_at"]),
                       expires_at=datetime.fromisoformat(kept["expires_at"]))
        except (KeyError, TypeError, ValueError):
            return None


@dataclass(frozen=True)
class VerificationResult:
    """What the desk may show: whether the code is good, why not, and the masked name if the
    purpose allows. Deliberately without the ID number, the mobile or any account id."""

    verified: bool
    reason: Reason | None
    purpose: str
    channel: str  # "qr", "numeric" or "paper"
    checked_at: datetime
    masked_name: str | None = None

    @property
    def outcome(self) -> str:
        return "verified" if self.verified else self.reason.value


def mask_name(name: str) -> str:
    """王秀英 -> 王*英, 李明 -> 李*, 欧阳娜娜 -> 欧**娜: the middle hidden, enough to recognise."""
    name = (name or "").strip()
    if len(name) <= 1:
        return "*" if name else ""
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


QR_MASK = 0


def qr_svg(token: str, label: str) -> str:
    """The token as an inline SVG QR code (alphanumeric mode, level M), labelled for screen readers."""
    return labelled(qr_drawing(token), label)


def qr_drawing(token: str) -> str:
    """The QR code's SVG without its label.

    One fixed data mask: every reader decodes any of the eight, and scoring all eight to pick the
    best took four fifths of the drawing time (9 ms a code). A token reads like random characters,
    so no mask leaves the long runs or finder-like shapes the scoring exists to avoid.
    """
    return segno.make(token, error="m", micro=False, mask=QR_MASK).svg_inline(
        scale=1, border=4, omitsize=True, svgclass="qr-code", lineclass=None, dark="#000"
    )


def labelled(drawing: str, label: str) -> str:
    return drawing.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)


# Forgetting expired nonces and numeric codes is housekeeping, not a check (an expired token is
# refused before those tables are read): once a minute in each process is enough, and spares
# every code page four DELETEs.
PURGE_EVERY = timedelta(minutes=1)
_last_purge: datetime | None = None


def _purge_now_and_then(session: Session, now: datetime) -> None:
    global _last_purge
    if _last_purge is None or not _last_purge <= now < _last_purge + PURGE_EVERY:
        purge_expired(session, now)
        _last_purge = now


def issue_live_code(session: Session, keyring: Keyring, account: Account, *, now: datetime | None = None) -> LiveCode:
    """A fresh live code and its numeric twin for `account` (the resident themselves)."""
    now = now or utcnow()
    _purge_now_and_then(session, now)
    token, claims = issue(keyring, Purpose.CITY_CODE, account.public_id, lifetime=CODE_LIFETIME, now=now)
    digits = issue_numeric(session, token, claims)
    return LiveCode(token=token, digits=digits, issued_at=claims.issued_at, expires_at=claims.expires_at,
                    token_id=claims.token_id)


# Shown again only with this long left of its minute: a code about to change is not worth keeping.
MIN_SECONDS_LEFT = 10


def shown_live_code(
    session: Session, keyring: Keyring, account: Account, last: LiveCode | None, *, now: datetime | None = None,
) -> LiveCode:
    """The live code to show `account`: `last`, the one this person was shown last (the caller
    keeps it, say in their session), again while it has at least MIN_SECONDS_LEFT of its minute and
    is unused; else a new one. A code is never shown past REFRESH_SECONDS after it was issued."""
    now = now or utcnow()
    if last is not None:
        left = REFRESH_SECONDS - (now - last.issued_at).total_seconds()
        if MIN_SECONDS_LEFT <= left <= REFRESH_SECONDS and not is_spent(session, last.token_id):
            return replace(last, refresh_seconds=math.ceil(left), shown_before=True)
    return issue_live_code(session, keyring, account, now=now)


def shown_alike_until(live: LiveCode) -> datetime:
    """Until when a page showing `live` would be shown the same: its countdown (`refresh_seconds`,
    whole seconds) changes a second after it was worked out, and the code itself is not shown again
    once fewer than MIN_SECONDS_LEFT of its minute are left."""
    counted_down = REFRESH_SECONDS - live.refresh_seconds + 1
    return live.issued_at + timedelta(seconds=min(counted_down, REFRESH_SECONDS - MIN_SECONDS_LEFT))


# --- paper codes ---------------------------------------------------------------------------


# Built once: the code page runs them on every view, by Core (`CoreLoader`): the ORM's execution path
# cost three to four times the statement, most of all when it finds nothing, as for most people.
_PAPER_CODES = CoreLoader(
    PaperCode, PaperCode.account_id == bindparam("account_id"),
    order_by=(PaperCode.issued_at.desc(), PaperCode.id.desc()),
)
_VERIFICATIONS = CoreLoader(
    CodeVerification, CodeVerification.account_id == bindparam("account_id"),
    order_by=(CodeVerification.at.desc(), CodeVerification.id.desc()), limit=bindparam("limit"),
)


def paper_codes_of(session: Session, account: Account) -> list[PaperCode]:
    return _PAPER_CODES.all(session, {"account_id": account.id})


def find_paper_code(session: Session, account: Account, public_id: str) -> PaperCode | None:
    """One of `account`'s paper codes; None for anyone else's, so another's id finds nothing."""
    return session.scalar(
        select(PaperCode).where(PaperCode.public_id == public_id, PaperCode.account_id == account.id)
    )


def issue_paper_code(
    session: Session,
    keyring: Keyring,
    *,
    actor: Account,
    subject: Account,
    origin: Origin | None = None,
    now: datetime | None = None,
) -> PaperCode:
    """A new paper code for `subject`, asked for by `actor` (themselves, or family acting for them).

    Earlier paper codes still live are revoked: only the newest printout works. The caller has
    checked that `actor` may act for `subject`.
    """
    now = now or utcnow()
    for earlier in paper_codes_of(session, subject):
        if earlier.is_live(now):
            _revoke(session, earlier, actor, now, "replaced")
    token, claims = issue(keyring, Purpose.PAPER_CODE, subject.public_id, lifetime=PAPER_LIFETIME, now=now)
    paper = PaperCode(
        account_id=subject.id,
        issued_by_id=actor.id,
        token=token,
        token_id=claims.token_id,
        issued_at=claims.issued_at,
        expires_at=claims.expires_at,
    )
    session.add(paper)
    session.flush()
    audit.record(
        session, "paper_code.issue", origin=origin, actor_id=actor.id, subject_id=subject.id,
        object_type="paper_code", object_id=paper.public_id,
    )
    return paper


def _revoke(session: Session, paper: PaperCode, actor: Account, now: datetime, reason: str) -> None:
    paper.revoked_at = now
    paper.revoked_by_id = actor.id
    revoke(session, paper.token_id, paper.expires_at, now, reason)


def revoke_paper_code(
    session: Session,
    paper: PaperCode,
    *,
    actor: Account,
    origin: Origin | None = None,
    now: datetime | None = None,
) -> bool:
    """Revoke a paper code (lost, stolen): refused from the next scan on. False if it was already."""
    now = now or utcnow()
    if paper.revoked_at is not None:
        return False
    _revoke(session, paper, actor, now, "revoked")
    audit.record(
        session, "paper_code.revoke", origin=origin, actor_id=actor.id, subject_id=paper.account_id,
        object_type="paper_code", object_id=paper.public_id,
    )
    return True


# --- verification --------------------------------------------------------------------------


def verification_history(session: Session, account: Account, limit: int = 50) -> list[CodeVerification]:
    """Who checked `account`'s codes, newest first: the resident's own view."""
    return _VERIFICATIONS.all(session, {"account_id": account.id, "limit": limit})


def _holder(session: Session, claims: Claims | None) -> Account | None:
    if claims is None:
        return None
    return session.scalar(select(Account).where(Account.public_id == claims.subject))


def verify_city_code(
    session: Session,
    raw: str,
    purpose: str,
    officer: Account,
    origin: Origin | None = None,
    *,
    keyring: Keyring,
    department: Department | None = None,
    now: datetime | None = None,
) -> VerificationResult:
    """Check a scanned QR payload, a typed numeric code or a paper code, for one scan purpose.

    `purpose` is a key of SCAN_PURPOSES. `officer` must hold a staff position; `department`
    defaults to their first. Writes a CodeVerification row (the resident's history) and an audit
    row (actor = officer, subject = the resident when known); the caller commits.
    """
    if purpose not in SCAN_PURPOSES:
        raise ValueError(f"unknown scan purpose {purpose!r}")
    if not officer.is_staff:
        raise PermissionError("only staff verify city codes")
    now = now or utcnow()
    if department is None and officer.staff_positions:
        department = officer.staff_positions[0].department
    channel = "numeric" if looks_numeric(raw) else "qr"
    holder: Account | None = None
    reason: Reason | None = None
    try:
        token = raw
        if channel == "numeric":
            token = redeem_numeric(session, raw, verifier=f"account:{officer.id}", now=now)
        claims = verify(session, keyring, token, purposes=CITY_PURPOSES, now=now, scope=purpose)
        if claims.purpose == Purpose.PAPER_CODE:
            channel = "paper"
        holder = _holder(session, claims)
        if holder is None or not holder.is_active or holder.resident is None:
            reason = Reason.REVOKED  # the account behind a good code is closed
    except CodeRefused as refusal:
        reason = refusal.reason
        holder = _holder(session, refusal.claims)
    verified = reason is None
    result = VerificationResult(
        verified=verified,
        reason=reason,
        purpose=purpose,
        channel=channel,
        checked_at=now,
        masked_name=mask_name(holder.resident.real_name)
        if verified and SCAN_PURPOSES[purpose].name
        else None,
    )
    session.add(
        CodeVerification(
            at=now,
            account_id=holder.id if holder is not None else None,
            verifier_id=officer.id,
            department_id=department.id if department is not None else None,
            purpose=purpose,
            channel=channel,
            outcome=result.outcome,
        )
    )
    audit.record(
        session, "city_code.verify", origin=origin, actor_id=officer.id,
        subject_id=holder.id if holder is not None else None,
        outcome="success" if verified else "failure", object_type="city_code",
        purpose=purpose, channel=channel, reason=reason.value if reason else None,
        department=department.code if department is not None else None,
    )
    session.flush()
    return result
