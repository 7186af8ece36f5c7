"""Forms of the citizen end."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from portal.delegations import DURATIONS
from portal.forms import SubmitOnceForm
from portal.identity_numbers import MOBILE_PATTERN


class ActionForm(FlaskForm):
    """A button that changes something: carries only the CSRF token."""


class PaperCodeForm(SubmitOnceForm):
    """The button that prints a new paper code: once per click, however often it is sent."""


class ServiceSearchForm(FlaskForm):
    """The catalogue's search box. A GET form that changes nothing, so it carries no CSRF token."""

    class Meta:
        csrf = False

    q = StringField(
        _l("Search for a service"),
        validators=[Optional(), Length(max=100, message=_l("Use at most 100 characters."))],
        render_kw={"type": "search", "autocomplete": "off"},
    )


DURATION_CHOICES = [
    SelectChoice(30, _l("1 month")),
    SelectChoice(90, _l("3 months")),
    SelectChoice(180, _l("6 months")),
    SelectChoice(365, _l("1 year")),
    SelectChoice(730, _l("2 years")),
]
assert tuple(choice.value for choice in DURATION_CHOICES) == DURATIONS


def at_least_one_scope(form, field):
    if not (form.can_view_cases.data or form.can_file_applications.data):
        raise ValidationError(_l("Choose at least one thing your family member may do."))


class InviteForm(SubmitOnceForm):
    mobile = StringField(
        _l("Your family member's mobile number"),
        validators=[
            DataRequired(message=_l("Enter your family member's mobile number.")),
            Regexp(MOBILE_PATTERN, message=_l("Enter an 11-digit mobile number, like 13812345678.")),
        ],
        filters=[lambda value: (value or "").strip().replace(" ", "")],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    relationship_note = StringField(
        _l("How they are related to you (optional)"),
        validators=[Optional(), Length(max=50, message=_l("Use at most 50 characters."))],
    )
    can_view_cases = BooleanField(_l("See my applications and requests and how they are going"), default=True)
    can_file_applications = BooleanField(
        _l("Apply for services and print my paper code for me"), validators=[at_least_one_scope]
    )
    days = SelectField(_l("For how long"), choices=DURATION_CHOICES, coerce=int, default=365)


class HomeAreaForm(FlaskForm):
    area = SelectField(
        _l("Your sub-district or town"),
        validators=[DataRequired(message=_l("Choose your sub-district or town."))],
        choices=[],
    )
