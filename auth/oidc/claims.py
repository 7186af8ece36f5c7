"""Scopes, and the claims each releases. Plain functions of an account: no Flask, no request.

Standard scopes `openid profile phone`, plus two portal scopes:
- `portal.ends`: which ends of the portal the person may use (`portal_ends`);
- `portal.enterprise`: the companies the person works for, by Unified Social Credit Code
  (`enterprises`), released only when there are any.

The enterprise relationships arrive with a later issue; `enterprise_memberships` is the one
function to fill in then, and both portal claims follow from it.

The JSON API's scopes (`API_SCOPES`: `cases:read`, `cases:write`, `matches:read`,
`webhooks:manage`) release no claims: they let a token use the API at /api/v1, for a person
(authorization code) or for a department system's own department (client credentials).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from portal.models import Account

OPENID = "openid"
PORTAL_ENDS = "portal.ends"
PORTAL_ENTERPRISE = "portal.enterprise"
CASES_READ = "cases:read"
CASES_WRITE = "cases:write"
MATCHES_READ = "matches:read"
WEBHOOKS_MANAGE = "webhooks:manage"
API_SCOPES = (CASES_READ, CASES_WRITE, MATCHES_READ, WEBHOOKS_MANAGE)


@dataclass(frozen=True)
class ScopeInfo:
    name: str
    # What the person is told on the consent page, and which claims the scope releases.
    description: object
    claims: tuple[str, ...]


SCOPES: dict[str, ScopeInfo] = {
    OPENID: ScopeInfo(OPENID, _l("Know that it is you (an identifier that is not your name or number)"), ("sub",)),
    "profile": ScopeInfo(
        "profile", _l("Your name, login name and language"), ("name", "preferred_username", "locale")
    ),
    "phone": ScopeInfo("phone", _l("Your mobile number"), ("phone_number", "phone_number_verified")),
    PORTAL_ENDS: ScopeInfo(
        PORTAL_ENDS, _l("Whether you use the portal as a resident, for a business or as government staff"),
        ("portal_ends",),
    ),
    PORTAL_ENTERPRISE: ScopeInfo(
        PORTAL_ENTERPRISE, _l("The companies you act for, by their Unified Social Credit Code"), ("enterprises",)
    ),
    CASES_READ: ScopeInfo(CASES_READ, _l("See your cases and requests, and how each is progressing"), ()),
    CASES_WRITE: ScopeInfo(
        CASES_WRITE, _l("Act on your cases for you: send information asked for, rate a closed case"), ()
    ),
    MATCHES_READ: ScopeInfo(MATCHES_READ, _l("See which support policies your companies qualify for"), ()),
    WEBHOOKS_MANAGE: ScopeInfo(
        WEBHOOKS_MANAGE, _l("For a department system: choose the addresses its department's case events are sent to"),
        (),
    ),
}

SUPPORTED_SCOPES = tuple(SCOPES)
SUPPORTED_CLAIMS = tuple(dict.fromkeys(claim for info in SCOPES.values() for claim in info.claims))


@dataclass(frozen=True)
class EnterpriseRole:
    uscc: str
    role: str


def enterprise_memberships(account: Account) -> list[EnterpriseRole]:
    """The companies this person may act for now: one EnterpriseRole per effective membership."""
    if getattr(account, "id", None) is None:
        return []
    from portal.enterprises import effective_clause
    from portal.extensions import db
    from portal.models import Enterprise, Membership
    from portal.models.base import utcnow

    rows = db.session.execute(
        db.select(Enterprise.uscc, Membership.role).join(Membership.enterprise)
        .where(Membership.account_id == account.id, effective_clause(utcnow())).order_by(Enterprise.uscc)
    )
    return [EnterpriseRole(uscc, role.value) for uscc, role in rows]


def portal_ends(account: Account) -> list[str]:
    ends = []
    if account.resident is not None:
        ends.append("citizen")
    if enterprise_memberships(account):
        ends.append("enterprise")
    if account.staff_positions:
        ends.append("gov")
    return ends


def _e164(mobile: str) -> str:
    return mobile if mobile.startswith("+") else f"+86{mobile}"


def user_claims(subject: Account, scopes: list[str] | tuple[str, ...], actor: Account | None = None) -> dict:
    """The claims released to a client holding `scopes` about `subject`, acted for by `actor`."""
    granted = set(scopes)
    claims: dict = {"sub": subject.public_id}
    if actor is not None and actor.public_id != subject.public_id:
        claims["act"] = {"sub": actor.public_id}
    if "profile" in granted:
        claims["name"] = subject.display_name
        if subject.username:
            claims["preferred_username"] = subject.username
        if subject.locale:
            claims["locale"] = {"zh": "zh-CN"}.get(subject.locale, subject.locale)
    if "phone" in granted and subject.mobile:
        claims["phone_number"] = _e164(subject.mobile)
        # The portal does not (yet) confirm numbers by a code sent to them.
        claims["phone_number_verified"] = False
    if PORTAL_ENDS in granted:
        claims["portal_ends"] = portal_ends(subject)
    if PORTAL_ENTERPRISE in granted:
        memberships = enterprise_memberships(subject)
        if memberships:
            claims["enterprises"] = [{"uscc": m.uscc, "role": m.role} for m in memberships]
    return claims


def describe(scopes: list[str]) -> list[ScopeInfo]:
    return [SCOPES[name] for name in scopes if name in SCOPES]
