"""The two output formats of GeoReport v2: JSON and XML, from the same plain documents.

A document is what the spec shows: a list of objects (service requests, services, errors) or one
object (discovery, a service definition). JSON writes it as is. XML wraps it in the spec's root
element, names each list item as the spec does (`<service_requests><request>…`), writes booleans
as true/false and empty values as empty elements. XML is built with the standard library's
ElementTree, which escapes text; characters XML 1.0 cannot carry at all are dropped. Nothing here
parses XML: every request the interface accepts is a query string or a form.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET  # noqa: S405 - used to write XML, never to parse it
from datetime import UTC, date, datetime

from portal.cases.deadlines import DISTRICT_TZ

FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# What discovery lists: the media types of the formats.
MEDIA_TYPES = ["text/xml", "application/json"]

# The element of each item of a list, by the list's element name.
ITEM_NAMES = {
    "service_requests": "request",
    "services": "service",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
# Characters XML 1.0 forbids even escaped: most C0 controls, surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def w3c_datetime(moment: datetime | None) -> str | None:
    """A W3C (ISO 8601) date and time in the district's time zone, to the second."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(DISTRICT_TZ).replace(microsecond=0).isoformat()


def end_of_day(day: date | None) -> datetime | None:
    """The last second of a due date in the district: an answer is due by then."""
    if day is None:
        return None
    return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=DISTRICT_TZ).astimezone(UTC)


def to_json(document) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _fill(element: ET.Element, value) -> None:
    if isinstance(value, dict):
        for name, child in value.items():
            _fill(ET.SubElement(element, name), child)
    elif isinstance(value, list):
        item = ITEM_NAMES[element.tag]
        for child in value:
            _fill(ET.SubElement(element, item), child)
    else:
        element.text = _text(value)


def to_xml(root: str, document) -> bytes:
    """The document under the spec's root element, e.g. to_xml("services", [...])."""
    element = ET.Element(root)
    _fill(element, document)
    return (XML_DECLARATION + ET.tostring(element, encoding="unicode")).encode()


def render(fmt: str, root: str, document) -> bytes:
    return to_xml(root, document) if fmt == "xml" else to_json(document)
