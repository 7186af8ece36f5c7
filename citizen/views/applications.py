"""Online applications (一网通办): the form of a service, drafts to come back to, submission as a
case, and the files sent with it. Following the case, answering 补正 and rating are on the case
pages (citizen/views/cases.py). A family member acting for an elder files in her name."""

from __future__ import annotations

from functools import wraps

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from auth.access import requires_signin
from auth.session import acting_for, current_account
from citizen import bp
from citizen.application_forms import UPLOAD_ERRORS, build_form
from citizen.forms import ActionForm
from portal import applications, case_pages
from portal.applications import ApplicationInvalid, Upload
from portal.case_labels import error_message
from portal.cases import CaseError
from portal.catalogue import parse_form_definition
from portal.downloads import send_attachment, upload_store
from portal.extensions import db
from portal.i18n import current_language
from portal.models import CaseKind
from portal.uploads import MAX_FILE_BYTES
from portal.web import request_origin


def _people():
    actor = current_account()
    return actor, acting_for() or actor


def _refuse_without_delegation(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except (applications.NotAllowed, case_pages.NotAllowed):
            abort(403)

    return wrapper


@bp.get("/applications")
@requires_signin
@_refuse_without_delegation
def my_applications():
    actor, subject = _people()
    rows = case_pages.sender_cases(db.session, actor, subject, kinds=(CaseKind.APPLICATION,))
    drafts = applications.drafts_of(db.session, actor, subject)
    return render_template("citizen/applications/list.html", rows=rows, drafts=drafts, subject=subject)


@bp.route("/services/<code>/apply", methods=["GET", "POST"])
@requires_signin
@_refuse_without_delegation
def apply(code: str):
    service = applications.online_service(db.session, code) or abort(404)
    actor, subject = _people()
    applications.check_acting(db.session, actor, subject)
    return _application_page(service, None)


@bp.route("/applications/drafts/<public_id>", methods=["GET", "POST"])
@requires_signin
@_refuse_without_delegation
def draft(public_id: str):
    actor, subject = _people()
    found = applications.find_draft(db.session, actor, subject, public_id) or abort(404)
    return _application_page(found.service, found)


@bp.post("/applications/drafts/<public_id>/delete")
@requires_signin
@_refuse_without_delegation
def delete_draft(public_id: str):
    actor, subject = _people()
    found = applications.find_draft(db.session, actor, subject, public_id) or abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    applications.discard_draft(db.session, upload_store(), actor, subject, found)
    flash(_("The draft was deleted."), "success")
    return redirect(url_for("citizen.my_applications"), 303)


def _application_page(service, found):
    """The form: shown, saved as a draft, or sent. Thin: parsing and the one service call each."""
    fields = parse_form_definition(service.form_definition)
    kept = applications.kept_files(found)
    if request.method == "GET" and found is not None:
        form = build_form(fields, current_language(), formdata=MultiDict(found.values), kept=frozenset(kept),
                          use_request=False)
    else:
        form = build_form(fields, current_language(), kept=frozenset(kept))
    if request.method == "POST":
        saving = request.form.get("action") == "save"
        # Saving checks no answers, but its one-time token too: a draft is saved once per click.
        valid = (ActionForm().validate_on_submit() and form.form_token.validate(form)) if saving \
            else form.validate_on_submit()
        if valid:
            done = _save(service, fields, form, found) if saving else _submit(service, fields, form, found)
            if done is not None:
                return done
    return render_template("citizen/applications/form.html", service=service, form=form, draft=found, kept=kept,
                           subject=_people()[1], delete_form=ActionForm(formdata=None))


def _uploads(form) -> dict[str, Upload]:
    return {
        field.name: Upload(field.data.filename, field.data.read(MAX_FILE_BYTES + 1))
        for field in form.file_fields()
        if getattr(field.data, "filename", None)
    }


def _show_refusal(form, invalid: ApplicationInvalid) -> None:
    for name, code in invalid.errors.items():
        target = form._fields.get(name)
        if target is not None:
            target.errors = [*target.errors, UPLOAD_ERRORS[code]]
        else:
            form.form_errors.append(UPLOAD_ERRORS[code])


def _save(service, fields, form, found):
    actor, subject = _people()
    try:
        saved = applications.save_draft(db.session, upload_store(), actor, subject, service, fields,
                                        form.typed_values(), _uploads(form), found)
    except ApplicationInvalid as invalid:
        _show_refusal(form, invalid)
        return None
    flash(_("Your draft was saved. You can come back to it from “My applications”."), "success")
    return redirect(url_for("citizen.draft", public_id=saved.public_id), 303)


def _submit(service, fields, form, found):
    actor, subject = _people()
    try:
        case = applications.submit(db.session, upload_store(), actor, subject, service, fields,
                                   form.typed_values(), _uploads(form), found, request_origin())
    except ApplicationInvalid as invalid:
        _show_refusal(form, invalid)
        return None
    except CaseError as error:
        form.form_errors.append(error_message(error))
        return None
    flash(_("Your application was received as %(reference)s.", reference=case.reference), "success")
    return redirect(url_for("citizen.application", public_id=case.public_id), 303)


@bp.get("/applications/<public_id>")
@requires_signin
@_refuse_without_delegation
def application(public_id: str):
    actor, subject = _people()
    case = applications.sender_case(db.session, actor, subject, public_id) or abort(404)
    return render_template("citizen/applications/application.html", case=case, answers=case.body.splitlines())


@bp.get("/applications/<public_id>/files/<int:attachment_id>")
@requires_signin
@_refuse_without_delegation
def application_file(public_id: str, attachment_id: int):
    actor, subject = _people()
    attachment = applications.sender_attachment(db.session, actor, subject, public_id, attachment_id)
    return send_attachment(attachment or abort(404))
