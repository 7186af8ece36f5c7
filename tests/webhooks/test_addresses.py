"""Where webhooks may go: https, loopback only in development, no private networks unless allowed."""

from __future__ import annotations

import ipaddress

import pytest

from portal.webhooks import AddressPolicy, DeliveryError, DeliveryPolicy, PolicyError, url_problem
from portal.webhooks.transport import Request, post, resolve

PRODUCTION = AddressPolicy()
DEVELOPMENT = AddressPolicy(allow_loopback=True)


@pytest.mark.parametrize(
    ("url", "policy", "problem"),
    [
        ("https://jjw.example.gov.cn/events", PRODUCTION, None),
        ("https://jjw.example.gov.cn:8443/events?system=approvals", PRODUCTION, None),
        ("http://jjw.example.gov.cn/events", PRODUCTION, "insecure"),
        ("http://jjw.example.gov.cn/events", DEVELOPMENT, "insecure"),
        ("http://127.0.0.1:8001/events", PRODUCTION, "insecure"),
        ("http://127.0.0.1:8001/events", DEVELOPMENT, None),
        ("http://localhost:8001/events", DEVELOPMENT, None),
        ("http://[::1]:8001/events", DEVELOPMENT, None),
        ("https://127.0.0.1/events", PRODUCTION, "address"),
        ("https://10.20.1.5/events", PRODUCTION, "address"),
        ("https://169.254.169.254/latest/meta-data", DEVELOPMENT, "address"),
        ("https://[fd00::1]/events", PRODUCTION, "address"),
        ("https://user:pass@jjw.example.gov.cn/events", PRODUCTION, "credentials"),
        ("https://jjw.example.gov.cn/events#top", PRODUCTION, "fragment"),
        ("ftp://jjw.example.gov.cn/events", PRODUCTION, "malformed"),
        ("https:///events", PRODUCTION, "malformed"),
        ("https://jjw.example.gov.cn:99999/", PRODUCTION, "malformed"),
        ("jjw.example.gov.cn/events", PRODUCTION, "malformed"),
    ],
)
def test_url_rules(url, policy, problem):
    assert url_problem(url, policy) == problem


def test_an_allowed_network_opens_private_addresses_in_it_only():
    policy = AddressPolicy(allowed_networks=AddressPolicy.parse_networks("10.20.0.0/16, fd00:1::/32"))
    assert url_problem("https://10.20.1.5/events", policy) is None
    assert url_problem("https://[fd00:1::5]/events", policy) is None
    assert url_problem("https://10.21.1.5/events", policy) == "address"
    assert policy.permits(ipaddress.ip_address("::ffff:10.20.3.4"))  # the IPv4-mapped form too
    assert not PRODUCTION.permits(ipaddress.ip_address("::ffff:127.0.0.1"))


def test_a_name_is_resolved_and_every_address_checked_before_connecting():
    with pytest.raises(DeliveryError, match="not allowed"):
        resolve("localhost", 443, PRODUCTION)  # a name that resolves to loopback
    assert all(address.is_loopback for address in resolve("localhost", 80, DEVELOPMENT))


def test_a_refused_address_is_never_connected_to():
    request = Request("https://localhost:1/events", b"{}", {}, timeout=1)
    with pytest.raises(DeliveryError, match="not allowed"):
        post(request, PRODUCTION)


def test_settings_are_checked():
    policy = DeliveryPolicy.from_config({"WEBHOOK_RETRY_DELAYS": "5, 60,600", "WEBHOOK_MAX_ATTEMPTS": "3",
                                         "WEBHOOK_TIMEOUT": "4", "WEBHOOK_ALLOW_HTTP_LOOPBACK": True,
                                         "WEBHOOK_ALLOWED_NETWORKS": "192.168.10.0/24"})
    assert policy.retry_delays == (5, 60, 600) and policy.max_attempts == 3 and policy.timeout == 4
    assert policy.addresses.allow_loopback
    assert policy.addresses.allowed_networks == (ipaddress.ip_network("192.168.10.0/24"),)
    for bad in ({"WEBHOOK_RETRY_DELAYS": "soon"}, {"WEBHOOK_MAX_ATTEMPTS": "0"},
                {"WEBHOOK_ALLOWED_NETWORKS": "intranet"}, {"WEBHOOK_TIMEOUT": "-1"}):
        with pytest.raises(PolicyError):
            DeliveryPolicy.from_config(bad)


def test_backoff_grows_with_jitter_within_bounds():
    policy = DeliveryPolicy(retry_delays=(10, 30, 120), jitter=0.2)
    for attempts, base in ((1, 10), (2, 30), (3, 120), (7, 120)):
        delays = {policy.delay_after(attempts).total_seconds() for _ in range(20)}
        assert all(base * 0.8 <= d <= base * 1.2 for d in delays)
        assert len(delays) > 1  # jittered, so workers retrying together spread out


def test_the_app_refuses_to_start_with_a_bad_webhook_setting(make_app):
    from portal.config import ConfigError

    with pytest.raises(ConfigError, match="WEBHOOK_MAX_ATTEMPTS"):
        make_app(WEBHOOK_MAX_ATTEMPTS="many")
