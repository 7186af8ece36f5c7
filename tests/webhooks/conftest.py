"""Fixtures for webhooks: a small district with a department system, and a receiver on loopback."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from auth.oidc import clients as registry
from auth.oidc.models import OAuthClient
from portal.audit import Origin
from portal.extensions import db
from portal.models import CaseCategory, StaffRole, WebhookDelivery
from portal.webhooks import AddressPolicy, DeliveryPolicy, Subscription, register_endpoint
from tests.cases.conftest import DEPARTMENTS, MONDAY, World, package_calendar

# Short retries with a little jitter; loopback allowed, as in development and tests.
POLICY = DeliveryPolicy(
    retry_delays=(10, 30, 120), max_attempts=4, jitter=0.1, timeout=5, addresses=AddressPolicy(allow_loopback=True)
)


def after_retry(attempt: int, policy: DeliveryPolicy = POLICY) -> timedelta:
    """Long enough for the retry after the `attempt`-th failure to be due, whatever the jitter."""
    base = policy.retry_delays[min(attempt, len(policy.retry_delays)) - 1]
    return timedelta(seconds=base * (1 + policy.jitter) + 1)


@pytest.fixture(scope="session")
def calendar():
    return package_calendar()


@pytest.fixture
def district(app_context, calendar) -> World:
    """Departments, staff of jjw (owner of the street-lights category), fgw (receives transfers),
    kw (assists) and rsj (has nothing to do with the cases), an administrator, and a sender."""
    from portal.models import Department, DepartmentKind

    session = db.session
    for code, name_zh, name_en in DEPARTMENTS:
        session.add(Department(code=code, name_zh=name_zh, name_en=name_en, kind=DepartmentKind.BUREAU))
    session.flush()
    departments = {d.code: d for d in session.scalars(select(Department))}
    w = World(session=session, calendar=calendar, now=MONDAY, departments=departments)
    w.person("sender")
    w.person("officer", ("jjw", StaffRole.OFFICER))
    w.person("receiver", ("fgw", StaffRole.OFFICER))
    w.person("outsider", ("rsj", StaffRole.OFFICER))
    w.person("admin", ("xzfwzx", StaffRole.ADMIN))
    w.category = CaseCategory(code="street-lights", name_zh="路灯", name_en="Street lights",
                              department=w.dept("jjw"), accept_days=1, reply_days=5)
    w.other_category = CaseCategory(code="pensions", name_zh="养老保险", name_en="Pensions",
                                    department=w.dept("rsj"), accept_days=1, reply_days=5)
    session.add_all([w.category, w.other_category])
    session.flush()
    return w


@pytest.fixture
def make_client(district) -> Callable[..., OAuthClient]:
    """`make_client("jjw")`: a department system of that department, registered by the administrator."""

    def make(code: str = "jjw", name: str | None = None) -> OAuthClient:
        data = registry.Registration(
            name=name or f"{code} case system", department_id=district.dept(code).id, confidential=True,
            redirect_uris=[f"https://{code}.example.gov.cn/callback"],
        )
        client, _secret = registry.register(db.session, data, actor=district.admin, origin=Origin())
        db.session.flush()
        return client

    return make


@pytest.fixture
def subscribe(district):
    """`subscribe(client, url)`: an endpoint for every event type (or those given); returns it and its secret."""

    def add(client: OAuthClient, url: str, event_types=None):
        from portal.webhooks import EVENT_TYPES

        endpoint, secret = register_endpoint(
            db.session, client, Subscription(url, list(event_types or EVENT_TYPES)),
            policy=POLICY.addresses, actor=district.admin, origin=Origin(),
        )
        db.session.flush()
        return endpoint, secret

    return add


def deliveries(endpoint=None) -> list[WebhookDelivery]:
    query = select(WebhookDelivery).order_by(WebhookDelivery.id)
    if endpoint is not None:
        query = query.where(WebhookDelivery.endpoint_id == endpoint.id)
    return list(db.session.scalars(query.execution_options(populate_existing=True)))


# --- a receiver on loopback --------------------------------------------------------------------------


@dataclass
class Received:
    headers: dict
    body: bytes
    answered: int

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A department system's endpoint: answers the first `failures` attempts of each message
    (by its webhook-id) with 500, then 204.

    `down()` closes it, so connecting is refused; `up()` listens again on the same port.
    """

    failures: int = 0
    path: str = "/portal-events"
    received: list[Received] = field(default_factory=list)
    port: int = 0
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    def __post_init__(self) -> None:
        if not self.port:
            with socket.socket() as probe:  # a free port, kept for up() after down()
                probe.bind(("127.0.0.1", 0))
                self.port = probe.getsockname()[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    @property
    def accepted(self) -> list[Received]:
        return [r for r in self.received if 200 <= r.answered < 300]

    def up(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server API
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}
                earlier = sum(1 for r in receiver.received if r.headers.get("webhook-id") == headers.get("webhook-id"))
                status = 500 if earlier < receiver.failures else 204
                receiver.received.append(Received(headers, body, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def down(self) -> Receiver:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()
            self._server = None
        return self


@pytest.fixture
def receiver():
    receivers: list[Receiver] = []

    def start(failures: int = 0, listening: bool = True) -> Receiver:
        r = Receiver(failures=failures)
        receivers.append(r)
        return r.up() if listening else r

    yield start
    for r in receivers:
        r.down()
