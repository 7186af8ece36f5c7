"""The token endpoint is rate-limited per client and per address, with an OAuth-shaped answer."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent
from tests.oidc.conftest import DEPT_SYSTEM, MOBILE_APP, InProcessRP


def test_token_requests_beyond_the_client_limit_get_429(make_app, seeded):
    app = make_app(RATELIMIT_ENABLED=True, WTF_CSRF_ENABLED=False,
                   OIDC_TOKEN_RATE_LIMIT_PER_CLIENT="3 per minute", OIDC_TOKEN_RATE_LIMIT_PER_ADDRESS="100 per minute")
    http = app.test_client()
    rp = InProcessRP(http, *DEPT_SYSTEM)
    statuses = [rp.token(grant_type="authorization_code", code="x", redirect_uri=rp.redirect_uri).status_code
                for _ in range(4)]
    assert statuses == [400, 400, 400, 429]
    limited = rp.token(grant_type="authorization_code", code="x", redirect_uri=rp.redirect_uri)
    assert limited.get_json()["error"] == "too_many_requests"
    assert "Retry-After" in limited.headers
    # Another client from the same address is not held back by the first one's limit.
    assert InProcessRP(http, *MOBILE_APP).token(grant_type="refresh_token", refresh_token="x").status_code == 400
    with app.app_context():
        reasons = db.session.scalars(select(AuditEvent.details).where(AuditEvent.action == "oidc.token")).all()
        assert sum(1 for d in reasons if d.get("error") == "too_many_requests") == 2


def test_token_requests_beyond_the_address_limit_get_429(make_app, seeded):
    app = make_app(RATELIMIT_ENABLED=True, WTF_CSRF_ENABLED=False,
                   OIDC_TOKEN_RATE_LIMIT_PER_CLIENT="100 per minute", OIDC_TOKEN_RATE_LIMIT_PER_ADDRESS="2 per minute")
    http = app.test_client()
    first = InProcessRP(http, *DEPT_SYSTEM).token(grant_type="refresh_token", refresh_token="x")
    second = InProcessRP(http, *MOBILE_APP).token(grant_type="refresh_token", refresh_token="x")
    third = InProcessRP(http, *MOBILE_APP).token(grant_type="refresh_token", refresh_token="x")
    assert [first.status_code, second.status_code, third.status_code] == [400, 400, 429]
