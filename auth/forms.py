"""Forms for signing in, registering, resetting passwords and second factors."""

from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp, ValidationError

from auth.passwords import MAX_LENGTH, MIN_LENGTH
from portal.forms import SubmitOnceForm
from portal.identity_numbers import MOBILE_PATTERN, InvalidResidentId, validate_resident_id

RESIDENT_ID_ERRORS = {
    "format": _l("Enter the 18-character resident ID number, digits with an X at the end if it has one."),
    "birth_date": _l("The date of birth in this ID number is not a real date."),
    "check_digit": _l("This ID number is not valid. Check each character against your ID card."),
}

PASSWORD_ERRORS = {
    "too_short": _l("Use at least %(min)s characters.", min=MIN_LENGTH),
    "too_long": _l("Use at most %(max)s characters.", max=MAX_LENGTH),
    "common": _l("This password is too common. Choose one that is hard to guess."),
    "like_login": _l("Your password must not contain your mobile number, login name or ID number."),
}

IDENTITY_ERRORS = {
    "mobile_taken": _l("This mobile number already has an account. Sign in, or reset your password."),
    "resident_id_taken": _l("This ID number already has an account. Sign in, or reset your password."),
    "reset_code_invalid": _l("That code is wrong or has expired. Ask for a new code."),
    "current_password_wrong": _l("Your current password is not right."),
    "code_invalid": _l("That code is not right. Enter the 6 digits your app shows now, or a recovery code."),
    "staff_need_mfa": _l("Government staff must keep a second factor."),
    "registration_code_invalid": _l("That code is not right. Enter the 6 digits in the message we sent."),
    "registration_code_used_up": _l("Too many wrong codes. Send a new code and enter that one."),
    "registration_texts_used_up": _l("We have sent this number as many codes as we send in an hour. "
                                     "Try again in an hour."),
    "registration_code_just_sent": _l("We sent a code less than a minute ago. Wait for it before you ask again."),
    "registration_expired": _l("Your details were kept for 15 minutes and that time is over. Check them, "
                               "enter your password again and we will send a new code."),
    "registration_done": _l("Your account has been created. Sign in with your mobile number and password."),
    "no_authenticator": _l("Recovery codes come with an authenticator app: turn one on first."),
    "second_factor_locked": _l("Too many wrong codes. Wait 15 minutes before you try again."),
    "password_locked": _l("Too many wrong passwords. Wait 15 minutes before you try again."),
}
# Refusals that mean "wait": answered 429 Too Many Requests.
LOCKED_ERRORS = frozenset({"second_factor_locked", "password_locked"})
# Refusals of the password asked again, shown at the form's password field.
PASSWORD_PROOF_ERRORS = frozenset({"current_password_wrong", "password_locked"})


def code_as_typed(value):
    """A code as typed: full-width digits and letters from a Chinese keyboard made plain, spaces left
    out, so that the way it was typed never costs a try."""
    if not isinstance(value, str):
        return value
    return "".join(unicodedata.normalize("NFKC", value).split())


def resident_id_number(form, field):
    try:
        field.data = validate_resident_id(field.data or "")
    except InvalidResidentId as error:
        raise ValidationError(RESIDENT_ID_ERRORS[error.code]) from None


def _password_field(label):
    return PasswordField(
        label,
        validators=[DataRequired(message=_l("Enter a password.")), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "new-password"},
    )


def _confirm_field():
    return PasswordField(
        _l("Enter the new password again"),
        validators=[
            DataRequired(message=_l("Enter the new password again.")),
            EqualTo("password", message=_l("The two passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class LoginForm(FlaskForm):
    username = StringField(
        _l("Mobile number or login name"),
        validators=[DataRequired(message=_l("Enter your mobile number or login name.")), Length(max=64)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=_l("Enter your password.")), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class SecondFactorForm(FlaskForm):
    code = StringField(
        _l("Code"),
        filters=[code_as_typed],
        validators=[DataRequired(message=_l("Enter the code from your authenticator app.")), Length(max=20)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"},
    )
    next = HiddenField()


class AuthenticatorWithPasswordForm(SecondFactorForm):
    """Turning on an authenticator with the password typed again (`services.password_needed_to_enrol`)."""

    password = PasswordField(
        _l("Your password"),
        validators=[DataRequired(message=_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )


class RegisterForm(SubmitOnceForm):
    real_name = StringField(
        _l("Full name, as on your ID card"),
        validators=[DataRequired(message=_l("Enter your full name.")), Length(max=50)],
        render_kw={"autocomplete": "name"},
    )
    mobile = StringField(
        _l("Mobile number"),
        validators=[
            DataRequired(message=_l("Enter your mobile number.")),
            Regexp(MOBILE_PATTERN, message=_l("Enter an 11-digit mainland mobile number, like 13800000000.")),
        ],
        render_kw={"autocomplete": "tel-national", "inputmode": "numeric"},
    )
    resident_id_number = StringField(
        _l("Resident ID number"),
        validators=[DataRequired(message=_l("Enter your resident ID number.")), resident_id_number],
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"},
    )
    password = _password_field(_l("Password"))
    confirm = _confirm_field()


class RegistrationCodeForm(FlaskForm):
    # Not a SubmitOnceForm: each try is committed before the code is compared, and the same code
    # sent again is answered by `confirm_registration` itself ("registration_done").
    code = StringField(
        _l("Code from the message we sent"),
        filters=[code_as_typed],
        validators=[DataRequired(message=_l("Enter the code we sent you.")),
                    Regexp(r"^[0-9]{6}\Z", message=_l("Enter the 6 digits in the message we sent."))],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class ResetRequestForm(FlaskForm):
    username = StringField(
        _l("Mobile number or login name"),
        validators=[DataRequired(message=_l("Enter your mobile number or login name.")), Length(max=64)],
        render_kw={"autocomplete": "username"},
    )


class ResetForm(FlaskForm):
    username = StringField(
        _l("Mobile number or login name"),
        validators=[DataRequired(message=_l("Enter your mobile number or login name.")), Length(max=64)],
        render_kw={"autocomplete": "username"},
    )
    code = StringField(
        _l("Code from the message we sent"),
        filters=[code_as_typed],
        validators=[DataRequired(message=_l("Enter the code we sent you.")), Length(max=12)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )
    password = _password_field(_l("New password"))
    confirm = _confirm_field()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(message=_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )
    password = _password_field(_l("New password"))
    confirm = _confirm_field()


class ConfirmPasswordForm(FlaskForm):
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )


class ActionForm(FlaskForm):
    """A button that changes something: carries only the CSRF token."""
