"""A department system registers, lists and stops its own webhook endpoints through the API."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent
from portal.models.webhook import WebhookEndpoint
from tests.api.conftest import API, bearer

SCOPES = ("cases:read", "webhooks:manage")


def test_a_system_registers_lists_and_stops_an_endpoint(app, client, dept_token, register_system):
    client_id, secret = register_system("sjj", scopes=SCOPES)
    token = dept_token(client_id, secret)
    created = client.post(f"{API}/webhooks", headers=bearer(token),
                          json={"url": "https://system.example.gov.cn/hooks", "event_types": ["case.submit",
                                                                                              "case.accept"]})
    assert created.status_code == 201, created.json
    assert created.json["secret"].startswith("whsec_")
    assert created.json["event_types"] == ["case.submit", "case.accept"]
    hook_id = created.json["id"]

    listed = client.get(f"{API}/webhooks", headers=bearer(token)).json["items"]
    assert [(item["id"], item["enabled"]) for item in listed] == [(hook_id, True)]
    assert "secret" not in listed[0]  # shown once, when made

    assert client.delete(f"{API}/webhooks/{hook_id}", headers=bearer(token)).status_code == 204
    assert client.get(f"{API}/webhooks", headers=bearer(token)).json["items"][0]["enabled"] is False
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.object_id == hook_id).order_by(AuditEvent.id)
        ).all()
        assert actions == ["webhook.register", "webhook.disable"]


def test_a_system_cannot_touch_another_systems_endpoints(app, client, dept_token, register_system):
    mine, theirs = register_system("sjj", scopes=SCOPES), register_system("jjw", scopes=SCOPES)
    their_token = dept_token(*theirs)
    hook = client.post(f"{API}/webhooks", headers=bearer(their_token),
                       json={"url": "https://jjw.example.gov.cn/hooks", "event_types": ["case.submit"]}).json
    my_token = dept_token(*mine)
    assert client.get(f"{API}/webhooks", headers=bearer(my_token)).json["items"] == []
    refused = client.delete(f"{API}/webhooks/{hook['id']}", headers=bearer(my_token))
    assert refused.status_code == 404
    with app.app_context():
        assert db.session.scalar(select(WebhookEndpoint).where(WebhookEndpoint.public_id == hook["id"])).enabled


def test_addresses_the_portal_will_not_send_to_are_refused(client, dept_token, register_system):
    token = dept_token(*register_system("sjj", scopes=SCOPES))
    for url in ("http://system.example.gov.cn/hooks", "https://10.0.0.8/hooks", "https://user:pw@example.cn/h"):
        response = client.post(f"{API}/webhooks", headers=bearer(token),
                               json={"url": url, "event_types": ["case.submit"]})
        assert response.status_code == 422, url
        assert response.json["errors"][0]["pointer"] == "/url"
    unknown = client.post(f"{API}/webhooks", headers=bearer(token),
                          json={"url": "https://example.cn/h", "event_types": ["case.explode"]})
    assert unknown.status_code == 422 and unknown.json["errors"][0]["pointer"].startswith("/event_types")


def test_only_a_department_systems_token_with_the_scope_manages_webhooks(client, dept_token, person_token):
    assert client.get(f"{API}/webhooks", headers=bearer(dept_token())).json["code"] == "insufficient_scope"
    person = person_token("13800000001", scope="openid cases:read webhooks:manage")
    response = client.get(f"{API}/webhooks", headers=bearer(person))
    assert response.status_code == 403 and response.json["code"] == "forbidden"
