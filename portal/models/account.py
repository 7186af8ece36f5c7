"""People and what they may do. Roles come from relationships, never from a type column."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, Enum, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.identity_numbers import mask_mobile, mask_resident_id
from portal.models.base import UTCDateTime, new_public_id, utcnow
from portal.models.department import Department


def _enum(cls):
    return Enum(cls, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])


class Account(db.Model):
    """One per person. Credentials and second factor are handled only by `auth/`."""

    __tablename__ = "account"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_public_id)
    # Residents and enterprise staff sign in with their mobile number, staff with a login name.
    mobile: Mapped[str | None] = mapped_column(String(20), unique=True)
    username: Mapped[str | None] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255))
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Bumped by "sign out everywhere" and password changes: every older session stops working.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    elder_mode: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    resident: Mapped[ResidentProfile | None] = relationship(back_populates="account", uselist=False)
    staff_positions: Mapped[list[StaffPosition]] = relationship(back_populates="account")

    def __repr__(self) -> str:
        return f"<Account {self.public_id}>"

    @property
    def login_name(self) -> str:
        return self.username or self.mobile or self.public_id

    @property
    def masked_mobile(self) -> str | None:
        if not self.mobile:
            return None
        return mask_mobile(self.mobile)

    def staff_role_in(self, department_id: int) -> StaffRole | None:
        for position in self.staff_positions:
            if position.department_id == department_id:
                return position.role
        return None

    @property
    def is_staff(self) -> bool:
        return bool(self.staff_positions)

    @property
    def is_admin(self) -> bool:
        return any(p.role == StaffRole.ADMIN for p in self.staff_positions)


class ResidentProfile(db.Model):
    """A verified resident: real name and resident ID number (GB 11643), shown masked only."""

    __tablename__ = "resident_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), unique=True)
    real_name: Mapped[str] = mapped_column(String(50))
    resident_id_number: Mapped[str] = mapped_column(String(18), unique=True)
    birth_date: Mapped[date | None] = mapped_column(Date)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    account: Mapped[Account] = relationship(back_populates="resident")

    @property
    def masked_id_number(self) -> str:
        return mask_resident_id(self.resident_id_number)


class StaffRole(enum.StrEnum):
    OFFICER = "officer"
    LEAD = "lead"
    ADMIN = "admin"


class StaffPosition(db.Model):
    """A civil servant's place in a department."""

    __tablename__ = "staff_position"
    __table_args__ = (UniqueConstraint("account_id", "department_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    role: Mapped[StaffRole] = mapped_column(_enum(StaffRole))
    title_zh: Mapped[str | None] = mapped_column(String(50))
    title_en: Mapped[str | None] = mapped_column(String(80))

    account: Mapped[Account] = relationship(back_populates="staff_positions")
    department: Mapped[Department] = relationship()
