"""Read-side helpers shared by the ends."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import Department, DepartmentKind


def service_centres() -> list[Department]:
    """Sub-district and town governments, each running a community service centre."""
    return list(
        db.session.scalars(
            select(Department)
            .where(Department.kind.in_([DepartmentKind.SUBDISTRICT, DepartmentKind.TOWN]))
            .order_by(Department.kind, Department.code)
        )
    )


def bureaus() -> list[Department]:
    return list(
        db.session.scalars(
            select(Department)
            .where(Department.kind == DepartmentKind.BUREAU)
            .order_by(Department.code)
        )
    )
