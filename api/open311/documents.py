"""The spec's documents (field names and order as GeoReport v2 shows them), in the current language.

Each function returns plain dicts and lists for `api.open311.formats`; the words come through
Flask-Babel, so a view runs them under the locale the client asked for.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from api.open311.formats import MEDIA_TYPES, end_of_day, w3c_datetime
from api.open311.service_requests import (
    NO,
    PUBLIC_ATTRIBUTE,
    YES,
    Problem,
    Shown,
    expected_on,
)
from portal.case_labels import error_message
from portal.models import Case, CaseCategory, Open311Request

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this interface last changed in a way a client would notice (discovery's changeset).
CHANGESET = datetime(2026, 11, 25, tzinfo=UTC)

PROBLEMS = {
    "api_key_invalid": _l("The api_key is missing, unknown or revoked. Ask the district for a key."),
    "service_code_missing": _l("service_code is required."),
    "service_code_unknown": _l("Service code %(code)s was not found."),
    "location_missing": _l("Give the location: lat and long, address_string or address_id."),
    "coordinates_invalid": _l("lat and long must both be decimal degrees: lat from -90 to 90, long from -180 to 180."),
    "description_missing": _l("description is required: say what the problem is."),
    "too_long": _l("%(field)s may be at most %(max)s characters long."),
    "email_invalid": _l("email is not an email address."),
    "phone_invalid": _l("phone is not a telephone number."),
    "media_url_invalid": _l("media_url must be an http or https address."),
    "attribute_unknown": _l("This service has no attribute %(code)s."),
    "attribute_value": _l("attribute[%(code)s] must be one of: %(values)s."),
    "datetime_invalid": _l("%(field)s must be a W3C date and time with its time zone, like 2026-03-01T08:00:00+08:00."),
    "datetime_out_of_range": _l("%(field)s must fall between %(earliest)s and %(latest)s."),
    "range_reversed": _l("start_date must be earlier than end_date."),
    "range_too_long": _l("start_date and end_date may be at most %(days)s days apart."),
    "status_invalid": _l("status must be open or closed (or both, separated by a comma)."),
    "too_many_ids": _l("Ask for at most %(max)s service_request_id values at once."),
    "request_not_found": _l("Service request %(id)s was not found."),
    "token_not_found": _l("Token %(token)s was not found."),
    "format_unknown": _l("Ask for .json or .xml."),
    "not_found": _l("There is no such resource. See discovery.json for what this interface offers."),
    "method_not_allowed": _l("This method is not allowed here."),
    "too_many_requests": _l("Too many requests. Wait a minute and try again."),
    "server_error": _l("Something went wrong on our side. Try again later."),
    "bad_request": _l("The request could not be understood."),
}


class _Params(dict):
    def __missing__(self, key: str) -> str:
        return ""


def problem_text(problem: Problem) -> str:
    if problem.code == "case_refused":
        return error_message(problem.params["error"])
    return str(PROBLEMS.get(problem.code, PROBLEMS["bad_request"])) % _Params(problem.params)


def errors(problems: list[Problem]) -> list[dict]:
    return [{"code": problem.status, "description": problem_text(problem)} for problem in problems]


# --- discovery and services --------------------------------------------------------------------


def discovery(endpoint_url: str, *, production: bool, hotline: str) -> dict:
    changeset = w3c_datetime(CHANGESET)
    return {
        "changeset": changeset,
        "contact": _("Questions about this interface: call the district service hotline %(hotline)s.",
                     hotline=hotline),
        "key_service": _("API keys are issued to department systems registered with the portal by its "
                         "administrators at the District Administrative Service Centre."),
        "endpoints": [{
            "specification": SPECIFICATION,
            "url": endpoint_url,
            "changeset": changeset,
            "type": "production" if production else "test",
            "formats": list(MEDIA_TYPES),
        }],
    }


def service(category: CaseCategory, locale: str) -> dict:
    agency = category.department.name_in(locale)
    return {
        "service_code": category.code,
        "service_name": category.name_in(locale),
        "description": ngettext(
            "Handled by %(agency)s, with an answer within %(num)d working day.",
            "Handled by %(agency)s, with an answer within %(num)d working days.",
            category.reply_days, agency=agency,
        ),
        "metadata": True,  # every service has the PUBLIC attribute
        "type": "realtime",
        "keywords": ", ".join(dict.fromkeys([category.name_zh, category.name_en, category.code])),
        "group": agency,
    }


def service_definition(category: CaseCategory) -> dict:
    return {
        "service_code": category.code,
        "attributes": [{
            "variable": True,
            "code": PUBLIC_ATTRIBUTE,
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": _(
                "Answer yes to let anyone read the description, place and photo of this request and the "
                "department's answers. Otherwise only its service, status, department and dates are public."
            ),
            "order": 1,
            "description": _("May the public see what was reported, where, and the answers?"),
            "values": [
                {"key": NO, "name": _("No, keep them private (the default)")},
                {"key": YES, "name": _("Yes, publish them")},
            ],
        }],
    }


# --- service requests --------------------------------------------------------------------------


def service_notice(case: Case, locale: str) -> str | None:
    due = expected_on(case)
    if due is None:
        return None
    return _("%(agency)s handles this request; an answer is due by %(date)s.",
             agency=case.department.name_in(locale), date=format_date(due, "long"))


def _status_notes(row: Shown) -> str | None:
    event = row.notes
    if event is None:
        return None
    if event.action == "merge":
        original = row.case.duplicate_of
        return _("The same problem was reported already: follow request %(reference)s.",
                 reference=original.reference if original is not None else "")
    return event.notes if event.action == "reply" else event.reason


def service_request(row: Shown, locale: str) -> dict:
    """One request as GET requests shows it: the requester's words, place and photo, and the
    department's answer only when `row.full`."""
    case, record, full = row.case, row.record, row.full
    return {
        "service_request_id": case.reference,
        "status": row.status,
        "status_notes": _status_notes(row) if full else None,
        "service_name": case.category.name_in(locale),
        "service_code": case.category.code,
        "description": record.description if full else None,
        "agency_responsible": case.department.name_in(locale),
        "service_notice": service_notice(case, locale),
        "requested_datetime": w3c_datetime(case.submitted_at),
        "updated_datetime": w3c_datetime(case.updated_at),
        "expected_datetime": w3c_datetime(end_of_day(expected_on(case))),
        "address": case.location_text if full else None,
        "address_id": record.address_id if full else None,
        "zipcode": None,
        "lat": case.latitude if full else None,
        "long": case.longitude if full else None,
        "media_url": record.media_url if full else None,
    }


def created(case: Case, record: Open311Request, locale: str) -> dict:
    """The answer to POST requests: ours are filed at once, so both the id and the token."""
    return {
        "service_request_id": case.reference,
        "token": record.token,
        "service_notice": service_notice(case, locale),
        "account_id": record.account_ref,
    }


def token(record: Open311Request) -> dict:
    return {"service_request_id": record.case.reference, "token": record.token}
