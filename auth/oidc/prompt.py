"""What the authorization endpoint does next: sign in, ask for consent, refuse, or issue a code.

A pure function of the facts, so `prompt`, `max_age` and the "came back from signing in" rule
are tested without a request. After the person is sent to sign in, the authorization request
comes back carrying the time it was sent (signed, see `views`); a sign-in at or after that time
is accepted as the fresh one the client asked for, so the person is never sent round in a loop.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Step(enum.Enum):
    SIGN_IN = "sign_in"
    SECOND_FACTOR = "second_factor"
    CONSENT = "consent"
    ISSUE = "issue"
    # Refusals for prompt=none, sent back to the client as OpenID Connect errors.
    LOGIN_REQUIRED = "login_required"
    CONSENT_REQUIRED = "consent_required"
    INTERACTION_REQUIRED = "interaction_required"


@dataclass(frozen=True)
class Situation:
    prompts: frozenset[str]
    max_age: int | None
    now: int
    auth_time: int | None  # None when nobody is signed in
    with_second_factor: bool = False
    wants_second_factor: bool = False  # acr_values asks for password + TOTP only
    sign_in_requested_at: int | None = None  # when we last sent the person to sign in
    consent_given: bool = False
    first_party: bool = False


def _stale(s: Situation) -> bool:
    """The existing sign-in is too old or the client insists on a new one."""
    if s.sign_in_requested_at is not None and s.auth_time >= s.sign_in_requested_at:
        return False  # they signed in after we asked: that is the fresh sign-in
    if "login" in s.prompts or s.max_age == 0:
        return True
    return s.max_age is not None and s.now - s.auth_time > s.max_age


def next_step(s: Situation) -> Step:
    silent = "none" in s.prompts
    if s.auth_time is None or _stale(s):
        return Step.LOGIN_REQUIRED if silent else Step.SIGN_IN
    if s.wants_second_factor and not s.with_second_factor:
        return Step.INTERACTION_REQUIRED if silent else Step.SECOND_FACTOR
    if "consent" in s.prompts or not (s.first_party or s.consent_given):
        return Step.CONSENT_REQUIRED if silent else Step.CONSENT
    return Step.ISSUE


def parse_max_age(raw: str | None) -> int | None:
    """`max_age` as seconds; ValueError when it is not a non-negative integer."""
    if raw is None or raw == "":
        return None
    if not raw.isdigit():
        raise ValueError(raw)
    return int(raw)


def pick_ui_locale(ui_locales: str | None, supported: tuple[str, ...]) -> str | None:
    """The first of the client's `ui_locales` (BCP 47, space-separated) that the portal speaks."""
    for tag in (ui_locales or "").split():
        language = tag.replace("_", "-").split("-")[0].lower()
        if language in supported:
            return language
    return None
