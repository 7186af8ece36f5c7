"""Where the portal may send a webhook, and the POST itself.

A webhook URL is typed by an administrator, but the address its name resolves to is chosen by
whoever runs the name's DNS. So before connecting, the name is resolved and every address it
resolves to is checked; the connection then goes to the checked address (no second lookup that
could answer differently), with the name kept for the Host header and the TLS certificate.
Private, link-local (cloud metadata), multicast and reserved addresses are refused unless an
operator lists their network in WEBHOOK_ALLOWED_NETWORKS; loopback only when
WEBHOOK_ALLOW_HTTP_LOOPBACK is on (development and tests). Redirects are never followed.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

USER_AGENT = "district-portal-webhooks/1"
LOOPBACK_NAMES = frozenset({"localhost"})


class DeliveryError(Exception):
    """The request could not be made: refused address, DNS, connection, TLS or timeout."""


@dataclass(frozen=True)
class AddressPolicy:
    allow_loopback: bool = False
    allowed_networks: tuple[IPNetwork, ...] = field(default_factory=tuple)

    @classmethod
    def parse_networks(cls, text: str | Iterable[str] | None) -> tuple[IPNetwork, ...]:
        """"10.20.0.0/16, fd00::/8" → networks; raises ValueError for a malformed one."""
        parts = text.replace(",", " ").split() if isinstance(text, str) else list(text or [])
        return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in parts if part.strip())

    def permits(self, address: IPAddress) -> bool:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if any(address in network for network in self.allowed_networks):
            return True
        if address.is_loopback:
            return self.allow_loopback
        return address.is_global and not address.is_multicast


def _literal_address(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def is_loopback_host(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() in LOOPBACK_NAMES:
        return True
    address = _literal_address(host)
    return address is not None and address.is_loopback


def url_problem(url: str, policy: AddressPolicy) -> str | None:
    """Why `url` cannot be a webhook address (a code for the form's message), or None.

    https anywhere (its addresses are checked again at each delivery); http only for a loopback
    host and only when the policy allows loopback. No user name or password in the URL, no
    fragment, and an address written as a number must be one the policy permits.
    """
    if not url or any(ch.isspace() for ch in url):
        return "malformed"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return "malformed"
    if not parts.hostname or parts.scheme not in ("http", "https"):
        return "malformed"
    if parts.username is not None or parts.password is not None:
        return "credentials"
    if parts.fragment or "#" in url:
        return "fragment"
    if parts.scheme == "http" and not (policy.allow_loopback and is_loopback_host(parts.hostname)):
        return "insecure"
    address = _literal_address(parts.hostname)
    if address is not None and not policy.permits(address):
        return "address"
    return None


@dataclass(frozen=True)
class Request:
    url: str
    body: bytes
    headers: dict[str, str]
    timeout: float


def resolve(host: str, port: int, policy: AddressPolicy) -> list[IPAddress]:
    """Every address `host` resolves to, all of them permitted, or DeliveryError."""
    literal = _literal_address(host)
    if literal is not None:
        found = [literal]
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as error:
            raise DeliveryError(f"cannot resolve {host}: {error}") from None
        found = list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos))
    if not found:
        raise DeliveryError(f"cannot resolve {host}")
    refused = [str(address) for address in found if not policy.permits(address)]
    if refused:
        raise DeliveryError(f"address not allowed for webhooks: {host} resolves to {', '.join(refused)}")
    return found


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to a checked address, with the URL's host in the Host header."""

    def __init__(self, host: str, port: int, address: IPAddress, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((str(self._address), self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection to a checked address; the certificate must match the URL's host."""

    def __init__(self, host: str, port: int, address: IPAddress, timeout: float, context: ssl.SSLContext) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._address = address
        self._tls = context

    def connect(self) -> None:
        sock = socket.create_connection((str(self._address), self.port), self.timeout)
        self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)


def post(request: Request, policy: AddressPolicy, tls: ssl.SSLContext | None = None) -> int:
    """POST the request to a checked address and return the HTTP status; DeliveryError when no
    answer came. The response body is not read beyond what the status needs."""
    parts = urlsplit(request.url)
    host = parts.hostname or ""
    if url_problem(request.url, policy):
        raise DeliveryError(f"address not allowed for webhooks: {request.url}")
    secure = parts.scheme == "https"
    port = parts.port or (443 if secure else 80)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, **request.headers}
    last_error: Exception | None = None
    for address in resolve(host, port, policy):
        if secure:
            connection = _PinnedHTTPSConnection(
                host, port, address, request.timeout, tls or ssl.create_default_context()
            )
        else:
            connection = _PinnedHTTPConnection(host, port, address, request.timeout)
        try:
            try:
                connection.connect()
            except OSError as error:
                last_error = error
                continue  # nothing was sent: try the name's next address
            try:
                connection.request("POST", target, body=request.body, headers=headers)
                return connection.getresponse().status
            except (OSError, http.client.HTTPException) as error:
                raise DeliveryError(_describe(error)) from None
        finally:
            connection.close()
    raise DeliveryError(_describe(last_error))


def _describe(error: Exception | None) -> str:
    if error is None:
        return "no address to connect to"
    if isinstance(error, TimeoutError):
        return "timed out"
    text = str(error) or error.__class__.__name__
    return f"{error.__class__.__name__}: {text}"
