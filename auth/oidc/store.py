"""Codes, tokens, nonces and refresh-token families: the provider's bookkeeping.

Plain SQLAlchemy, no Flask: every function takes the session and the time explicitly, so the
rules (single-use codes, rotation, reuse detection) are tested without a request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from auth.oidc.models import AuthorizationCode, EndUser, NonceRecord, OAuthClient, OAuthToken, digest
from portal.models import Account
from portal.models.base import CoreRow, execute_now, fill_unloaded, new_public_id, utcnow

# -- nonces --------------------------------------------------------------------------------


def nonce_seen(session: Session, client: OAuthClient, nonce: str, now: datetime) -> bool:
    return (
        session.scalar(
            select(NonceRecord.id).where(
                NonceRecord.client_pk == client.id,
                NonceRecord.nonce_hash == digest(nonce),
                NonceRecord.expires_at > now,
            )
        )
        is not None
    )


def remember_nonce(session: Session, client: OAuthClient, nonce: str, now: datetime, lifetime: timedelta) -> None:
    session.execute(delete(NonceRecord).where(NonceRecord.expires_at <= now))
    session.add(NonceRecord(client_pk=client.id, nonce_hash=digest(nonce), expires_at=now + lifetime))


# -- authorization codes -------------------------------------------------------------------


def save_code(
    session: Session,
    *,
    code: str,
    client: OAuthClient,
    end_user: EndUser,
    redirect_uri: str,
    scope: str,
    nonce: str | None,
    code_challenge: str | None,
    code_challenge_method: str | None,
    now: datetime,
    lifetime: timedelta,
) -> AuthorizationCode:
    # Redeemed and expired codes are kept a day for replay detection, then dropped.
    session.execute(delete(AuthorizationCode).where(AuthorizationCode.expires_at <= now - timedelta(days=1)))
    row = AuthorizationCode(
        code_hash=digest(code),
        client_pk=client.id,
        account_id=end_user.subject.id,
        actor_id=end_user.actor.id if end_user.actor else None,
        redirect_uri=redirect_uri,
        scope=scope,
        nonce=nonce,
        code_challenge=code_challenge,
        code_challenge_method=code_challenge_method if code_challenge else None,
        auth_time=end_user.auth_time or int(now.timestamp()),
        acr=end_user.acr or "",
        amr=list(end_user.amr),
        issued_at=now,
        expires_at=now + lifetime,
        family_id=new_public_id(),
    )
    session.add(row)
    return row


# Read with Core (`CoreRow`): the ORM's loading path cost more than the statements.
_CODE_AND_ACCOUNT = CoreRow(AuthorizationCode, Account)
_TOKEN_AND_ACCOUNT = CoreRow(OAuthToken, Account)

# The code with the account it was issued for, which its redemption reads.
_CODE_BY_HASH = (
    select(*_CODE_AND_ACCOUNT.columns)
    .join_from(AuthorizationCode.__table__, Account.__table__, Account.id == AuthorizationCode.account_id)
    .where(AuthorizationCode.code_hash == bindparam("hashed"))
)


def _with_account(session: Session, joined: CoreRow, found):
    """The object of `found` (a row of `joined`: the object's columns, then its account's), its
    account given."""
    row, account = joined.take(session, found)
    # The session holds what it read only while something refers to it: the account read alongside
    # is given to the row, or `row.account` would read it again.
    fill_unloaded(row, "account", lambda: account)
    return row


def find_code(session: Session, code: str) -> AuthorizationCode | None:
    found = execute_now(session, _CODE_BY_HASH, {"hashed": digest(code)}).first()
    return None if found is None else _with_account(session, _CODE_AND_ACCOUNT, found)


# Built once, on the table: the ORM's own UPDATE path cost more than the statement.
_CLAIM_CODE = (
    update(AuthorizationCode.__table__)
    .where(AuthorizationCode.id == bindparam("row_id"), AuthorizationCode.redeemed_at.is_(None))
    .values(redeemed_at=bindparam("claimed_at"))
)


def claim_code(session: Session, row: AuthorizationCode, now: datetime) -> bool:
    """Mark the code redeemed; False when someone redeemed it first (a replay)."""
    result = execute_now(session, _CLAIM_CODE, {"row_id": row.id, "claimed_at": now})
    if result.rowcount != 1:
        return False
    set_committed_value(row, "redeemed_at", now)  # written by the UPDATE: not again by the flush
    return True


# -- tokens --------------------------------------------------------------------------------


def token_row(
    *,
    token: dict,
    client: OAuthClient,
    end_user: EndUser,
    family_id: str,
    now: datetime,
    refresh_lifetime: timedelta,
) -> dict:
    """The row of an issued token (its strings digested), to write with `save_token`."""
    refresh = token.get("refresh_token")
    return {
        "client_pk": client.id,
        "account_id": end_user.subject.id,
        "actor_id": end_user.actor.id if end_user.actor else None,
        "family_id": family_id,
        "access_token_hash": digest(token["access_token"]),
        "refresh_token_hash": digest(refresh) if refresh else None,
        "scope": token.get("scope", ""),
        "issued_at": now,
        "access_expires_at": now + timedelta(seconds=int(token.get("expires_in", 0))),
        "refresh_expires_at": now + refresh_lifetime if refresh else None,
        "session_version": end_user.signer.session_version,
    }


_NEW_TOKEN = OAuthToken.__table__.insert()


def save_token(session: Session, row: dict) -> None:
    """Written at once (`execute_now`): the endpoint answers with the token strings and never reads
    the row back; the ORM's flush of it cost more than the INSERT."""
    execute_now(session, _NEW_TOKEN, row)


@dataclass(frozen=True)
class PresentedToken:
    """A token string matched to its row: the access token or the refresh token of that row."""

    row: OAuthToken
    kind: str  # "access_token" or "refresh_token"

    @property
    def client(self) -> OAuthClient:
        return self.row.client

    def check_client(self, client: OAuthClient) -> bool:
        return self.row.client_pk == client.id

    def get_scope(self) -> str:
        return self.row.scope

    def is_revoked(self) -> bool:
        if self.kind == "refresh_token" and self.row.rotated_at is not None:
            return True
        return self.row.is_revoked()

    def expires_at(self) -> datetime:
        if self.kind == "refresh_token":
            return self.row.refresh_expires_at
        return self.row.access_expires_at

    def is_expired(self, now: datetime | None = None) -> bool:
        return self.expires_at() <= (now or utcnow())


# The token endpoint's statements, built once: building them cost a tenth of each refresh.
# The token with its account, which every use of a token checks (is_revoked).
_TOKEN_BY_HASH = (
    select(*_TOKEN_AND_ACCOUNT.columns)
    .join_from(OAuthToken.__table__, Account.__table__, Account.id == OAuthToken.account_id)
    .where(or_(OAuthToken.access_token_hash == bindparam("hashed"),
               OAuthToken.refresh_token_hash == bindparam("hashed")))
)
_CLAIM_REFRESH_TOKEN = (
    update(OAuthToken.__table__)
    .where(OAuthToken.id == bindparam("row_id"), OAuthToken.rotated_at.is_(None), OAuthToken.revoked_at.is_(None))
    .values(rotated_at=bindparam("claimed_at"))
)


def find_token(session: Session, token_string: str, hint: str | None = None) -> PresentedToken | None:
    hashed = digest(token_string)
    found = execute_now(session, _TOKEN_BY_HASH, {"hashed": hashed}).first()
    if found is None:
        return None
    row = _with_account(session, _TOKEN_AND_ACCOUNT, found)
    kind = "access_token" if row.access_token_hash == hashed else "refresh_token"
    return PresentedToken(row, kind)


def claim_refresh_token(session: Session, row: OAuthToken, now: datetime) -> bool:
    """Mark the refresh token used; False when it was used already (a reuse)."""
    result = execute_now(session, _CLAIM_REFRESH_TOKEN, {"row_id": row.id, "claimed_at": now})
    if result.rowcount != 1:
        return False
    # What the UPDATE wrote, known to the row without the flush writing it a second time.
    set_committed_value(row, "rotated_at", now)
    return True


def revoke_family(session: Session, family_id: str, now: datetime) -> int:
    """Revoke every token descended from one authorization code; returns how many were live."""
    result = session.execute(
        update(OAuthToken)
        .where(OAuthToken.family_id == family_id, OAuthToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return result.rowcount


def revoke_tokens_of(session: Session, *, client: OAuthClient, account: Account | None = None,
                     now: datetime) -> int:
    query = update(OAuthToken).where(OAuthToken.client_pk == client.id, OAuthToken.revoked_at.is_(None))
    if account is not None:
        query = query.where(OAuthToken.account_id == account.id)
    result = session.execute(query.values(revoked_at=now))
    return result.rowcount
