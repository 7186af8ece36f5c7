"""Enterprises, keyed on the Unified Social Credit Code, and the people who act for them.

Columns only. The rules live in `portal.enterprises` (memberships, registration and profile)
and `portal.policy_matching`; the vocabularies (types, ratings, certifications) and the
attributes criteria may name are in `portal.rules`.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Date, Enum, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.i18n_data import pick
from portal.models.account import Account
from portal.models.base import UTCDateTime, new_public_id, utcnow
from portal.models.department import Department
from portal.rules.vocabulary import Certification, EnterpriseType, TaxCreditRating


def _enum(cls, length: int = 32):
    return Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class Enterprise(db.Model):
    """A market entity of the district. Money in whole yuan; "last year" figures for `figures_year`."""

    __tablename__ = "enterprise"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(300))
    enterprise_type: Mapped[EnterpriseType] = mapped_column(_enum(EnterpriseType))
    # GB/T 4754-2017: the four-digit class (小类) and its section letter (门类).
    industry_code: Mapped[str | None] = mapped_column(String(4))
    industry_section: Mapped[str | None] = mapped_column(String(1))
    # The town or sub-district (街镇) it is registered in.
    town_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    address_zh: Mapped[str | None] = mapped_column(String(300))
    address_en: Mapped[str | None] = mapped_column(String(400))
    registered_on: Mapped[date | None] = mapped_column(Date)
    registered_capital: Mapped[int | None] = mapped_column(BigInteger)
    employees: Mapped[int | None] = mapped_column(Integer)
    figures_year: Mapped[int | None] = mapped_column(Integer)
    revenue_last_year: Mapped[int | None] = mapped_column(BigInteger)
    rd_spend_last_year: Mapped[int | None] = mapped_column(BigInteger)
    invention_patents: Mapped[int | None] = mapped_column(Integer)
    tax_credit_rating: Mapped[TaxCreditRating | None] = mapped_column(_enum(TaxCreditRating, 1))
    # Set when an officer (or the upstream registration service) has checked the registration.
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    town: Mapped[Department | None] = relationship()
    certification_rows: Mapped[list[EnterpriseCertification]] = relationship(
        back_populates="enterprise", cascade="all, delete-orphan", order_by="EnterpriseCertification.certification"
    )
    memberships: Mapped[list[Membership]] = relationship(back_populates="enterprise", passive_deletes=True)

    def __repr__(self) -> str:
        return f"<Enterprise {self.uscc}>"

    def name_in(self, locale: str) -> str:
        return pick(self.name_zh, self.name_en, locale)

    @property
    def certifications(self) -> frozenset[Certification]:
        return frozenset(row.certification for row in self.certification_rows)


class EnterpriseCertification(db.Model):
    """A recognition the enterprise holds (高新技术企业, 专精特新 ...). One row per certification:
    a child table, so that "has" compiles to the same EXISTS on SQLite and PostgreSQL."""

    __tablename__ = "enterprise_certification"

    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"), primary_key=True)
    certification: Mapped[Certification] = mapped_column(_enum(Certification), primary_key=True)
    certified_on: Mapped[date | None] = mapped_column(Date)

    enterprise: Mapped[Enterprise] = relationship(back_populates="certification_rows")


class MembershipRole(enum.StrEnum):
    LEGAL_REPRESENTATIVE = "legal_representative"  # 法定代表人
    AGENT = "agent"  # 经办人


class MembershipStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for verification (a legal representative) or confirmation (an agent)
    ACTIVE = "active"
    REVOKED = "revoked"


class MembershipScope(enum.StrEnum):
    """What an agent may do for the enterprise; a legal representative may do all of it."""

    AFFAIRS = "affairs"  # apply for services (办事)
    POLICIES = "policies"  # see matched policies and apply for them (政策)
    APPEALS = "appeals"  # file and follow appeals (诉求)
    PROFILE = "profile"  # keep the enterprise's profile up to date


class Membership(db.Model):
    """A person's standing in an enterprise. Effective only while active and within its validity."""

    __tablename__ = "membership"
    __table_args__ = (
        Index("ix_membership_account_status", "account_id", "status"),
        Index("ix_membership_enterprise_status", "enterprise_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    role: Mapped[MembershipRole] = mapped_column(_enum(MembershipRole))
    # MembershipScope codes; ignored for a legal representative, who holds every scope.
    scopes: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[MembershipStatus] = mapped_column(_enum(MembershipStatus, 16), default=MembershipStatus.PENDING)
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))

    account: Mapped[Account] = relationship(foreign_keys=[account_id])
    enterprise: Mapped[Enterprise] = relationship(back_populates="memberships")
    granted_by: Mapped[Account | None] = relationship(foreign_keys=[granted_by_id])
    revoked_by: Mapped[Account | None] = relationship(foreign_keys=[revoked_by_id])

    def __repr__(self) -> str:
        return f"<Membership {self.role.value if self.role else None} {self.status.value if self.status else None}>"

    def is_effective(self, now: datetime) -> bool:
        return (
            self.status == MembershipStatus.ACTIVE
            and self.valid_from <= now
            and (self.valid_until is None or now < self.valid_until)
        )

    def allows(self, scope: MembershipScope | str) -> bool:
        return self.role == MembershipRole.LEGAL_REPRESENTATIVE or MembershipScope(scope).value in (self.scopes or [])
