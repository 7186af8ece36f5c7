"""Open311 API keys, for administrators: issue a key to a registered department system (shown
once), see when each key was last used, revoke one. The rules are in `api.open311.keys`."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from api.open311 import keys
from auth.access import requires_admin
from auth.session import current_account
from gov import bp
from portal.extensions import db
from portal.forms import SubmitOnceForm
from portal.i18n import localized
from portal.web import request_origin

NO_STORE = {"Cache-Control": "no-store"}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class IssueKeyForm(SubmitOnceForm):
    client = SelectField(_l("Department system"),
                         validators=[InputRequired(message=_l("Choose the system the key is for."))])
    label = StringField(
        _l("What the key is for (optional)"),
        validators=[Optional(), Length(max=keys.LABEL_MAX, message=_l("Use at most 100 characters."))],
        filters=[_strip],
    )

    def with_clients(self, clients) -> IssueKeyForm:
        self.client.choices = [SelectChoice("", _l("Choose…"))] + [
            SelectChoice(c.client_id, f"{c.name} ({localized(c.department.name_zh, c.department.name_en)})")
            for c in clients
        ]
        return self


class RevokeKeyForm(FlaskForm):
    """The CSRF token behind each revoke button."""


def _page(form: IssueKeyForm, rows: list[keys.ClientKeys], status: int = 200):
    return render_template("gov/open311/keys.html", rows=rows, form=form, revoke_form=RevokeKeyForm()), status


def _keys_and_form(*, posted: bool) -> tuple[list[keys.ClientKeys], IssueKeyForm]:
    rows = keys.keys_by_client(db.session)
    form = IssueKeyForm() if posted else IssueKeyForm(formdata=None)
    return rows, form.with_clients([row.client for row in rows if row.client.enabled])


@bp.get("/open311-keys")
@requires_admin
def open311_keys():
    rows, form = _keys_and_form(posted=False)
    return _page(form, rows)


@bp.post("/open311-keys")
@requires_admin
def issue_open311_key():
    rows, form = _keys_and_form(posted=True)
    if not form.validate_on_submit():
        return _page(form, rows, 400)
    client = keys.find_client(db.session, form.client.data)
    issued = keys.issue(db.session, client, label=form.label.data, actor=current_account(), origin=request_origin())
    db.session.commit()
    return render_template("gov/open311/issued.html", client=client, issued=issued), 200, NO_STORE


@bp.post("/open311-keys/<public_id>/revoke")
@requires_admin
def revoke_open311_key(public_id: str):
    if not RevokeKeyForm().validate_on_submit():
        abort(400)
    key = keys.find_key(db.session, public_id) or abort(404)
    keys.revoke(db.session, key, actor=current_account(), origin=request_origin())
    db.session.commit()
    flash(_("The key ending in %(hint)s is revoked: requests sent with it are refused from now on.", hint=key.hint),
          "success")
    return redirect(url_for("gov.open311_keys"), 303)
