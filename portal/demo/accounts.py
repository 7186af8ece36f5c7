"""Demo people: residents, enterprise staff and civil servants. Password for all: Demo-2026-portal."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from auth.models import TotpCredential
from auth.passwords import hash_password
from portal.identity_numbers import birth_date_of
from portal.models import Account, Department, ResidentProfile, StaffPosition, StaffRole

DEMO_PASSWORD = "Demo-2026-portal"  # noqa: S105 - published demo credential, never in production
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # noqa: S105 - published demo credential, never in production

# mobile, real name, resident ID (valid GB 11643 check characters)
RESIDENTS = [
    ("13800000001", "李明", "310117198805121232"),  # an ordinary resident of Songjiang
    ("13800000002", "王秀英", "310227194503080025"),  # an elderly resident
    ("13800000003", "王建国", "310117197206153019"),  # the elder's son, her family helper
    ("13800000011", "张伟", "310117197903224513"),  # legal representative of a demo company
    ("13800000012", "陈静", "310117199207184529"),  # agent of that company
]

# login name, display name, department code, role, title zh, title en
STAFF = [
    ("officer.jw", "赵磊", "jjw", StaffRole.OFFICER, "科员", "Officer"),
    ("lead.jw", "孙丽", "jjw", StaffRole.LEAD, "科长", "Section lead"),
    ("officer.fs", "周敏", "fsjd", StaffRole.OFFICER, "科员", "Officer"),
    ("lead.fs", "吴刚", "fsjd", StaffRole.LEAD, "科长", "Section lead"),
    ("admin", "郑洁", "xzfwzx", StaffRole.ADMIN, "系统管理员", "Administrator"),
]


def _account(session: Session, password_hash: str, **identity) -> tuple[Account, bool]:
    key, value = next(iter(identity.items()))
    account = session.scalar(select(Account).where(getattr(Account, key) == value))
    if account is not None:
        return account, False
    account = Account(password_hash=password_hash, display_name="", **identity)
    session.add(account)
    return account, True


def seed_accounts(session: Session) -> int:
    password_hash = hash_password(DEMO_PASSWORD)
    created = 0
    for mobile, name, id_number in RESIDENTS:
        account, new = _account(session, password_hash, mobile=mobile)
        created += new
        account.display_name = name
        if account.resident is None:
            account.resident = ResidentProfile(
                real_name=name, resident_id_number=id_number, birth_date=birth_date_of(id_number)
            )
    departments = {d.code: d for d in session.scalars(select(Department))}
    for username, name, dept_code, role, title_zh, title_en in STAFF:
        account, new = _account(session, password_hash, username=username)
        created += new
        account.display_name = name
        session.flush()
        department = departments[dept_code]
        position = session.scalar(
            select(StaffPosition).where(
                StaffPosition.account_id == account.id, StaffPosition.department_id == department.id
            )
        )
        if position is None:
            session.add(
                StaffPosition(
                    account_id=account.id, department_id=department.id, role=role, title_zh=title_zh, title_en=title_en
                )
            )
        if session.scalar(select(TotpCredential).where(TotpCredential.account_id == account.id)) is None:
            session.add(TotpCredential(account_id=account.id, secret=DEMO_TOTP_SECRET))
    session.flush()
    return created
