"""A realistic demo district. Every function here is idempotent: running it twice changes nothing."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.demo.departments import DEPARTMENTS
from portal.models import Department


def seed_departments(session: Session) -> int:
    existing = {d.code: d for d in session.scalars(select(Department))}
    created = 0
    for code, kind, name_zh, name_en, phone, address_zh, address_en in DEPARTMENTS:
        dept = existing.get(code)
        if dept is None:
            dept = Department(code=code)
            session.add(dept)
            created += 1
        dept.kind = kind
        dept.name_zh, dept.name_en = name_zh, name_en
        dept.phone = phone
        dept.address_zh, dept.address_en = address_zh, address_en
    session.flush()
    return created


def database_is_empty(session: Session) -> bool:
    return session.scalar(select(Department.id).limit(1)) is None


def seed(session: Session) -> dict[str, int]:
    """Create or refresh the whole demo district; returns how many rows of each kind were new."""
    from portal.demo.accounts import seed_accounts
    from portal.demo.clients import seed_clients

    report = {"departments": seed_departments(session), "accounts": seed_accounts(session)}
    report["oidc clients"] = seed_clients(session)
    from portal.demo.citizen import seed_citizen

    report["services"] = seed_citizen(session)
    from portal.demo.enterprises import seed_enterprise_end

    report.update(seed_enterprise_end(session))
    from portal.demo.cases import seed_cases

    report["cases"] = seed_cases(session)
    session.commit()
    return report
