"""Cases: the one workflow object behind applications, resident requests and enterprise appeals.

Columns only; the rules live in `portal.cases` (the state machine in `portal.cases.workflow`).
No code outside that package sets `Case.state` or writes a CaseEvent.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.i18n_data import BilingualName
from portal.models.account import Account
from portal.models.base import UTCDateTime, new_public_id, utcnow
from portal.models.department import Department


def _enum(cls, length: int = 32):
    return Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class CaseKind(enum.StrEnum):
    APPLICATION = "application"  # an online application for a service (办事申请)
    REQUEST = "request"  # a resident's request, complaint or suggestion (诉求)
    APPEAL = "appeal"  # an enterprise's appeal (企业诉求)


class CaseState(enum.StrEnum):
    SUBMITTED = "submitted"  # waiting for the owning department to sign for it (待签收)
    ACCEPTED = "accepted"  # signed for (已签收)
    IN_PROGRESS = "in_progress"  # being handled (办理中)
    RETURNED_FOR_INFO = "returned_for_info"  # waiting for the sender's supplement (待补正)
    TRANSFERRING = "transferring"  # transfer proposed, waiting for the receiving department (转派待接收)
    DISPUTED = "disputed"  # department says not its duty, waiting for the dispatcher (退单待裁定)
    REPLIED = "replied"  # answered, waiting to be closed (已答复)
    CLOSED = "closed"  # 办结
    REJECTED = "rejected"  # not accepted, with reason (不予受理)
    MERGED = "merged"  # a duplicate of another case (已并案)
    REOPENED = "reopened"  # dissatisfied rating: the lead rectifies and calls back (整改中)


class Priority(enum.StrEnum):
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class Rating(enum.StrEnum):
    """The national five-level satisfaction scale of 好差评."""

    VERY_SATISFIED = "very_satisfied"  # 非常满意
    SATISFIED = "satisfied"  # 满意
    BASICALLY_SATISFIED = "basically_satisfied"  # 基本满意
    DISSATISFIED = "dissatisfied"  # 不满意
    VERY_DISSATISFIED = "very_dissatisfied"  # 非常不满意

    @property
    def score(self) -> int:
        return _SCORES[self]

    @property
    def is_dissatisfied(self) -> bool:
        return self in (Rating.DISSATISFIED, Rating.VERY_DISSATISFIED)


_SCORES = {
    Rating.VERY_SATISFIED: 5,
    Rating.SATISFIED: 4,
    Rating.BASICALLY_SATISFIED: 3,
    Rating.DISSATISFIED: 2,
    Rating.VERY_DISSATISFIED: 1,
}


class Visibility(enum.StrEnum):
    INTERNAL = "internal"  # staff only, never shown to the sender
    PUBLIC = "public"  # shown to the sender in the case history


class CaseCategory(BilingualName, db.Model):
    """What a case is about. Decides the owning department and the time limits: data, not constants."""

    __tablename__ = "case_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(150))
    # The kind of case this category is offered for; None offers it for every kind.
    kind: Mapped[CaseKind | None] = mapped_column(_enum(CaseKind))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    # Time limits in working days, counted from submission.
    accept_days: Mapped[int] = mapped_column(Integer, default=1)
    reply_days: Mapped[int] = mapped_column(Integer, default=15)
    # After a dissatisfied rating the lead must rectify and call back within this many working days.
    rectify_days: Mapped[int] = mapped_column(Integer, default=15)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    department: Mapped[Department] = relationship()

    def __repr__(self) -> str:
        return f"<CaseCategory {self.code}>"


class Case(db.Model):
    __tablename__ = "case_file"  # "case" is an SQL keyword
    __table_args__ = (
        # Keyset pagination of the queues: one index per scope, ending in (submitted_at, id).
        Index("ix_case_file_queue", "submitted_at", "id"),
        Index("ix_case_file_department_queue", "department_id", "submitted_at", "id"),
        Index("ix_case_file_sender_queue", "sender_id", "submitted_at", "id"),
        Index("ix_case_file_enterprise_queue", "sender_enterprise_id", "submitted_at", "id"),
        # The escalation job looks for open cases by state and due date.
        Index("ix_case_file_state_accept_due", "state", "accept_due"),
        Index("ix_case_file_state_reply_due", "state", "reply_due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    reference: Mapped[str] = mapped_column(String(24), unique=True)
    kind: Mapped[CaseKind] = mapped_column(_enum(CaseKind))
    state: Mapped[CaseState] = mapped_column(_enum(CaseState), default=CaseState.SUBMITTED)
    priority: Mapped[Priority] = mapped_column(_enum(Priority), default=Priority.NORMAL)

    # The person the case is for, and who typed it in when that was someone acting for them.
    sender_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    # The enterprise an appeal is made for; a foreign key once the enterprise table exists.
    sender_enterprise_id: Mapped[int | None] = mapped_column(Integer)

    category_id: Mapped[int] = mapped_column(ForeignKey("case_category.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    # The department a pending transfer is offered to (state TRANSFERRING).
    pending_department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    # Where a case goes back to after a pause: more information given, a transfer bounced, a
    # dispute sent back.
    resume_state: Mapped[CaseState | None] = mapped_column(_enum(CaseState))
    assigned_officer_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), index=True)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"), index=True)

    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    location_text: Mapped[str | None] = mapped_column(String(300))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)

    # The clock starts at submission, and keeps running through transfers and disputes.
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # Each deadline is kept as its basis (a start date and a number of working days) and the
    # date computed from it, so it can be recomputed when a calendar year is loaded later.
    accept_due_start: Mapped[date] = mapped_column(Date)
    accept_due_days: Mapped[int] = mapped_column(Integer)
    accept_due: Mapped[date] = mapped_column(Date)
    reply_due_start: Mapped[date] = mapped_column(Date)
    reply_due_days: Mapped[int] = mapped_column(Integer)
    reply_due: Mapped[date] = mapped_column(Date)
    # A due date was computed over a year the calendar has not loaded (weekends only).
    due_estimated: Mapped[bool] = mapped_column(Boolean, default=False)
    # The day the case went back to the sender for more information; that wait does not count.
    paused_on: Mapped[date | None] = mapped_column(Date)

    # A pending extension request (延期), and how many were granted.
    extension_due: Mapped[date | None] = mapped_column(Date)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    extension_requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    extension_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extension_count: Mapped[int] = mapped_column(Integer, default=0)

    rating: Mapped[Rating | None] = mapped_column(_enum(Rating))
    rating_comment: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopened_count: Mapped[int] = mapped_column(Integer, default=0)
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # 0 none, 1 reminded (催办), 2 supervised (督办) — for the deadline in escalation_due.
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    escalation_due: Mapped[date | None] = mapped_column(Date)

    # Optimistic locking: two officers acting on the same case at once cannot both win.
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}

    sender: Mapped[Account] = relationship(foreign_keys=[sender_id])
    filed_by: Mapped[Account | None] = relationship(foreign_keys=[filed_by_id])
    assigned_officer: Mapped[Account | None] = relationship(foreign_keys=[assigned_officer_id])
    extension_requested_by: Mapped[Account | None] = relationship(foreign_keys=[extension_requested_by_id])
    category: Mapped[CaseCategory] = relationship()
    department: Mapped[Department] = relationship(foreign_keys=[department_id])
    pending_department: Mapped[Department | None] = relationship(foreign_keys=[pending_department_id])
    duplicate_of: Mapped[Case | None] = relationship(remote_side=[id])
    assists: Mapped[list[CaseAssist]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseAssist.invited_at"
    )
    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case", order_by="CaseEvent.id", passive_deletes=True
    )
    attachments: Mapped[list[CaseAttachment]] = relationship(
        back_populates="case", order_by="CaseAttachment.id", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Case {self.reference} {self.state.value if self.state else None}>"

    @property
    def assisting_department_ids(self) -> set[int]:
        return {a.department_id for a in self.assists}

    @property
    def has_pending_extension(self) -> bool:
        return self.extension_due is not None


class CaseAssist(db.Model):
    """A department invited to handle a case jointly with the owner (协办)."""

    __tablename__ = "case_assist"
    __table_args__ = (Index("ix_case_assist_department_case", "department_id", "case_id"),)

    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), primary_key=True)
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))

    case: Mapped[Case] = relationship(back_populates="assists")
    department: Mapped[Department] = relationship()


class CaseEvent(db.Model):
    """One line of a case's history. Append-only: written by the state machine, never changed."""

    __tablename__ = "case_event"
    __table_args__ = (Index("ix_case_event_case_history", "case_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # No cascade: a case with a history is never deleted.
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    action: Mapped[str] = mapped_column(String(32), index=True)
    from_state: Mapped[CaseState | None] = mapped_column(_enum(CaseState))
    to_state: Mapped[CaseState | None] = mapped_column(_enum(CaseState))
    # Who did it (None for the system's own jobs), and on whose behalf.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), index=True)
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    # The other department an event concerns: transferred to, invited, reassigned to.
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    visibility: Mapped[Visibility] = mapped_column(_enum(Visibility, 16), default=Visibility.INTERNAL)
    reason: Mapped[str | None] = mapped_column(Text)
    basis: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    case: Mapped[Case] = relationship(back_populates="events")
    actor: Mapped[Account | None] = relationship(foreign_keys=[actor_id])
    subject: Mapped[Account | None] = relationship(foreign_keys=[subject_id])
    department: Mapped[Department | None] = relationship()

    @property
    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC


class CaseHistoryIsAppendOnly(RuntimeError):
    pass


@event.listens_for(CaseEvent, "before_update")
@event.listens_for(CaseEvent, "before_delete")
def _refuse_changes(_mapper, _connection, target):
    raise CaseHistoryIsAppendOnly(f"case event {target.id} cannot be changed or deleted")


class CaseAttachment(db.Model):
    """A file attached to a case. Metadata only: the bytes live in storage under `storage_key`."""

    __tablename__ = "case_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    # The event it came with (a submission, a supplement, a reply), when there was one.
    event_id: Mapped[int | None] = mapped_column(ForeignKey("case_event.id"))
    storage_key: Mapped[str] = mapped_column(String(128), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    visibility: Mapped[Visibility] = mapped_column(_enum(Visibility, 16), default=Visibility.PUBLIC)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="attachments")
    uploaded_by: Mapped[Account | None] = relationship()


class InboxMessage(db.Model):
    """A message in a person's in-portal inbox, stored as message keys and parameters so that it
    is shown in whatever language the reader uses when they read it."""

    __tablename__ = "inbox_message"
    __table_args__ = (
        Index("ix_inbox_message_account_created", "account_id", "created_at"),
        Index("ix_inbox_message_account_unread", "account_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("case_event.id"))
    subject_key: Mapped[str] = mapped_column(String(64))
    body_key: Mapped[str] = mapped_column(String(64))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case: Mapped[Case | None] = relationship()


class ReferenceCounter(db.Model):
    """The last reference number handed out per prefix and year, incremented atomically."""

    __tablename__ = "reference_counter"

    prefix: Mapped[str] = mapped_column(String(8), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(Integer, default=0)
