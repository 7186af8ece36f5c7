"""Audit rows for the provider: every token issued, refreshed or revoked, and every refusal.

Refusals are OAuth errors; the code that raises one can attach the facts worth keeping
(`reason`, the subject, how many tokens a replay revoked) with `with_facts`, and the one
handler that turns errors into responses writes them with the error code.
"""

from __future__ import annotations

from authlib.oauth2 import OAuth2Error
from sqlalchemy.orm import Session

from auth.oidc.models import OAuthClient
from portal import audit
from portal.audit import Origin

CLIENT = "oidc_client"


def with_facts(error: OAuth2Error, reason: str, **facts) -> OAuth2Error:
    error.audit_facts = {"reason": reason, **facts}
    return error


def record_refusal(
    session: Session,
    action: str,
    error: OAuth2Error,
    *,
    origin: Origin,
    client_id: str | None,
    client: OAuthClient | None = None,
    **details,
) -> None:
    facts = dict(getattr(error, "audit_facts", {}))
    subject_id = facts.pop("subject_id", None)
    actor_id = facts.pop("actor_id", None)
    if "reason" not in facts and client is not None and not client.enabled:
        facts["reason"] = "client_disabled"
    audit.record(
        session,
        action,
        origin=origin,
        outcome="refused",
        actor_id=actor_id or subject_id,
        subject_id=subject_id,
        object_type=CLIENT,
        object_id=(client_id or "")[:64] or None,
        error=error.error,
        description=error.description,
        **facts,
        **details,
    )


def success_row(action: str, *, origin: Origin, client: OAuthClient, subject_id: int | None = None,
                actor_id: int | None = None, **details) -> dict:
    """The audit row of a token issued, refreshed or revoked (`audit.audit_row`)."""
    return audit.audit_row(
        action,
        origin=origin,
        actor_id=actor_id or subject_id,
        subject_id=subject_id,
        object_type=CLIENT,
        object_id=client.client_id,
        **details,
    )


def record_success(session: Session, action: str, **facts) -> None:
    """Written at once: every token the endpoint issues writes one, and commits straight after."""
    audit.write_now(session, success_row(action, **facts))
