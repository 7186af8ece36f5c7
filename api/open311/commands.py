"""CLI: `flask --app wsgi open311-key CLIENT_ID` issues an Open311 API key to a registered system."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from api.open311 import keys
from portal.extensions import db


@click.command("open311-key")
@click.argument("client_id")
@click.option("--label", default=None, help="A note on what the key is for, e.g. the app and its environment.")
@click.option("--list", "list_keys", is_flag=True, help="List the client's keys instead of issuing one.")
@click.option("--revoke", "revoke_id", default=None, metavar="KEY_ID", help="Revoke the key with this id.")
@with_appcontext
def open311_key(client_id: str, label: str | None, list_keys: bool, revoke_id: str | None) -> None:
    """Issue an Open311 API key to the registered system CLIENT_ID (printed once), list or revoke its keys."""
    client = keys.find_client(db.session, client_id)
    if client is None:
        raise click.ClickException(f"No registered system has the client ID {client_id}.")
    if list_keys:
        for key in keys.keys_of(db.session, client):
            state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "in use"
            click.echo(f"{key.public_id}  …{key.hint}  {key.created_at:%Y-%m-%d}  {state}  {key.label or ''}")
        return
    if revoke_id:
        key = keys.find_key(db.session, revoke_id)
        if key is None or key.client_id != client.id:
            raise click.ClickException(f"{client_id} has no key {revoke_id}.")
        revoked = keys.revoke(db.session, key, actor=None)
        db.session.commit()
        click.echo(f"Key …{key.hint} revoked." if revoked else f"Key …{key.hint} was revoked already.")
        return
    if not client.enabled:
        raise click.ClickException(f"{client_id} is disabled; enable it on the desk first.")
    issued = keys.issue(db.session, client, label=label, actor=None)
    db.session.commit()
    click.echo(f"Open311 API key for {client.name} (key id {issued.key.public_id}):")
    click.echo(issued.secret)
    click.echo("It is shown only this once: the portal keeps only a fingerprint of it.")
