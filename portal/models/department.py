from __future__ import annotations

import enum

from sqlalchemy import Enum, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.i18n_data import BilingualName


class DepartmentKind(enum.StrEnum):
    BUREAU = "bureau"  # a district bureau or commission (区级委办局)
    SUBDISTRICT = "subdistrict"  # 街道
    TOWN = "town"  # 镇


class Department(BilingualName, db.Model):
    """A district bureau or a sub-district/town government: who owns and handles work."""

    __tablename__ = "department"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(150))
    kind: Mapped[DepartmentKind] = mapped_column(
        Enum(DepartmentKind, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])
    )
    phone: Mapped[str | None] = mapped_column(String(32))
    address_zh: Mapped[str | None] = mapped_column(String(200))
    address_en: Mapped[str | None] = mapped_column(String(300))

    def __repr__(self) -> str:
        return f"<Department {self.code}>"
