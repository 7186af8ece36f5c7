"""The OpenAPI 3.1 document and the reference page rendered from it."""

from __future__ import annotations

import re

import jsonschema_rs
from schemathesis.specs.openapi.definitions import OPENAPI_31

from api.v1.problems import CODES
from tests.api.conftest import API, bearer


def test_the_document_is_valid_openapi_3_1(client, district):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    assert response.content_type == "application/json"
    document = response.json
    assert document["openapi"] == "3.1.0"
    jsonschema_rs.validate(OPENAPI_31, document)
    for name, schema in document["components"]["schemas"].items():
        assert jsonschema_rs.meta.is_valid(schema), name  # JSON Schema 2020-12


def test_the_document_describes_every_route_of_the_api(app, client, district):
    document = client.get(f"{API}/openapi.json").json
    described = {(method.upper(), path) for path, ops in document["paths"].items() for method in ops}
    served = {
        (method, re.sub(r"<(\w+)>", r"{\1}", rule.rule).removeprefix(API))
        for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api_v1.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert served - described == {("GET", "/openapi.json"), ("GET", "/docs")}
    assert described <= served


def test_every_operation_documents_its_errors_as_problem_details(client, district):
    document = client.get(f"{API}/openapi.json").json
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            statuses = set(op["responses"])
            assert {"400", "404", "429", "500"} <= statuses, (method, path)
            if method == "post":
                assert {"401", "403", "415", "422"} <= statuses
                assert any(p["name"] == "Idempotency-Key" for p in op["parameters"])
            for status, answer in op["responses"].items():
                if status.startswith(("4", "5")):
                    assert list(answer["content"]) == ["application/problem+json"], (method, path, status)


def test_scopes_and_the_token_endpoint_are_published(client, district):
    document = client.get(f"{API}/openapi.json").json
    flows = document["components"]["securitySchemes"]["portalOAuth"]["flows"]
    assert flows["clientCredentials"]["tokenUrl"].endswith("/oidc/token")
    assert set(flows["clientCredentials"]["scopes"]) == {"cases:read", "cases:write", "matches:read",
                                                          "webhooks:manage"}
    list_cases = document["paths"]["/cases"]["get"]
    assert {"portalOAuth": ["cases:read"]} in list_cases["security"]


def test_the_reference_page_is_served_from_our_origin_and_lists_everything(client, district):
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<script" not in html and "style=" not in html and "<style" not in html  # the CSP allows neither
    assert not re.search(r'(src|href)="(https?:)?//(?!localhost)', html)  # nothing from another origin
    document = client.get(f"{API}/openapi.json").json
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            assert f'id="{op["operationId"]}"' in html
            assert f"{method.upper()} {path}" in html
    for code in CODES:
        assert f'id="problem-{code}"' in html
    for name in document["components"]["schemas"]:
        assert f'id="schema-{name}"' in html
    assert 'href="#schema-CaseDetail"' in html


def test_problem_types_link_to_their_entry_on_the_reference_page(client, district):
    problem = client.get(f"{API}/cases").json
    page = client.get(problem["type"].removeprefix("http://localhost").split("#")[0]).get_data(as_text=True)
    assert f'id="problem-{problem["code"]}"' in page


def test_the_reference_page_reads_in_chinese_too(client, district):
    page = client.get(f"{API}/docs", headers={"Accept-Language": "zh"})
    assert page.status_code == 200
    assert '<html lang="zh-CN"' in page.get_data(as_text=True)


def test_a_token_is_not_needed_for_the_document_but_a_bad_one_is_still_refused(client, district):
    assert client.get(f"{API}/openapi.json").status_code == 200
    response = client.get(f"{API}/services", headers=bearer("forged"))
    assert response.status_code == 401 and response.json["code"] == "invalid_token"
