"""A department system's token sees and changes its own department's cases, through the desk's
scope and state machine, and nothing else."""

from __future__ import annotations

from sqlalchemy import select

from auth.oidc.models import OAuthClient
from portal.extensions import db
from portal.models import AuditEvent, Case, CaseEvent, CaseState
from tests.api.conftest import API, DEPT_SYSTEM, bearer


def _state(app, public_id: str) -> CaseState:
    with app.app_context():
        return db.session.scalar(select(Case.state).where(Case.public_id == public_id))


def _events(app, public_id: str) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(
            select(CaseEvent.action).join(Case).where(Case.public_id == public_id).order_by(CaseEvent.id)
        ))


def test_the_list_holds_the_departments_cases_and_no_others(client, dept_token, file_case):
    ours = {file_case("sjj", title="数据开放申请"), file_case("sjj", title="数据更正")}
    theirs = file_case("jjw")
    response = client.get(f"{API}/cases", headers=bearer(dept_token()))
    assert response.status_code == 200
    listed = {item["id"] for item in response.json["items"]}
    assert listed == ours
    assert theirs not in listed
    assert all(item["department"]["code"] == "sjj" for item in response.json["items"])


def test_another_departments_case_is_not_found_on_read_nor_on_transition(app, client, dept_token, file_case):
    theirs = file_case("jjw")
    token = dept_token()
    read = client.get(f"{API}/cases/{theirs}", headers=bearer(token))
    assert read.status_code == 404
    assert read.content_type == "application/problem+json"
    assert read.json["code"] == "not_found"
    moved = client.post(f"{API}/cases/{theirs}/transitions", headers=bearer(token), json={"action": "accept"})
    assert moved.status_code == 404
    replied = client.post(f"{API}/cases/{theirs}/replies", headers=bearer(token), json={"text": "已处理"})
    assert replied.status_code == 404
    assert _state(app, theirs) == CaseState.SUBMITTED
    assert _events(app, theirs) == ["submit"]


def test_a_system_of_the_other_department_does_see_it(client, dept_token, register_system, file_case):
    theirs = file_case("jjw")
    token = dept_token(*register_system("jjw"))
    assert client.get(f"{API}/cases/{theirs}", headers=bearer(token)).status_code == 200
    assert client.get(f"{API}/cases", headers=bearer(token)).json["items"][0]["id"] == theirs


def test_accepting_and_replying_go_through_the_state_machine_as_the_systems_account(app, client, dept_token,
                                                                                   file_case):
    case_id = file_case("sjj")
    token = dept_token()
    listed = client.get(f"{API}/cases/{case_id}", headers=bearer(token)).json
    assert "accept" in listed["allowed_actions"] and "reply" not in listed["allowed_actions"]

    accepted = client.post(f"{API}/cases/{case_id}/transitions", headers=bearer(token), json={"action": "accept"})
    assert accepted.status_code == 201, accepted.json
    assert accepted.headers["Location"].endswith(f"{API}/cases/{case_id}")
    assert accepted.json["state"] == "accepted"
    assert "reply" in accepted.json["allowed_actions"]

    replied = client.post(f"{API}/cases/{case_id}/replies", headers=bearer(token),
                          json={"text": "数据已于今日更正。"})
    assert replied.status_code == 201, replied.json
    assert replied.json["state"] == "replied"
    last = replied.json["events"][-1]
    assert (last["action"], last["from_state"], last["to_state"]) == ("reply", "accepted", "replied")
    assert last["notes"] == "数据已于今日更正。"
    assert last["by"] == "区数据局 示范业务系统 (Demo department system)"

    with app.app_context():
        client_row = db.session.scalar(select(OAuthClient).where(OAuthClient.client_id == DEPT_SYSTEM[0]))
        system = client_row.service_account_id
        case = db.session.scalar(select(Case).where(Case.public_id == case_id))
        assert [(e.action, e.actor_id) for e in case.events][1:] == [("accept", system), ("reply", system)]
        assert case.assigned_officer_id == system  # signed for by the system, as an officer would be
        trail = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "api.case.transition", AuditEvent.object_id == case_id)
            .order_by(AuditEvent.id)
        ).all()
        assert [(a.actor_id, a.details["move"], a.details["client"]) for a in trail] == [
            (system, "accept", DEPT_SYSTEM[0]), (system, "reply", DEPT_SYSTEM[0]),
        ]


def test_a_move_the_state_does_not_allow_is_refused_with_what_is_allowed(app, client, dept_token, file_case):
    case_id = file_case("sjj")
    response = client.post(f"{API}/cases/{case_id}/transitions", headers=bearer(dept_token()),
                           json={"action": "close"})
    assert response.status_code == 409
    problem = response.json
    assert problem["code"] == "illegal_transition"
    assert problem["reason"] == "not_allowed_in_state"
    assert problem["state"] == "submitted"
    assert "accept" in problem["allowed_actions"]
    assert _events(app, case_id) == ["submit"]


def test_moves_only_a_sender_makes_are_refused_to_the_department(client, dept_token, file_case):
    case_id = file_case("sjj")
    response = client.post(f"{API}/cases/{case_id}/transitions", headers=bearer(dept_token()),
                           json={"action": "resubmit", "notes": "补充材料"})
    assert response.status_code == 409
    assert response.json["reason"] in ("not_permitted", "not_allowed_in_state")


def test_a_move_missing_what_it_needs_points_at_the_field(app, client, dept_token, file_case):
    case_id = file_case("sjj")
    response = client.post(f"{API}/cases/{case_id}/transitions", headers=bearer(dept_token()),
                           json={"action": "request_info"})
    assert response.status_code == 422
    assert response.json["code"] == "validation_failed"
    assert response.json["errors"][0]["pointer"] == "/reason"
    assert _state(app, case_id) == CaseState.SUBMITTED


def test_a_transfer_names_the_department_by_its_code(app, client, dept_token, file_case):
    case_id = file_case("sjj")
    token = dept_token()
    unknown = client.post(f"{API}/cases/{case_id}/transitions", headers=bearer(token),
                          json={"action": "transfer", "reason": "不属本部门", "department": "nope"})
    assert unknown.status_code == 422
    assert unknown.json["errors"] == [{"pointer": "/department", "detail": "No department has that code.",
                                       "code": "invalid"}]
    moved = client.post(f"{API}/cases/{case_id}/transitions", headers=bearer(token),
                        json={"action": "transfer", "reason": "不属本部门", "department": "jjw"})
    assert moved.status_code == 201
    assert moved.json["state"] == "transferring"
    assert moved.json["pending_department"]["code"] == "jjw"
    assert moved.json["events"][-1]["department"]["code"] == "jjw"


def test_internal_notes_are_in_the_departments_history(client, dept_token, file_case):
    case_id = file_case("sjj")
    token = dept_token()
    client.post(f"{API}/cases/{case_id}/transitions", headers=bearer(token),
                json={"action": "note", "notes": "内部：需与市局核对"})
    events = client.get(f"{API}/cases/{case_id}", headers=bearer(token)).json["events"]
    assert events[-1]["visibility"] == "internal"
    assert events[-1]["notes"] == "内部：需与市局核对"


def test_reading_a_case_is_recorded_as_on_the_desk(app, client, dept_token, file_case):
    case_id = file_case("sjj")
    client.get(f"{API}/cases/{case_id}", headers=bearer(dept_token()))
    with app.app_context():
        viewed = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "case.view", AuditEvent.object_id == case_id)
        ).all()
        assert [(v.details["via"], v.details["client"]) for v in viewed] == [("api", DEPT_SYSTEM[0])]


def test_pages_follow_the_cursor_without_gaps_or_repeats(client, dept_token, file_case):
    filed = [file_case("sjj", title=f"第{n}件") for n in range(5)]
    token = dept_token()
    for order, expected in (("oldest", filed), ("newest", list(reversed(filed)))):
        seen, after = [], None
        while True:
            params = {"limit": 2, "order": order, **({"after": after} if after else {})}
            page = client.get(f"{API}/cases", headers=bearer(token), query_string=params).json
            seen += [item["id"] for item in page["items"]]
            after = page["next_cursor"]
            if after is None:
                break
        assert seen == expected


def test_a_cursor_of_one_order_is_refused_in_the_other(client, dept_token, file_case):
    for n in range(3):
        file_case("sjj", title=f"第{n}件")
    token = dept_token()
    cursor = client.get(f"{API}/cases", headers=bearer(token), query_string={"limit": 1}).json["next_cursor"]
    response = client.get(f"{API}/cases", headers=bearer(token),
                          query_string={"limit": 1, "order": "newest", "after": cursor})
    assert response.status_code == 400
    assert response.json["code"] == "invalid_cursor"
    forged = client.get(f"{API}/cases", headers=bearer(token), query_string={"after": "o.not-a-cursor"})
    assert forged.json["code"] == "invalid_cursor"


def test_filters_by_state_and_words(client, dept_token, file_case):
    first = file_case("sjj", title="开放数据目录")
    second = file_case("sjj", title="路灯不亮")
    token = dept_token()
    client.post(f"{API}/cases/{first}/transitions", headers=bearer(token), json={"action": "accept"})
    accepted = client.get(f"{API}/cases", headers=bearer(token), query_string={"state": "accepted"}).json
    assert [item["id"] for item in accepted["items"]] == [first]
    both = client.get(f"{API}/cases?state=accepted&state=submitted", headers=bearer(token)).json
    assert {item["id"] for item in both["items"]} == {first, second}
    found = client.get(f"{API}/cases", headers=bearer(token), query_string={"q": "路灯"}).json
    assert [item["id"] for item in found["items"]] == [second]


def test_the_systems_account_is_not_offered_as_a_colleague_to_assign_to(app, client, dept_token, file_case):
    from gov.services import colleague_choices
    from portal.models import Department

    case_id = file_case("sjj")
    accepted = client.post(f"{API}/cases/{case_id}/transitions", headers=bearer(dept_token()),
                           json={"action": "accept"})
    assert accepted.status_code == 201
    with app.app_context():
        system = db.session.scalar(
            select(OAuthClient.service_account_id).where(OAuthClient.client_id == DEPT_SYSTEM[0]))
        sjj = db.session.scalar(select(Department).where(Department.code == "sjj"))
        offered = [ident for ident, _ in colleague_choices(db.session, sjj.id)]
    assert system is not None and system not in offered
