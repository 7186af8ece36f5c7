"""What the policy pages call: policies scoped to the officer's departments, drafts saved with
their criteria checked, the dry run per town, publishing and withdrawing, and verifying the
legal representatives who registered companies. Changing functions commit."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal import enterprises, policy_matching
from portal.audit import Origin
from portal.models import (
    Account,
    ApplicationMethod,
    Membership,
    MembershipRole,
    MembershipStatus,
    Policy,
    PolicyStatus,
    PolicyTopic,
)
from portal.models.base import utcnow
from portal.rules import RuleError, validate


def department_ids(account: Account) -> list[int]:
    return [p.department_id for p in account.staff_positions]


def policies_for(session: Session, account: Account) -> list[Policy]:
    query = select(Policy).options(selectinload(Policy.department)).order_by(Policy.updated_at.desc(), Policy.id)
    if not account.is_admin:
        query = query.where(Policy.department_id.in_(department_ids(account)))
    return list(session.scalars(query))


def policy_for(session: Session, account: Account, public_id: str) -> Policy | None:
    """A policy of the officer's departments (an administrator's: any); None answers 404."""
    policy = session.scalar(select(Policy).where(Policy.public_id == public_id))
    if policy is None or not (account.is_admin or policy.department_id in department_ids(account)):
        return None
    return policy


@dataclass
class Saved:
    policy: Policy | None
    errors: list[RuleError]


def save_draft(session: Session, account: Account, policy: Policy | None, fields: dict, criteria,
               clauses: dict) -> Saved:
    """Create or update a draft; nothing is stored while the criteria have errors."""
    errors = validate(criteria) if criteria is not None else []
    if errors:
        return Saved(policy, errors)
    now = utcnow()
    if policy is None:
        policy = Policy(department_id=department_ids(account)[0], created_by_id=account.id, created_at=now,
                        status=PolicyStatus.DRAFT)
        session.add(policy)
    fields = {**fields, "topic": PolicyTopic(fields["topic"]),
              "application_method": ApplicationMethod(fields["application_method"])}
    for name, value in fields.items():
        setattr(policy, name, None if value == "" else value)
    for name in ("summary_zh", "benefit_zh", "beneficiaries_zh", "conditions_zh", "full_text_zh"):
        if getattr(policy, name) is None:
            setattr(policy, name, "")
    policy.criteria, policy.clauses, policy.updated_at = criteria, clauses, now
    session.commit()
    return Saved(policy, [])


def check(policy: Policy) -> list[RuleError]:
    return policy_matching.check_policy(policy, for_publishing=True)


def dry_run(session: Session, policy: Policy):
    return policy_matching.dry_run(session, policy) if not validate(policy.criteria) else None


def publish(session: Session, account: Account, policy: Policy, origin: Origin) -> None:
    """Mark the policy published and queue the matching (every enterprise that newly qualifies is
    told once, by a background job, so a large district does not hold the page). Raises PolicyError."""
    from portal import jobs
    from portal.jobs.tasks import match_policy

    first = policy_matching.start_publishing(session, policy, account)
    jobs.enqueue(match_policy, policy.id, account.id, first, origin.ip_address, origin.user_agent)
    session.commit()


def withdraw(session: Session, account: Account, policy: Policy, origin: Origin) -> None:
    policy_matching.withdraw(session, policy, account, origin=origin)
    session.commit()


def pending_representatives(session: Session) -> list[Membership]:
    return list(session.scalars(
        select(Membership).where(Membership.role == MembershipRole.LEGAL_REPRESENTATIVE,
                                 Membership.status == MembershipStatus.PENDING)
        .options(selectinload(Membership.enterprise), selectinload(Membership.account))
        .order_by(Membership.created_at)
    ))


def verify(session: Session, officer: Account, public_id: str, origin: Origin):
    """Raises EnterpriseError; None when there is no such registration."""
    membership = session.scalar(select(Membership).where(Membership.public_id == public_id))
    if membership is None:
        return None
    report = enterprises.verify_representative(session, officer, membership, origin=origin)
    session.commit()
    return report
