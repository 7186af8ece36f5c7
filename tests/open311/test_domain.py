"""Reading what a client sends, and the status mapping: plain functions, no request needed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from werkzeug.datastructures import MultiDict

from api.open311.service_requests import (
    CLOSED,
    OPEN,
    Open311Error,
    case_text,
    parse_new_request,
    parse_query,
    status_of,
    title_of,
)
from portal.models import CaseState

NOW = datetime(2026, 6, 15, 4, 0, tzinfo=UTC)


def codes(error: Open311Error) -> list[str]:
    return [problem.code for problem in error.problems]


@pytest.mark.parametrize("state", list(CaseState))
def test_every_case_state_maps_to_open_or_closed(state):
    finished = {CaseState.CLOSED, CaseState.REJECTED, CaseState.MERGED}
    assert status_of(state) == (CLOSED if state in finished else OPEN)


def test_a_form_with_everything_wrong_reports_every_problem_at_once():
    form = MultiDict({
        "lat": "91", "long": "121", "email": "not-an-address", "phone": "call me",
        "media_url": "javascript:alert(1)", "attribute[COLOUR]": "red", "attribute[PUBLIC]": "maybe",
        "first_name": "x" * 51,
    })
    with pytest.raises(Open311Error) as raised:
        parse_new_request(form)
    assert raised.value.status == 400
    assert codes(raised.value) == [
        "service_code_missing", "too_long", "description_missing", "coordinates_invalid", "email_invalid",
        "phone_invalid", "media_url_invalid", "attribute_unknown", "attribute_value",
    ]


def test_a_location_is_required_in_one_of_the_spec_forms():
    base = {"service_code": "roads", "description": "Pothole"}
    with pytest.raises(Open311Error) as raised:
        parse_new_request(MultiDict(base))
    assert codes(raised.value) == ["location_missing"]
    assert parse_new_request(MultiDict({**base, "address_id": "A-17"})).address_id == "A-17"
    assert parse_new_request(MultiDict({**base, "address_string": "Wencheng Rd 558"})).address_string
    with pytest.raises(Open311Error):
        parse_new_request(MultiDict({**base, "lat": "31.03"}))  # half a coordinate
    with pytest.raises(Open311Error):
        parse_new_request(MultiDict({**base, "lat": "nan", "long": "121.2"}))


def test_the_public_attribute_defaults_to_private():
    base = {"service_code": "roads", "description": "Pothole", "lat": "31", "long": "121"}
    assert parse_new_request(MultiDict(base)).public is False
    assert parse_new_request(MultiDict({**base, "attribute[PUBLIC]": "yes"})).public is True
    assert parse_new_request(MultiDict({**base, "attribute[PUBLIC]": "no"})).public is False


def test_the_case_title_is_the_first_line_and_the_department_reads_the_contact():
    data = parse_new_request(MultiDict({
        "service_code": "roads", "description": "\n  Deep   pothole outside number 12\nIt has been there a week",
        "lat": "31", "long": "121", "first_name": "Ming", "last_name": "Li", "phone": "+86 138 0000 0001",
    }))
    assert title_of(data.description) == "Deep pothole outside number 12"
    assert len(title_of("长" * 200)) == 60
    text = case_text(data)
    assert text.startswith(data.description)
    assert "Li Ming" in text and "+86 138 0000 0001" in text


def test_the_query_window_defaults_to_the_last_90_days():
    query = parse_query(MultiDict(), NOW)
    assert (query.start, query.end) == (NOW - timedelta(days=90), NOW)
    query = parse_query(MultiDict({"start_date": "2026-01-01T00:00:00+08:00"}), NOW)
    assert query.end - query.start == timedelta(days=90)
    query = parse_query(MultiDict({"end_date": "2026-05-01T00:00:00Z"}), NOW)
    assert query.end == datetime(2026, 5, 1, tzinfo=UTC) and query.end - query.start == timedelta(days=90)


def test_an_offset_sent_without_url_encoding_still_reads():
    query = parse_query(MultiDict({"start_date": "2026-06-01T00:00:00 08:00"}), NOW)  # "+" arrived as " "
    assert query.start == datetime(2026, 5, 31, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize(("args", "code"), [
    ({"start_date": "2026-01-01"}, "datetime_invalid"),  # no time zone
    ({"start_date": "yesterday"}, "datetime_invalid"),
    ({"start_date": "9999-12-31T23:59:59Z"}, "datetime_out_of_range"),  # its 90-day window overflows
    ({"end_date": "0001-01-01T00:00:00+14:00"}, "datetime_out_of_range"),
    ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, "range_too_long"),
    ({"start_date": "2026-06-01T00:00:00Z", "end_date": "2026-05-01T00:00:00Z"}, "range_reversed"),
    ({"status": "open,pending"}, "status_invalid"),
    ({"service_request_id": ",".join(f"SJ-2026-{n:06d}" for n in range(1001))}, "too_many_ids"),
])
def test_bad_filters_are_refused(args, code):
    with pytest.raises(Open311Error) as raised:
        parse_query(MultiDict(args), NOW)
    assert codes(raised.value) == [code]
    assert raised.value.status == 400


def test_service_request_ids_override_the_other_filters():
    query = parse_query(MultiDict({"service_request_id": "SJ-2026-000001, SJ-2026-000002", "status": "bogus"}), NOW)
    assert query.references == ["SJ-2026-000001", "SJ-2026-000002"]
    assert query.start is None and query.statuses is None
