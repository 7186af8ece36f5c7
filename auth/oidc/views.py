"""The provider's endpoints. Protocol work is Authlib's (see `server`); the authorization
endpoint's decisions are `prompt.next_step`'s; these functions only connect them."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from authlib.oauth2 import OAuth2Error
from flask import abort, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded

from auth.access import requires_signin
from auth.oidc import authorization, bp, claims, consents, csp, keys, metadata, prompt
from auth.oidc.forms import ConsentForm, LogoutForm, RevokeApplicationForm
from auth.oidc.server import presented_client_id, server
from auth.session import current_account
from portal.errors import render_error
from portal.extensions import csrf, db, limiter
from portal.web import NO_STORE, request_origin


@bp.before_app_request
def _sign_in_pages_speak_the_clients_language():
    """`ui_locales` also holds on the sign-in pages an authorization request passes through."""
    if request.blueprint == "auth":
        authorization.apply_ui_locales(authorization.ui_locales_in_next(request.values.get("next")))


bp.after_app_request(csp.widen_form_action)


@bp.get("/.well-known/openid-configuration")
def discovery():
    return jsonify(metadata.provider_metadata()), {"Cache-Control": "public, max-age=3600"}


@bp.get("/oidc/jwks")
def jwks():
    key_set = keys.public_jwks(db.session)
    db.session.commit()  # the first key, if this request created it
    return jsonify(key_set), {"Cache-Control": "public, max-age=300"}


def _as_get(endpoint: str):
    """A request a client POSTed (allowed by the specifications) becomes a top-level GET: browsers
    send the SameSite=Lax session cookie on that, not on the cross-site POST."""
    return redirect(url_for(endpoint) + "?" + urlencode(list(request.form.items(multi=True))), 303)


@bp.route("/oidc/authorize", methods=["GET", "POST"])
@csrf.exempt  # clients may POST authorization requests; the consent form checks its own token
def authorize():
    if request.method == "POST" and "decision" not in request.form:
        return _as_get("oidc.authorize")
    authorization.apply_ui_locales(request.args.get("ui_locales"))
    end_user = authorization.current_end_user()
    now = int(time.time())
    try:
        grant = server.get_consent_grant(end_user=end_user)
        step = prompt.next_step(authorization.situation(grant, end_user, now))
    except OAuth2Error as error:
        return authorization.refuse(error)
    if step is prompt.Step.SIGN_IN:
        return authorization.send_to_sign_in(now)
    if step is prompt.Step.SECOND_FACTOR:
        return authorization.send_to_second_factor()
    if step in authorization.SILENT_ERRORS:
        return authorization.refuse_silently(step, grant)
    form = ConsentForm()
    if request.method == "POST":  # the consent page's answer
        if not form.validate_on_submit():
            abort(400)
        if form.decision.data == "deny":
            return authorization.deny(grant, end_user)
        return authorization.issue(grant, end_user, consented=True)
    if step is prompt.Step.ISSUE:
        return authorization.issue(grant, end_user)
    return authorization.consent_page(grant, end_user, form), 200, NO_STORE


def _token_client_key() -> str:
    return "oidc-token-client:" + (presented_client_id() or request.remote_addr or "")


class _TooManyRequests(OAuth2Error):
    error = "too_many_requests"
    description = "Too many token requests; slow down."
    status_code = 429


def _token_rate_limit_breached(_limit) -> None:
    server.record_refusal(_TooManyRequests())
    db.session.commit()


def _per_client_limit() -> str:
    return current_app.config["OIDC_TOKEN_RATE_LIMIT_PER_CLIENT"]


def _per_address_limit() -> str:
    return current_app.config["OIDC_TOKEN_RATE_LIMIT_PER_ADDRESS"]


@bp.errorhandler(RateLimitExceeded)
def _too_many_requests(error):
    if request.endpoint == "oidc.token":
        body = {"error": _TooManyRequests.error, "error_description": _TooManyRequests.description}
        return jsonify(body), 429, NO_STORE
    return render_error(429)


@bp.post("/oidc/token")
@csrf.exempt
@limiter.limit(_per_address_limit, on_breach=_token_rate_limit_breached)
@limiter.limit(_per_client_limit, key_func=_token_client_key, on_breach=_token_rate_limit_breached)
def token():
    response = server.create_token_response()
    # A refresh has committed as it saved its token (RefreshTokenGrant.save_token); what the other
    # grants wrote, and a refusal's audit row, commit here.
    if db.session().in_transaction():
        db.session.commit()
    return response


@bp.route("/oidc/userinfo", methods=["GET", "POST"])
@csrf.exempt
def userinfo():
    response = server.create_endpoint_response("userinfo")
    db.session.commit()
    response.headers.update(NO_STORE)
    return response


@bp.post("/oidc/revoke")
@csrf.exempt
def revoke():
    response = server.create_endpoint_response("revocation")
    db.session.commit()
    return response


@bp.post("/oidc/introspect")
@csrf.exempt
def introspect():
    response = server.create_endpoint_response("introspection")
    db.session.commit()
    return response


@bp.route("/oidc/logout", methods=["GET", "POST"])
@csrf.exempt  # clients may POST logout requests; the confirmation form checks its own token
def end_session():
    if request.method == "POST" and "confirm" not in request.form:
        return _as_get("oidc.end_session")
    authorization.apply_ui_locales(request.values.get("ui_locales"))
    g.oidc_logout_confirmed = request.method == "POST" and LogoutForm().validate_on_submit()
    try:
        end_request = server.validate_endpoint_request("end_session")
    except OAuth2Error as error:
        server.record_refusal(error)
        db.session.commit()
        return render_template("auth/oidc/error.html", error=error), 400
    if authorization.logout_needs_confirmation(end_request) and not g.oidc_logout_confirmed:
        csp.allow_form_target(authorization.registered_post_logout_uri(end_request.client))
        return render_template("auth/oidc/logout.html", form=LogoutForm(), client=end_request.client,
                               fields=authorization.logout_fields()), 200, NO_STORE
    response = server.create_endpoint_response("end_session", end_request)
    db.session.commit()
    return response or render_template("auth/oidc/signed_out.html", client=end_request.client)


@bp.get("/auth/applications")
@requires_signin
def applications():
    listed = [
        (app, claims.describe(app.scopes), RevokeApplicationForm(formdata=None, client_id=app.client.client_id))
        for app in consents.applications(db.session, current_account())
    ]
    return render_template("auth/oidc/applications.html", applications=listed)


@bp.post("/auth/applications/revoke")
@requires_signin
def revoke_application():
    form = RevokeApplicationForm()
    if not form.validate_on_submit():
        abort(400)
    client = consents.revoke(db.session, current_account(), form.client_id.data, origin=request_origin())
    db.session.commit()
    if client is not None:
        flash(_("%(name)s can no longer use your account.", name=client.name), "success")
    return redirect(url_for("oidc.applications"))
