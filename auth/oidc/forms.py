"""The provider's small forms: each carries a CSRF token and one decision."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import AnyOf, DataRequired


class ConsentForm(FlaskForm):
    # Two submit buttons, each sending its own `decision`.
    decision = StringField(validators=[DataRequired(), AnyOf(["allow", "deny"])])


class RevokeApplicationForm(FlaskForm):
    client_id = HiddenField(validators=[DataRequired()])


class LogoutForm(FlaskForm):
    confirm = HiddenField(default="yes", validators=[DataRequired(), AnyOf(["yes"])])
