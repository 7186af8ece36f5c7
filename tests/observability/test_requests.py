"""Request ids, JSON access lines and the ids carried into jobs."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest

from portal.observability import json_handler
from tests.jobs.routes import add_enqueue_route


@pytest.fixture
def log_lines():
    """Every record logged during the test, as the JSON lines the portal writes."""
    stream = io.StringIO()
    handler = json_handler(stream)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)

    def lines() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines() if line.startswith("{")]

    yield lines
    root.removeHandler(handler)
    root.setLevel(old_level)


def test_a_valid_request_id_is_echoed(client):
    response = client.get("/livez", headers={"X-Request-ID": "lb-7f3a.42:9"})
    assert response.headers["X-Request-ID"] == "lb-7f3a.42:9"


@pytest.mark.parametrize("offered", ["", "has spaces", "<script>", "x" * 200, "ünïcode"])
def test_an_unusable_request_id_is_replaced(client, offered):
    response = client.get("/livez", headers={"X-Request-ID": offered})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])


def test_each_request_gets_its_own_id(client):
    first, second = (client.get("/livez").headers["X-Request-ID"] for _ in range(2))
    assert first != second


def test_one_json_access_line_per_request(client, log_lines):
    response = client.get("/livez", headers={"X-Request-ID": "access-line-1"})
    [line] = [entry for entry in log_lines() if entry["logger"] == "portal.access"]
    assert line["message"] == "request" and line["level"] == "INFO"
    assert line["method"] == "GET" and line["path"] == "/livez" and line["endpoint"] == "site.livez"
    assert line["status"] == 200 and line["request_id"] == response.headers["X-Request-ID"]
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert "account" not in line  # nobody signed in


def test_the_access_line_names_a_signed_in_person_only_by_a_keyed_hash(client, login, log_lines):
    login("13800000001")
    client.get("/citizen/")
    [line] = [e for e in log_lines() if e["logger"] == "portal.access" and e["path"] == "/citizen/"]
    assert re.fullmatch(r"[0-9a-f]{16}", line["account"])
    assert "13800000001" not in json.dumps(line)
    client.get("/citizen/inbox")
    again = [e for e in log_lines() if e["logger"] == "portal.access" and e["path"] == "/citizen/inbox"]
    assert again[0]["account"] == line["account"]  # the same person, followed across requests


def test_unmatched_paths_share_one_endpoint_label(client, log_lines):
    client.get("/no/such/page/42")
    [line] = [e for e in log_lines() if e["logger"] == "portal.access"]
    assert line["status"] == 404 and line["endpoint"] == "(unmatched)"


def test_application_log_lines_carry_the_request_id(make_app, app, log_lines, tmp_path):
    embedded = make_app(WTF_CSRF_ENABLED=False)
    add_enqueue_route(embedded)
    response = embedded.test_client().post(
        "/_test/enqueue", json={"job": "note", "args": [str(tmp_path / "m")]}, headers={"X-Request-ID": "trace-me-9"}
    )
    assert response.status_code == 200
    by_message = {}
    for entry in log_lines():
        by_message.setdefault(entry["message"], []).append(entry)
    assert by_message["sample job ran"][0]["request_id"] == "trace-me-9"  # the job's own line
    assert by_message["job started"][0]["job"] == "tests.jobs.sample_jobs:note"
    assert by_message["job started"][0]["request_id"] == "trace-me-9"
