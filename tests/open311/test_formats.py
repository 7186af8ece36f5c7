"""The two formats: the same document as JSON and as the spec's XML, escaped and well-formed."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET  # noqa: S405 - parsing our own output in a test
from datetime import UTC, date, datetime

from api.open311.formats import end_of_day, to_json, to_xml, w3c_datetime


def parse(body: bytes) -> ET.Element:
    return ET.fromstring(body)  # noqa: S314 - our own output


def test_xml_names_list_items_as_the_spec_does_and_writes_booleans_and_empty_values():
    body = to_xml("services", [{"service_code": "noise", "metadata": True, "group": None}])
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<services><service>')
    service = parse(body).find("service")
    assert service.findtext("service_code") == "noise"
    assert service.findtext("metadata") == "true"
    assert service.find("group") is not None and service.findtext("group") == ""


def test_nested_lists_take_their_item_names():
    root = parse(to_xml("discovery", {"endpoints": [{"formats": ["text/xml", "application/json"]}]}))
    assert [f.text for f in root.iter("format")] == ["text/xml", "application/json"]
    assert root.find("endpoints/endpoint/formats") is not None


def test_text_is_escaped_and_characters_xml_cannot_carry_are_dropped():
    nasty = "<b>&\"pothole\"</b>\x00\x07 ]]> 路灯 \U0001F6A7"
    body = to_xml("service_requests", [{"description": nasty}])
    assert b"<b>" not in body
    assert parse(body).findtext("request/description") == "<b>&\"pothole\"</b> ]]> 路灯 \U0001F6A7"


def test_json_is_utf8_without_escapes():
    body = to_json([{"service_name": "噪声扰民", "lat": 31.03, "status_notes": None}])
    assert "噪声扰民".encode() in body
    assert json.loads(body) == [{"service_name": "噪声扰民", "lat": 31.03, "status_notes": None}]


def test_datetimes_are_w3c_in_the_district_time_zone():
    assert w3c_datetime(datetime(2026, 3, 1, 2, 30, 15, 999, tzinfo=UTC)) == "2026-03-01T10:30:15+08:00"
    assert w3c_datetime(None) is None
    assert w3c_datetime(end_of_day(date(2026, 3, 2))) == "2026-03-02T23:59:59+08:00"
