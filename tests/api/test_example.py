"""The example department system in examples/ works its department's cases through the live API.

Its OpenID Connect sign-in is tested in tests/oidc/test_example.py; here a person is already signed
in to it, and it lists, signs for and answers cases with its own client-credentials token.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
import requests

from tests.api.conftest import DEPT_SYSTEM, file_live_case

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "department_system" / "app.py"


@pytest.fixture
def example(live_server, monkeypatch):
    monkeypatch.setenv("PORTAL_URL", live_server)
    spec = importlib.util.spec_from_file_location("department_system_api_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    browser = module.app.test_client()
    with browser.session_transaction() as session:
        session["user"] = {"sub": "someone", "name": "数据局 工作人员", "acr": "urn:portal:acr:password"}
    return browser


def _case_as_the_portal_has_it(live_server, case_id: str) -> dict:
    token = requests.post(f"{live_server}/oidc/token", auth=DEPT_SYSTEM, timeout=10,
                          data={"grant_type": "client_credentials", "scope": "cases:read"}).json()["access_token"]
    return requests.get(f"{live_server}/api/v1/cases/{case_id}", headers={"Authorization": f"Bearer {token}"},
                        timeout=10).json()


def _form(html: str, action: str) -> dict:
    form = re.search(rf"<form method='post' action='{re.escape(action)}'>(.*?)</form>", html).group(1)
    return dict(re.findall(r"name='(\w+)' value='([^']*)'", form))


def test_the_example_lists_signs_for_and_answers_its_departments_cases(live_server, live_settings, example):
    ours = file_live_case(live_settings, "sjj", title="示例系统要处理的件")
    theirs = file_live_case(live_settings, "jjw", title="别的部门的件")

    listed = example.get("/cases").get_data(as_text=True)
    assert "示例系统要处理的件" in listed
    assert "别的部门的件" not in listed
    assert f"/cases/{theirs}/" not in listed

    accept = _form(listed, f"/cases/{ours}/accept")
    assert example.post(f"/cases/{ours}/accept", data=accept).status_code == 302
    again = example.post(f"/cases/{ours}/accept", data=accept)  # the form sent twice acts once
    assert again.status_code == 302
    case = _case_as_the_portal_has_it(live_server, ours)
    assert case["state"] == "accepted"
    assert [event["action"] for event in case["events"]] == ["submit", "accept"]
    assert case["events"][-1]["by"] == "区数据局 示范业务系统 (Demo department system)"

    listed = example.get("/cases").get_data(as_text=True)
    answer = {**_form(listed, f"/cases/{ours}/reply"), "text": "数据已更正，感谢反馈。"}
    assert example.post(f"/cases/{ours}/reply", data=answer).status_code == 302
    case = _case_as_the_portal_has_it(live_server, ours)
    assert case["state"] == "replied"
    assert case["events"][-1]["notes"] == "数据已更正，感谢反馈。"


def test_the_example_shows_the_portals_refusal(live_server, live_settings, example):
    case_id = file_live_case(live_settings, "sjj", title="已被签收的件")
    listed = example.get("/cases").get_data(as_text=True)
    accept = _form(listed, f"/cases/{case_id}/accept")
    example.post(f"/cases/{case_id}/accept", data=accept)
    late = example.post(f"/cases/{case_id}/accept", data={**accept, "key": "another-attempt"})
    assert late.status_code == 409
    assert "illegal_transition" in late.get_data(as_text=True)


def test_the_example_refuses_a_form_without_its_csrf_token(live_server, live_settings, example):
    case_id = file_live_case(live_settings, "sjj", title="跨站提交")
    assert example.post(f"/cases/{case_id}/accept", data={"key": "k"}).status_code == 400
    assert _case_as_the_portal_has_it(live_server, case_id)["state"] == "submitted"
