"""Prometheus metrics at /metrics, for the operators' monitoring only."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from portal.cases import local_date
from portal.cases.access import overdue_condition
from portal.extensions import db
from portal.models import Case
from portal.models.base import utcnow


def sample(text: str, metric: str, **labels) -> float | None:
    """The value of one sample in Prometheus' text format."""
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        match = re.fullmatch(r"([a-zA-Z_:]+)(?:\{(.*)\})? (\S+)", line)
        if not match or match.group(1) != metric:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2) or ""))
        if all(found.get(k) == v for k, v in labels.items()) and set(found) >= set(labels):
            return float(match.group(3))
    return None


def scrape(client, **kwargs) -> str:
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/plain"
    return response.get_data(as_text=True)


def test_latency_is_counted_per_endpoint_method_and_status_class(client):
    before = sample(scrape(client), "portal_http_request_duration_seconds_count",
                    endpoint="site.livez", method="GET", status_class="2xx") or 0
    for _ in range(3):
        client.get("/livez")
    client.get("/no/such/page")
    text = scrape(client)
    assert sample(text, "portal_http_request_duration_seconds_count",
                  endpoint="site.livez", method="GET", status_class="2xx") == before + 3
    assert sample(text, "portal_http_request_duration_seconds_bucket",
                  endpoint="site.livez", method="GET", status_class="2xx", le="+Inf") == before + 3
    assert sample(text, "portal_http_request_duration_seconds_count",
                  endpoint="(unmatched)", method="GET", status_class="4xx") >= 1
    assert sample(text, "portal_http_requests_in_flight") == 1  # the scrape itself


def test_queue_depth_failed_jobs_and_overdue_cases_are_read_at_scrape_time(make_app, app, seeded):
    client = make_app(METRICS_CACHE_SECONDS=0).test_client()
    with app.app_context():
        overdue = db.session.scalar(
            select(func.count()).select_from(Case).where(overdue_condition(local_date(utcnow())))
        )
    text = scrape(client)
    assert sample(text, "portal_cases_overdue") == overdue
    assert overdue > 0  # the demo district has some, so the count is a real one
    assert sample(text, "portal_job_queue_depth", queue="pending_job") == 0
    assert sample(text, "portal_jobs_failed") == 0
    assert sample(text, "portal_dependency_up", name="database") == 1


def test_metrics_are_refused_to_other_networks(client):
    response = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert response.status_code == 403
    assert "portal_http" not in response.get_data(as_text=True)


def test_a_forwarded_request_is_not_let_in_by_the_proxy_address(client):
    # nginx on the same host forwards a stranger's request: the address is loopback, the client is not.
    response = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert response.status_code == 403


def test_behind_a_declared_proxy_the_client_address_counts(make_app, app):
    proxied = make_app(PROXY_COUNT=1).test_client()
    assert proxied.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 403
    assert proxied.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 200


def test_a_bearer_token_lets_a_remote_scraper_in(make_app, app):
    token_app = make_app(METRICS_TOKEN="scrape-secret-0123456789", METRICS_ALLOW_NETWORKS="")
    remote = {"REMOTE_ADDR": "198.51.100.7"}
    scraper = token_app.test_client()
    assert scraper.get("/metrics", environ_base=remote).status_code == 403
    assert scraper.get("/metrics", environ_base=remote, headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert scraper.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 403  # no networks
    ok = scraper.get("/metrics", environ_base=remote, headers={"Authorization": "Bearer scrape-secret-0123456789"})
    assert ok.status_code == 200 and "portal_http_request_duration_seconds" in ok.get_data(as_text=True)
