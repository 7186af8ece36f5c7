"""Case notices by email through a real SMTP server (aiosmtpd on a loopback port), each in its
recipient's language."""

from __future__ import annotations

import email
import email.policy
import re
import socket
import time

import pytest
from sqlalchemy import select

from portal import create_app
from portal.case_labels import render_notice
from portal.config import ConfigError
from portal.extensions import db
from portal.models import Account, Channel, OutboxMessage
from tests.conftest import TEST_SECRET_KEY

LI, WANG = "13800000001", "13800000002"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Sink:
    """An SMTP server's message handler that keeps every message it accepts."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield sink, controller.port
    controller.stop()


def mail_app(other_app, port: int):
    return other_app(SMTP_HOST="127.0.0.1", SMTP_PORT=str(port), MAIL_FROM="desk@songjiang.example",
                    WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)


def with_addresses(app):
    """Give two demo residents an email address and a language of their own."""
    with app.app_context():
        for mobile, address, locale in ((LI, "li.ming@example.test", "en"), (WANG, "wang@example.test", "zh")):
            account = db.session.scalar(select(Account).where(Account.mobile == mobile))
            account.email, account.locale = address, locale
        db.session.commit()


def file_request(app, mobile: str, title: str):
    client = app.test_client()
    assert client.post("/auth/login", data={"username": mobile, "password": "Demo-2026-portal"}).status_code == 302
    form = client.get("/citizen/requests/new").get_data(as_text=True)
    category = re.search(r'<option value="(\d+)">[^<]*(?:社区事务|Community affairs)</option>', form).group(1)
    response = client.post("/citizen/requests/new", data={"category": category, "title": title, "body": "Details"})
    assert response.status_code == 303
    return client


def wait_for(sink: Sink, count: int) -> list:
    deadline = time.monotonic() + 5
    while len(sink.messages) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return sink.messages


def test_notices_are_mailed_in_each_recipients_language(seeded, other_app, smtp_server):
    sink, port = smtp_server
    app = mail_app(other_app, port)
    with_addresses(app)
    file_request(app, LI, "Broken bench")
    file_request(app, WANG, "Dark stairwell")
    messages = {m["To"]: m for m in wait_for(sink, 2)}
    assert set(messages) == {"li.ming@example.test", "wang@example.test"}

    english, chinese = messages["li.ming@example.test"], messages["wang@example.test"]
    assert english["From"] == "desk@songjiang.example"
    assert re.fullmatch(r"We received your case SJ-\d{4}-\d{6}", english["Subject"])
    english_body = english.get_content()
    assert "Broken bench" in english_body and "Fangsong Sub-district" in english_body
    assert re.search(r"answered by [A-Z][a-z]{2} \d{1,2}, \d{4}", english_body)  # an English date

    chinese_body = chinese.get_content()
    assert "方松街道" in chinese_body  # the department's Chinese name
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", chinese_body)  # a Chinese date
    with app.app_context():
        row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "wang@example.test"))
        assert row.sent_at is not None and row.attempts == 1
        reference = re.search(r"SJ-\d{4}-\d{6}", chinese["Subject"]).group(0)
        expected_subject, _ = render_notice("sender.submit.subject", "sender.submit.body",
                                            {"reference": reference}, "zh")
    assert chinese["Subject"] == expected_subject


def test_mail_waits_in_the_outbox_while_the_server_is_down_and_goes_later(seeded, other_app, smtp_server):
    sink, port = smtp_server
    down = mail_app(other_app, free_port())  # nobody listens there
    with_addresses(down)
    file_request(down, LI, "Loose paving stone")  # the page works although mail could not go
    with down.app_context():
        row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.channel == Channel.EMAIL))
        assert row.sent_at is None and row.attempts == 1 and row.last_error.startswith("connect:")
    up = mail_app(other_app, port)
    result = up.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 0 and "sent: 1" in result.output
    [message] = wait_for(sink, 1)
    assert message["To"] == "li.ming@example.test"


def test_without_smtp_mail_is_kept_in_the_outbox(app, seeded):
    with_addresses(app)
    file_request(app, LI, "Graffiti on the underpass")
    with app.app_context():
        row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "li.ming@example.test"))
        assert row.sent_at is None and row.subject.startswith("We received your case")
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code != 0 and "SMTP_HOST is not set" in result.output


@pytest.mark.parametrize(
    ("settings", "complaint"),
    [
        ({"SMTP_HOST": "mail.example", "MAIL_FROM": ""}, "MAIL_FROM"),
        ({"SMTP_HOST": "mail.example", "MAIL_FROM": "a@b", "SMTP_PORT": "twenty-five"}, "SMTP_PORT"),
        ({"SMTP_HOST": "mail.example", "MAIL_FROM": "a@b", "SMTP_SECURITY": "tls-please"}, "SMTP_SECURITY"),
        ({"SMTP_HOST": "mail.example", "MAIL_FROM": "a@b", "SMTP_USERNAME": "desk"}, "SMTP_PASSWORD"),
    ],
)
def test_a_wrong_mail_setting_stops_the_app_at_start(database_url, settings, complaint):
    with pytest.raises(ConfigError, match=complaint):
        # Rate limits off: the limiter is shared, and this app must not switch it on for the next tests.
        create_app({"DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET_KEY, "RATELIMIT_ENABLED": False,
                    **settings})
