"""What people read for the case domain's machine codes: states, actions, errors, notices.

`portal.cases` speaks only in codes; this module is the one place that turns them into text,
through Flask-Babel, so the catalogue holds every message once (English message ids).
"""

from __future__ import annotations

from datetime import date

from flask import current_app, has_app_context
from flask_babel import force_locale, format_date
from flask_babel import lazy_gettext as _l

from portal.cases.deadlines import Light
from portal.cases.errors import CaseError
from portal.config import Config
from portal.i18n_data import pick
from portal.models.case import CaseKind, CaseState, Priority, Rating, Visibility

STATES = {
    CaseState.SUBMITTED: _l("Waiting to be signed for"),
    CaseState.ACCEPTED: _l("Signed for"),
    CaseState.IN_PROGRESS: _l("In progress"),
    CaseState.RETURNED_FOR_INFO: _l("More information needed"),
    CaseState.TRANSFERRING: _l("Being transferred"),
    CaseState.DISPUTED: _l("Returned to the dispatcher"),
    CaseState.REPLIED: _l("Replied"),
    CaseState.CLOSED: _l("Closed"),
    CaseState.REJECTED: _l("Not accepted"),
    CaseState.MERGED: _l("Merged with another case"),
    CaseState.REOPENED: _l("Reopened for rectification"),
}

ACTIONS = {
    "submit": _l("Submitted"),
    "accept": _l("Sign for"),
    "start": _l("Start handling"),
    "request_info": _l("Ask for more information"),
    "resubmit": _l("Send the information asked for"),
    "transfer": _l("Transfer to another department"),
    "withdraw_transfer": _l("Withdraw the transfer"),
    "accept_transfer": _l("Accept the transfer"),
    "bounce_transfer": _l("Send the transfer back"),
    "dispute": _l("Not our duty: return to the dispatcher"),
    "reassign": _l("Reassign to another department"),
    "send_back": _l("Send back to the department"),
    "reject": _l("Do not accept"),
    "merge": _l("Merge as a duplicate"),
    "reply": _l("Reply to the sender"),
    "close": _l("Close"),
    "rate": _l("Rate"),
    "assign": _l("Assign to a colleague"),
    "invite": _l("Invite an assisting department"),
    "note": _l("Internal note"),
    "request_extension": _l("Ask for an extension"),
    "approve_extension": _l("Approve the extension"),
    "decline_extension": _l("Decline the extension"),
    "remind": _l("Reminder: due soon"),
    "supervise": _l("Supervision: overdue"),
    "recalculate": _l("Due dates recalculated"),
}

KINDS = {
    CaseKind.APPLICATION: _l("Application"),
    CaseKind.REQUEST: _l("Request"),
    CaseKind.APPEAL: _l("Enterprise appeal"),
}

PRIORITIES = {
    Priority.NORMAL: _l("Normal"),
    Priority.HIGH: _l("High"),
    Priority.URGENT: _l("Urgent"),
}

RATINGS = {
    Rating.VERY_SATISFIED: _l("Very satisfied"),
    Rating.SATISFIED: _l("Satisfied"),
    Rating.BASICALLY_SATISFIED: _l("Basically satisfied"),
    Rating.DISSATISFIED: _l("Dissatisfied"),
    Rating.VERY_DISSATISFIED: _l("Very dissatisfied"),
}

VISIBILITIES = {
    Visibility.INTERNAL: _l("Internal"),
    Visibility.PUBLIC: _l("Shown to the sender"),
}

LIGHTS = {
    Light.GREEN: _l("On time"),
    Light.AMBER: _l("Due soon"),
    Light.RED: _l("Due today"),
    Light.OVERDUE: _l("Overdue"),
}

FIELDS = {
    "reason": _l("reason"),
    "basis": _l("basis"),
    "notes": _l("text"),
    "department": _l("department"),
    "officer": _l("colleague"),
    "due": _l("new due date"),
    "rating": _l("rating"),
    "duplicate_of": _l("original case"),
    "title": _l("title"),
    "body": _l("description"),
}

ERRORS = {
    "unknown_action": _l("That action does not exist."),
    "not_permitted": _l("You may not do that with this case."),
    "not_allowed_in_state": _l("That cannot be done while the case is in this state."),
    "field_required": _l("Please give the %(field)s."),
    "field_too_long": _l("The %(field)s is too long (at most %(max)s characters)."),
    "nothing_to_resume": _l("This case has no earlier state to return to."),
    "same_department": _l("Choose a department other than the one that owns the case."),
    "already_assisting": _l("That department is already assisting."),
    "officer_not_in_department": _l("That colleague does not work in the department that owns the case."),
    "invalid_duplicate": _l("A case can only be merged into another case that is not itself merged."),
    "invalid_rating": _l("Choose one of the five ratings."),
    "already_rated": _l("This case has already been rated."),
    "extension_pending": _l("An extension is already waiting for approval."),
    "no_extension_pending": _l("No extension is waiting for approval."),
    "extension_too_late": _l("An extension must be asked for before the deadline (%(due)s)."),
    "extension_not_later": _l("The new due date must be after the current one (%(due)s)."),
    "own_extension_request": _l("An extension must be approved by a lead other than the one who asked for it."),
    "already_escalated": _l("This case has already been escalated for this deadline."),
    "invalid_kind": _l("Choose what kind of case this is."),
    "invalid_priority": _l("Choose a priority."),
    "category_inactive": _l("That category is no longer offered."),
    "category_kind_mismatch": _l("That category is not offered for this kind of case."),
    "enterprise_required": _l("An appeal must be made for an enterprise."),
    "invalid_location": _l("The location is not valid."),
    "attachment_empty": _l("The file is empty."),
    "invalid_cursor": _l("That page link is not valid. Please start from the first page."),
    "calendar_date_outside_year": _l("%(day)s is not in %(year)s."),
    "calendar_day_both_kinds": _l("%(day)s cannot be both a holiday and a working day."),
    "calendar_workday_not_weekend": _l("%(day)s is a weekday; adjusted working days fall on weekends."),
}

# Inbox and email texts, by notice key ("sender.accept") plus ".subject" / ".body".
NOTICES = {
    "sender.submit.subject": _l("We received your case %(reference)s"),
    "sender.submit.body": _l(
        "Your case “%(title)s” was received as %(reference)s and sent to %(department)s. "
        "It will be answered by %(reply_due)s."
    ),
    "sender.accept.subject": _l("Your case %(reference)s was signed for"),
    "sender.accept.body": _l("%(department)s has signed for your case “%(title)s”."),
    "sender.start.subject": _l("Your case %(reference)s is being handled"),
    "sender.start.body": _l("%(department)s has started handling your case “%(title)s”."),
    "sender.request_info.subject": _l("More information is needed for case %(reference)s"),
    "sender.request_info.body": _l(
        "%(department)s needs more information about your case “%(title)s”: %(reason)s"
    ),
    "sender.accept_transfer.subject": _l("Your case %(reference)s is now handled by %(department)s"),
    "sender.accept_transfer.body": _l("Your case “%(title)s” was transferred to %(department)s, which now handles it."),
    "sender.reassign.subject": _l("Your case %(reference)s is now handled by %(department)s"),
    "sender.reassign.body": _l("Your case “%(title)s” was passed to %(department)s, which now handles it."),
    "sender.reject.subject": _l("Your case %(reference)s was not accepted"),
    "sender.reject.body": _l("%(department)s did not accept your case “%(title)s”: %(reason)s"),
    "sender.merge.subject": _l("Your case %(reference)s was merged with %(duplicate_of)s"),
    "sender.merge.body": _l(
        "Your case “%(title)s” concerns the same matter as case %(duplicate_of)s. "
        "It will be handled there, and you can follow its progress."
    ),
    "sender.reply.subject": _l("Your case %(reference)s has a reply"),
    "sender.reply.body": _l("%(department)s has replied to your case “%(title)s”."),
    "sender.close.subject": _l("Your case %(reference)s is closed"),
    "sender.close.body": _l("Your case “%(title)s” is closed. Please tell us how satisfied you are."),
    "sender.approve_extension.subject": _l("Case %(reference)s: new due date %(due)s"),
    "sender.approve_extension.body": _l(
        "%(department)s needs more time for your case “%(title)s”. The new due date is %(due)s."
    ),
    "staff.resubmit.subject": _l("Case %(reference)s: the sender sent more information"),
    "staff.resubmit.body": _l("The sender of case %(reference)s “%(title)s” sent the information asked for."),
    "staff.transfer.subject": _l("Case %(reference)s is offered to your department"),
    "staff.transfer.body": _l(
        "Case %(reference)s “%(title)s” was transferred to your department: %(reason)s. Accept it or send it back."
    ),
    "staff.withdraw_transfer.subject": _l("Case %(reference)s: transfer withdrawn"),
    "staff.withdraw_transfer.body": _l(
        "The transfer of case %(reference)s “%(title)s” to your department was withdrawn."
    ),
    "staff.bounce_transfer.subject": _l("Case %(reference)s: transfer sent back"),
    "staff.bounce_transfer.body": _l("The transfer of case %(reference)s “%(title)s” was sent back: %(reason)s"),
    "staff.dispute.subject": _l("Case %(reference)s: a department says it is not its duty"),
    "staff.dispute.body": _l(
        "%(department)s returned case %(reference)s “%(title)s”: %(reason)s. Please decide who handles it."
    ),
    "staff.reassign.subject": _l("Case %(reference)s was assigned to your department"),
    "staff.reassign.body": _l("The dispatcher assigned case %(reference)s “%(title)s” to your department: %(reason)s"),
    "staff.send_back.subject": _l("Case %(reference)s was sent back to your department"),
    "staff.send_back.body": _l("The dispatcher decided your department handles case %(reference)s: %(reason)s"),
    "staff.invite.subject": _l("Your department is asked to assist on case %(reference)s"),
    "staff.invite.body": _l("%(department)s asks your department to help with case %(reference)s “%(title)s”."),
    "staff.assign.subject": _l("Case %(reference)s was assigned to you"),
    "staff.assign.body": _l("You are now handling case %(reference)s “%(title)s”."),
    "staff.request_extension.subject": _l("Case %(reference)s: extension asked for"),
    "staff.request_extension.body": _l(
        "An extension of case %(reference)s to %(due)s is waiting for your approval: %(reason)s"
    ),
    "staff.approve_extension.subject": _l("Case %(reference)s: extension approved"),
    "staff.approve_extension.body": _l("The extension of case %(reference)s was approved. It is now due %(due)s."),
    "staff.decline_extension.subject": _l("Case %(reference)s: extension declined"),
    "staff.decline_extension.body": _l("The extension of case %(reference)s was declined: %(reason)s"),
    "staff.reopened.subject": _l("Case %(reference)s was reopened after a dissatisfied rating"),
    "staff.reopened.body": _l(
        "The sender of case %(reference)s “%(title)s” rated it “%(rating)s”. "
        "Please rectify and call them back by %(due)s."
    ),
    "staff.remind.subject": _l("Reminder: case %(reference)s is due %(due)s"),
    "staff.remind.body": _l("Case %(reference)s “%(title)s” is due %(due)s."),
    "staff.supervise.subject": _l("Overdue: case %(reference)s was due %(due)s"),
    "staff.supervise.body": _l("Case %(reference)s “%(title)s” was due %(due)s and is now under supervision."),
    # Told to the account's owner, not about a case (auth.services).
    "account.second_factor_locked.subject": _l("Your sign-in codes are locked for 15 minutes"),
    "account.second_factor_locked.body": _l(
        "Five wrong codes were typed after your password, so no code is taken for 15 minutes. If that "
        "was not you, someone knows your password: reset it now, which also signs you out everywhere."
    ),
    "account.password_locked.subject": _l("Your account page is locked for 15 minutes"),
    "account.password_locked.body": _l(
        "Five wrong passwords were typed on your account page while you were signed in. If that was not "
        "you, sign out on every device and change your password."
    ),
    "account.password_changed.subject": _l("Your password was changed"),
    "account.password_changed.body": _l(
        "The password of your account was changed, and every device signed in with the old one was signed "
        "out. If that was not you, reset your password now and call the hotline %(hotline)s."
    ),
    "account.authenticator_on.subject": _l("An authenticator app was turned on for your account"),
    "account.authenticator_on.body": _l(
        "Signing in to your account now also asks for a code from an authenticator app, and recovery codes "
        "were made. If that was not you, someone who knows your password has put their phone on your "
        "account: call the hotline %(hotline)s."
    ),
    "account.authenticator_moved.subject": _l("Your sign-in codes moved to a new authenticator app"),
    "account.authenticator_moved.body": _l(
        "Codes from the authenticator app you used until now, and your old recovery codes, no longer work. "
        "If that was not you, someone knows your password: reset it now and call the hotline %(hotline)s to "
        "get your account back."
    ),
    "account.authenticator_off.subject": _l("The authenticator app was turned off for your account"),
    "account.authenticator_off.body": _l(
        "Signing in to your account now asks for the password alone, and your recovery codes no longer "
        "work. If that was not you, reset your password now, turn the app on again and call the hotline "
        "%(hotline)s."
    ),
    "account.recovery_codes_new.subject": _l("New recovery codes were made for your account"),
    "account.recovery_codes_new.body": _l(
        "Your old recovery codes no longer work. If that was not you, reset your password now and call "
        "the hotline %(hotline)s."
    ),
    "account.recovery_code_used.subject": _l("Your account was signed in to with a recovery code"),
    "account.recovery_code_used.body": _l(
        "Your account was signed in to with one of your recovery codes. You have %(left)s left; "
        "get new ones on your account page before they run out. If that was not you, reset your password "
        "now and call the hotline %(hotline)s."
    ),
    "account.last_recovery_code_used.subject": _l("Your last recovery code was used"),
    "account.last_recovery_code_used.body": _l(
        "Your account was signed in to with the last of your recovery codes. Get new ones on your account "
        "page now, or you cannot sign in if you lose your phone. If that was not you, reset your password "
        "now and call the hotline %(hotline)s."
    ),
}


def _label(mapping: dict, code) -> str:
    text = mapping.get(code)
    return str(text) if text is not None else str(code)


def state_label(state: CaseState | str) -> str:
    return _label(STATES, CaseState(state))


def action_label(action: str) -> str:
    return _label(ACTIONS, action)


def error_message(error: CaseError) -> str:
    """The sentence to show for a refused request, in the current language."""
    params = {key: _param_text(key, value) for key, value in error.params.items()}
    text = ERRORS.get(error.code)
    if text is None:
        return str(ERRORS["not_permitted"])
    return str(text) % _Params(params)


class _Params(dict):
    """Missing placeholders show as empty rather than failing a page or an email."""

    def __missing__(self, key: str) -> str:
        return ""


def _param_text(key: str, value) -> str:
    if key == "field":
        return _label(FIELDS, value)
    if key in ("due", "day", "previous_due", "reply_due") and isinstance(value, str):
        try:
            return format_date(date.fromisoformat(value))
        except ValueError:
            return value
    if key == "rating":
        try:
            return _label(RATINGS, Rating(value))
        except ValueError:
            return str(value)
    return str(value)


def notice_text(key: str, params: dict, locale: str) -> str:
    """One inbox/email text (a subject or body key) in the current request's language."""
    values = _Params({k: _param_text(k, v) for k, v in params.items()})
    values["department"] = pick(params.get("department_zh"), params.get("department_en"), locale)
    if "hotline" not in values:
        values["hotline"] = current_app.config["DISTRICT_HOTLINE"] if has_app_context() else Config.DISTRICT_HOTLINE
    text = NOTICES.get(key)
    return str(text) % values if text is not None else key


def render_notice(subject_key: str, body_key: str, params: dict, locale: str) -> tuple[str, str]:
    """Subject and body of a notice in `locale`: the renderer for `notifications.email_hook`."""
    with force_locale(locale):
        return notice_text(subject_key, params, locale), notice_text(body_key, params, locale)
