"""Support policies as rules, their matches with enterprises, and topic subscriptions.

Columns only. Criteria are validated by `portal.rules`; publishing and matching live in
`portal.policy_matching`.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.i18n_data import pick
from portal.models.account import Account
from portal.models.base import UTCDateTime, new_public_id, utcnow
from portal.models.department import Department
from portal.models.enterprise import Enterprise
from portal.rules.explain import Band


def _enum(cls, length: int = 32):
    return Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class ApplicationMethod(enum.StrEnum):
    APPLY_ONLINE = "apply_online"  # 网上申报
    FAST_TRACK = "fast_track"  # 快速兑现: a short application, pre-filled
    GRANTED_WITHOUT_APPLICATION = "granted_without_application"  # 免申即享


class PolicyStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class PolicyTopic(enum.StrEnum):
    INNOVATION = "innovation"  # 科技创新
    TALENT = "talent"  # 人才
    EMPLOYMENT = "employment"  # 稳岗就业
    DIGITAL = "digital"  # 数字化转型
    MANUFACTURING = "manufacturing"  # 先进制造
    GROWTH = "growth"  # 专精特新, 梯度培育
    G60 = "g60"  # G60 科创走廊
    FINANCE = "finance"  # 金融服务
    GREEN = "green"  # 绿色低碳


class Policy(db.Model):
    """A support policy and its 申兑指南 (who benefits, conditions, payment time limit, contacts).

    `criteria` is the rule tree (see `portal.rules`); each leaf may cite a clause, whose text is
    in `clauses` (clause reference -> the words of the policy), so a page can show where a
    threshold comes from.
    """

    __tablename__ = "policy"
    __table_args__ = (Index("ix_policy_status_published", "status", "published_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    document_number: Mapped[str | None] = mapped_column(String(64))  # 文号, e.g. 沪松科规〔2024〕1号
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(300))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    topic: Mapped[PolicyTopic] = mapped_column(_enum(PolicyTopic))
    summary_zh: Mapped[str] = mapped_column(Text, default="")
    summary_en: Mapped[str | None] = mapped_column(Text)
    full_text_zh: Mapped[str] = mapped_column(Text, default="")
    full_text_en: Mapped[str | None] = mapped_column(Text)
    benefit_zh: Mapped[str] = mapped_column(Text, default="")
    benefit_en: Mapped[str | None] = mapped_column(Text)
    beneficiaries_zh: Mapped[str] = mapped_column(Text, default="")  # 申报对象: who benefits
    beneficiaries_en: Mapped[str | None] = mapped_column(Text)
    conditions_zh: Mapped[str] = mapped_column(Text, default="")  # 申报条件, in words
    conditions_en: Mapped[str | None] = mapped_column(Text)
    payment_time_limit_zh: Mapped[str | None] = mapped_column(String(200))  # 兑付时限
    payment_time_limit_en: Mapped[str | None] = mapped_column(String(300))
    contacts_zh: Mapped[str | None] = mapped_column(Text)  # 咨询电话, 受理窗口
    contacts_en: Mapped[str | None] = mapped_column(Text)
    application_method: Mapped[ApplicationMethod] = mapped_column(_enum(ApplicationMethod))
    status: Mapped[PolicyStatus] = mapped_column(_enum(PolicyStatus, 16), default=PolicyStatus.DRAFT)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    criteria: Mapped[dict] = mapped_column(JSON)
    clauses: Mapped[dict] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    department: Mapped[Department] = relationship()
    created_by: Mapped[Account | None] = relationship(foreign_keys=[created_by_id])
    published_by: Mapped[Account | None] = relationship(foreign_keys=[published_by_id])

    def __repr__(self) -> str:
        return f"<Policy {self.public_id} {self.status.value if self.status else None}>"

    def title_in(self, locale: str) -> str:
        return pick(self.title_zh, self.title_en, locale)

    def is_open_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


class PolicyMatch(db.Model):
    """Where an enterprise stands on a published policy, and whether it was told.

    Rows exist for the enterprises that qualify or might (uncertain), and for any that was
    told; `notified_at` makes the "told once" promise. For a policy granted without
    application, `grant_case_id` is the case opened for the issuing department, and
    `grant_noted_at` records that the grant is owed when no case could be opened yet (the
    enterprise has no active legal representative to be the case's sender).
    """

    __tablename__ = "policy_match"
    __table_args__ = (
        UniqueConstraint("policy_id", "enterprise_id"),
        Index("ix_policy_match_enterprise_band", "enterprise_id", "band"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policy.id", ondelete="CASCADE"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    band: Mapped[Band] = mapped_column(_enum(Band, 16))
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    grant_noted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    grant_case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id", ondelete="SET NULL"))

    policy: Mapped[Policy] = relationship()
    enterprise: Mapped[Enterprise] = relationship()


class TopicSubscription(db.Model):
    """An enterprise asked to hear of every new policy on a topic."""

    __tablename__ = "topic_subscription"
    __table_args__ = (UniqueConstraint("enterprise_id", "topic"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    topic: Mapped[PolicyTopic] = mapped_column(_enum(PolicyTopic))
    subscribed_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    enterprise: Mapped[Enterprise] = relationship()
