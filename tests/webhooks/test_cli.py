"""`flask deliver-webhooks` runs one delivery pass."""

from __future__ import annotations

from portal.extensions import db


def test_the_command_delivers_what_is_due(app, district, make_client, subscribe, receiver):
    target = receiver()
    subscribe(make_client("jjw"), target.url, ["case.submit"])
    district.submit()
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["deliver-webhooks"])
    assert result.exit_code == 0, result.output
    assert "delivered: 1, retrying: 0, failed: 0" in result.output
    assert len(target.accepted) == 1
    again = app.test_cli_runner().invoke(args=["deliver-webhooks"])
    assert "delivered: 0" in again.output and len(target.received) == 1
