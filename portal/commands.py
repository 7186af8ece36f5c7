"""Command-line tasks: `flask --app wsgi <command>`."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from portal import demo
from portal.extensions import db


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
    from portal.demo.accounts import DEMO_PASSWORD, DEMO_TOTP_SECRET

    click.echo(f"Demo accounts' password: {DEMO_PASSWORD}")
    click.echo(f"Government demo accounts' authenticator key (TOTP): {DEMO_TOTP_SECRET}")


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_demo)
