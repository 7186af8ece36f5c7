"""Standard Webhooks signatures: the published example, and what a receiver must refuse."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from portal.webhooks import InvalidSignature, sign_headers, verify
from portal.webhooks.signing import new_secret

# The example in the Standard Webhooks specification (and its reference libraries' tests).
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIMESTAMP = 1614265330
SPEC_BODY = b'{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

AT = datetime.fromtimestamp(SPEC_TIMESTAMP, UTC)


def test_the_specifications_example_signs_the_same():
    headers = sign_headers(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY)
    assert headers == {"webhook-id": SPEC_ID, "webhook-timestamp": str(SPEC_TIMESTAMP),
                       "webhook-signature": SPEC_SIGNATURE}
    assert verify(SPEC_SECRET, headers, SPEC_BODY, now=AT) == SPEC_ID


def test_one_valid_signature_among_several_is_enough():
    headers = sign_headers(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY)
    headers["webhook-signature"] = "v1,bm90IHRoaXMgb25l " + headers["webhook-signature"]
    assert verify(SPEC_SECRET, {k.upper(): v for k, v in headers.items()}, SPEC_BODY, now=AT) == SPEC_ID


@pytest.mark.parametrize(
    "change",
    [
        {"body": b'{"test": 2432232315}'},
        {"secret": new_secret()},
        {"headers": {"webhook-id": "msg_other"}},
        {"headers": {"webhook-timestamp": str(SPEC_TIMESTAMP + 1)}},
        {"headers": {"webhook-signature": "v2," + SPEC_SIGNATURE[3:]}},
        {"headers": {"webhook-signature": ""}},
        {"headers": {"webhook-timestamp": "yesterday"}},
        {"now": datetime.fromtimestamp(SPEC_TIMESTAMP + 301, UTC)},
        {"now": datetime.fromtimestamp(SPEC_TIMESTAMP - 301, UTC)},
    ],
)
def test_a_receiver_refuses_what_was_not_signed_so(change):
    headers = sign_headers(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY) | change.get("headers", {})
    with pytest.raises(InvalidSignature):
        verify(change.get("secret", SPEC_SECRET), headers, change.get("body", SPEC_BODY), now=change.get("now", AT))


def test_secrets_are_random_and_in_the_standard_form():
    first, second = new_secret(), new_secret()
    assert first != second and first.startswith("whsec_") and len(first) == 50
