"""Published snapshots of the open datasets (公共数据开放): what /data serves, byte for byte.

One row per dataset, replaced by `portal.opendata.refresh` (the `refresh-open-data` job). Pages
and downloads read these rows and never build a dataset on request, so every node of the portal
serves the same files, with the same ETag, until the next refresh changes their content.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.base import UTCDateTime, utcnow


class OpenDataSnapshot(db.Model):
    __tablename__ = "open_data_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    # SHA-256 of the fields and rows: `modified` moves only when this changes.
    content_hash: Mapped[str] = mapped_column(String(64))
    # The field list as built ([{name, type, zh, en, lang}]), so a snapshot describes itself.
    fields: Mapped[list] = mapped_column(JSON)
    # The first rows as published, for the dataset's page.
    preview: Mapped[list] = mapped_column(JSON)
    row_count: Mapped[int] = mapped_column(Integer)
    withheld_cells: Mapped[int] = mapped_column(Integer, default=0)
    temporal_start: Mapped[date | None] = mapped_column(Date)
    temporal_end: Mapped[date | None] = mapped_column(Date)
    # {code, name_zh, name_en, phone}: the office that publishes it, as it was at the refresh.
    publisher: Mapped[dict] = mapped_column(JSON)
    csv_data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    json_data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    csv_size: Mapped[int] = mapped_column(Integer)
    json_size: Mapped[int] = mapped_column(Integer)
    csv_sha256: Mapped[str] = mapped_column(String(64))
    json_sha256: Mapped[str] = mapped_column(String(64))
    issued: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # first published
    modified: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # content last changed
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # last checked

    def __repr__(self) -> str:
        return f"<OpenDataSnapshot {self.slug} {self.content_hash[:8]}>"
