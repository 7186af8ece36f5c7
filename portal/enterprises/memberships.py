"""Who acts for an enterprise: legal representatives and agents (经办人), and the one check every
use of an enterprise goes through.

A legal representative adds an agent with a scope and an optional expiry; the binding stays
pending until the agent confirms it. The legal representative (or the agent) may end it at any
time. Access is never cached: every page and service loads the enterprise through
`active_membership` / `find_enterprise_for`, which read the membership's status and validity
from the database on each request, so a removed or expired agent loses access at once.
No Flask: callers pass the session, the actor and the time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.orm import Session

from portal import audit
from portal.audit import Origin
from portal.enterprises.errors import EnterpriseError
from portal.inbox import tell
from portal.models.account import Account
from portal.models.base import CoreRow, execute_now, fill_unloaded, utcnow
from portal.models.department import Department
from portal.models.enterprise import Enterprise, Membership, MembershipRole, MembershipScope, MembershipStatus

ALL_SCOPES = tuple(scope.value for scope in MembershipScope)
MAX_AGENTS = 20  # pending and active agents an enterprise may have at once


def effective_clause(now: datetime):
    """SQL: memberships that give access at `now` (active, started, not expired)."""
    return and_(
        Membership.status == MembershipStatus.ACTIVE,
        Membership.valid_from <= now,
        or_(Membership.valid_until.is_(None), Membership.valid_until > now),
    )


def _open_clause():
    return Membership.status.in_([MembershipStatus.PENDING, MembershipStatus.ACTIVE])


# Built once, like the other statements every company page runs.
_EFFECTIVE_MEMBERSHIPS = (
    select(Membership)
    .where(Membership.account_id == bindparam("account_id"), Membership.enterprise_id == bindparam("enterprise_id"),
           effective_clause(bindparam("now", type_=Membership.valid_from.type)))
    .order_by(Membership.id)
)
# The enterprise with its town (a fact policies test) and the account's effective memberships of
# it, in one statement: every company page runs it, read with Core (`CoreRow`) because the ORM's
# loading path cost more than the statement.
_ENTERPRISE_TOWN_MEMBERSHIP = CoreRow(Enterprise, Department, Membership)
_ENTERPRISE_TOWN_MEMBERSHIPS = (
    select(*_ENTERPRISE_TOWN_MEMBERSHIP.columns)
    .select_from(Enterprise.__table__)
    .outerjoin(Department.__table__, Department.id == Enterprise.town_id)
    .outerjoin(Membership.__table__, and_(Membership.enterprise_id == Enterprise.id,
                                          Membership.account_id == bindparam("account_id"),
                                          effective_clause(bindparam("now", type_=Membership.valid_from.type))))
    .where(Enterprise.public_id == bindparam("public_id"))
    .order_by(Membership.id)
)


def active_membership(
    session: Session,
    account: Account,
    enterprise: Enterprise,
    *,
    scope: MembershipScope | str | None = None,
    now: datetime | None = None,
) -> Membership | None:
    """The membership through which `account` may act for `enterprise` now (and within `scope`),
    or None. A legal representative's membership wins over an agent's."""
    if account is None or getattr(account, "id", None) is None:
        return None
    memberships = session.scalars(
        _EFFECTIVE_MEMBERSHIPS, {"account_id": account.id, "enterprise_id": enterprise.id, "now": now or utcnow()}
    ).all()
    return _acting_through(memberships, scope)


def _acting_through(memberships: Iterable[Membership], scope: MembershipScope | str | None) -> Membership | None:
    """Of effective memberships (oldest first), the one to act through within `scope`."""
    usable = [m for m in memberships if scope is None or m.allows(scope)]
    usable.sort(key=lambda m: m.role != MembershipRole.LEGAL_REPRESENTATIVE)
    return usable[0] if usable else None


def enterprises_of(
    session: Session, account: Account, *, scope: MembershipScope | str | None = None, now: datetime | None = None
) -> list[Enterprise]:
    """The enterprises `account` may act for now: staff see only their own companies."""
    now = now or utcnow()
    rows = session.execute(
        select(Enterprise, Membership)
        .join(Membership, Membership.enterprise_id == Enterprise.id)
        .where(Membership.account_id == account.id, effective_clause(now))
        .order_by(Enterprise.name_zh, Enterprise.id)
    ).all()
    seen: dict[int, Enterprise] = {}
    for enterprise, membership in rows:
        if scope is None or membership.allows(scope):
            seen.setdefault(enterprise.id, enterprise)
    return list(seen.values())


def find_enterprise_for(
    session: Session,
    account: Account,
    public_id: str,
    *,
    scope: MembershipScope | str | None = None,
    now: datetime | None = None,
) -> Enterprise | None:
    """The enterprise behind a URL, only if `account` may act for it (else None: answer 404)."""
    if account is None or getattr(account, "id", None) is None:
        return None
    rows = execute_now(session, _ENTERPRISE_TOWN_MEMBERSHIPS,
                       {"public_id": public_id, "account_id": account.id, "now": now or utcnow()}).all()
    if not rows:
        return None
    taken = [_ENTERPRISE_TOWN_MEMBERSHIP.take(session, row) for row in rows]
    enterprise, town, _ = taken[0]
    fill_unloaded(enterprise, "town", lambda: town)
    memberships = (membership for _, _, membership in taken)
    if _acting_through((membership for membership in memberships if membership is not None), scope) is None:
        return None
    return enterprise


def members_of(session: Session, enterprise: Enterprise) -> list[Membership]:
    """Everyone bound to the enterprise, pending and revoked included (the legal representative's list)."""
    return list(
        session.scalars(
            select(Membership)
            .where(Membership.enterprise_id == enterprise.id)
            .order_by(Membership.created_at, Membership.id)
        )
    )


def invitations_for(session: Session, account: Account, *, now: datetime | None = None) -> list[Membership]:
    """Agent bindings waiting for `account` to confirm (expired ones left out)."""
    now = now or utcnow()
    return list(
        session.scalars(
            select(Membership)
            .where(
                Membership.account_id == account.id,
                Membership.role == MembershipRole.AGENT,
                Membership.status == MembershipStatus.PENDING,
                or_(Membership.valid_until.is_(None), Membership.valid_until > now),
            )
            .order_by(Membership.created_at)
        )
    )


def recipients(session: Session, enterprise_ids: Iterable[int], *, scope: MembershipScope, now: datetime):
    """(enterprise id, account id) of the people to tell about `scope` matters: the active legal
    representatives and the agents whose scope covers it."""
    ids = list(enterprise_ids)
    pairs: set[tuple[int, int]] = set()
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(Membership.enterprise_id, Membership.account_id, Membership.role, Membership.scopes).where(
                Membership.enterprise_id.in_(ids[start : start + 500]), effective_clause(now)
            )
        ).all()
        for enterprise_id, account_id, role, scopes in rows:
            if role == MembershipRole.LEGAL_REPRESENTATIVE or scope.value in (scopes or []):
                pairs.add((enterprise_id, account_id))
    return sorted(pairs)


def _enterprise_params(enterprise: Enterprise) -> dict:
    return {
        "enterprise": enterprise.public_id,
        "enterprise_zh": enterprise.name_zh,
        "enterprise_en": enterprise.name_en,
    }


def _scopes(scopes: Iterable[str]) -> list[str]:
    chosen = set()
    for scope in scopes or ():
        try:
            chosen.add(MembershipScope(scope).value)
        except ValueError:
            raise EnterpriseError("invalid_scope", scope=str(scope)) from None
    if not chosen:
        raise EnterpriseError("no_scope")
    return [s for s in ALL_SCOPES if s in chosen]


def _require_legal_representative(session: Session, actor: Account, enterprise: Enterprise, now: datetime) -> None:
    membership = active_membership(session, actor, enterprise, now=now)
    if membership is None or membership.role != MembershipRole.LEGAL_REPRESENTATIVE:
        raise EnterpriseError("not_legal_representative")


def add_agent(
    session: Session,
    actor: Account,
    enterprise: Enterprise,
    agent: Account,
    *,
    scopes: Iterable[str],
    valid_until: datetime | None = None,
    origin: Origin | None = None,
    now: datetime | None = None,
) -> Membership:
    """The legal representative binds `agent` to the enterprise; pending until the agent confirms.

    Pages find `agent` by mobile number and should answer alike whether or not one was found.
    Codes: not_legal_representative, own_membership, invalid_scope, no_scope, expiry_in_past,
    already_member, too_many_agents.
    """
    now = now or utcnow()
    _require_legal_representative(session, actor, enterprise, now)
    if agent.id == actor.id:
        raise EnterpriseError("own_membership")
    chosen = _scopes(scopes)
    if valid_until is not None and valid_until <= now:
        raise EnterpriseError("expiry_in_past")
    open_ones = session.scalars(
        select(Membership).where(Membership.enterprise_id == enterprise.id, _open_clause())
    ).all()
    if any(m.account_id == agent.id and (m.valid_until is None or m.valid_until > now) for m in open_ones):
        raise EnterpriseError("already_member")
    if sum(m.role == MembershipRole.AGENT for m in open_ones) >= MAX_AGENTS:
        raise EnterpriseError("too_many_agents", max=MAX_AGENTS)
    membership = Membership(
        account_id=agent.id,
        enterprise_id=enterprise.id,
        role=MembershipRole.AGENT,
        scopes=chosen,
        status=MembershipStatus.PENDING,
        valid_from=now,
        valid_until=valid_until,
        granted_by_id=actor.id,
        created_at=now,
    )
    session.add(membership)
    session.flush()
    tell(
        session, agent.id, "enterprise.agent_invited", membership=membership.public_id, **_enterprise_params(enterprise)
    )
    audit.record(
        session,
        "enterprise.agent_added",
        origin=origin,
        actor_id=actor.id,
        object_type="membership",
        object_id=membership.public_id,
        enterprise=enterprise.public_id,
        agent=agent.public_id,
        scopes=chosen,
        valid_until=valid_until.isoformat() if valid_until else None,
    )
    return membership


def confirm_membership(
    session: Session,
    actor: Account,
    membership: Membership,
    *,
    origin: Origin | None = None,
    now: datetime | None = None,
) -> Membership:
    """The invited agent confirms: from now on the binding gives access.

    Codes: not_yours, not_pending, expired.
    """
    now = now or utcnow()
    if membership.account_id != actor.id:
        raise EnterpriseError("not_yours")
    if membership.role != MembershipRole.AGENT or membership.status != MembershipStatus.PENDING:
        raise EnterpriseError("not_pending")
    if membership.valid_until is not None and membership.valid_until <= now:
        raise EnterpriseError("expired")
    membership.status = MembershipStatus.ACTIVE
    membership.confirmed_at = now
    if membership.valid_from > now:
        membership.valid_from = now
    if membership.granted_by_id is not None:
        tell(
            session,
            membership.granted_by_id,
            "enterprise.agent_confirmed",
            agent_name=actor.display_name,
            **_enterprise_params(membership.enterprise),
        )
    audit.record(
        session,
        "enterprise.agent_confirmed",
        origin=origin,
        actor_id=actor.id,
        object_type="membership",
        object_id=membership.public_id,
        enterprise=membership.enterprise.public_id,
    )
    session.flush()
    return membership


def revoke_membership(
    session: Session,
    actor: Account,
    membership: Membership,
    *,
    origin: Origin | None = None,
    now: datetime | None = None,
) -> Membership:
    """End a binding at once: the legal representative removes an agent, or an agent leaves
    (or declines an invitation). A legal representative is replaced by verifying the new one
    (`portal.enterprises.registration.verify_representative`), not revoked here.

    Codes: already_revoked, not_permitted.
    """
    now = now or utcnow()
    if membership.status == MembershipStatus.REVOKED:
        raise EnterpriseError("already_revoked")
    own = membership.account_id == actor.id
    if membership.role == MembershipRole.LEGAL_REPRESENTATIVE:
        raise EnterpriseError("not_permitted")
    if not own:
        _require_legal_representative(session, actor, membership.enterprise, now)
    membership.status = MembershipStatus.REVOKED
    membership.revoked_at = now
    membership.revoked_by_id = actor.id
    if not own:
        tell(session, membership.account_id, "enterprise.agent_removed", **_enterprise_params(membership.enterprise))
    audit.record(
        session,
        "enterprise.membership_revoked",
        origin=origin,
        actor_id=actor.id,
        object_type="membership",
        object_id=membership.public_id,
        enterprise=membership.enterprise.public_id,
        member=membership.account.public_id,
    )
    session.flush()
    return membership
