"""Under gunicorn with several workers: metrics summed across the workers, JSON lines on stderr."""

from __future__ import annotations

import json
import time

import requests

from tests.observability.test_metrics import sample


def home_count(base_url: str) -> float:
    text = requests.get(f"{base_url}/metrics", timeout=10).text
    return sample(text, "portal_http_request_duration_seconds_count",
                  endpoint="site.home", method="GET", status_class="2xx") or 0


def test_metrics_add_up_every_workers_requests(live_server):
    before = home_count(live_server)
    with requests.Session() as http:
        for _ in range(12):
            assert http.get(f"{live_server}/", timeout=10).status_code == 200
    assert home_count(live_server) == before + 12


def test_each_request_leaves_one_json_line_with_its_id(live_server, live_settings):
    answer = requests.get(f"{live_server}/livez", headers={"X-Request-ID": "live-json-line-1"}, timeout=10)
    assert answer.headers["X-Request-ID"] == "live-json-line-1"
    log = live_settings["tmp_path"] / "gunicorn.log"
    deadline = time.monotonic() + 10
    while True:
        entries = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
        mine = [e for e in entries if e.get("request_id") == "live-json-line-1"]
        if mine or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    [line] = mine
    assert line["logger"] == "portal.access" and line["endpoint"] == "site.livez" and line["status"] == 200


def test_readiness_under_gunicorn(live_server):
    assert requests.get(f"{live_server}/readyz", timeout=10).json()["status"] == "ok"
    assert requests.get(f"{live_server}/livez", timeout=10).status_code == 200
