"""Acting for someone (亲友代办): invitations, acceptance, the checks, and ending it.

The subject (an elder) invites a family member by mobile number and chooses the scope and how
long it lasts; the family member accepts; from then on they may act for the elder within that
scope until it expires or the elder revokes it, which takes effect on the very next request,
because every use goes through `active_delegation`. No Flask: callers pass actor and session.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from portal import audit
from portal.audit import Origin
from portal.identity_numbers import MOBILE_PATTERN
from portal.models.account import Account
from portal.models.base import utcnow
from portal.models.delegation import Delegation, DelegationStatus

SCOPES = ("view_cases", "file_applications")
# How long a delegation may last, in days, as offered on the invitation form.
DURATIONS = (30, 90, 180, 365, 730)
MAX_OPEN = 5  # invitations and active delegations one person may have granted at once
MOBILE = re.compile(MOBILE_PATTERN)


class DelegationError(Exception):
    """`code`: invalid_mobile, own_mobile, already_invited, too_many, no_scope, invalid_duration,
    not_found, not_pending, expired, not_allowed."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _open(subject: Account):
    return (Delegation.subject_id == subject.id) & Delegation.status.in_(
        [DelegationStatus.INVITED, DelegationStatus.ACTIVE]
    )


def invite(
    session: Session,
    subject: Account,
    *,
    mobile: str,
    scopes: set[str] | frozenset[str] | tuple[str, ...],
    days: int,
    relationship_note: str | None = None,
    origin: Origin | None = None,
    now: datetime | None = None,
) -> Delegation:
    """`subject` invites whoever holds `mobile`. Says nothing about whether that person has an account."""
    now = now or utcnow()
    mobile = (mobile or "").strip().replace(" ", "")
    if not MOBILE.match(mobile):
        raise DelegationError("invalid_mobile")
    if mobile == subject.mobile:
        raise DelegationError("own_mobile")
    scopes = set(scopes) & set(SCOPES)
    if not scopes:
        raise DelegationError("no_scope")
    if days not in DURATIONS:
        raise DelegationError("invalid_duration")
    open_ones = list(session.scalars(select(Delegation).where(_open(subject))))
    live = [d for d in open_ones if now < d.expires_at]
    if any(d.invited_mobile == mobile for d in live):
        raise DelegationError("already_invited")
    if len(live) >= MAX_OPEN:
        raise DelegationError("too_many")
    delegation = Delegation(
        subject_id=subject.id,
        invited_mobile=mobile,
        relationship_note=(relationship_note or "").strip()[:50] or None,
        can_view_cases="view_cases" in scopes,
        can_file_applications="file_applications" in scopes,
        status=DelegationStatus.INVITED,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(delegation)
    session.flush()
    audit.record(
        session, "delegation.invite", origin=origin, actor_id=subject.id, subject_id=subject.id,
        object_type="delegation", object_id=delegation.public_id, scopes=sorted(scopes), days=days,
    )
    return delegation


def granted_by(session: Session, subject: Account) -> list[Delegation]:
    """Every delegation `subject` has given, newest first (the elder's side of the page)."""
    return list(
        session.scalars(
            select(Delegation).where(Delegation.subject_id == subject.id).order_by(Delegation.created_at.desc())
        )
    )


def invitations_for(session: Session, account: Account, now: datetime | None = None) -> list[Delegation]:
    """Invitations waiting for `account` to accept, found by their mobile number."""
    now = now or utcnow()
    if not account.mobile:
        return []
    return list(
        session.scalars(
            select(Delegation)
            .where(
                Delegation.invited_mobile == account.mobile,
                Delegation.status == DelegationStatus.INVITED,
                Delegation.expires_at > now,
                Delegation.subject_id != account.id,
            )
            .order_by(Delegation.created_at.desc())
        )
    )


def held_by(session: Session, representative: Account, now: datetime | None = None) -> list[Delegation]:
    """Delegations `representative` may use now (the family member's side of the page)."""
    now = now or utcnow()
    return list(
        session.scalars(
            select(Delegation)
            .where(
                Delegation.representative_id == representative.id,
                Delegation.status == DelegationStatus.ACTIVE,
                Delegation.expires_at > now,
            )
            .order_by(Delegation.accepted_at.desc())
        )
    )


def _find_for(session: Session, account: Account, public_id: str) -> Delegation:
    """A delegation `account` is party to (as subject, representative or invitee), or not_found."""
    delegation = session.scalar(
        select(Delegation).where(
            Delegation.public_id == public_id,
            or_(
                Delegation.subject_id == account.id,
                Delegation.representative_id == account.id,
                (Delegation.status == DelegationStatus.INVITED) & (Delegation.invited_mobile == (account.mobile or "")),
            ),
        )
    )
    if delegation is None:
        raise DelegationError("not_found")
    return delegation


def accept(
    session: Session, representative: Account, public_id: str, *, origin: Origin | None = None,
    now: datetime | None = None,
) -> Delegation:
    now = now or utcnow()
    delegation = _find_for(session, representative, public_id)
    if delegation.subject_id == representative.id or delegation.invited_mobile != representative.mobile:
        raise DelegationError("not_found")
    if delegation.status != DelegationStatus.INVITED:
        raise DelegationError("not_pending")
    if now >= delegation.expires_at:
        raise DelegationError("expired")
    delegation.status = DelegationStatus.ACTIVE
    delegation.representative_id = representative.id
    delegation.accepted_at = now
    audit.record(
        session, "delegation.accept", origin=origin, actor_id=representative.id,
        subject_id=delegation.subject_id, object_type="delegation", object_id=delegation.public_id,
    )
    return delegation


def decline(
    session: Session, invitee: Account, public_id: str, *, origin: Origin | None = None,
    now: datetime | None = None,
) -> Delegation:
    now = now or utcnow()
    delegation = _find_for(session, invitee, public_id)
    if delegation.subject_id == invitee.id or delegation.invited_mobile != invitee.mobile:
        raise DelegationError("not_found")
    if delegation.status != DelegationStatus.INVITED:
        raise DelegationError("not_pending")
    delegation.status = DelegationStatus.DECLINED
    delegation.ended_at = now
    delegation.ended_by_id = invitee.id
    audit.record(
        session, "delegation.decline", origin=origin, actor_id=invitee.id, subject_id=delegation.subject_id,
        object_type="delegation", object_id=delegation.public_id,
    )
    return delegation


def revoke(
    session: Session, actor: Account, public_id: str, *, origin: Origin | None = None,
    now: datetime | None = None,
) -> Delegation:
    """End a delegation: the subject revokes it, or the representative steps down. Immediate."""
    now = now or utcnow()
    delegation = _find_for(session, actor, public_id)
    if actor.id not in (delegation.subject_id, delegation.representative_id):
        raise DelegationError("not_found")
    if delegation.status not in (DelegationStatus.INVITED, DelegationStatus.ACTIVE):
        raise DelegationError("not_pending")
    delegation.status = DelegationStatus.REVOKED
    delegation.ended_at = now
    delegation.ended_by_id = actor.id
    audit.record(
        session, "delegation.revoke", origin=origin, actor_id=actor.id, subject_id=delegation.subject_id,
        object_type="delegation", object_id=delegation.public_id,
    )
    return delegation


def active_delegation(
    session: Session,
    representative: Account,
    subject: Account,
    *,
    scope: str | None = None,
    now: datetime | None = None,
) -> Delegation | None:
    """The delegation letting `representative` act for `subject` now (within `scope`), or None.

    Read from the database on every call: a revocation or an expiry counts from the next request.
    """
    if scope is not None and scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}")
    now = now or utcnow()
    if representative.id == subject.id:
        return None
    for delegation in session.scalars(
        select(Delegation).where(
            Delegation.representative_id == representative.id,
            Delegation.subject_id == subject.id,
            Delegation.status == DelegationStatus.ACTIVE,
        )
    ):
        if delegation.is_active(now) and (scope is None or delegation.allows(scope)):
            return delegation
    return None


def require_delegation(
    session: Session, representative: Account, subject: Account, *, scope: str | None = None,
    now: datetime | None = None,
) -> Delegation:
    delegation = active_delegation(session, representative, subject, scope=scope, now=now)
    if delegation is None:
        raise DelegationError("not_allowed")
    return delegation


def start_acting(
    session: Session, representative: Account, public_id: str, *, origin: Origin | None = None,
    now: datetime | None = None,
) -> Account:
    """Check that `representative` may act through this delegation now; return the subject.

    The caller then records the subject in the signed-in session (auth.session.set_acting_for).
    """
    now = now or utcnow()
    delegation = session.scalar(
        select(Delegation).where(Delegation.public_id == public_id, Delegation.representative_id == representative.id)
    )
    if delegation is None:
        raise DelegationError("not_found")
    if not delegation.is_active(now):
        raise DelegationError("expired" if delegation.status == DelegationStatus.ACTIVE else "not_allowed")
    audit.record(
        session, "delegation.act", origin=origin, actor_id=representative.id, subject_id=delegation.subject_id,
        object_type="delegation", object_id=delegation.public_id,
    )
    return delegation.subject
