"""The service catalogue (办事指南): services as data, grouped by life event and department.

`search_tokens` and `pinyin_initials` are computed when a service is saved (jieba words, their
pinyin and pinyin initials), never per request; `portal.catalogue.search` reads them.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, Column, Enum, ForeignKey, Integer, String, Table, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.i18n_data import BilingualName
from portal.models.base import UTCDateTime, utcnow
from portal.models.department import Department


class Audience(enum.StrEnum):
    RESIDENT = "resident"
    ENTERPRISE = "enterprise"
    BOTH = "both"


def _enum(cls):
    return Enum(cls, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


service_life_event = Table(
    "service_life_event",
    db.metadata,
    Column("service_id", ForeignKey("service_guide.id", ondelete="CASCADE"), primary_key=True),
    Column("life_event_id", ForeignKey("life_event.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class LifeEvent(BilingualName, db.Model):
    """A moment in life that needs several services: a birth, school, a new job, retirement..."""

    __tablename__ = "life_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(50))
    name_en: Mapped[str] = mapped_column(String(80))
    audience: Mapped[Audience] = mapped_column(_enum(Audience), default=Audience.RESIDENT)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    services: Mapped[list[ServiceGuide]] = relationship(
        secondary=service_life_event, back_populates="life_events", order_by="ServiceGuide.code"
    )

    def __repr__(self) -> str:
        return f"<LifeEvent {self.code}>"


class ServiceGuide(BilingualName, db.Model):
    __tablename__ = "service_guide"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(200))
    summary_zh: Mapped[str] = mapped_column(Text, default="")
    summary_en: Mapped[str] = mapped_column(Text, default="")
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    audience: Mapped[Audience] = mapped_column(_enum(Audience), default=Audience.RESIDENT)
    # Who may apply (申请条件).
    eligibility_zh: Mapped[str] = mapped_column(Text, default="")
    eligibility_en: Mapped[str] = mapped_column(Text, default="")
    # Required materials: [{"zh": "...", "en": "..."}, ...] in the order they are asked for.
    materials: Mapped[list] = mapped_column(JSON, default=list)
    fee_zh: Mapped[str] = mapped_column(String(200), default="")
    fee_en: Mapped[str] = mapped_column(String(300), default="")
    # The legal time limit in working days (法定时限); 0 means decided on the spot (即办).
    time_limit_days: Mapped[int] = mapped_column(Integer, default=0)
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    in_person: Mapped[bool] = mapped_column(Boolean, default=True)
    where_zh: Mapped[str] = mapped_column(Text, default="")
    where_en: Mapped[str] = mapped_column(Text, default="")
    # The online application form, for services marked online: see portal.catalogue.forms.
    form_definition: Mapped[list | None] = mapped_column(JSON)
    # Other words people use for it (敬老卡: 老人卡, 长者卡), searched like the name.
    keywords: Mapped[str] = mapped_column(String(300), default="")
    # Precomputed on save: space-separated words, their pinyin and initials, lower case.
    search_tokens: Mapped[str] = mapped_column(Text, default="")
    pinyin_initials: Mapped[str] = mapped_column(String(200), default="")
    popularity: Mapped[int] = mapped_column(Integer, default=0)
    # Among the services elders use most: offered on the elder-friendly home page.
    for_elders: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    department: Mapped[Department] = relationship()
    life_events: Mapped[list[LifeEvent]] = relationship(
        secondary=service_life_event, back_populates="services", order_by="LifeEvent.sort_order"
    )

    def __repr__(self) -> str:
        return f"<ServiceGuide {self.code}>"

    @property
    def for_enterprises(self) -> bool:
        return self.audience in (Audience.ENTERPRISE, Audience.BOTH)


@event.listens_for(ServiceGuide, "before_insert")
@event.listens_for(ServiceGuide, "before_update")
def _index_for_search(_mapper, _connection, target: ServiceGuide) -> None:
    from portal.catalogue.indexing import index_service

    index_service(target)
