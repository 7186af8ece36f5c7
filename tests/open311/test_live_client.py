"""The issue's test: an Open311 client, speaking only GeoReport v2, against the portal served by
gunicorn. It lists services, reads a service definition, posts a request with its api_key, sees it
open; an officer of the department it was routed to signs in (password and authenticator code) and
answers and closes it through the desk's own forms; the client then sees it closed, with the
department's answer as status_notes, in JSON and in XML."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET  # noqa: S405 - parsing the server's responses in a test
from html.parser import HTMLParser
from pathlib import Path

import requests

from tests.helpers import sign_in_http
from tests.live import ROOT

REPLY = "The street lamp at the east gate was replaced this morning."


def issue_key(live_settings) -> str:
    """Issue a key the way an operator does: the CLI, against the live server's database."""
    env = {**os.environ, "PORTAL_ENV": "development", "DATABASE_URL": live_settings["DATABASE_URL"],
           "SECRET_KEY": live_settings["SECRET_KEY"], "UPLOAD_DIR": live_settings["UPLOAD_DIR"]}
    flask = Path(sys.executable).parent / "flask"
    result = subprocess.run([str(flask), "--app", "wsgi", "open311-key", "demo-dept-system", "--label", "live test"],
                            cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return re.search(r"o311_[A-Za-z0-9_-]{43}", result.stdout).group(0)


class Forms(HTMLParser):
    """The forms of a page: action → the hidden fields it sends (CSRF and one-time tokens)."""

    def __init__(self, html: str):
        super().__init__()
        self.forms: dict[str, dict[str, str]] = {}
        self._current: dict[str, str] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._current = self.forms.setdefault(attrs.get("action", ""), {})
        elif tag == "input" and self._current is not None and attrs.get("type") == "hidden" and attrs.get("name"):
            self._current[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def act_on_desk(http: requests.Session, base_url: str, case_path: str, action: str, **fields) -> None:
    page = http.get(base_url + case_path)
    assert page.status_code == 200
    action_path = f"{case_path}/{action}"
    hidden = Forms(page.text).forms.get(action_path)
    assert hidden is not None, f"no {action} form on the case page"
    response = http.post(base_url + action_path, data={**hidden, **{f"{action}-{k}": v for k, v in fields.items()}})
    assert response.status_code == 200 and response.url.endswith(case_path), (action, response.url)


def test_an_open311_client_files_a_request_and_sees_it_closed_by_the_department(live_server, live_settings):
    api = f"{live_server}/open311/v2"
    client = requests.Session()  # the Open311 client app: no cookies of the portal's, only the spec
    key = issue_key(live_settings)

    services = client.get(f"{api}/services.json", params={"locale": "en"}).json()
    community = next(s for s in services if s["service_name"] == "Community affairs")
    assert community["group"] == "Fangsong Sub-district" and community["type"] == "realtime"
    definition = client.get(f"{api}/services/{community['service_code']}.json").json()
    assert [a["code"] for a in definition["attributes"]] == ["PUBLIC"]

    response = client.post(f"{api}/requests.json", data={
        "api_key": key, "service_code": community["service_code"], "lat": "31.0322", "long": "121.2278",
        "description": "The street lamp at the east gate has been out for a week.", "attribute[PUBLIC]": "yes",
        "first_name": "Ming", "last_name": "Li", "phone": "13900001111",
    })
    assert response.status_code == 201, response.text
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    [created] = response.json()
    request_id, token = created["service_request_id"], created["token"]
    assert client.get(f"{api}/tokens/{token}.json").json() == [{"service_request_id": request_id, "token": token}]

    [shown] = client.get(f"{api}/requests/{request_id}.json").json()
    assert shown["status"] == "open" and shown["status_notes"] is None
    assert shown["agency_responsible"] == "方松街道"  # no language asked for: Chinese
    assert shown["description"] == "The street lamp at the east gate has been out for a week."
    assert "13900001111" not in response.text + str(shown)

    # An officer of 方松街道 finds it on the desk and works it through the desk's forms.
    officer = requests.Session()
    officer.headers["Accept-Language"] = "en"
    assert "/gov" in sign_in_http(officer, live_server, "officer.fs", next_path="/gov/").url
    queue = officer.get(f"{live_server}/gov/cases", params={"q": request_id})
    case_path = re.search(r'href="(/gov/cases/[0-9a-f]{32})"', queue.text).group(1)
    case_page = officer.get(live_server + case_path).text
    assert "The street lamp at the east gate has been out for a week." in case_page
    assert "13900001111" in case_page  # the department may call the requester back
    act_on_desk(officer, live_server, case_path, "accept")
    act_on_desk(officer, live_server, case_path, "reply", notes=REPLY)
    assert client.get(f"{api}/requests/{request_id}.json").json()[0]["status"] == "open"  # answered, not closed
    act_on_desk(officer, live_server, case_path, "close")

    [shown] = client.get(f"{api}/requests/{request_id}.json", params={"locale": "en"}).json()
    assert shown["status"] == "closed"
    assert shown["status_notes"] == REPLY
    assert shown["agency_responsible"] == "Fangsong Sub-district"
    assert shown["expected_datetime"] is None
    response = client.get(f"{api}/requests/{request_id}.xml")
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
    root = ET.fromstring(response.content)  # noqa: S314 - the server's own output
    assert root.tag == "service_requests"
    assert root.findtext("request/status") == "closed" and root.findtext("request/status_notes") == REPLY
    closed = client.get(f"{api}/requests.json", params={"status": "closed", "service_code": community["service_code"]})
    assert request_id in [r["service_request_id"] for r in closed.json()]


def test_a_live_client_gets_error_arrays(live_server):
    api = f"{live_server}/open311/v2"
    response = requests.post(f"{api}/requests.xml", timeout=10, data={
        "api_key": "not-a-key", "service_code": "community", "description": "x", "lat": "31", "long": "121"})
    assert response.status_code == 403
    root = ET.fromstring(response.content)  # noqa: S314
    assert root.tag == "errors" and root.findtext("error/code") == "403"
    response = requests.get(f"{api}/services/none-such.json", timeout=10)
    assert response.status_code == 404 and response.json()[0]["code"] == 404
    response = requests.get(f"{api}/requests.json", params={"status": "pending"}, timeout=10)
    assert response.status_code == 400 and response.json()[0]["code"] == 400
