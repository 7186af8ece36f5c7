"""The collaboration desk: the workbench, the work queue, case pages and their actions, messages."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from auth.access import requires_staff
from auth.session import current_account
from gov import bp, services
from gov.forms import ACTION_FORMS, ActionForm, QueueForm, show_case_error
from portal import case_pages
from portal.case_labels import action_label, error_message
from portal.cases import CaseError
from portal.extensions import db
from portal.i18n import current_language
from portal.models.base import utcnow
from portal.page_cache import shared_page
from portal.web import request_origin


@bp.get("/")
@requires_staff()
def index():
    bench = services.workbench(db.session, current_account(), utcnow(), current_language())
    return render_template("gov/index.html", bench=bench, form=ActionForm(formdata=None))


@bp.get("/cases")
@requires_staff()
@shared_page(vary=lambda: services.queue_version(db.session, current_account(), utcnow()))
def queue():
    account, locale = current_account(), current_language()
    form = QueueForm(request.args).with_choices(
        services.category_choices(db.session, locale),
        services.department_choices(db.session, locale) if account.is_admin else None,
    )
    criteria = form.criteria() if form.validate() else QueueForm(formdata=None).criteria()
    page = services.queue(db.session, account, criteria, form.after.data, utcnow())
    return render_template("gov/queue.html", form=form, page=page)


def _load(public_id: str):
    try:
        return services.load_case(db.session, current_account(), public_id)
    except services.CaseOutOfScope:
        abort(403)
    except services.CaseNotFound:
        abort(404)


def _case_page(case, posted=None):
    page = services.case_page(db.session, current_account(), case, utcnow(), request_origin(), current_language(),
                              posted)
    return render_template("gov/case.html", page=page)


@bp.get("/cases/<public_id>")
@requires_staff()
def case(public_id: str):
    return _case_page(_load(public_id))


@bp.post("/cases/<public_id>/<action>")
@requires_staff()
def act(public_id: str, action: str):
    account, case = current_account(), _load(public_id)
    if action not in ACTION_FORMS:
        abort(404)
    if action not in services.offered_actions(case, account):
        flash(_("“%(action)s” cannot be done on this case now. Its state may have changed.",
                action=action_label(action)), "error")
        return redirect(url_for("gov.case", public_id=public_id), 303)
    form = services.action_forms(db.session, case, [action], current_language(), formdata=request.form)[action]
    if form.validate_on_submit() and _perform(account, case, action, form):
        flash(_("Done: %(action)s.", action=action_label(action)), "success")
        visible = services.still_visible(db.session, account, case)
        return redirect(url_for("gov.case", public_id=public_id) if visible else url_for("gov.queue"), 303)
    return _case_page(case, posted=(action, form))


def _perform(account, case, action: str, form) -> bool:
    """Make the move; on a refusal put the reason on the form and return False."""
    try:
        services.act(db.session, account, case, action, form.data, utcnow())
    except CaseError as error:
        db.session.rollback()
        show_case_error(form, error, error_message(error))
    except services.FormProblem as problem:
        form[problem.field_name].errors = [*form[problem.field_name].errors, problem.message]
    except StaleDataError:  # a colleague changed the case between our reading and writing it
        db.session.rollback()
        form.form_errors.append(_("Someone else changed this case at the same time. Check it and try again."))
    else:
        return True
    return False


@bp.post("/announcements/<public_id>/read")
@requires_staff()
def read_announcement(public_id: str):
    if not ActionForm().validate_on_submit():
        abort(400)
    if not services.mark_announcement_read(db.session, current_account(), public_id, utcnow()):
        abort(404)
    flash(_("Marked as read."), "success")
    return redirect(url_for("gov.index") + "#announcements", 303)


@bp.get("/messages")
@requires_staff()
def messages():
    items = case_pages.inbox(db.session, current_account(), current_language())
    return render_template("gov/messages.html", items=items, form=ActionForm(formdata=None))


@bp.post("/messages/read")
@requires_staff()
def read_messages():
    if not ActionForm().validate_on_submit():
        abort(400)
    case_pages.mark_messages_read(db.session, current_account(), None, utcnow())
    flash(_("All messages marked as read."), "success")
    return redirect(url_for("gov.messages"), 303)

