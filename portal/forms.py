"""Forms shared by every page: the language and elder-mode switches in the header, and the base of
every form that creates something."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import AnyOf, DataRequired, ValidationError

from portal import form_tokens
from portal.cases.deadlines import EARLIEST_DATE, LATEST_DATE


class PlausibleDate:
    """Refuses a date no case, policy or company can have, such as 9999-12-31."""

    def __call__(self, form, field):
        if field.data and not EARLIEST_DATE <= field.data <= LATEST_DATE:
            raise ValidationError(_l("Enter a date between %(earliest)s and %(latest)s.",
                                     earliest=EARLIEST_DATE.isoformat(), latest=LATEST_DATE.isoformat()))


class SubmitOnceForm(FlaskForm):
    """A form that creates something: its one-time token makes a double click or a retried POST
    create it once (`portal.form_tokens`). Rendered by `hidden_fields(form)` like the CSRF token."""

    form_token = form_tokens.token_field()


class LanguageForm(FlaskForm):
    # Rendered as one submit button per language, each sending its own `lang` value.
    lang = StringField(validators=[DataRequired(), AnyOf(["zh", "en"])])
    next = HiddenField()


class ElderModeForm(FlaskForm):
    enabled = HiddenField(validators=[DataRequired(), AnyOf(["0", "1"])])
    next = HiddenField()
