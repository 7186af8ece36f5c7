"""Shared tables. Import each module here so Alembic and the app see every table."""

from portal.models.account import Account, ResidentProfile, StaffPosition, StaffRole
from portal.models.audit import AuditEvent
from portal.models.calendar import CalendarDay, CalendarYear, DayKind
from portal.models.case import (
    Case,
    CaseAssist,
    CaseAttachment,
    CaseCategory,
    CaseEvent,
    CaseKind,
    CaseState,
    InboxMessage,
    Priority,
    Rating,
    ReferenceCounter,
    Visibility,
)
from portal.models.catalogue import Audience, LifeEvent, ServiceGuide, service_life_event
from portal.models.city_code import CodeVerification, PaperCode
from portal.models.codes import CodeRevocation, NumericCode, NumericCodeMiss, UsedCodeNonce
from portal.models.delegation import Delegation, DelegationStatus
from portal.models.department import Department, DepartmentKind
from portal.models.home_area import ResidentHomeArea
from portal.models.outbox import Channel, OutboxMessage

__all__ = [
    "Account",
    "AuditEvent",
    "CalendarDay",
    "CalendarYear",
    "Case",
    "CaseAssist",
    "CaseAttachment",
    "CaseCategory",
    "CaseEvent",
    "CaseKind",
    "CaseState",
    "Channel",
    "DayKind",
    "Department",
    "DepartmentKind",
    "InboxMessage",
    "OutboxMessage",
    "Priority",
    "Rating",
    "ReferenceCounter",
    "ResidentProfile",
    "StaffPosition",
    "StaffRole",
    "Visibility",
]


# The citizen end: codes, the service catalogue, acting for an elder, home areas.
__all__ += [
    "Audience",
    "CodeRevocation",
    "CodeVerification",
    "Delegation",
    "DelegationStatus",
    "LifeEvent",
    "NumericCode",
    "NumericCodeMiss",
    "PaperCode",
    "ResidentHomeArea",
    "ServiceGuide",
    "UsedCodeNonce",
    "service_life_event",
]
