"""Delivery with retries: a department system that was down gets each event once, signed."""

from __future__ import annotations

import json
import re
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.audit import Origin
from portal.extensions import db
from portal.models import DeliveryStatus, WebhookDelivery
from portal.webhooks import deliver_due, retry, rotate_secret
from portal.webhooks.delivery import body_of
from tests.webhooks.conftest import POLICY, after_retry, deliveries

DOCS = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


def documented_verifier():
    """The receiver's check exactly as docs/webhooks.md prints it, for receivers to copy."""
    snippet = re.search(r"```python\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S).group(1)
    namespace: dict = {}
    exec(compile(snippet, str(DOCS), "exec"), namespace)  # noqa: S102 - our own documentation
    return namespace["verify_webhook"]


def file_and_accept(district):
    """Two events of a jjw case: its submission, then the officer signing for it."""
    case = district.submit()
    district.advance(minutes=5)
    district.act(case, "accept", district.officer)
    db.session.commit()
    return case


@pytest.mark.parametrize("outage", ["server error", "connection refused"])
def test_a_receiver_down_for_two_attempts_gets_each_event_once_signed(district, make_client, subscribe, receiver,
                                                                        outage):
    verify_webhook = documented_verifier()
    target = receiver(failures=2) if outage == "server error" else receiver(listening=False)
    endpoint, secret = subscribe(make_client("jjw"), target.url)
    case = file_and_accept(district)
    clock = district.now

    assert deliver_due(db.session, clock, policy=POLICY).retrying == 2  # attempt 1 of both: refused
    # Not due again before the backoff has passed: nothing is sent.
    assert deliver_due(db.session, clock + timedelta(seconds=8), policy=POLICY).attempted == 0
    clock += after_retry(1)
    report = deliver_due(db.session, clock, policy=POLICY)  # attempt 2 of both
    if outage == "connection refused":
        assert report.retrying == 2 and target.received == []
        target.up()
    else:
        assert report.retrying == 2 and len(target.received) == 4
    clock += after_retry(2)
    assert deliver_due(db.session, clock, policy=POLICY).delivered == 2  # attempt 3: accepted
    for _ in range(3):  # later passes send nothing more
        clock += after_retry(3)
        assert deliver_due(db.session, clock, policy=POLICY).attempted == 0

    accepted = target.accepted  # in any order: retries are jittered, and order is not promised
    assert sorted(r.json["type"] for r in accepted) == ["case.accept", "case.submit"]
    ids = [verify_webhook(secret, r.headers, r.body, now=clock.timestamp(), tolerance=3600) for r in accepted]
    assert len(set(ids)) == 2 and ids == [r.json["id"] for r in accepted]
    assert all(r.json["data"]["case"]["reference"] == case.reference for r in accepted)
    if outage == "server error":
        # The refused attempts carried the same message id as the one accepted.
        assert sorted(r.headers["webhook-id"] for r in target.received) == sorted(ids * 3)
    rows = deliveries(endpoint)
    assert [(d.status, d.attempts, d.last_status_code) for d in rows] == [(DeliveryStatus.DELIVERED, 3, 204)] * 2


def test_signature_is_over_id_timestamp_and_body(district, make_client, subscribe, receiver):
    verify_webhook = documented_verifier()
    target = receiver()
    _endpoint, secret = subscribe(make_client("jjw"), target.url, ["case.submit"])
    district.submit()
    db.session.commit()
    deliver_due(db.session, district.now, policy=POLICY)
    (message,) = target.accepted
    assert message.headers["webhook-timestamp"] == str(int(district.now.timestamp()))
    assert message.headers["webhook-signature"].startswith("v1,")
    assert message.headers["content-type"] == "application/json"
    now = district.now.timestamp()
    assert verify_webhook(secret, message.headers, message.body, now=now) == message.headers["webhook-id"]
    with pytest.raises(ValueError):
        verify_webhook(secret, message.headers, message.body.replace(b"submit", b"close!"), now=now)
    with pytest.raises(ValueError):  # replayed an hour later
        verify_webhook(secret, message.headers, message.body, now=now + 3600)
    forged = dict(message.headers, **{"webhook-timestamp": str(int(now) + 60)})
    with pytest.raises(ValueError):
        verify_webhook(secret, forged, message.body, now=now)


def test_rotation_makes_the_old_secret_invalid(district, make_client, subscribe, receiver):
    verify_webhook = documented_verifier()
    target = receiver()
    endpoint, old = subscribe(make_client("jjw"), target.url, ["case.submit"])
    new = rotate_secret(db.session, endpoint, actor=district.admin, origin=Origin())
    district.submit()
    db.session.commit()
    deliver_due(db.session, district.now, policy=POLICY)
    (message,) = target.accepted
    now = district.now.timestamp()
    assert new != old
    assert verify_webhook(new, message.headers, message.body, now=now)
    with pytest.raises(ValueError):
        verify_webhook(old, message.headers, message.body, now=now)


def test_after_the_last_attempt_the_delivery_is_dead_until_retried(district, make_client, subscribe, receiver):
    target = receiver(failures=99)
    endpoint, _secret = subscribe(make_client("jjw"), target.url, ["case.submit"])
    district.submit()
    db.session.commit()
    clock = district.now
    for attempt in range(1, POLICY.max_attempts + 1):
        deliver_due(db.session, clock, policy=POLICY)
        clock += after_retry(attempt)
    (dead,) = deliveries(endpoint)
    assert (dead.status, dead.attempts, dead.last_error) == (DeliveryStatus.FAILED, POLICY.max_attempts, "HTTP 500")
    assert deliver_due(db.session, clock + timedelta(days=30), policy=POLICY).attempted == 0
    assert len(target.received) == POLICY.max_attempts

    target.failures = 0
    retry(db.session, dead, actor=district.admin, origin=Origin(), now=clock)
    db.session.commit()
    assert deliver_due(db.session, clock, policy=POLICY).delivered == 1
    assert len(target.accepted) == 1 and deliveries(endpoint)[0].status == DeliveryStatus.DELIVERED


def test_redirects_are_not_followed(district, make_client, subscribe, receiver):
    landing = receiver()
    bouncer = receiver()
    endpoint, _secret = subscribe(make_client("jjw"), bouncer.url, ["case.submit"])
    district.submit()
    db.session.commit()

    def redirecting(request):
        assert request.url == bouncer.url
        return 307  # what a receiver answering "go to landing" would send

    deliver_due(db.session, district.now, redirecting, policy=POLICY)
    (row,) = deliveries(endpoint)
    assert (row.status, row.last_status_code, row.last_error) == (DeliveryStatus.PENDING, 307, "HTTP 307")
    assert landing.received == []


def test_a_disabled_endpoint_is_sent_nothing_until_enabled(district, make_client, subscribe, receiver):
    from portal.webhooks import disable, enable

    target = receiver()
    endpoint, _secret = subscribe(make_client("jjw"), target.url, ["case.submit"])
    district.submit()
    disable(db.session, endpoint, actor=district.admin, origin=Origin())
    db.session.commit()
    assert deliver_due(db.session, district.now, policy=POLICY).attempted == 0
    enable(db.session, endpoint, actor=district.admin, origin=Origin())
    db.session.commit()
    assert deliver_due(db.session, district.now, policy=POLICY).delivered == 1
    assert len(target.accepted) == 1


def test_a_body_is_the_same_bytes_on_every_attempt(district, make_client, subscribe, receiver):
    target = receiver(failures=1)
    subscribe(make_client("jjw"), target.url, ["case.submit"])
    district.submit()
    db.session.commit()
    deliver_due(db.session, district.now, policy=POLICY)
    deliver_due(db.session, district.now + after_retry(1), policy=POLICY)
    first, second = target.received
    assert first.body == second.body == body_of(first.json)
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.headers["webhook-timestamp"] != second.headers["webhook-timestamp"]


def test_workers_running_at_once_send_each_event_once(app, district, make_client, subscribe, receiver):
    target = receiver()
    subscribe(make_client("jjw"), target.url)
    for _ in range(6):
        case = district.submit()
        district.act(case, "accept", district.officer)
    db.session.commit()
    moment = district.now
    errors: list[BaseException] = []
    start = threading.Barrier(3)

    def worker():
        try:
            with app.app_context():
                start.wait()
                deliver_due(db.session, moment, policy=POLICY)
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    ids = [r.headers["webhook-id"] for r in target.accepted]
    assert len(ids) == 12 and len(set(ids)) == 12
    statuses = db.session.scalars(select(WebhookDelivery.status).execution_options(populate_existing=True)).all()
    assert statuses == [DeliveryStatus.DELIVERED] * 12


def test_nothing_due_is_a_cheap_no_op(district):
    db.session.commit()
    report = deliver_due(db.session, district.now, lambda request: pytest.fail("nothing should be sent"),
                         policy=POLICY)
    assert report.attempted == 0


def test_the_documented_example_request_verifies_with_the_documented_check():
    verify_webhook = documented_verifier()
    example = re.search(r"```http\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S).group(1)
    head, body = example.split("\n\n", 1)
    headers = dict(line.split(": ", 1) for line in head.splitlines()[1:])
    body = body.rstrip("\n").encode()
    secret = re.search(r"secret `(whsec_[^`]+)`", DOCS.read_text(encoding="utf-8")).group(1)
    sent = int(headers["webhook-timestamp"])
    assert verify_webhook(secret, headers, body, now=sent) == headers["webhook-id"]
    assert json.loads(body)["id"] == headers["webhook-id"]
    with pytest.raises(ValueError):
        verify_webhook(secret, headers, body.replace(b"accepted", b"rejected"), now=sent)
