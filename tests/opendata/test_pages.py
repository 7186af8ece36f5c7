"""The catalogue as a visitor, a spreadsheet user and a harvester see it at /data."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import warnings

import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF
from sqlalchemy import event

from portal.extensions import db
from portal.opendata import DATASETS, LICENCE, find
from portal.opendata.publishing import published_rows
from tests.opendata.conftest import AFTER_MARCH, snapshot
from tests.portal.test_i18n import CJK, visible_text

SPDX = Namespace("http://spdx.org/rdf/terms#")
FREQUENCIES = "http://publications.europa.eu/resource/authority/frequency/"


def test_the_footer_of_every_page_links_to_open_data(client):
    assert 'href="/data"' in client.get("/").get_data(as_text=True)


def test_the_list_shows_each_dataset_with_its_frequency_update_and_formats(client, published):
    response = client.get("/data")
    assert response.status_code == 200  # no sign-in
    html = response.get_data(as_text=True)
    for dataset in DATASETS:
        assert dataset.title_en in html
        assert f'href="/data/{dataset.slug}.csv"' in html and f'href="/data/{dataset.slug}.json"' in html
    assert "Monthly" in html and "Weekly" in html
    assert "Last changed" in html and "Apr 2, 2024" in html
    assert f'href="{LICENCE["uri"]}"' in html
    assert '<link rel="alternate" type="application/ld+json" href="/data/catalog.jsonld">' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("satisfaction", ["satisfaction-by-department"]),
        ("满意度", ["satisfaction-by-department"]),
        ("POLICIES business", ["enterprise-policies"]),
        ("zzzz", []),
    ],
)
def test_search_finds_datasets_by_words_in_either_language(client, published, query, expected):
    html = client.get("/data", query_string={"q": query}).get_data(as_text=True)
    listed = re.findall(r'<h3><a href="/data/([a-z-]+)">', html)
    assert listed == expected
    if not expected:
        assert "Nothing found" in html


def test_an_empty_catalogue_says_so(client, small_district):
    html = client.get("/data").get_data(as_text=True)
    assert "No datasets have been published yet" in html


def test_a_dataset_page_shows_metadata_fields_preview_and_downloads(client, published):
    dataset = find("cases-by-department")
    html = client.get(f"/data/{dataset.slug}").get_data(as_text=True)
    assert f"<h1>{dataset.title_en}</h1>" in html
    assert f'<link rel="alternate" type="application/ld+json" href="/data/{dataset.slug}.jsonld">' in html
    for href in (f"/data/{dataset.slug}.csv", f"/data/{dataset.slug}.json", f"/data/{dataset.slug}.jsonld"):
        assert f'href="{href}"' in html
    for label in ("District Data Bureau", "Creative Commons Attribution 4.0", "Monthly", "Time covered",
                  "March 1, 2024 to April 2, 2024", "Figures withheld to protect privacy"):
        assert label in html, label
    # Two tables, each with a caption and column headers; every declared field described.
    assert html.count("<caption id=") == 2 and html.count('<th scope="col">') >= 3 + len(dataset.fields)
    for field in dataset.fields:
        assert f"<code>{field.name}</code>" in html and field.en in html
    assert "The first 8 rows of 8" in html
    assert re.search(r'<td class="num"><span class="meta">withheld</span></td>', html)


def test_unknown_and_unpublished_datasets_are_not_found(client, small_district):
    assert client.get("/data/no-such-dataset").status_code == 404
    assert client.get("/data/departments").status_code == 404  # declared, but never refreshed
    assert client.get("/data/departments.csv").status_code == 404


def test_the_csv_opens_in_a_spreadsheet_and_has_the_declared_fields(client, published):
    dataset = find("cases-by-department")
    response = client.get(f"/data/{dataset.slug}.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{dataset.slug}.csv"'
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel needs for Chinese
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert list(rows[0]) == dataset.field_names
    fgw = next(r for r in rows if r["department_code"] == "fgw" and r["month"] == "2024-03")
    assert (fgw["received"], fgw["closed"], fgw["on_time_percent"], fgw["department_zh"]) == (
        "8", "6", "100.0", "区发展和改革委员会")
    yljd = next(r for r in rows if r["department_code"] == "yljd" and r["month"] == "2024-03")
    assert yljd["on_time_percent"] == "" and yljd["withheld"] == "on_time_percent"


def test_the_json_has_the_declared_fields_and_the_rows_as_built(app, client, published):
    for dataset in DATASETS:
        response = client.get(f"/data/{dataset.slug}.json")
        assert response.mimetype == "application/json"
        document = json.loads(response.get_data())
        assert [f["name"] for f in document["fields"]] == dataset.field_names
        assert all(f["zh"] and f["en"] and f["type"] for f in document["fields"])
        assert document["license"] == LICENCE["uri"]
        with app.app_context():
            assert document["rows"] == published_rows(dataset, dataset.build(db.session, AFTER_MARCH).rows)
        assert all(list(row) == dataset.field_names for row in document["rows"])


def test_downloads_and_pages_answer_304_when_unchanged(client, published):
    for url in ("/data/departments.csv", "/data/departments.json", "/data/departments.jsonld", "/data/catalog.jsonld"):
        first = client.get(url)
        assert first.status_code == 200 and first.headers["ETag"]
        assert "public" in first.headers["Cache-Control"] and first.headers["Last-Modified"]
        assert first.headers["Access-Control-Allow-Origin"] == "*"
        again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.get_data() == b"", url
        assert client.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304
        assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200

    for url in ("/data", "/data/departments"):
        client.get(url)  # the first visit starts the session the header forms' token lives in
        page = client.get(url)
        assert page.status_code == 200 and page.headers["ETag"].startswith('W/"')
        assert "private" in page.headers["Cache-Control"] and "no-cache" in page.headers["Cache-Control"]
        assert client.get(url, headers={"If-None-Match": page.headers["ETag"]}).status_code == 304
        # The same page in another language is another page.
        other = client.get(url, headers={"If-None-Match": page.headers["ETag"], "Accept-Language": "zh"})
        assert other.status_code == 200 and '<html lang="zh-CN"' in other.get_data(as_text=True)


def test_the_etag_changes_when_a_refresh_changes_the_file(app, client, published):
    from datetime import timedelta

    from portal.models import Department, DepartmentKind
    from portal.opendata import refresh

    etag = client.get("/data/departments.csv").headers["ETag"]
    with app.app_context():
        db.session.add(Department(code="xqz", kind=DepartmentKind.TOWN, name_zh="新桥镇", name_en="Xinqiao Town"))
        db.session.commit()
        refresh(db.session, now=AFTER_MARCH + timedelta(days=1))
    changed = client.get("/data/departments.csv", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and b"Xinqiao Town" in changed.get_data()


def test_pages_and_downloads_never_build_a_dataset(app, client, published):
    """They read the snapshot table only: no query touches the tables the datasets come from."""
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        for url in ("/data", "/data/cases-by-department", "/data/cases-by-department.csv",
                    "/data/cases-by-department.json", "/data/catalog.jsonld", "/data/departments.jsonld"):
            assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    touched = [s for s in statements if re.search(r"\b(case_file|service_guide|policy|enterprise)\b", s)]
    assert statements and touched == []


def test_english_pages_show_no_chinese_outside_text_marked_as_chinese(client, published):
    for url in ["/data", "/data?q=cases", *[f"/data/{d.slug}" for d in DATASETS]]:
        html = client.get(url).get_data(as_text=True)
        assert '<html lang="en"' in html
        assert CJK.findall(visible_text(html, "en")) == [], url
    # The Chinese values in the preview are marked as Chinese for screen readers.
    html = client.get("/data/departments").get_data(as_text=True)
    assert '<td lang="zh-CN">区发展和改革委员会</td>' in html


def test_chinese_is_the_default(app, published):
    html = app.test_client().get("/data/cases-by-department").get_data(as_text=True)
    assert '<html lang="zh-CN"' in html
    assert "<h1>各部门办件月度统计</h1>" in html and "区数据局" in html


# --- DCAT ---------------------------------------------------------------------------------------


def _graph(client, url) -> Graph:
    response = client.get(url)
    assert response.mimetype == "application/ld+json"
    with warnings.catch_warnings():  # rdflib's JSON-LD parser uses a class rdflib itself deprecates
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        return Graph().parse(data=response.get_data(as_text=True), format="json-ld")


def test_the_catalogue_is_dcat_json_ld_a_harvester_can_follow(client, published):
    graph = _graph(client, "/data/catalog.jsonld")
    catalogs = list(graph.subjects(RDF.type, DCAT.Catalog))
    assert catalogs == [URIRef("http://localhost/data/catalog.jsonld")]
    datasets = set(graph.objects(catalogs[0], DCAT.dataset))
    assert len(datasets) == len(DATASETS) == len(set(graph.subjects(RDF.type, DCAT.Dataset)))

    for node in datasets:
        slug = str(graph.value(node, DCTERMS.identifier))
        dataset = find(slug)
        titles = {(str(t), t.language) for t in graph.objects(node, DCTERMS.title)}
        assert titles == {(dataset.title_zh, "zh-CN"), (dataset.title_en, "en")}
        assert graph.value(node, DCTERMS.license) == URIRef(LICENCE["uri"])
        assert graph.value(node, DCTERMS.accrualPeriodicity) == URIRef(FREQUENCIES + dataset.frequency.code)
        publisher = graph.value(node, DCTERMS.publisher)
        assert Literal("District Data Bureau", lang="en") in set(graph.objects(publisher, FOAF.name))
        assert {str(k) for k in graph.objects(node, DCAT.keyword)} == {*dataset.keywords_zh, *dataset.keywords_en}
        assert graph.value(node, DCTERMS.issued) is not None and graph.value(node, DCTERMS.modified) is not None
        assert graph.value(node, DCAT.landingPage) == URIRef(f"http://localhost/data/{slug}")

        distributions = list(graph.objects(node, DCAT.distribution))
        assert len(distributions) == 2
        for distribution in distributions:
            download = str(graph.value(distribution, DCAT.downloadURL))
            assert download in (f"http://localhost/data/{slug}.csv", f"http://localhost/data/{slug}.json")
            body = client.get(download.removeprefix("http://localhost")).get_data()
            assert int(graph.value(distribution, DCAT.byteSize)) == len(body)
            checksum = graph.value(distribution, SPDX.checksum)
            assert str(graph.value(checksum, SPDX.checksumValue)) == hashlib.sha256(body).hexdigest()
            media = str(graph.value(distribution, DCAT.mediaType))
            assert media.endswith("/text/csv" if download.endswith(".csv") else "/application/json")
            assert graph.value(distribution, DCTERMS.license) == URIRef(LICENCE["uri"])

        temporal = graph.value(node, DCTERMS.temporal)
        if dataset.anonymised and slug != "enterprises-by-town-and-industry":
            assert str(graph.value(temporal, DCAT.startDate)) == "2024-03-01"
            assert str(graph.value(temporal, DCAT.endDate)) == "2024-04-02"


def test_each_dataset_has_its_own_json_ld(client, published):
    graph = _graph(client, "/data/satisfaction-by-department.jsonld")
    node = URIRef("http://localhost/data/satisfaction-by-department#dataset")
    assert (node, RDF.type, DCAT.Dataset) in graph
    description = {d.language: str(d) for d in graph.objects(node, DCTERMS.description)}
    assert "counts under 5" in description["en"] and "少于5件" in description["zh-CN"]
    assert client.get("/data/no-such-dataset.jsonld").status_code == 404


def test_the_stored_snapshot_is_what_is_served(app, client, published):
    with app.app_context():
        stored = snapshot("departments").csv_data
    assert client.get("/data/departments.csv").get_data() == stored


@pytest.mark.parametrize("query", ["<script>alert(1)</script>", "%' OR '1'='1' --", "_\\;\"", "x" * 101])
def test_search_takes_any_text_safely(client, published, query):
    response = client.get("/data", query_string={"q": query})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    listed = re.findall(r'<h3><a href="/data/([a-z-]+)">', html)
    if len(query) > 100:  # too long to be a search: refused with a message, everything listed
        assert "longer than 100" in html and len(listed) == len(DATASETS)
    else:
        assert listed == [] and "Nothing found" in html
