"""Shared tables. Import each module here so Alembic and the app see every table."""

from portal.models.account import Account, ResidentProfile, StaffPosition, StaffRole
from portal.models.audit import AuditEvent
from portal.models.department import Department, DepartmentKind
from portal.models.outbox import Channel, OutboxMessage

__all__ = [
    "Account",
    "AuditEvent",
    "Channel",
    "Department",
    "DepartmentKind",
    "OutboxMessage",
    "ResidentProfile",
    "StaffPosition",
    "StaffRole",
]
