"""`flask --app wsgi refresh-open-data`: rebuild the open datasets. Run it from cron (daily)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from portal.extensions import db


@click.command("refresh-open-data")
@with_appcontext
def refresh_open_data() -> None:
    """Build every open dataset and store the snapshot that /data serves."""
    from portal.opendata import refresh

    report = refresh(db.session)
    click.echo(f"changed: {len(report.changed)}, unchanged: {len(report.unchanged)}, failed: {len(report.failed)}")
    for slug in report.changed:
        click.echo(f"  updated {slug}")
    for slug, error in report.failed.items():
        click.echo(f"  FAILED {slug}: {error}", err=True)
    if report.failed:
        raise click.exceptions.Exit(1)
