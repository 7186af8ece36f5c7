"""Which case events are queued for which department system, in the event's own transaction."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from portal.audit import Origin
from portal.extensions import db
from portal.models import DeliveryStatus, WebhookDelivery
from portal.webhooks import disable
from tests.webhooks.conftest import deliveries


def types_of(endpoint) -> list[str]:
    return [d.event_type for d in deliveries(endpoint)]


def test_each_event_of_the_departments_case_is_queued_with_its_summary(district, make_client, subscribe):
    endpoint, _secret = subscribe(make_client("jjw"), "https://jjw.example.gov.cn/portal-events")
    case = district.submit()
    district.advance(hours=1)
    district.act(case, "accept", district.officer)
    district.advance(hours=1)
    district.act(case, "start", district.officer)
    district.act(case, "reply", district.officer, notes="Fixed on Tuesday.")
    district.act(case, "close", district.officer)
    db.session.commit()

    rows = deliveries(endpoint)
    assert [d.event_type for d in rows] == ["case.submit", "case.accept", "case.start", "case.reply", "case.close"]
    assert all(d.status == DeliveryStatus.PENDING and d.attempts == 0 for d in rows)
    accept = rows[1].payload
    assert accept["id"] == rows[1].message_id and accept["id"].startswith("msg_")
    assert accept["type"] == "case.accept"
    assert accept["occurred_at"] == "2026-03-02T02:00:00Z"
    assert accept["data"]["case"] == {
        "reference": case.reference,
        "public_id": case.public_id,
        "kind": "request",
        "category": "street-lights",
        "state": "accepted",
        "priority": "normal",
        "department": "jjw",
        "pending_department": None,
        "assisting_departments": [],
        "submitted_at": "2026-03-02T01:00:00Z",
        "due_date": case.reply_due.isoformat(),
    }
    assert accept["data"]["event"] == {"action": "accept", "from_state": "submitted", "to_state": "accepted",
                                       "department": None}
    assert rows[0].payload["data"]["case"]["due_date"] == case.accept_due.isoformat()
    assert rows[-1].payload["data"]["case"]["due_date"] is None  # closed: no clock runs
    assert len({d.message_id for d in rows}) == 5


def test_the_payload_carries_no_personal_data(district, make_client, subscribe):
    endpoint, _secret = subscribe(make_client("jjw"), "https://jjw.example.gov.cn/portal-events")
    case = district.submit(title="Noise from flat 1203, Wang Fang 13800000009",
                           body="Wang Fang at 61 Renmin Road plays music all night.")
    district.act(case, "request_info", district.officer, reason="Which floor, Mr Li?")
    db.session.commit()
    text = json.dumps([d.payload for d in deliveries(endpoint)], ensure_ascii=False)
    for secret in ("Wang Fang", "13800000009", "Renmin", "Mr Li", "sender", district.sender.username):
        assert secret not in text


def test_another_departments_events_never_reach_the_subscriber(district, make_client, subscribe):
    jjw, _ = subscribe(make_client("jjw"), "https://jjw.example.gov.cn/portal-events")
    rsj, _ = subscribe(make_client("rsj"), "https://rsj.example.gov.cn/portal-events")
    own = district.submit()
    other = district.submit(category=district.other_category)
    district.act(other, "accept", district.outsider)
    db.session.commit()
    assert [d.payload["data"]["case"]["reference"] for d in deliveries(jjw)] == [own.reference]
    assert [(d.payload["data"]["case"]["reference"], d.event_type) for d in deliveries(rsj)] == [
        (other.reference, "case.submit"), (other.reference, "case.accept")]


def test_a_transfer_reaches_the_receiving_department_and_then_leaves_the_sender(district, make_client, subscribe):
    jjw, _ = subscribe(make_client("jjw"), "https://jjw.example.gov.cn/portal-events")
    fgw, _ = subscribe(make_client("fgw"), "https://fgw.example.gov.cn/portal-events")
    case = district.submit()
    district.act(case, "transfer", district.officer, reason="Roads are fgw's", department=district.dept("fgw"))
    district.act(case, "accept_transfer", district.receiver)
    district.act(case, "start", district.receiver)
    db.session.commit()
    assert types_of(jjw) == ["case.submit", "case.transfer"]
    assert types_of(fgw) == ["case.transfer", "case.accept_transfer", "case.start"]
    transfer = deliveries(fgw)[0].payload["data"]
    assert transfer["case"]["pending_department"] == "fgw" and transfer["event"]["department"] == "fgw"
    assert deliveries(fgw)[1].payload["data"]["case"]["department"] == "fgw"


def test_an_assisting_department_hears_from_its_invitation_on(district, make_client, subscribe):
    kw, _ = subscribe(make_client("kw"), "https://kw.example.gov.cn/portal-events")
    case = district.submit()
    district.act(case, "accept", district.officer)
    district.act(case, "invite", district.officer, department=district.dept("kw"))
    district.act(case, "note", district.officer, notes="kw checks the wiring")
    db.session.commit()
    assert types_of(kw) == ["case.invite", "case.note"]
    assert deliveries(kw)[1].payload["data"]["case"]["assisting_departments"] == ["kw"]


def test_only_the_event_types_subscribed_to_are_queued(district, make_client, subscribe):
    endpoint, _ = subscribe(make_client("jjw"), "https://jjw.example.gov.cn/portal-events", ["case.close"])
    case = district.submit()
    district.act(case, "accept", district.officer)
    district.act(case, "reply", district.officer, notes="Done.")
    district.act(case, "close", district.officer)
    db.session.commit()
    assert types_of(endpoint) == ["case.close"]


def test_a_rolled_back_event_queues_nothing(district, make_client, subscribe):
    endpoint, _ = subscribe(make_client("jjw"), "https://jjw.example.gov.cn/portal-events")
    db.session.commit()
    case = district.submit()
    district.act(case, "accept", district.officer)
    db.session.flush()
    assert len(deliveries(endpoint)) == 2  # written with the events, in their transaction...
    db.session.rollback()
    assert deliveries(endpoint) == []  # ...and gone with them


def test_disabled_endpoints_and_clients_queue_nothing(district, make_client, subscribe):
    from auth.oidc import clients as registry

    client = make_client("jjw")
    off, _ = subscribe(client, "https://jjw.example.gov.cn/off")
    on, _ = subscribe(client, "https://jjw.example.gov.cn/on")
    disable(db.session, off, actor=district.admin, origin=Origin())
    district.submit()
    registry.disable(db.session, client, actor=district.admin, origin=Origin())
    district.submit()
    db.session.commit()
    assert types_of(off) == []
    assert types_of(on) == ["case.submit"]  # the first case only: the system was disabled before the second


def test_every_subscriber_gets_the_same_message_id(district, make_client, subscribe):
    first, _ = subscribe(make_client("jjw", "approvals"), "https://approvals.example.gov.cn/events")
    second, _ = subscribe(make_client("jjw", "hotline"), "https://hotline.example.gov.cn/events")
    district.submit()
    db.session.commit()
    (a,), (b,) = deliveries(first), deliveries(second)
    assert a.message_id == b.message_id and a.payload == b.payload
    assert db.session.scalar(select(func.count()).select_from(WebhookDelivery)) == 2
