"""Forms of the enterprise end. Choice labels come from `portal.enterprise_labels`."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portal.enterprise_codes import normalise_uscc, uscc_problem
from portal.enterprise_labels import (
    APPLICATION_METHODS,
    ENTERPRISE_TYPES,
    MEMBERSHIP_SCOPES,
    POLICY_TOPICS,
    uscc_message,
)
from portal.forms import PlausibleDate, SubmitOnceForm
from portal.identity_numbers import MOBILE_PATTERN

MONEY = 10**13  # whole yuan: far above any company's figures, well inside BIGINT


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ActionForm(FlaskForm):
    """A button that changes something: carries only the CSRF token."""


def _valid_uscc(form, field):
    problem = uscc_problem(normalise_uscc(field.data or ""))
    if problem is not None:
        raise ValidationError(uscc_message(problem))


class RegisterForm(SubmitOnceForm):
    uscc = StringField(
        _l("Unified Social Credit Code"),
        validators=[DataRequired(message=_l("Enter the company’s Unified Social Credit Code.")), _valid_uscc],
        filters=[lambda v: normalise_uscc(v or "")],
        render_kw={"autocomplete": "off", "spellcheck": "false", "maxlength": 24},
    )
    name_zh = StringField(
        _l("Registered name (Chinese)"),
        validators=[DataRequired(message=_l("Enter the company’s registered name.")),
                    Length(max=200, message=_l("Use at most 200 characters."))],
        filters=[_strip], render_kw={"autocomplete": "organization"},
    )
    name_en = StringField(_l("Name in English (optional)"),
                          validators=[Optional(), Length(max=300, message=_l("Use at most 300 characters."))],
                          filters=[_strip])
    enterprise_type = SelectField(
        _l("Type of enterprise"),
        choices=[SelectChoice("", _l("Choose…"))] + [SelectChoice(k.value, v) for k, v in ENTERPRISE_TYPES.items()],
        validators=[InputRequired(message=_l("Choose the type of enterprise."))],
    )
    industry_code = StringField(
        _l("Industry class (optional)"),
        validators=[Optional(), Regexp(r"^\d{4}$", message=_l("Enter the four-digit class, like 3491."))],
        filters=[_strip], render_kw={"inputmode": "numeric", "maxlength": 4},
    )
    town = SelectField(_l("Town or sub-district"), validators=[Optional()], filters=[_strip])
    address_zh = StringField(_l("Registered address (optional)"),
                             validators=[Optional(), Length(max=300, message=_l("Use at most 300 characters."))],
                             filters=[_strip], render_kw={"autocomplete": "street-address"})
    registered_on = DateField(_l("Date of registration (optional)"), validators=[Optional(), PlausibleDate()],
                              render_kw={"type": "date"})
    registered_capital = IntegerField(
        _l("Registered capital in yuan (optional)"),
        validators=[Optional(), NumberRange(min=0, max=MONEY, message=_l("Enter a whole number of yuan."))],
        render_kw={"inputmode": "numeric"},
    )

    def with_towns(self, towns, locale: str) -> RegisterForm:
        self.town.choices = [SelectChoice("", _l("Choose…"))] + [
            SelectChoice(t.code, t.name_in(locale)) for t in towns
        ]
        return self


class AgentForm(SubmitOnceForm):
    mobile = StringField(
        _l("The agent’s mobile number"),
        validators=[DataRequired(message=_l("Enter the agent’s mobile number.")),
                    Regexp(MOBILE_PATTERN, message=_l("Enter an 11-digit mobile number, like 13812345678."))],
        filters=[lambda value: (value or "").strip().replace(" ", "")],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    scopes = MultiCheckboxField(
        _l("What the agent may do"),
        choices=[SelectChoice(k.value, v) for k, v in MEMBERSHIP_SCOPES.items()],
        validators=[DataRequired(message=_l("Choose at least one thing the agent may do."))],
    )
    valid_until = DateField(_l("Binding ends on (optional)"), validators=[Optional(), PlausibleDate()],
                            render_kw={"type": "date"})


def _count(label, maximum=10**7):
    return IntegerField(label, validators=[Optional(), NumberRange(min=0, max=maximum,
                                                                   message=_l("Enter a whole number, 0 or more."))],
                        render_kw={"inputmode": "numeric"})


class ProfileForm(FlaskForm):
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=300)], filters=[_strip])
    address_zh = StringField(_l("Address (Chinese)"), validators=[Optional(), Length(max=300)], filters=[_strip])
    address_en = StringField(_l("Address (English)"), validators=[Optional(), Length(max=400)], filters=[_strip])
    employees = _count(_l("Employees"))
    figures_year = IntegerField(
        _l("Year the figures below are for"),
        validators=[Optional(), NumberRange(min=1990, max=2100, message=_l("Enter a year, like 2025."))],
        render_kw={"inputmode": "numeric"},
    )
    revenue_last_year = _count(_l("Revenue last year, in yuan"), MONEY)
    rd_spend_last_year = _count(_l("R&D spend last year, in yuan"), MONEY)
    invention_patents = _count(_l("Invention patents held"))

    FIELDS = ("name_en", "address_zh", "address_en", "employees", "figures_year", "revenue_last_year",
              "rd_spend_last_year", "invention_patents")

    def changes(self) -> dict:
        return {name: self[name].data for name in self.FIELDS}


class TopicsForm(FlaskForm):
    topics = MultiCheckboxField(_l("Topics to hear about"),
                                choices=[SelectChoice(k.value, v) for k, v in POLICY_TOPICS.items()])


class PolicySearchForm(FlaskForm):
    """A GET form that changes nothing: no CSRF token."""

    class Meta:
        csrf = False

    q = StringField(_l("Words in the title or summary"), validators=[Optional(), Length(max=100)],
                    render_kw={"type": "search"})
    topic = SelectField(_l("Topic"), validators=[Optional()], filters=[_strip],
                        choices=[SelectChoice("", _l("Any topic"))]
                        + [SelectChoice(k.value, v) for k, v in POLICY_TOPICS.items()])
    department = SelectField(_l("Department"), validators=[Optional()], filters=[_strip])
    method = SelectField(_l("How to get it"), validators=[Optional()], filters=[_strip],
                         choices=[SelectChoice("", _l("Any way"))]
                         + [SelectChoice(k.value, v) for k, v in APPLICATION_METHODS.items()])

    def with_departments(self, departments, locale: str) -> PolicySearchForm:
        self.department.choices = [SelectChoice("", _l("Any department"))] + [
            SelectChoice(d.code, d.name_in(locale)) for d in departments
        ]
        return self

    def criteria(self) -> dict:
        valid = self.validate()
        return {name: (self[name].data or None) if valid else None for name in ("q", "topic", "department", "method")}


class ServiceSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search for a service"), validators=[Optional(), Length(max=100)],
                    render_kw={"type": "search", "autocomplete": "off"})


class CodeForm(FlaskForm):
    """Type or paste an enterprise code (what a scanner reads). GET: no CSRF token."""

    class Meta:
        csrf = False

    token = StringField(_l("Enterprise code"), validators=[DataRequired(message=_l("Enter the code."))],
                        render_kw={"autocomplete": "off", "spellcheck": "false"})
