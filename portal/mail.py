"""Email for case notices: queued in the outbox with the change, sent through SMTP when configured.

`init_app` turns the case domain's email hook on (each notice is rendered in its recipient's
language, `Account.locale`, when it is queued). When `SMTP_HOST` is set, the outbox delivery job
(portal.jobs.tasks.deliver_outbox, enqueued by the transaction that queued the messages) sends
them once that transaction commits. `flask --app wsgi send-mail` sends whatever is still waiting
(for cron, or after an SMTP outage). Without SMTP the messages stay in the outbox, which is the
record of what would have been sent.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.config import ConfigError
from portal.models.base import utcnow
from portal.models.outbox import Channel, OutboxMessage

log = logging.getLogger("portal.mail")

MAX_ATTEMPTS = 5
SECURITY_CHOICES = ("none", "starttls", "ssl")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    security: str = "none"
    timeout: float = 10.0

    @classmethod
    def from_config(cls, config) -> SmtpSettings | None:
        """The settings, or None when no SMTP server is configured. Raises ConfigError when wrong."""
        host = (config.get("SMTP_HOST") or "").strip()
        if not host:
            return None
        try:
            port = int(config.get("SMTP_PORT") or 25)
        except (TypeError, ValueError):
            raise ConfigError(f"SMTP_PORT must be a number, not {config.get('SMTP_PORT')!r}") from None
        security = (config.get("SMTP_SECURITY") or "none").strip().lower()
        if security not in SECURITY_CHOICES:
            raise ConfigError(f"SMTP_SECURITY must be one of {', '.join(SECURITY_CHOICES)}, not {security!r}")
        sender = (config.get("MAIL_FROM") or "").strip()
        if "@" not in sender:
            raise ConfigError("MAIL_FROM must be set to the sender address when SMTP_HOST is set")
        if bool(config.get("SMTP_USERNAME")) != bool(config.get("SMTP_PASSWORD")):
            raise ConfigError("SMTP_USERNAME and SMTP_PASSWORD are set together or not at all")
        return cls(host, port, sender, config.get("SMTP_USERNAME") or None, config.get("SMTP_PASSWORD") or None,
                   security)


def _message(settings: SmtpSettings, row: OutboxMessage) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = row.recipient
    message["Subject"] = row.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2])
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(row.body)  # UTF-8; the headers are encoded as needed
    return message


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    if settings.security == "ssl":
        smtp = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        if settings.security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
    if settings.username:
        smtp.login(settings.username, settings.password or "")
    return smtp


def send_pending(session: Session, settings: SmtpSettings, limit: int = 100) -> int:
    """Send waiting emails over one SMTP connection; returns how many were sent.

    Each message is marked sent (or its error noted) and committed on its own, so a failure
    half-way loses nothing and sends nothing twice. Safe to run from several processes.
    """
    rows = session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.channel == Channel.EMAIL,
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.attempts < MAX_ATTEMPTS,
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if not rows:
        session.rollback()
        return 0
    sent = 0
    try:
        smtp = _connect(settings)
    except (OSError, smtplib.SMTPException) as error:
        for row in rows:
            row.attempts += 1
            row.last_error = f"connect: {error}"[:500]
        session.commit()
        log.warning("SMTP server %s:%s unavailable: %s", settings.host, settings.port, error)
        return 0
    try:
        for row in rows:
            row.attempts += 1
            try:
                smtp.send_message(_message(settings, row))
            except smtplib.SMTPException as error:
                row.last_error = str(error)[:500]
            else:
                row.sent_at = utcnow()
                row.last_error = None
                sent += 1
            session.commit()
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
    return sent


@click.command("send-mail")
@with_appcontext
def send_mail_command() -> None:
    """Send the emails waiting in the outbox through the configured SMTP server."""
    from portal.extensions import db

    settings = current_app.extensions.get("portal_smtp")
    if settings is None:
        raise click.ClickException("SMTP_HOST is not set: nothing can be sent.")
    total = 0
    while sent := send_pending(db.session, settings):
        total += sent
    click.echo(f"sent: {total}")


def init_app(app: Flask) -> None:
    from portal.case_labels import render_notice
    from portal.cases import enable_email

    app.extensions["portal_smtp"] = SmtpSettings.from_config(app.config)
    enable_email(render_notice, default_locale=app.config["BABEL_DEFAULT_LOCALE"])
    app.cli.add_command(send_mail_command)
