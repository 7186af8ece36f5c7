"""Shared tables. Import each module here so Alembic and the app see every table."""

from portal.models.account import Account, ResidentProfile, StaffPosition, StaffRole
from portal.models.application import ApplicationDraft
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
from portal.models.desk import Announcement, AnnouncementRead
from portal.models.enterprise import (
    Enterprise,
    EnterpriseCertification,
    Membership,
    MembershipRole,
    MembershipScope,
    MembershipStatus,
)
from portal.models.form_token import UsedFormToken
from portal.models.home_area import ResidentHomeArea
from portal.models.jobs import PendingJob
from portal.models.open311 import Open311Key, Open311Request, Open311Sender
from portal.models.open_data import OpenDataSnapshot
from portal.models.outbox import Channel, OutboxMessage
from portal.models.policy import ApplicationMethod, Policy, PolicyMatch, PolicyStatus, PolicyTopic, TopicSubscription
from portal.models.webhook import DeliveryStatus, WebhookDelivery, WebhookEndpoint

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

# The enterprise end: enterprises, memberships, policies and their matches.
__all__ += [
    "ApplicationMethod",
    "Enterprise",
    "EnterpriseCertification",
    "Membership",
    "MembershipRole",
    "MembershipScope",
    "MembershipStatus",
    "Policy",
    "PolicyMatch",
    "PolicyStatus",
    "PolicyTopic",
    "TopicSubscription",
]

# The government desk: announcements to staff and their read receipts.
__all__ += ["Announcement", "AnnouncementRead"]

# Online applications: drafts to come back to.
__all__ += ["ApplicationDraft"]

# One-time form tokens already used (portal.form_tokens).
__all__ += ["UsedFormToken"]

# Webhooks: department systems' endpoints and the case events queued for them (portal.webhooks).
__all__ += ["DeliveryStatus", "WebhookDelivery", "WebhookEndpoint"]

# Open311 GeoReport v2: client systems' API keys and the requests they filed (api.open311).
__all__ += ["Open311Key", "Open311Request", "Open311Sender"]

# Background jobs waiting to run or to be queued (portal.jobs).
__all__ += ["PendingJob"]

# Open data: the published snapshot of each dataset (portal.opendata).
__all__ += ["OpenDataSnapshot"]
