"""Who someone is with respect to one case. The transition table grants moves to these roles.

Roles come from relationships (the case's sender, staff positions in the departments the case
touches), never from a type column, and a person can hold several: a lead of the owning
department is also one of its officers.
"""

from __future__ import annotations

import enum

from portal.models.account import Account, StaffRole
from portal.models.case import Case

# The district administrative service centre (区行政服务中心) dispatches cases and rules on
# disputes (退单). Any administrator may act as dispatcher; this department's are asked first.
DISPATCH_DEPARTMENT_CODE = "xzfwzx"


class Role(enum.StrEnum):
    SENDER = "sender"  # the person the case is for (or someone verified to act for them)
    OFFICER = "officer"  # any staff member of the owning department
    LEAD = "lead"  # a lead (or administrator) of the owning department
    ASSISTING = "assisting"  # staff of a department invited to help (协办)
    RECEIVER = "receiver"  # staff of the department a pending transfer is offered to
    DISPATCHER = "dispatcher"  # an administrator: decides disputes
    SYSTEM = "system"  # the portal's own jobs (escalation, recalculation)


class SystemActor:
    """The actor for jobs the portal runs itself. Not an account; holds only the SYSTEM role."""

    id = None
    _instance: SystemActor | None = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = SystemActor()

Actor = Account | SystemActor


def roles_of(actor: Actor, case: Case, subject: Account | None = None) -> frozenset[Role]:
    """The roles `actor` holds on `case`.

    `subject` is the person the actor acts for (an elder's family member acting for the elder).
    The caller must have verified that delegation before passing it; the domain trusts it.
    Staff roles need acting as oneself. A civil servant who files a case about their own
    department is only its sender there: staff roles are withheld on one's own case (回避).
    """
    if actor is SYSTEM:
        return frozenset({Role.SYSTEM})
    if not isinstance(actor, Account):
        raise TypeError(f"an actor is an Account or SYSTEM, not {actor!r}")
    if subject is not None and subject.id != actor.id:
        # Acting for someone else gives that person's standing and nothing of one's own.
        return frozenset({Role.SENDER}) if subject.id == case.sender_id else frozenset()
    if actor.id is not None and actor.id == case.sender_id:
        return frozenset({Role.SENDER})
    roles: set[Role] = set()
    assisting = case.assisting_department_ids
    for position in actor.staff_positions:
        if position.role == StaffRole.ADMIN:
            roles.add(Role.DISPATCHER)
        if position.department_id == case.department_id:
            roles.add(Role.OFFICER)
            if position.role in (StaffRole.LEAD, StaffRole.ADMIN):
                roles.add(Role.LEAD)
        if position.department_id in assisting:
            roles.add(Role.ASSISTING)
        if case.pending_department_id is not None and position.department_id == case.pending_department_id:
            roles.add(Role.RECEIVER)
    return frozenset(roles)
