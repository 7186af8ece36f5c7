"""The authorization endpoint's steps, between the request, Authlib's grant and the portal session.

`views.authorize` validates the request through Authlib, asks `prompt.next_step` what to do,
and calls one of the functions here to do it.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import flask_babel
from authlib.common.urls import add_params_to_uri
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import AccessDeniedError, InvalidRequestError
from authlib.oidc.core.errors import (
    ConsentRequiredError,
    InteractionRequiredError,
    LoginRequiredError,
    RegistrationNotSupportedError,
    RequestNotSupportedError,
    RequestURINotSupportedError,
)
from flask import current_app, g, redirect, render_template, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

from auth.oidc import claims, consents, csp, events, prompt
from auth.oidc.models import EndUser, scope_list
from auth.oidc.server import issuer, server
from auth.session import ACR_MFA, acting_for, current_sign_in
from portal.extensions import db
from portal.web import request_origin

SIGN_IN_MARK = "sign_in_requested"
SIGN_IN_MARK_MAX_AGE = 3600
SILENT_ERRORS = {
    prompt.Step.LOGIN_REQUIRED: LoginRequiredError,
    prompt.Step.CONSENT_REQUIRED: ConsentRequiredError,
    prompt.Step.INTERACTION_REQUIRED: InteractionRequiredError,
}
UNSUPPORTED = {
    "request": RequestNotSupportedError,
    "request_uri": RequestURINotSupportedError,
    "registration": RegistrationNotSupportedError,
}


def apply_ui_locales(ui_locales: str | None) -> None:
    """Show this request's pages in the first language of `ui_locales` the portal speaks."""
    language = prompt.pick_ui_locale(ui_locales, tuple(current_app.config["LANGUAGES"]))
    if language:
        g.account_locale = language
        flask_babel.refresh()


def ui_locales_in_next(next_path: str | None) -> str | None:
    """The `ui_locales` of an authorization request waiting in a sign-in page's `next`."""
    if not next_path:
        return None
    parts = urlsplit(next_path)
    if parts.netloc or parts.path != url_for("oidc.authorize"):
        return None
    return parse_qs(parts.query).get("ui_locales", [None])[0]


def current_end_user() -> EndUser | None:
    sign_in = current_sign_in()
    if sign_in is None:
        return None
    subject = acting_for() or sign_in.account
    actor = sign_in.account if subject.id != sign_in.account.id else None
    return EndUser(subject, actor, sign_in.auth_time, sign_in.acr, sign_in.amr)


def _marker() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="oidc.sign-in-requested")


def _sign_in_requested_at() -> int | None:
    raw = request.args.get(SIGN_IN_MARK)
    if not raw:
        return None
    try:
        return int(_marker().loads(raw, max_age=SIGN_IN_MARK_MAX_AGE))
    except (BadSignature, ValueError, TypeError):
        return None


def situation(grant, end_user: EndUser | None, now: int) -> prompt.Situation:
    """The facts `prompt.next_step` decides on; OAuth errors for parameters we do not accept."""
    data = request.args
    for name, error in UNSUPPORTED.items():
        if data.get(name):
            raise error(redirect_uri=grant.redirect_uri, state=data.get("state"))
    if data.get("response_mode", "query") != "query":
        raise InvalidRequestError("Only the 'query' response_mode is supported.", redirect_uri=grant.redirect_uri,
                                  state=data.get("state"))
    try:
        max_age = prompt.parse_max_age(data.get("max_age"))
    except ValueError:
        raise InvalidRequestError("Invalid 'max_age'.", redirect_uri=grant.redirect_uri,
                                  state=data.get("state")) from None
    client = grant.request.client
    return prompt.Situation(
        prompts=frozenset((data.get("prompt") or "").split()),
        max_age=max_age,
        now=now,
        auth_time=end_user.auth_time if end_user else None,
        with_second_factor=bool(end_user and end_user.acr == ACR_MFA),
        wants_second_factor=set((data.get("acr_values") or "").split()) == {ACR_MFA},
        sign_in_requested_at=_sign_in_requested_at(),
        consent_given=bool(end_user) and consents.covers(db.session, end_user.subject, client, grant.request.scope),
        first_party=client.first_party,
    )


def _this_request(**extra) -> str:
    params = [(k, v) for k, v in request.args.items(multi=True) if k not in extra]
    params += [(k, v) for k, v in extra.items() if v is not None]
    return url_for("oidc.authorize") + "?" + urlencode(params)


def send_to_sign_in(now: int):
    return redirect(url_for("auth.login", next=_this_request(**{SIGN_IN_MARK: _marker().dumps(now)})))


def send_to_second_factor():
    return redirect(url_for("auth.mfa_challenge", next=_this_request()))


def _with_issuer(location: str) -> str:
    # RFC 9207: every authorization response names its issuer (mix-up defence).
    return add_params_to_uri(location, [("iss", issuer())])


def refuse(error: OAuth2Error):
    """Audit the refusal; send it back to the client when its redirect URI is trusted, else show it."""
    server.record_refusal(error, "oidc.authorize")
    db.session.commit()
    if error.redirect_uri:
        error.state = error.state or request.args.get("state")
        _, _, headers = error()
        return redirect(_with_issuer(dict(headers)["Location"]))
    return render_template("auth/oidc/error.html", error=error), 400


def refuse_silently(step: prompt.Step, grant):
    return refuse(SILENT_ERRORS[step](redirect_uri=grant.redirect_uri, state=request.args.get("state")))


def deny(grant, end_user: EndUser):
    error = events.with_facts(
        AccessDeniedError(redirect_uri=grant.redirect_uri, state=request.args.get("state")),
        "person_declined", subject_id=end_user.subject.id, actor_id=end_user.signer.id,
    )
    return refuse(error)


def issue(grant, end_user: EndUser, *, consented: bool = False):
    client = grant.request.client
    if consented:
        consents.grant(db.session, end_user.subject, client, grant.request.scope, origin=request_origin(),
                       actor=end_user.actor)
    response = server.create_authorization_response(grant=grant, grant_user=end_user)
    if response.status_code == 302 and "code=" in response.location:
        events.record_success(
            db.session, "oidc.authorize", origin=request_origin(), client=client, subject_id=end_user.subject.id,
            actor_id=end_user.signer.id, scope=grant.request.scope, acr=end_user.acr,
        )
    response.location = _with_issuer(response.location)
    db.session.commit()
    return response


def consent_page(grant, end_user: EndUser, form):
    client = grant.request.client
    csp.allow_form_target(grant.redirect_uri)  # validated against the registration by now
    scopes = scope_list(grant.request.scope)
    return render_template(
        "auth/oidc/consent.html",
        form=form,
        client=client,
        end_user=end_user,
        scopes=claims.describe(scopes),
        action=_this_request(),
        redirect_host=_host_of(grant.redirect_uri),
    )


def _host_of(uri: str) -> str:
    parts = urlsplit(uri)
    return parts.netloc or parts.scheme


# -- RP-initiated logout ---------------------------------------------------------------------

LOGOUT_FIELDS = ("id_token_hint", "client_id", "post_logout_redirect_uri", "state", "ui_locales", "logout_hint")


def logout_needs_confirmation(end_request) -> bool:
    """Ask the person first unless the request carries an ID token of the person signed in."""
    signed_in = current_end_user()
    if signed_in is None:
        return False
    hinted = (end_request.id_token_claims or {}).get("sub")
    return hinted not in {signed_in.subject.public_id, signed_in.signer.public_id}


def logout_fields() -> list[tuple[str, str]]:
    """The logout request's parameters, carried through the confirmation form."""
    return [(name, request.values[name]) for name in LOGOUT_FIELDS if request.values.get(name)]


def registered_post_logout_uri(client) -> str | None:
    uri = request.values.get("post_logout_redirect_uri")
    if client is not None and uri in client.post_logout_redirect_uris:
        return uri
    return None
