"""The citizen end's demo data: the service catalogue, the elder's home area and her son's delegation."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.demo.services import seed_services
from portal.models import Account, Delegation, DelegationStatus, Department, ResidentHomeArea
from portal.models.base import utcnow

ELDER_MOBILE, SON_MOBILE = "13800000002", "13800000003"
ELDER_HOME_AREA = "fsjd"  # 王秀英 lives in Fangsong sub-district


def seed_citizen(session: Session) -> int:
    created = seed_services(session)
    elder = session.scalar(select(Account).where(Account.mobile == ELDER_MOBILE))
    son = session.scalar(select(Account).where(Account.mobile == SON_MOBILE))
    if elder is None or son is None:
        return created
    if session.get(ResidentHomeArea, elder.id) is None:
        area = session.scalar(select(Department).where(Department.code == ELDER_HOME_AREA))
        session.add(ResidentHomeArea(account_id=elder.id, department_id=area.id))
    has_delegation = session.scalar(
        select(Delegation.id).where(Delegation.subject_id == elder.id, Delegation.representative_id == son.id)
    )
    if has_delegation is None:
        now = utcnow()
        session.add(
            Delegation(
                subject_id=elder.id, representative_id=son.id, invited_mobile=son.mobile,
                relationship_note="儿子", can_view_cases=True, can_file_applications=True,
                status=DelegationStatus.ACTIVE, created_at=now, accepted_at=now, expires_at=now + timedelta(days=365),
            )
        )
    session.flush()
    return created
