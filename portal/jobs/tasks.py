"""The portal's jobs. Each runs in an application context of its own (the runner pushes it),
takes plain arguments, uses `db.session` and commits; each is safe to run twice or from several
workers at once, because a retried or duplicated run must change nothing twice."""

from __future__ import annotations

import dataclasses
import importlib
import logging

from flask import current_app

from portal.extensions import db

log = logging.getLogger("portal.jobs")


def deliver_outbox() -> dict:
    """Text messages through the gateway (the server log by default) and emails through SMTP
    when it is configured; without SMTP, emails stay in the outbox (portal.mail)."""
    from portal import mail, outbox
    from portal.models.outbox import Channel

    texts = outbox.deliver_pending(db.session, channels=[c for c in Channel if c != Channel.EMAIL])
    emails = 0
    settings = current_app.extensions.get("portal_smtp")
    if settings is not None:
        for _ in range(20):  # at most 2,000 a run; the next run takes the rest
            sent = mail.send_pending(db.session, settings)
            emails += sent
            if sent < 100:
                break
    return {"texts": texts, "emails": emails}


def purge_registrations() -> dict:
    """Delete residents' registrations, finished or not, an hour after their code expired (the
    details typed with them), and the counts of attempts and texts whose window is over."""
    from auth import services, throttle
    from portal.models.base import utcnow

    now = utcnow()
    registrations = services.purge_registrations(db.session, now)
    counts = throttle.purge(db.session, now, idle_for=max(throttle.FAILURE_WINDOW, services.REGISTRATION_TEXTS_WINDOW))
    db.session.commit()
    return {"registrations": registrations, "counts": counts}


def escalate_cases() -> dict:
    """Remind on cases due soon and supervise overdue ones (idempotent per deadline)."""
    from portal.cases import escalate_overdue

    report = escalate_overdue(db.session)
    db.session.commit()
    return {"reminded": len(report.reminded), "supervised": len(report.supervised)}


def _optional(module: str, name: str):
    """A function another part of the portal may provide; None when it is not installed."""
    try:
        return getattr(importlib.import_module(module), name, None)
    except ModuleNotFoundError as error:
        if error.name and module.startswith(error.name):
            return None
        raise


def _plain_result(result):
    return dataclasses.asdict(result) if dataclasses.is_dataclass(result) else result


def deliver_webhooks():
    """Deliver the webhook calls that are due (portal.webhooks), when that module is present."""
    run_pass = _optional("portal.webhooks.cli", "run_pass")  # deliver_due with the app's settings
    if run_pass is not None:
        return _plain_result(run_pass())
    deliver_due = _optional("portal.webhooks", "deliver_due")
    if deliver_due is None:
        return None
    result = deliver_due(db.session)
    db.session.commit()
    return _plain_result(result)


def refresh_open_data():
    """Rebuild the published open data sets (portal.opendata), when that module is present."""
    refresh = _optional("portal.opendata", "refresh")
    if refresh is None:
        return None
    result = refresh(db.session)
    db.session.commit()
    return _plain_result(result)


def match_policy(policy_id: int, actor_id: int | None, first: bool, ip_address: str | None = None,
                 user_agent: str | None = None) -> dict | None:
    """After a policy was published: match it against every enterprise, tell each newly
    qualified one once, open grant cases. Skipped if the policy was withdrawn meanwhile."""
    from portal import policy_matching
    from portal.audit import Origin
    from portal.models import Policy, PolicyStatus

    policy = db.session.get(Policy, policy_id)
    if policy is None or policy.status != PolicyStatus.PUBLISHED:
        log.info("policy %s is no longer published; matching skipped", policy_id)
        return None
    report = policy_matching.match_published(
        db.session, policy, actor_id, first=first, origin=Origin(ip_address, user_agent)
    )
    db.session.commit()
    return {"qualified": report.qualified, "uncertain": report.uncertain, "told": report.enterprises_told}
