"""The city code: the live QR and numeric code, its history, and paper codes."""

from __future__ import annotations

from flask import abort, flash, g, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from auth.access import requires_signin
from auth.session import acting_for, current_account
from citizen import bp, services
from citizen.forms import ActionForm, PaperCodeForm
from citizen.views.home import acting_for_someone
from portal.city_code import LiveCode
from portal.extensions import db, limiter
from portal.page_cache import shared_page
from portal.page_shortcut import early_answers_allow
from portal.web import request_origin


def _people():
    actor = current_account()
    return actor, acting_for() or actor


def _qr_label() -> str:
    return _("City code: a QR code to show at a service window")


# The live code this browser was shown last: any process can show it again within its minute.
_SHOWN = "city_code_shown"
early_answers_allow(bp, _SHOWN)


def _last_shown(holder: str) -> LiveCode | None:
    kept = session.get(_SHOWN)
    if not isinstance(kept, dict) or kept.get("for") != holder:
        return None
    return LiveCode.from_kept(kept)


def _remember_shown(holder: str, live: LiveCode | None) -> None:
    if live is not None and not live.shown_before:
        session[_SHOWN] = {"for": holder, **live.kept()}


def _code_page() -> services.CodePage:
    """This request's code page, worked out once: its key in the page cache and the page itself are
    both made of it."""
    if "code_page" not in g:
        actor, subject = _people()
        holder = actor.public_id  # read before a new code's commit expires the account
        # "Show a new code" asks for a new one; opening the page again shows the code of this minute.
        last = None if request.args.get("new") == "1" else _last_shown(holder)
        g.code_page = services.code_page(db.session, actor, subject, _qr_label(), last_shown=last)
        _remember_shown(holder, g.code_page.live)
    return g.code_page


@bp.get("/code")
@requires_signin
@shared_page(unless=acting_for_someone, vary=lambda: _code_page().key(),
             changes_at=lambda: _code_page().shown_alike_until())
def city_code():
    return render_template("citizen/code.html", page=_code_page(), form=PaperCodeForm(formdata=None))


@bp.get("/code/live")
@requires_signin
@limiter.limit("20 per minute")  # the page asks once a minute; more is a script hammering it
def city_code_live():
    """What the page's script swaps in every minute: JSON, never cached."""
    holder = current_account().public_id
    fresh = services.live_code(db.session, current_account(), _qr_label())
    if fresh is None:
        abort(404)
    live, svg = fresh
    _remember_shown(holder, live)
    body = {"svg": svg, "digits": live.grouped_digits, "refresh": live.refresh_seconds}
    return jsonify(body), 200, {"Cache-Control": "no-store"}


@bp.get("/code/history")
@requires_signin
def city_code_history():
    _actor, subject = _people()
    return render_template("citizen/code_history.html", rows=services.code_history(db.session, subject),
                           subject=subject)


@bp.post("/code/paper")
@requires_signin
def issue_paper_code():
    actor, subject = _people()
    form = PaperCodeForm()
    if not form.validate_on_submit():
        if not form.form_token.errors:
            abort(400)
        flash(form.form_token.errors[0], "error")  # the page was open too long: nothing was printed
        return redirect(url_for("citizen.city_code"))
    try:
        paper = services.issue_paper_code(db.session, actor, subject, request_origin())
    except services.NotAllowed:
        abort(403)
    flash(_("A new paper code is ready to print. Any earlier paper code no longer works."), "success")
    return redirect(url_for("citizen.paper_code", public_id=paper.public_id))


@bp.get("/code/paper/<public_id>")
@requires_signin
def paper_code(public_id: str):
    actor, subject = _people()
    try:
        paper = services.paper_code(db.session, actor, subject, public_id)
    except services.NotAllowed:
        abort(403)
    if paper is None:
        abort(404)
    qr = services.paper_qr(paper, _("Paper city code, a QR code for scanning"))
    return render_template("citizen/paper_code.html", paper=paper, qr=qr, masked_name=services.masked_name(subject),
                           form=ActionForm(formdata=None))


@bp.post("/code/paper/<public_id>/revoke")
@requires_signin
def revoke_paper_code(public_id: str):
    actor, subject = _people()
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.revoke_paper_code(db.session, actor, subject, public_id, request_origin())
    except services.NotAllowed:
        abort(403)
    except LookupError:
        abort(404)
    flash(_("The paper code has been revoked. It no longer works anywhere."), "success")
    return redirect(url_for("citizen.city_code"))
