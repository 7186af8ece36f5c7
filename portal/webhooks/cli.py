"""`flask --app wsgi deliver-webhooks`: one delivery pass, for cron or by hand."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from portal.config import ConfigError
from portal.extensions import db
from portal.webhooks.delivery import DeliveryPolicy, DeliveryReport, PolicyError, deliver_due


def policy_for(app: Flask) -> DeliveryPolicy:
    """The delivery policy from the app's WEBHOOK_* settings."""
    try:
        return DeliveryPolicy.from_config(app.config)
    except PolicyError as error:
        raise ConfigError(str(error)) from None


def run_pass() -> DeliveryReport:
    """One delivery pass with the current app's settings: for the CLI and a periodic job."""
    return deliver_due(db.session, policy=policy_for(current_app))


@click.command("deliver-webhooks")
@with_appcontext
def deliver_webhooks() -> None:
    """Send the webhook deliveries that are due (signed case events to department systems)."""
    report = run_pass()
    click.echo(f"delivered: {report.delivered}, retrying: {report.retrying}, failed: {report.failed}")


def init_app(app: Flask) -> None:
    """Check the webhook settings at start-up (a bad one stops the app) and add the command."""
    policy_for(app)
    app.cli.add_command(deliver_webhooks)
