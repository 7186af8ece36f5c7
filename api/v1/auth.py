"""Who is calling: the portal's own OAuth access tokens, sent as `Authorization: Bearer ...`.

Two kinds of principal:
- a department system (client credentials): the token speaks for the client's system account,
  which holds an officer's place in the client's department;
- a person (authorization code), through an application acting for them; `actor` is set when
  someone acts for that person (a family member for an elder).

The token is looked up once per request (`current_principal`); the rate limiter keys on it too.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, request

from api.v1.problems import Problem, bearer_challenge
from auth.oidc import store
from auth.oidc.models import OAuthClient, OAuthToken, scope_list
from portal.extensions import db
from portal.models import Account

_UNSET = object()


@dataclass(frozen=True)
class Principal:
    client: OAuthClient
    account: Account  # the department system's own account, or the person the token is for
    actor: Account | None  # someone acting for that person
    scopes: frozenset[str]
    token: OAuthToken

    @property
    def is_department_system(self) -> bool:
        return self.client.service_account_id == self.account.id and self.actor is None

    @property
    def signer(self) -> Account:
        return self.actor or self.account


def _bearer() -> str | None:
    """The token in the Authorization header; raises when the header is there but is not one."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        raise Problem("authentication_required", headers={"WWW-Authenticate": bearer_challenge()})
    return token


def _invalid_token(description: str) -> Problem:
    return Problem("invalid_token", description, headers={
        "WWW-Authenticate": bearer_challenge("invalid_token", description)
    })


def _load() -> Principal | None:
    token_string = _bearer()
    if token_string is None:
        return None
    found = store.find_token(db.session, token_string)
    if found is None or found.kind != "access_token":
        raise _invalid_token("The access token is unknown.")
    row = found.row
    if found.is_expired():
        raise _invalid_token("The access token has expired.")
    if found.is_revoked():
        raise _invalid_token("The access token has been revoked.")
    return Principal(row.client, row.account, row.actor, frozenset(scope_list(row.scope)), row)


def current_principal() -> Principal | None:
    """The caller, or None when no token was sent. Raises Problem for a token that is not valid."""
    cached = g.get("api_principal", _UNSET)
    if cached is _UNSET:
        try:
            cached = _load()
        except Problem as problem:
            g.api_principal_problem = problem
            cached = None
        g.api_principal = cached
    problem = g.get("api_principal_problem")
    if problem is not None:
        raise problem
    return cached


def principal_or_none() -> Principal | None:
    """For the rate limiter: the caller if the token is valid, else None (never raises)."""
    try:
        return current_principal()
    except Problem:
        return None


def require(scope: str) -> Principal:
    """The caller, who must hold `scope`; raises the problem that says what is missing."""
    principal = current_principal()
    if principal is None:
        raise Problem("authentication_required", headers={"WWW-Authenticate": bearer_challenge(scope=scope)})
    if scope not in principal.scopes:
        raise Problem("insufficient_scope", headers={
            "WWW-Authenticate": bearer_challenge("insufficient_scope", scope=scope)
        }, scope=scope)
    return principal
