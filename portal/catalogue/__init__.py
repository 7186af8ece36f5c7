"""The service catalogue's domain: search, browsing, and online form definitions. No Flask."""

from portal.catalogue.forms import FormField, InvalidFormDefinition, Option, parse_form_definition
from portal.catalogue.indexing import document_for, pinyin_of, segment
from portal.catalogue.search import (
    SearchResult,
    departments_with_services,
    find_department,
    find_life_event,
    find_service,
    life_events,
    popular_services,
    search_services,
    services_for_department,
    services_for_life_event,
)

__all__ = [
    "FormField",
    "InvalidFormDefinition",
    "Option",
    "SearchResult",
    "departments_with_services",
    "document_for",
    "find_department",
    "find_life_event",
    "find_service",
    "life_events",
    "parse_form_definition",
    "pinyin_of",
    "popular_services",
    "search_services",
    "segment",
    "services_for_department",
    "services_for_life_event",
]
