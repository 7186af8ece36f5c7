"""CLI: `flask --app wsgi oidc-rotate-keys`."""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import with_appcontext

from auth.oidc import bp, keys
from portal.extensions import db


@bp.cli.command("oidc-rotate-keys")
@click.option(
    "--remove-older-than",
    type=click.IntRange(min=1),
    default=None,
    metavar="DAYS",
    help="Also stop publishing keys superseded more than DAYS days ago (older than any token in use).",
)
@with_appcontext
def rotate_keys(remove_older_than: int | None) -> None:
    """Add a new ID-token signing key; earlier keys stay in the JWKS so issued tokens still verify."""
    report = keys.rotate(
        db.session, remove_older_than=timedelta(days=remove_older_than) if remove_older_than else None
    )
    db.session.commit()
    click.echo(f"New signing key: {report['kid']}")
    for kid in report["removed"]:
        click.echo(f"No longer published: {kid}")
    click.echo(f"Published keys: {len(report['published'])}")
