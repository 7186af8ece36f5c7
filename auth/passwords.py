"""Password hashing (argon2id) and the rules a new password must meet."""

from __future__ import annotations

from contextlib import suppress
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 8
MAX_LENGTH = 128

_hasher = PasswordHasher()
# Verified against when the login name is unknown, so both paths cost the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password-used-for-timing")

# Common in Chinese password dumps and missing from English-language lists.
_LOCAL_COMMON = {
    "woaini1314", "5201314", "woaini520", "qq123456", "a123456", "aa123456", "a123456789",
    "1qaz2wsx", "1q2w3e4r", "zxcvbnm123", "123qwe", "qwe123456", "abc123456", "iloveyou1314",
    "12345678a", "123456789a", "asd123456", "password1", "passw0rd", "p@ssw0rd", "admin123",
    "admin12345", "root1234", "songjiang", "shanghai", "shanghai123", "88888888", "66666666",
}


class PasswordRejected(ValueError):
    """The reason is in `code`: "too_short", "too_long", "common" or "like_login"."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"]) | _LOCAL_COMMON


def check_new_password(password: str, *, login_names: tuple[str | None, ...] = ()) -> None:
    if len(password) < MIN_LENGTH:
        raise PasswordRejected("too_short")
    if len(password) > MAX_LENGTH:
        raise PasswordRejected("too_long")
    lowered = password.lower()
    if lowered in _common_passwords() or len(set(password)) <= 2:
        raise PasswordRejected("common")
    for name in login_names:
        if name and name.lower() in lowered:
            raise PasswordRejected("like_login")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if password_hash is None:
        with suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, password)
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
