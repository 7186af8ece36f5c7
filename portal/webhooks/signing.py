"""Standard Webhooks signatures (https://www.standardwebhooks.com/): what the portal sends and
how a receiver checks it. docs/webhooks.md shows receivers the same check.

    webhook-id:        msg_...                       (the same on every attempt)
    webhook-timestamp: 1767225600                    (seconds since the epoch, at this attempt)
    webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">

The key is the base64-decoded part of the secret after "whsec_".
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from datetime import datetime

SECRET_PREFIX = "whsec_"  # noqa: S105 - the prefix of the form, not a secret
SECRET_BYTES = 32
TOLERANCE_SECONDS = 5 * 60


class InvalidSignature(ValueError):
    """The message was not signed with this secret, or is too old or too new to trust."""


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def _key(secret: str) -> bytes:
    try:
        return base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except binascii.Error:
        raise ValueError("not a webhook secret") from None


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The v1 signature of one attempt: base64 HMAC-SHA256 of "id.timestamp.body"."""
    signed = message_id.encode() + b"." + str(timestamp).encode() + b"." + body
    return base64.b64encode(hmac.new(_key(secret), signed, hashlib.sha256).digest()).decode()


def sign_headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": "v1," + signature(secret, message_id, timestamp, body),
    }


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: datetime | None = None,
    tolerance: int = TOLERANCE_SECONDS,
) -> str:
    """Check a received message; returns its id or raises InvalidSignature.

    `headers` is looked up by lower-case name. The signature header may list several
    space-separated signatures ("v1,abc v1,def"): one valid v1 signature is enough.
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    message_id = lowered.get("webhook-id")
    timestamp = lowered.get("webhook-timestamp")
    signatures = lowered.get("webhook-signature")
    if not message_id or not timestamp or not signatures:
        raise InvalidSignature("missing webhook headers")
    try:
        sent = int(timestamp)
    except ValueError:
        raise InvalidSignature("malformed timestamp") from None
    if now is not None and abs(now.timestamp() - sent) > tolerance:
        raise InvalidSignature("timestamp outside the tolerance")
    expected = signature(secret, message_id, sent, body)
    for candidate in signatures.split():
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return message_id
    raise InvalidSignature("no matching signature")
