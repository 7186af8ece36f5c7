"""The citizen home (standard and elder-friendly), help, and the hooks every request runs."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from wtforms import SelectChoice

from auth.access import requires_signin
from auth.session import acting_for, current_account, set_acting_for
from citizen import bp, services
from citizen.forms import HomeAreaForm, ServiceSearchForm
from citizen.messages import DELEGATION_SCOPES, DELEGATION_STATUSES
from portal import code_keys, code_labels
from portal.extensions import db
from portal.i18n import current_language
from portal.models.base import utcnow
from portal.page_cache import shared_page
from portal.preferences import elder_mode_active
from portal.web import request_origin


@bp.record_once
def _build_keyring(state):
    code_keys.init_app(state.app)  # a bad CODE_SIGNING_KEYS setting stops the app at start-up


@bp.before_app_request
def _drop_lapsed_delegation():
    """A revoked or expired delegation stops working on the very next request, on every page."""
    subject = acting_for()
    if subject is not None and not services.acting_for_still_allowed(db.session, current_account(), subject):
        set_acting_for(None)
        flash(
            _("You are no longer acting for %(name)s: the permission was withdrawn or has expired.",
              name=subject.display_name),
            "error",
        )


@bp.app_context_processor
def _acting_context():
    return {"acting_subject": acting_for()}  # the banner's form is `csrf_field()`


def _scope_text(delegation) -> str:
    return _("; ").join(str(DELEGATION_SCOPES[scope]) for scope in delegation.scopes)


def _status_text(delegation) -> str:
    return str(DELEGATION_STATUSES[delegation.status.value])


def _masked_mobile(mobile: str) -> str:
    return mobile[:3] + "****" + mobile[-4:] if mobile and len(mobile) >= 7 else mobile


@bp.context_processor
def _citizen_helpers():
    """Helpers for the citizen templates only."""
    return {
        "code_labels": code_labels,
        "now": utcnow(),
        "scope_text": _scope_text,
        "status_text": _status_text,
        "masked_mobile": _masked_mobile,
    }


def acting_for_someone() -> bool:
    """A family member acting for an elder sees whom they act for: the page is theirs alone."""
    return acting_for() is not None


@bp.get("/")
@shared_page(unless=lambda: acting_for_someone() or (elder_mode_active() and current_account() is not None))
def index():
    account = current_account()
    if elder_mode_active():
        return render_template(
            "citizen/elder_home.html",
            # "My applications" is a tile once the cases pages are there (at most six tiles in all).
            has_cases_page="citizen.cases" in current_app.view_functions,
            elder_services=services.elder_services(db.session),
            centre=services.home_centre(db.session, account),
        )
    return render_template(
        "citizen/index.html",
        centres=services.service_centres(db.session),
        search_form=ServiceSearchForm(formdata=None),
    )


def _area_form(centres, **kwargs):
    form = HomeAreaForm(**kwargs)
    form.area.choices = [SelectChoice("", _("Choose…"))] + [
        SelectChoice(c.code, c.name_in(current_language())) for c in centres
    ]
    return form


@bp.get("/help")
def help_page():
    centres = services.service_centres(db.session)
    centre = services.home_centre(db.session, current_account())
    form = _area_form(centres, formdata=None)
    if centre is not None:
        form.area.data = centre.code
    return render_template("citizen/help.html", centre=centre, centres=centres, form=form)


@bp.post("/help/area")
@requires_signin
def set_home_area():
    form = _area_form(services.service_centres(db.session))
    if form.validate_on_submit():
        department = services.set_home_area(db.session, current_account(), form.area.data, request_origin())
        flash(_("Saved. Your nearest service centre is %(name)s.", name=department.name_in(current_language())),
              "success")
    else:
        flash(_("Choose your sub-district or town from the list."), "error")
    return redirect(url_for("citizen.help_page"))
