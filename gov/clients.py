"""The client registry, for administrators: department systems that sign in through the portal."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from auth.access import requires_admin
from auth.oidc import clients as registry
from auth.session import current_account
from gov import bp
from gov.client_forms import ClientActionForm, ClientForm, WebhookForm
from portal import services, webhooks
from portal.extensions import db
from portal.web import request_origin
from portal.webhooks.cli import policy_for

NO_STORE = {"Cache-Control": "no-store"}


def _client(client_id: str):
    return registry.find_client(db.session, client_id, enabled_only=False) or abort(404)


def _action() -> None:
    if not ClientActionForm().validate_on_submit():
        abort(400)


@bp.get("/clients")
@requires_admin
def clients():
    return render_template("gov/clients/index.html", clients=registry.list_clients(db.session),
                           webhooks=webhooks.directory_summary(db.session), action_form=ClientActionForm())


@bp.route("/clients/new", methods=["GET", "POST"])
@requires_admin
def register_client():
    form = ClientForm().with_departments(services.bureaus() + services.service_centres())
    if form.validate_on_submit():
        client, secret = registry.register(db.session, form.registration(), actor=current_account(),
                                           origin=request_origin())
        db.session.commit()
        return render_template("gov/clients/credentials.html", client=client, secret=secret, new=True), 200, NO_STORE
    return render_template("gov/clients/new.html", form=form)


@bp.post("/clients/<client_id>/secret")
@requires_admin
def rotate_client_secret(client_id: str):
    _action()
    client = _client(client_id)
    secret = registry.rotate_secret(db.session, client, actor=current_account(), origin=request_origin())
    db.session.commit()
    return render_template("gov/clients/credentials.html", client=client, secret=secret, new=False), 200, NO_STORE


@bp.post("/clients/<client_id>/disable")
@requires_admin
def disable_client(client_id: str):
    _action()
    client = _client(client_id)
    registry.disable(db.session, client, actor=current_account(), origin=request_origin())
    db.session.commit()
    flash(_("%(name)s is disabled: it can no longer sign anyone in, and its tokens have ended.", name=client.name),
          "success")
    return redirect(url_for("gov.clients"))


@bp.post("/clients/<client_id>/enable")
@requires_admin
def enable_client(client_id: str):
    _action()
    client = _client(client_id)
    registry.enable(db.session, client, actor=current_account(), origin=request_origin())
    db.session.commit()
    flash(_("%(name)s is enabled again.", name=client.name), "success")
    return redirect(url_for("gov.clients"))


# --- webhooks: signed case events sent to the system (portal.webhooks) ----------------------------


def _endpoint(client, public_id: str):
    return webhooks.find_endpoint(db.session, client, public_id) or abort(404)


@bp.get("/clients/<client_id>/webhooks")
@requires_admin
def client_webhooks(client_id: str):
    client = _client(client_id)
    return render_template(
        "gov/clients/webhooks.html", client=client, endpoints=webhooks.endpoints_of(db.session, client),
        counts=webhooks.status_counts(db.session, client), failed=webhooks.failed_deliveries(db.session, client),
        action_form=ClientActionForm(),
    )


@bp.route("/clients/<client_id>/webhooks/new", methods=["GET", "POST"])
@requires_admin
def register_webhook(client_id: str):
    client = _client(client_id)
    policy = policy_for(current_app)
    form = WebhookForm().with_policy(policy.addresses)
    if form.validate_on_submit():
        endpoint, secret = webhooks.register_endpoint(db.session, client, form.subscription(), policy=policy.addresses,
                                                      actor=current_account(), origin=request_origin())
        db.session.commit()
        return render_template("gov/clients/webhook_secret.html", client=client, endpoint=endpoint, secret=secret,
                               new=True), 200, NO_STORE
    return render_template("gov/clients/webhook_new.html", client=client, form=form)


@bp.post("/clients/<client_id>/webhooks/<endpoint_id>/secret")
@requires_admin
def rotate_webhook_secret(client_id: str, endpoint_id: str):
    _action()
    client = _client(client_id)
    endpoint = _endpoint(client, endpoint_id)
    secret = webhooks.rotate_secret(db.session, endpoint, actor=current_account(), origin=request_origin())
    db.session.commit()
    return render_template("gov/clients/webhook_secret.html", client=client, endpoint=endpoint, secret=secret,
                           new=False), 200, NO_STORE


def _switch_webhook(client_id: str, endpoint_id: str, switch, message: str):
    """Disable or enable one of a client's webhooks, then back to its list with `message`."""
    _action()
    client = _client(client_id)
    endpoint = _endpoint(client, endpoint_id)
    switch(db.session, endpoint, actor=current_account(), origin=request_origin())
    db.session.commit()
    flash(message % {"url": endpoint.url}, "success")
    return redirect(url_for("gov.client_webhooks", client_id=client.client_id))


@bp.post("/clients/<client_id>/webhooks/<endpoint_id>/disable")
@requires_admin
def disable_webhook(client_id: str, endpoint_id: str):
    return _switch_webhook(client_id, endpoint_id, webhooks.disable, _(
        "The webhook to %(url)s is disabled: no case events are sent to it until it is enabled again."))


@bp.post("/clients/<client_id>/webhooks/<endpoint_id>/enable")
@requires_admin
def enable_webhook(client_id: str, endpoint_id: str):
    return _switch_webhook(client_id, endpoint_id, webhooks.enable, _("The webhook to %(url)s is enabled again."))


@bp.post("/clients/<client_id>/webhooks/deliveries/<int:delivery_id>/retry")
@requires_admin
def retry_webhook_delivery(client_id: str, delivery_id: int):
    _action()
    client = _client(client_id)
    delivery = webhooks.find_delivery(db.session, client, delivery_id) or abort(404)
    try:
        webhooks.retry(db.session, delivery, actor=current_account(), origin=request_origin())
    except ValueError:
        flash(_("That delivery is no longer failed: nothing to retry."), "error")
    else:
        db.session.commit()
        flash(_("The event will be sent again at the next delivery round."), "success")
    return redirect(url_for("gov.client_webhooks", client_id=client.client_id))
