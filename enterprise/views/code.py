"""The enterprise code (企业码): the company shows its signed QR code; anyone who scans it sees
the public card, and a signed-in officer also the company's cases and matched policies."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext as _

from auth.session import current_sign_in
from enterprise import bp, services
from enterprise.forms import CodeForm
from enterprise.labels import code_refusal
from enterprise.views.loading import company_page
from portal.city_code import qr_svg
from portal.code_keys import app_keyring
from portal.codes import CodeRefused
from portal.extensions import db


@bp.get("/c/<public_id>/code")
@company_page()
def company_code(enterprise):
    token, claims = services.issue_code(app_keyring(), enterprise)
    link = url_for("enterprise.card", token=token, _external=True)
    svg = qr_svg(link, _("Enterprise code of %(name)s", name=enterprise.name_zh))
    return render_template("enterprise/code.html", enterprise=enterprise, qr=svg, link=link, claims=claims)


def _officer():
    sign_in = current_sign_in()
    if sign_in is not None and sign_in.account.is_staff and sign_in.with_second_factor:
        return sign_in.account
    return None


@bp.get("/code/<token>")
def card(token: str):
    try:
        enterprise = services.read_code(db.session, app_keyring(), token)
    except CodeRefused as refused:
        return render_template("enterprise/card.html", refusal=code_refusal(refused.reason), form=CodeForm()), 400
    officer = _officer()
    extra = services.officer_card(db.session, officer, enterprise) if officer is not None else None
    return render_template("enterprise/card.html", enterprise=enterprise, extra=extra, form=CodeForm(formdata=None))


@bp.get("/code")
def read_code():
    form = CodeForm(request.args)
    if request.args and form.validate():
        return card(form.token.data)
    return render_template("enterprise/card.html", form=form)
