"""Forms a sender fills in about a case: filing a request, answering a request for more
information (补正), rating a closed case (好差评). Shared by the citizen and enterprise ends."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FloatField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.case_labels import RATINGS
from portal.forms import SubmitOnceForm
from portal.models import Rating


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class CaseActionForm(FlaskForm):
    """A button that changes something: carries only the CSRF token."""


class ResubmitForm(SubmitOnceForm):
    notes = TextAreaField(
        _l("The information asked for"),
        validators=[
            DataRequired(message=_l("Write the information the department asked for.")),
            Length(max=4000, message=_l("Use at most 4000 characters.")),
        ],
        filters=[_strip],
        render_kw={"rows": 5},
    )


class RatingForm(SubmitOnceForm):
    # The national five-level scale of 好差评, from best to worst.
    rating = RadioField(
        _l("How satisfied are you with how your case was handled?"),
        choices=[SelectChoice(rating.value, RATINGS[rating]) for rating in Rating],
        validators=[InputRequired(message=_l("Choose one of the five ratings."))],
    )
    comment = TextAreaField(
        _l("Comment (optional)"),
        validators=[Optional(), Length(max=1000, message=_l("Use at most 1000 characters."))],
        filters=[_strip],
        render_kw={"rows": 4},
    )


class RequestForm(SubmitOnceForm):
    """A resident's request, complaint or suggestion (诉求)."""

    category = SelectField(_l("What is it about?"), validators=[InputRequired(message=_l("Choose what it is about."))])
    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(message=_l("Give your request a short title.")),
            Length(max=200, message=_l("Use at most 200 characters.")),
        ],
        filters=[_strip],
    )
    body = TextAreaField(
        _l("Describe it"),
        validators=[
            DataRequired(message=_l("Describe what happened and what you would like done.")),
            Length(max=4000, message=_l("Use at most 4000 characters.")),
        ],
        filters=[_strip],
        render_kw={"rows": 6},
    )
    place = StringField(
        _l("Where (optional)"),
        validators=[Optional(), Length(max=300, message=_l("Use at most 300 characters."))],
        filters=[_strip],
        render_kw={"autocomplete": "street-address"},
    )
    latitude = FloatField(
        _l("Latitude (optional)"),
        validators=[Optional(), NumberRange(min=-90, max=90, message=_l("Enter a latitude between -90 and 90."))],
        render_kw={"inputmode": "decimal"},
    )
    longitude = FloatField(
        _l("Longitude (optional)"),
        validators=[Optional(), NumberRange(min=-180, max=180, message=_l("Enter a longitude between -180 and 180."))],
        render_kw={"inputmode": "decimal"},
    )

    def with_categories(self, choices: list[tuple[int, str]]) -> RequestForm:
        self.category.choices = [SelectChoice("", _l("Choose…"))] + [
            SelectChoice(str(ident), label) for ident, label in choices
        ]
        return self

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not (self.latitude.errors or self.longitude.errors) and (self.latitude.data is None) != (
            self.longitude.data is None
        ):
            empty = self.longitude if self.longitude.data is None else self.latitude
            empty.errors = [*empty.errors, _l("Give both the latitude and the longitude, or neither.")]
            return False
        return valid
