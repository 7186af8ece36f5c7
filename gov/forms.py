"""Forms of the collaboration desk: the queue's filters, one form per case action, the
administrators' calendar and announcement forms, the statistics period."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from portal.case_labels import KINDS, STATES
from portal.cases import CaseError
from portal.cases.access import REFERENCE_PATTERN
from portal.forms import PlausibleDate, SubmitOnceForm
from portal.models import CaseKind, CaseState

TEXT_MAX = 4000


def _required(message):
    return [DataRequired(message=message), Length(max=TEXT_MAX, message=_l("Use at most 4000 characters."))]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def choices(first: str | None, pairs) -> list[SelectChoice]:
    """Options from (value, label) pairs, after an empty first option when `first` is given."""
    options = [SelectChoice("", first)] if first is not None else []
    return options + [SelectChoice(str(value), str(label)) for value, label in pairs]


class ActionForm(FlaskForm):
    """A button that changes something: carries only the CSRF token."""


# --- the queue ---------------------------------------------------------------------------------

OPEN, ALL = "open", "all"


class QueueForm(FlaskForm):
    """The work queue's filters: a GET form that changes nothing, so it carries no CSRF token."""

    class Meta:
        csrf = False

    q = StringField(
        _l("Reference or words"),
        validators=[Optional(), Length(max=100, message=_l("Use at most 100 characters."))],
        filters=[_strip],
        render_kw={"type": "search", "autocomplete": "off"},
    )
    # Stripped: Optional() lets a blank value like " " through unchecked, and it must then mean "any".
    state = SelectField(_l("State"), default=OPEN, validators=[Optional()], filters=[_strip])
    kind = SelectField(_l("Kind"), default="", validators=[Optional()], filters=[_strip])
    category = SelectField(_l("Category"), default="", validators=[Optional()], filters=[_strip])
    department = SelectField(_l("Department"), default="", validators=[Optional()], filters=[_strip])
    overdue = BooleanField(_l("Overdue only"))
    mine = BooleanField(_l("Assigned to me"))
    extension = BooleanField(_l("Extension waiting for approval"))
    after = HiddenField()

    def with_choices(self, categories, departments=None) -> QueueForm:
        self.state.choices = choices(
            None, [(OPEN, _("All open cases")), (ALL, _("All cases"))] + [(s.value, STATES[s]) for s in CaseState]
        )
        self.kind.choices = choices(_("Any kind"), [(kind.value, KINDS[kind]) for kind in CaseKind])
        self.category.choices = choices(_("Any category"), categories)
        if departments is None:
            del self.department
        else:
            self.department.choices = choices(_("Any department"), departments)
        return self

    def criteria(self) -> dict:
        """What the form asks for, for `gov.services.queue`."""
        data = self.data
        return {
            "state": data.get("state") or OPEN,
            "kind": data.get("kind") or None,
            "category_id": _int(data.get("category")),
            "department_id": _int(data.get("department")),
            "overdue": bool(data.get("overdue")),
            "mine": bool(data.get("mine")),
            "extension": bool(data.get("extension")),
            "search": data.get("q") or None,
        }

    def query_args(self, **changes) -> dict:
        """The filters as URL arguments (for the next-page and first-page links)."""
        args = {
            name: value
            for name, value in {
                "q": self.q.data, "state": self.state.data, "kind": self.kind.data,
                "category": self.category.data,
                "department": self.department.data if "department" in self else None,
                "overdue": "y" if self.overdue.data else None, "mine": "y" if self.mine.data else None,
                "extension": "y" if self.extension.data else None,
            }.items()
            if value
        }
        args.update({k: v for k, v in changes.items() if v})
        return args


def _int(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


# --- case actions ------------------------------------------------------------------------------


class CaseActionForm(SubmitOnceForm):
    """A move on a case, a plain button or a form: its one-time token makes it happen once per click."""


class ReasonForm(CaseActionForm):
    reason = TextAreaField(_l("Reason"), validators=_required(_l("Give the reason.")), filters=[_strip])


class RequestInfoForm(CaseActionForm):
    reason = TextAreaField(
        _l("What the sender should send"), validators=_required(_l("Say what information is needed.")),
        filters=[_strip],
    )


class ReplyForm(CaseActionForm):
    notes = TextAreaField(
        _l("Your reply (the sender reads it)"), validators=_required(_l("Write the reply.")), filters=[_strip]
    )


class NoteForm(CaseActionForm):
    notes = TextAreaField(
        _l("Internal note (never shown to the sender)"), validators=_required(_l("Write the note.")),
        filters=[_strip],
    )


class DepartmentForm(CaseActionForm):
    department = SelectField(_l("Department"), validators=[InputRequired(message=_l("Choose a department."))])
    reason = TextAreaField(_l("Reason"), validators=_required(_l("Give the reason.")), filters=[_strip])


class InviteForm(CaseActionForm):
    department = SelectField(
        _l("Assisting department"), validators=[InputRequired(message=_l("Choose a department."))]
    )


class DisputeForm(CaseActionForm):
    reason = TextAreaField(
        _l("Why this is not your department's duty"), validators=_required(_l("Give the reason.")),
        filters=[_strip],
    )
    basis = TextAreaField(
        _l("Legal or policy basis"),
        validators=_required(_l("Name the rule that gives this duty to another department.")),
        filters=[_strip],
    )


class AssignForm(CaseActionForm):
    officer = SelectField(_l("Colleague"), validators=[InputRequired(message=_l("Choose a colleague."))])


class MergeForm(CaseActionForm):
    duplicate_of = StringField(
        _l("Reference of the original case"),
        validators=[DataRequired(message=_l("Enter the reference of the original case, like SJ-2026-000123."))],
        filters=[lambda v: v.strip().upper() if isinstance(v, str) else v],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )

    def validate_duplicate_of(self, field):
        if field.data and not REFERENCE_PATTERN.match(field.data):
            raise ValidationError(_("Enter a reference like SJ-2026-000123."))


class ExtensionForm(CaseActionForm):
    due = DateField(
        _l("New due date"),
        validators=[InputRequired(message=_l("Enter the new due date as a date, for example 2026-12-31.")),
                    PlausibleDate()],
    )
    reason = TextAreaField(_l("Why more time is needed"), validators=_required(_l("Give the reason.")),
                           filters=[_strip])


class ApproveExtensionForm(CaseActionForm):
    due = DateField(_l("Due date to approve (leave empty for the date asked for)"),
                    validators=[Optional(), PlausibleDate()])


# Each action's form; None means a plain button.
ACTION_FORMS: dict[str, type[CaseActionForm]] = {
    "accept": CaseActionForm,
    "start": CaseActionForm,
    "close": CaseActionForm,
    "withdraw_transfer": CaseActionForm,
    "accept_transfer": CaseActionForm,
    "request_info": RequestInfoForm,
    "reply": ReplyForm,
    "note": NoteForm,
    "transfer": DepartmentForm,
    "reassign": DepartmentForm,
    "invite": InviteForm,
    "dispute": DisputeForm,
    "bounce_transfer": ReasonForm,
    "send_back": ReasonForm,
    "reject": ReasonForm,
    "decline_extension": ReasonForm,
    "assign": AssignForm,
    "merge": MergeForm,
    "request_extension": ExtensionForm,
    "approve_extension": ApproveExtensionForm,
}

# Where a refusal from the state machine is shown: the field it is about, else the form's top.
ERROR_FIELDS = {
    "same_department": "department",
    "already_assisting": "department",
    "officer_not_in_department": "officer",
    "invalid_duplicate": "duplicate_of",
    "duplicate_not_found": "duplicate_of",
    "extension_pending": "due",
    "extension_too_late": "due",
    "extension_not_later": "due",
}


def action_form(action: str, *, departments=(), colleagues=(), formdata=None) -> CaseActionForm:
    """The form for one action, prefixed by the action so that many fit on one page."""
    form = ACTION_FORMS[action](formdata=formdata, prefix=action)
    if "department" in form:
        form.department.choices = choices(_("Choose…"), departments)
    if "officer" in form:
        form.officer.choices = choices(_("Choose…"), colleagues)
    return form


def show_case_error(form: CaseActionForm, error: CaseError, message: str) -> None:
    """Put a refusal next to the field it concerns (or at the top of the form)."""
    name = ERROR_FIELDS.get(error.code) or error.params.get("field")
    if name and name in form:
        form[name].errors = [*form[name].errors, message]
    else:
        form.form_errors.append(message)


# --- administrators ------------------------------------------------------------------------------

CALENDAR_LINE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:\s*(?:\.\.|–|—|~)\s*(\d{4}-\d{2}-\d{2}))?\s*(.*)$")


def parse_days(text: str | None) -> dict[date, str]:
    """Lines of "2027-01-01 New Year's Day" or "2027-02-06..2027-02-14 Spring Festival"."""
    days: dict[date, str] = {}
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = CALENDAR_LINE.match(line)
        try:
            first = date.fromisoformat(match.group(1)) if match else None
            last = date.fromisoformat(match.group(2)) if match and match.group(2) else first
        except ValueError:
            first = None
        if first is None or last < first or (last - first).days > 31:
            raise ValidationError(
                _("Line %(number)s is not a date or a range of dates: “%(line)s”.", number=number, line=line)
            )
        name = match.group(3).strip()[:64]
        for offset in range((last - first).days + 1):
            days[date.fromordinal(first.toordinal() + offset)] = name
    return days


class CalendarYearForm(FlaskForm):
    year = IntegerField(
        _l("Year"),
        validators=[
            InputRequired(message=_l("Enter the year, for example 2027.")),
            NumberRange(min=2000, max=2100, message=_l("Enter a year between 2000 and 2100.")),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    holidays = TextAreaField(
        _l("Public holidays"),
        validators=[Length(max=8000, message=_l("Use at most 8000 characters."))],
        render_kw={"rows": 10, "spellcheck": "false"},
    )
    workdays = TextAreaField(
        _l("Adjusted working days (weekend days worked)"),
        validators=[Length(max=4000, message=_l("Use at most 4000 characters."))],
        render_kw={"rows": 5, "spellcheck": "false"},
    )

    def validate_holidays(self, field):
        field.parsed = parse_days(field.data)

    def validate_workdays(self, field):
        field.parsed = parse_days(field.data)


class AnnouncementForm(SubmitOnceForm):
    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(message=_l("Enter a title.")),
            Length(max=200, message=_l("Use at most 200 characters.")),
        ],
        filters=[_strip],
    )
    body = TextAreaField(
        _l("Announcement"), validators=_required(_l("Write the announcement.")), filters=[_strip],
        render_kw={"rows": 6},
    )


class StatsForm(FlaskForm):
    """The statistics period: a GET form, no CSRF token."""

    class Meta:
        csrf = False

    start = DateField(_l("From"), validators=[Optional(), PlausibleDate()])
    end = DateField(_l("To"), validators=[Optional(), PlausibleDate()])

    def validate_end(self, field):
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError(_("The end of the period must not be before its start."))
        if field.data and self.start.data and (field.data - self.start.data).days > 3660:
            raise ValidationError(_("Choose a period of at most ten years."))
