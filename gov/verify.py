"""City-code verification at a service window (城市码核验): choose why the code is checked, then
scan it with the camera where the browser can, or paste/type the QR payload or numeric code.

The page shows only what the scan purpose allows (a masked name and a verified mark, or the
reason for a refusal); `portal.city_code.verify_city_code` records it in the resident's history
and the audit trail. The form is defined here: it belongs to this page only.
"""

from __future__ import annotations

from flask import render_template
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from auth.access import requires_staff
from auth.session import current_account
from gov import bp
from portal.city_code import verify_city_code
from portal.code_keys import app_keyring
from portal.code_labels import REASONS, SCAN_PURPOSES
from portal.extensions import db, limiter
from portal.web import request_origin


class VerifyForm(FlaskForm):
    purpose = RadioField(
        _l("Why are you checking the code?"),
        choices=[SelectChoice(key, label) for key, label in SCAN_PURPOSES.items()],
        default="identity",
        validators=[InputRequired(message=_l("Choose why you are checking the code."))],
    )
    code = StringField(
        _l("City code"),
        validators=[
            DataRequired(message=_l("Scan the code, or type the numeric code the resident reads out.")),
            Length(max=200, message=_l("This is too long to be a city code.")),
        ],
        filters=[lambda value: (value or "").strip()],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )


@bp.route("/verify", methods=["GET", "POST"])
@requires_staff()
@limiter.limit("60 per minute", methods=["POST"])
def verify_code():
    form = VerifyForm()
    result = None
    if form.validate_on_submit():
        result = verify_city_code(db.session, form.code.data, form.purpose.data, current_account(),
                                  request_origin(), keyring=app_keyring())
        db.session.commit()
        form.code.data = ""  # ready for the next resident; the purpose stays
    return render_template("gov/verify.html", form=form, result=result, reasons=REASONS,
                           purposes=SCAN_PURPOSES)
