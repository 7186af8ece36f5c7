"""Forms shared by every page: the language and elder-mode switches in the header."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import AnyOf, DataRequired


class LanguageForm(FlaskForm):
    # Rendered as one submit button per language, each sending its own `lang` value.
    lang = StringField(validators=[DataRequired(), AnyOf(["zh", "en"])])
    next = HiddenField()


class ElderModeForm(FlaskForm):
    enabled = HiddenField(validators=[DataRequired(), AnyOf(["0", "1"])])
    next = HiddenField()
