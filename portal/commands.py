"""Command-line tasks: `flask --app wsgi <command>`."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from portal import demo
from portal.extensions import db
from portal.opendata.commands import refresh_open_data
from portal.webhooks import cli as webhooks_cli


@click.command("seed-demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Seed only when the database holds no data yet.")
def seed_demo(if_empty: bool) -> None:
    """Create the demo district (departments, accounts, services...). Safe to run again."""
    if not current_app.config["DEMO_DATA_ALLOWED"]:
        raise click.ClickException("Demo data is never created in production.")
    if if_empty and not demo.database_is_empty(db.session):
        click.echo("Database already has data; demo seeding skipped.")
        return
    report = demo.seed(db.session)
    for kind, count in report.items():
        click.echo(f"{kind}: {count} new")
    from portal.opendata import refresh

    catalogue = refresh(db.session)  # the open data at /data, built from the demo district
    click.echo(f"open datasets: {len(catalogue.changed) + len(catalogue.unchanged)} published")
    from portal.demo.accounts import DEMO_PASSWORD, DEMO_TOTP_SECRET

    click.echo(f"Demo accounts' password: {DEMO_PASSWORD}")
    click.echo(f"Government demo accounts' authenticator key (TOTP): {DEMO_TOTP_SECRET}")


@click.command("load-calendar")
@with_appcontext
@click.option("--replace-manual", is_flag=True, help="Also overwrite years an administrator entered by hand.")
def load_calendar(replace_manual: bool) -> None:
    """Load the official holiday calendar for every year the chinesecalendar package knows."""
    from portal.cases import load_calendar_years, work_calendar

    written = load_calendar_years(db.session, replace_manual=replace_manual)
    db.session.commit()
    loaded = sorted(work_calendar(db.session).loaded_years)
    click.echo(f"years written: {', '.join(map(str, written)) or 'none'}")
    if loaded:
        click.echo(f"calendar loaded for {loaded[0]}-{loaded[-1]}")


@click.command("escalate-cases")
@with_appcontext
def escalate_cases() -> None:
    """Remind (催办) on cases due soon and supervise (督办) overdue ones. Run it from cron."""
    from portal.cases import escalate_overdue

    report = escalate_overdue(db.session)
    db.session.commit()
    click.echo(f"reminded: {len(report.reminded)}, supervised: {len(report.supervised)}")


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_demo)
    app.cli.add_command(load_calendar)
    app.cli.add_command(escalate_cases)
    app.cli.add_command(refresh_open_data)
    webhooks_cli.init_app(app)  # deliver-webhooks
    from api.open311.commands import open311_key  # Open311 API keys (docs/open311.md)

    app.cli.add_command(open311_key)
