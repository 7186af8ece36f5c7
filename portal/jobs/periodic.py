"""Work that runs on a schedule: the worker enqueues each entry every `every` seconds (once
across all worker nodes), `flask run-jobs` runs them all once for cron."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Periodic:
    name: str
    func: str  # "package.module:function", taking no arguments
    every: int  # seconds


PERIODIC: tuple[Periodic, ...] = (
    Periodic("deliver-outbox", "portal.jobs.tasks:deliver_outbox", 60),
    Periodic("deliver-webhooks", "portal.jobs.tasks:deliver_webhooks", 60),
    Periodic("escalate-cases", "portal.jobs.tasks:escalate_cases", 3600),
    Periodic("refresh-open-data", "portal.jobs.tasks:refresh_open_data", 24 * 3600),
    Periodic("purge-form-tokens", "portal.form_tokens:purge_expired_job", 24 * 3600),
    Periodic("purge-registrations", "portal.jobs.tasks:purge_registrations", 3600),
)
