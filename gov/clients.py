"""The client registry, for administrators: department systems that sign in through the portal."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from auth.access import requires_admin
from auth.oidc import clients as registry
from auth.session import current_account
from gov import bp
from gov.client_forms import ClientActionForm, ClientForm
from portal import services
from portal.extensions import db
from portal.web import request_origin

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
                           action_form=ClientActionForm())


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
