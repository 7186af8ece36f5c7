"""The client directory on the desk: administrators add, rotate and disable webhooks, and see and
retry the deliveries that failed."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from sqlalchemy import select

from auth.oidc.models import OAuthClient
from portal.cases import submit_case
from portal.extensions import db
from portal.models import Account, AuditEvent, CaseCategory, Department, WebhookEndpoint
from portal.webhooks import EVENT_TYPES, deliver_due
from tests.gov.conftest import page_text
from tests.webhooks.conftest import POLICY

CLIENT = "demo-dept-system"
PAGE = f"/gov/clients/{CLIENT}/webhooks"
SECRET = re.compile(r'Signing secret</dt><dd><code class="secret">(whsec_[^<]+)<')


def endpoints(app) -> list[WebhookEndpoint]:
    with app.app_context():
        rows = db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def add(client, url, event_types=("case.submit", "case.accept")):
    return client.post(f"{PAGE}/new", data={"url": url, "event_types": list(event_types)})


def file_case_for_the_system(app) -> str:
    """A resident's request routed to the demo system's department (sjj); returns its reference."""
    with app.app_context():
        resident = db.session.scalar(select(Account).where(Account.mobile == "13800000001"))
        department = db.session.scalar(
            select(Department).join(OAuthClient, OAuthClient.department_id == Department.id)
            .where(OAuthClient.client_id == CLIENT)
        )
        category = db.session.scalars(select(CaseCategory).where(CaseCategory.active.is_(True))).first()
        case = submit_case(db.session, resident, kind=category.kind or "request", category=category,
                           title="Street light out", body="Dark for a week.", department=department)
        db.session.commit()
        return case.reference


@pytest.mark.parametrize("who", [None, "officer.jw", "lead.fs"])
def test_only_administrators_manage_webhooks(client, login, who):
    if who:
        login(who)
    for response in (client.get(PAGE), client.get(f"{PAGE}/new"), add(client, "https://sjj.example.gov.cn/hook")):
        assert response.status_code in (302, 403)
        if who:
            assert response.status_code == 403
    with client.application.app_context():
        assert db.session.scalar(select(WebhookEndpoint)) is None


def test_administrator_adds_a_webhook_and_sees_its_secret_once(app, client, login):
    login("admin")
    form = client.get(f"{PAGE}/new")
    assert form.status_code == 200 and "case.accept_transfer" in form.get_data(as_text=True)
    response = add(client, "https://sjj.example.gov.cn/portal-events")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    secret = SECRET.search(response.get_data(as_text=True)).group(1)
    (endpoint,) = endpoints(app)
    assert endpoint.secret == secret and endpoint.url == "https://sjj.example.gov.cn/portal-events"
    assert endpoint.event_types == ["case.submit", "case.accept"] and endpoint.enabled
    listing = page_text(client.get(PAGE))
    assert "https://sjj.example.gov.cn/portal-events" in listing and secret not in listing
    assert re.search(r"case\.submit\s*,\s*case\.accept\b", listing)
    assert "1 address" in page_text(client.get("/gov/clients"))
    with app.app_context():
        audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "webhook.register"))
        assert audit.object_id == endpoint.public_id and audit.details["client_id"] == CLIENT


@pytest.mark.parametrize(
    ("url", "events", "message"),
    [
        ("http://sjj.example.gov.cn/portal-events", EVENT_TYPES, "must use https"),
        ("https://10.1.2.3/portal-events", EVENT_TYPES, "private or reserved network address"),
        ("https://ops:hunter2@sjj.example.gov.cn/", EVENT_TYPES, "contains a user name or password"),
        ("sjj.example.gov.cn", EVENT_TYPES, "is not a complete address"),
        ("", EVENT_TYPES, "Enter the address that receives the events."),
        ("https://sjj.example.gov.cn/portal-events", (), "Choose at least one case event to send."),
    ],
)
def test_a_webhook_the_portal_cannot_send_to_is_refused_with_a_reason(app, client, login, url, events, message):
    login("admin")
    response = add(client, url, events)
    assert response.status_code == 200
    assert message in page_text(response)
    assert endpoints(app) == []


def test_the_reason_is_given_in_chinese_too(app, client, login):
    login("admin")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh"
    response = add(client, "http://sjj.example.gov.cn/portal-events")
    assert response.status_code == 200 and 'class="error-message"' in response.get_data(as_text=True)
    assert endpoints(app) == []


def test_rotating_shows_a_new_secret_and_disabling_stops_it(app, client, login):
    login("admin")
    first = SECRET.search(add(client, "https://sjj.example.gov.cn/portal-events").get_data(as_text=True)).group(1)
    (endpoint,) = endpoints(app)
    response = client.post(f"{PAGE}/{endpoint.public_id}/secret")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    second = SECRET.search(response.get_data(as_text=True)).group(1)
    assert second != first and endpoints(app)[0].secret == second
    assert client.post(f"{PAGE}/{endpoint.public_id}/disable").status_code == 302
    assert not endpoints(app)[0].enabled
    text = page_text(client.get(PAGE))
    assert "Disabled" in text
    assert "The webhook to https://sjj.example.gov.cn/portal-events is disabled" in text
    assert client.post(f"{PAGE}/{endpoint.public_id}/enable").status_code == 302
    assert "The webhook to https://sjj.example.gov.cn/portal-events is enabled again." in page_text(client.get(PAGE))
    assert endpoints(app)[0].enabled
    with app.app_context():
        actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("webhook.%"))))
    assert actions == {"webhook.register", "webhook.rotate_secret", "webhook.disable", "webhook.enable"}
    assert client.post(f"{PAGE}/0123456789abcdef0123456789abcdef/disable").status_code == 404


def test_a_dead_delivery_shows_on_the_desk_and_retry_now_delivers_it(app, client, login, receiver):
    target = receiver(failures=99)
    login("admin")
    add(client, target.url, ["case.submit"])
    reference = file_case_for_the_system(app)
    give_up_at_once = replace(POLICY, max_attempts=1)
    with app.app_context():
        assert deliver_due(db.session, policy=give_up_at_once).failed == 1

    page = page_text(client.get(PAGE))
    assert "Failed deliveries" in page and reference in page and "HTTP 500" in page
    assert "1 failed delivery" in page_text(client.get("/gov/clients"))
    retry_form = re.search(rf'action="({PAGE}/deliveries/\d+/retry)"', client.get(PAGE).get_data(as_text=True))
    target.failures = 0
    response = client.post(retry_form.group(1), follow_redirects=True)
    assert "sent again at the next delivery round" in page_text(response)
    assert target.accepted == []  # nothing is sent from the request itself
    with app.app_context():
        assert deliver_due(db.session, policy=give_up_at_once).delivered == 1
    (message,) = target.accepted
    assert message.json["data"]["case"]["reference"] == reference and message.json["type"] == "case.submit"
    assert "None: every event was delivered" in page_text(client.get(PAGE))
    assert client.post(retry_form.group(1), follow_redirects=True).status_code == 200  # nothing left to retry
