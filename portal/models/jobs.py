"""Jobs waiting to run: written in the transaction that asked for them, so none is lost.

With Redis configured a row lives only until the job is on the Redis queue (a few milliseconds,
or until Redis is back after an outage); in the embedded deployment it lives until the job ran.
A row whose job failed every attempt stays with `failed_at` set: the embedded dead letters.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.base import UTCDateTime, utcnow


class PendingJob(db.Model):
    __tablename__ = "pending_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    func: Mapped[str] = mapped_column(String(200))  # "package.module:function"
    args: Mapped[list] = mapped_column(JSON, default=list)
    kwargs: Mapped[dict] = mapped_column(JSON, default=dict)
    request_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When a drainer (the worker, or `flask run-jobs`) may take it: a little after it was written,
    # so the request that wrote it runs or queues it first; later after each failed attempt.
    run_after: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
