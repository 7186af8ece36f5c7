"""The online application form, built per service from its definition (portal.catalogue.forms).

Labels come from the definition in the reader's language; the fixed words (choose, required,
refusals of files) are translatable here. A file field already kept in a draft is not required
again: `kept` names them, and the page says which files were kept.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import DateField, DecimalField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import NumberInput

from portal.catalogue import FormField
from portal.forms import PlausibleDate, SubmitOnceForm
from portal.i18n_data import pick

ACCEPT = "application/pdf,image/jpeg,image/png,image/webp,.pdf,.jpg,.jpeg,.png,.webp"

UPLOAD_ERRORS = {
    "empty": _l("The file is empty. Choose the file again."),
    "too_large": _l("The file is larger than 5 MB. Send a smaller scan or photo."),
    "total_too_large": _l("All the files together are larger than 15 MB. Send smaller scans or photos."),
    "type_not_allowed": _l("Send a PDF, JPEG, PNG or WebP file. This file is none of these, whatever its name says."),
    "active_content": _l("This file contains web page code or scripts, so it cannot be accepted. "
                         "Send a plain scan or photo."),
    "file_required": _l("Choose a file to send."),
    "too_many_drafts": _l("You have 20 drafts already. Send or delete one before saving another."),
}


class ApplicationForm(SubmitOnceForm):
    """The base of every service's form; `build_form` adds the service's fields."""

    kept: frozenset[str] = frozenset()

    def file_fields(self):
        return [f for f in self if isinstance(f, FileField)]

    def typed_values(self) -> dict[str, str]:
        """What was typed, as text, for a draft or the case (dates as ISO dates)."""
        values = {}
        for field in self:
            if isinstance(field, FileField) or field.name in ("csrf_token", "form_token"):
                continue
            values[field.name] = (field.raw_data[0] if field.raw_data else "") or ""
        return values


def _file_required(form, field):
    has_upload = bool(getattr(field.data, "filename", None))
    if not has_upload and field.name not in form.kept:
        raise ValidationError(UPLOAD_ERRORS["file_required"])


def _field(spec: FormField, locale: str):
    label = pick(spec.label_zh, spec.label_en, locale)
    hint = pick(spec.hint_zh, spec.hint_en, locale) if (spec.hint_zh or spec.hint_en) else ""
    required = _l("Answer this question: %(label)s.", label=label)
    options = {"description": hint}
    if spec.type == "text":
        checks = [DataRequired(message=required)] if spec.required else [Optional()]
        return StringField(label, validators=[*checks, Length(max=200, message=_l("Use at most 200 characters."))],
                           filters=[_strip], **options)
    if spec.type == "textarea":
        checks = [DataRequired(message=required)] if spec.required else [Optional()]
        return TextAreaField(label, validators=[*checks, Length(max=2000, message=_l("Use at most 2000 characters."))],
                             filters=[_strip], **options)
    if spec.type == "date":
        checks = [InputRequired(message=required)] if spec.required else [Optional()]
        return DateField(label, validators=[*checks, PlausibleDate()], render_kw={"type": "date"},
                         description=hint or _l("For example 2026-05-01"))
    if spec.type == "number":
        checks = [InputRequired(message=required)] if spec.required else [Optional()]
        return DecimalField(label, validators=checks, places=None, widget=NumberInput(step="any"), **options)
    if spec.type == "select":
        choices = [SelectChoice("", _l("Choose…"))] + [
            SelectChoice(o.value, pick(o.label_zh, o.label_en, locale)) for o in spec.options
        ]
        checks = [DataRequired(message=required)] if spec.required else [Optional()]
        return SelectField(label, choices=choices, validators=checks, validate_choice=True, **options)
    # file: checked by content in portal.uploads; here only whether one is there when needed
    checks = [_file_required] if spec.required else []
    return FileField(label, validators=checks, render_kw={"accept": ACCEPT},
                     description=hint or _l("A PDF, JPEG, PNG or WebP file of at most 5 MB."))


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def build_form(fields: list[FormField], locale: str, *, formdata=None, kept: frozenset[str] = frozenset(),
               use_request: bool = True) -> ApplicationForm:
    """A form for these fields. `formdata`: a draft's values (with use_request False) or the request."""
    attrs = {spec.name: _field(spec, locale) for spec in fields}
    form_class = type("ServiceApplicationForm", (ApplicationForm,), attrs)
    form = form_class(formdata=formdata) if not use_request else form_class()
    form.kept = frozenset(kept)
    # What was typed stays in raw_data and is shown back; the reason is worded in our catalogue.
    for field in form:
        if field.process_errors and isinstance(field, DecimalField):
            field.process_errors = [_l("Enter a number, like 3 or 2.5.")]
        elif field.process_errors and isinstance(field, DateField):
            field.process_errors = [_l("Enter a date as year-month-day, like 2026-05-01.")]
    return form
