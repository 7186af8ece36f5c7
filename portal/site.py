"""The pages that belong to no single end: home, preferences, health."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template
from flask_login import current_user
from sqlalchemy import text

from portal import services
from portal.extensions import db
from portal.forms import ElderModeForm, LanguageForm
from portal.i18n import LANGUAGE_COOKIE
from portal.preferences import ELDER_COOKIE, remember
from portal.urls import safe_local_path

bp = Blueprint("site", __name__)


@bp.get("/")
def home():
    return render_template("home.html", towns=services.service_centres())


@bp.post("/preferences/language")
def set_language():
    form = LanguageForm()
    if not form.validate_on_submit():
        abort(400)
    response = redirect(safe_local_path(form.next.data))
    remember(response, LANGUAGE_COOKIE, form.lang.data)
    _save_on_account(locale=form.lang.data)
    return response


@bp.post("/preferences/elder-mode")
def set_elder_mode():
    form = ElderModeForm()
    if not form.validate_on_submit():
        abort(400)
    response = redirect(safe_local_path(form.next.data))
    remember(response, ELDER_COOKIE, form.enabled.data)
    _save_on_account(elder_mode=form.enabled.data == "1")
    return response


def _save_on_account(**preferences) -> None:
    """A signed-in person's choice follows them to every device."""
    if current_user.is_authenticated:
        for name, value in preferences.items():
            setattr(current_user.account, name, value)
        db.session.commit()


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        db.session.rollback()
        return {"status": "unavailable", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}, 200, {"Cache-Control": "no-store"}


@bp.get("/livez")
def livez():
    """The process is alive (no database): restart the node only when this fails."""
    return {"status": "ok"}, 200, {"Cache-Control": "no-store"}


@bp.get("/readyz")
def readyz():
    """Ready for traffic: database answers at the migrations' head, Redis answers when configured."""
    from flask import current_app

    from portal.observability import readiness

    ready, checks = readiness(current_app)
    return {"status": "ok" if ready else "unavailable", **checks}, 200 if ready else 503, {"Cache-Control": "no-store"}
