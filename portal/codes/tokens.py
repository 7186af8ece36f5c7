"""Compact signed tokens for the city code, the paper code and (later) the enterprise code.

Plain Python: no Flask, no database. A token is 52 bytes, base32-encoded to 84 characters from
A-Z and 2-7, all in the QR alphanumeric set, so a token fits a version 4 QR code at level M:

    version (1) | key id (1) | purpose (1) | subject length (1) | subject (16) |
    issued at (4) | expires at (4) | nonce (8) | HMAC-SHA256 truncated to 16 bytes (16)

The subject is an opaque reference (an account's or enterprise's random public id), never a
name, a mobile number or an ID number: a token read off a screen or a printout tells nothing
about the person. Keys are kept by id so that they can rotate: new tokens are signed with the
current key, and a token signed with an older key verifies until it expires, as long as that key
is still listed.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import hmac
import secrets
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

VERSION = 1
SUBJECT_BYTES = 16
NONCE_BYTES = 8
MAC_BYTES = 16
_HEADER = struct.Struct(">BBBB")
_TIMES = struct.Struct(">II")
BODY_BYTES = _HEADER.size + SUBJECT_BYTES + _TIMES.size + NONCE_BYTES
TOKEN_BYTES = BODY_BYTES + MAC_BYTES
TOKEN_CHARS = (TOKEN_BYTES * 8 + 4) // 5
MIN_KEY_BYTES = 32


class Purpose(enum.IntEnum):
    """What a token is for. A token of one purpose is refused where another is expected."""

    CITY_CODE = 1  # the resident's live code, shown on their phone: one scan per scan purpose
    PAPER_CODE = 2  # the printed code for elders: 180 days, revocable, many scans
    ENTERPRISE_CODE = 3  # the enterprise code (reserved for the enterprise end)

    @property
    def one_time(self) -> bool:
        return self in ONE_TIME_PURPOSES


ONE_TIME_PURPOSES = frozenset({Purpose.CITY_CODE, Purpose.ENTERPRISE_CODE})


class Reason(enum.StrEnum):
    """Why a code was refused: a machine reason, turned into words by the page that shows it."""

    MALFORMED = "malformed"  # not a token at all: wrong characters, length or version
    BAD_SIGNATURE = "bad_signature"  # forged or altered
    UNKNOWN_KEY = "unknown_key"  # signed with a key this portal does not (or no longer) hold
    WRONG_PURPOSE = "wrong_purpose"  # a real token, but for something else
    EXPIRED = "expired"
    REPLAYED = "replayed"  # a one-time code shown a second time
    REVOKED = "revoked"  # a paper code reported lost
    NOT_FOUND = "not_found"  # a numeric code that stands for no live code
    RATE_LIMITED = "rate_limited"  # too many wrong numeric codes typed: wait before trying again


class CodeRefused(Exception):  # noqa: N818 - reads as what happened: the code was refused
    def __init__(self, reason: Reason, claims: Claims | None = None):
        super().__init__(reason.value)
        self.reason = reason
        # The claims of a token whose signature was good (expired, replayed, revoked...), so
        # the caller can record whose code was refused; None when the token could not be trusted.
        self.claims = claims


@dataclass(frozen=True)
class Claims:
    key_id: int
    purpose: Purpose
    subject: str  # the opaque reference, as 32 lowercase hex digits
    issued_at: datetime
    expires_at: datetime
    nonce: str  # 16 lowercase hex digits

    @property
    def token_id(self) -> str:
        """What the replay and revocation lists remember a token by."""
        return f"{self.purpose.value}:{self.nonce}"


class Keyring:
    """HMAC keys by id (1-255), and the id new tokens are signed with."""

    def __init__(self, keys: Mapping[int, bytes], current: int):
        if not keys:
            raise ValueError("a keyring needs at least one key")
        for key_id, key in keys.items():
            if not 1 <= int(key_id) <= 255:
                raise ValueError(f"key id {key_id} is outside 1-255")
            if len(key) < MIN_KEY_BYTES:
                raise ValueError(f"key {key_id} is shorter than {MIN_KEY_BYTES} bytes")
        self._keys = {int(k): bytes(v) for k, v in keys.items()}
        if int(current) not in self._keys:
            raise ValueError(f"the current key id {current} is not among the keys")
        self.current = int(current)

    @property
    def key_ids(self) -> frozenset[int]:
        return frozenset(self._keys)

    def key(self, key_id: int) -> bytes | None:
        return self._keys.get(key_id)

    @classmethod
    def from_config(cls, keys: str | Mapping, current: str | int, secret_key: str | None = None) -> Keyring:
        """Keys as given in configuration: "1:hexkey,2:hexkey" or {1: b"..."}.

        A key written as "derived" (the development default) is derived from the app's secret key.
        """
        parsed: dict[int, bytes] = {}
        items = keys.items() if isinstance(keys, Mapping) else (
            part.split(":", 1) for part in keys.split(",") if part.strip()
        )
        for key_id, value in items:
            key_id = int(str(key_id).strip())
            if isinstance(value, bytes):
                parsed[key_id] = value
            elif value.strip() == "derived":
                if not secret_key:
                    raise ValueError("a derived code-signing key needs the secret key")
                parsed[key_id] = derive_key(secret_key, key_id)
            else:
                parsed[key_id] = bytes.fromhex(value.strip())
        return cls(parsed, int(current))


def derive_key(secret_key: str, key_id: int) -> bytes:
    """A code-signing key of its own, derived from the app's secret key (separate use, separate key)."""
    return hmac.new(secret_key.encode(), f"portal code signing key {key_id}".encode(), hashlib.sha256).digest()


def _mac(key: bytes, body: bytes) -> bytes:
    return hmac.new(key, body, hashlib.sha256).digest()[:MAC_BYTES]


def _encode(raw: bytes) -> str:
    return base64.b32encode(raw).decode("ascii").rstrip("=")


def normalise(raw: str) -> str:
    """What a person or a scanner gives, made canonical: upper case, without spaces or dashes."""
    return "".join(ch for ch in (raw or "").upper() if ch not in " -\t\r\n")


def _decode(text: str) -> bytes | None:
    if len(text) != TOKEN_CHARS:
        return None
    try:
        raw = base64.b32decode(text + "=" * (-len(text) % 8))
    except (binascii.Error, ValueError):
        return None
    # The last character carries 4 unused bits: refuse any but the one spelling of these bytes,
    # so that a changed character can never decode to the same token.
    if _encode(raw) != text:
        return None
    return raw


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _from_epoch(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def issue(
    keyring: Keyring,
    purpose: Purpose,
    subject: str,
    *,
    lifetime: timedelta,
    now: datetime,
    nonce: bytes | None = None,
) -> tuple[str, Claims]:
    """A new token for `subject` (32 hex digits), signed with the keyring's current key."""
    subject_bytes = bytes.fromhex(subject)
    if len(subject_bytes) != SUBJECT_BYTES:
        raise ValueError("the subject reference must be 16 bytes (32 hex digits)")
    nonce = nonce if nonce is not None else secrets.token_bytes(NONCE_BYTES)
    issued, expires = _epoch(now), _epoch(now + lifetime)
    body = (
        _HEADER.pack(VERSION, keyring.current, int(purpose), SUBJECT_BYTES)
        + subject_bytes
        + _TIMES.pack(issued, expires)
        + nonce
    )
    token = _encode(body + _mac(keyring.key(keyring.current), body))
    claims = Claims(
        key_id=keyring.current,
        purpose=Purpose(purpose),
        subject=subject_bytes.hex(),
        issued_at=_from_epoch(issued),
        expires_at=_from_epoch(expires),
        nonce=nonce.hex(),
    )
    return token, claims


def decode(keyring: Keyring, raw: str, *, purposes: set[Purpose] | frozenset[Purpose], now: datetime) -> Claims:
    """Check a token's format, key, signature, purpose and expiry; return its claims.

    Raises CodeRefused with the first reason that applies. Replay and revocation need the
    database and are checked by `portal.codes.verify`.
    """
    data = _decode(normalise(raw))
    if data is None:
        raise CodeRefused(Reason.MALFORMED)
    version, key_id, purpose_value, subject_length = _HEADER.unpack_from(data)
    if version != VERSION or subject_length != SUBJECT_BYTES:
        raise CodeRefused(Reason.MALFORMED)
    key = keyring.key(key_id)
    if key is None:
        raise CodeRefused(Reason.UNKNOWN_KEY)
    body, mac = data[:BODY_BYTES], data[BODY_BYTES:]
    if not hmac.compare_digest(_mac(key, body), mac):
        raise CodeRefused(Reason.BAD_SIGNATURE)
    offset = _HEADER.size
    subject = data[offset : offset + SUBJECT_BYTES]
    offset += SUBJECT_BYTES
    issued, expires = _TIMES.unpack_from(data, offset)
    offset += _TIMES.size
    nonce = data[offset : offset + NONCE_BYTES]
    try:
        purpose = Purpose(purpose_value)
    except ValueError:
        # Signed by us, yet naming no purpose we know: a newer deployment's token.
        raise CodeRefused(Reason.WRONG_PURPOSE) from None
    claims = Claims(
        key_id=key_id,
        purpose=purpose,
        subject=subject.hex(),
        issued_at=_from_epoch(issued),
        expires_at=_from_epoch(expires),
        nonce=nonce.hex(),
    )
    if purpose not in purposes:
        raise CodeRefused(Reason.WRONG_PURPOSE, claims)
    if now >= claims.expires_at:
        raise CodeRefused(Reason.EXPIRED, claims)
    return claims
