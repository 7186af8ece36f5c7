"""The catalogue in DCAT (W3C Data Catalog Vocabulary, v3), as JSON-LD.

Frequencies, themes and file types use the EU Publications Office vocabularies (as DCAT-AP does);
media types are IANA's. Text is given in both languages, tagged. `url(kind, slug)` makes the
absolute addresses: the caller knows the site's address, this module does not.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from portal.opendata.catalogue import FORMATS, Entry
from portal.opendata.spec import FILE_TYPE_BASE, LICENCE, THEME_BASE

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "spdx": "http://spdx.org/rdf/terms#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
LANGUAGES = ("http://publications.europa.eu/resource/authority/language/ZHO",
             "http://publications.europa.eu/resource/authority/language/ENG")
ZH, EN = "zh-CN", "en"

Url = Callable[..., str]  # url(kind, slug=None) -> absolute address


def _text(zh: str | None, en: str | None) -> list[dict[str, str]]:
    return [{"@value": value, "@language": tag} for value, tag in ((zh, ZH), (en, EN)) if value]


def _when(value: datetime | date) -> dict[str, str]:
    kind = "xsd:dateTime" if isinstance(value, datetime) else "xsd:date"
    return {"@value": value.isoformat(), "@type": kind}


def _ref(uri: str) -> dict[str, str]:
    return {"@id": uri}


def publisher_node(publisher: dict[str, Any], url: Url) -> dict[str, Any]:
    return {
        "@id": url("catalog") + "#publisher",
        "@type": "foaf:Agent",
        "foaf:name": _text(publisher.get("name_zh"), publisher.get("name_en")),
    }


def contact_node(publisher: dict[str, Any]) -> dict[str, Any]:
    node: dict[str, Any] = {"@type": "vcard:Organization", "vcard:fn": _text(publisher.get("name_zh"),
                                                                              publisher.get("name_en"))}
    if publisher.get("phone"):
        node["vcard:hasTelephone"] = _ref("tel:" + publisher["phone"].replace(" ", ""))
    return node


def distribution_node(item: Entry, kind: str, url: Url) -> dict[str, Any]:
    s = item.snapshot
    size, checksum = (s.csv_size, s.csv_sha256) if kind == "csv" else (s.json_size, s.json_sha256)
    address = url(kind, item.slug)
    return {
        "@id": address,
        "@type": "dcat:Distribution",
        "dct:title": _text(f"{item.dataset.title_zh}（{kind.upper()}）", f"{item.dataset.title_en} ({kind.upper()})"),
        "dcat:accessURL": _ref(url("page", item.slug)),
        "dcat:downloadURL": _ref(address),
        "dcat:mediaType": _ref("https://www.iana.org/assignments/media-types/" + FORMATS[kind]),
        "dct:format": _ref(FILE_TYPE_BASE + kind.upper()),
        "dcat:byteSize": {"@value": str(size), "@type": "xsd:nonNegativeInteger"},
        "spdx:checksum": {
            "@type": "spdx:Checksum",
            "spdx:algorithm": _ref("http://spdx.org/rdf/terms#checksumAlgorithm_sha256"),
            "spdx:checksumValue": {"@value": checksum, "@type": "xsd:hexBinary"},
        },
        "dct:license": _ref(LICENCE["uri"]),
        "dct:issued": _when(s.issued),
        "dct:modified": _when(s.modified),
    }


def dataset_node(item: Entry, url: Url) -> dict[str, Any]:
    d, s = item.dataset, item.snapshot
    node: dict[str, Any] = {
        "@id": url("page", d.slug) + "#dataset",
        "@type": "dcat:Dataset",
        "dct:identifier": d.slug,
        "dct:title": _text(d.title_zh, d.title_en),
        "dct:description": _text(d.description("zh"), d.description("en")),
        "dcat:keyword": _text_list(d.keywords_zh, ZH) + _text_list(d.keywords_en, EN),
        "dcat:theme": [_ref(THEME_BASE + code) for code in d.themes],
        "dct:publisher": publisher_node(s.publisher, url),
        "dcat:contactPoint": contact_node(s.publisher),
        "dct:license": _ref(LICENCE["uri"]),
        "dct:accessRights": _ref("http://publications.europa.eu/resource/authority/access-right/PUBLIC"),
        "dct:accrualPeriodicity": _ref(d.frequency.uri),
        "dct:issued": _when(s.issued),
        "dct:modified": _when(s.modified),
        "dct:language": [_ref(uri) for uri in LANGUAGES],
        "dcat:landingPage": _ref(url("page", d.slug)),
        "dcat:distribution": [distribution_node(item, kind, url) for kind in FORMATS],
    }
    if s.temporal_start and s.temporal_end:
        node["dct:temporal"] = {
            "@type": "dct:PeriodOfTime",
            "dcat:startDate": _when(s.temporal_start),
            "dcat:endDate": _when(s.temporal_end),
        }
    return node


def _text_list(words: tuple[str, ...], tag: str) -> list[dict[str, str]]:
    return [{"@value": word, "@language": tag} for word in words]


def catalog(entries: list[Entry], url: Url, district: tuple[str, str]) -> dict[str, Any]:
    """The whole catalogue: a dcat:Catalog with every published dataset."""
    district_zh, district_en = district
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "@id": url("catalog"),
        "@type": "dcat:Catalog",
        "dct:title": _text(f"{district_zh}公共数据开放目录", f"{district_en} open data catalogue"),
        "dct:description": _text(
            f"{district_zh}政务服务门户开放的公共数据集，可自由下载和再利用，须注明来源。",
            f"Public datasets opened by the {district_en} service portal, free to download and reuse with "
            "attribution.",
        ),
        "dct:license": _ref(LICENCE["uri"]),
        "dct:language": [_ref(uri) for uri in LANGUAGES],
        "foaf:homepage": _ref(url("index")),
        "dcat:dataset": [dataset_node(item, url) for item in entries],
    }
    if entries:
        document["dct:publisher"] = publisher_node(entries[0].snapshot.publisher, url)
        document["dct:modified"] = _when(max(item.snapshot.modified for item in entries))
    return document


def dataset_document(item: Entry, url: Url) -> dict[str, Any]:
    """One dataset on its own (the catalogue lists the same node)."""
    return {"@context": CONTEXT, **dataset_node(item, url)}
