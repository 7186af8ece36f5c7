"""Tokens of applications acting for a person: a resident's own cases, a company's appeals, a
family member acting for an elder; what a sender sees and may do, as on the citizen end."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models import (
    Account,
    Delegation,
    DelegationStatus,
    Enterprise,
    Membership,
    MembershipRole,
    MembershipStatus,
)
from portal.models.base import utcnow
from tests.api.conftest import API, bearer

LI, WANG, SON, BOSS, AGENT = "13800000001", "13800000002", "13800000003", "13800000011", "13800000012"


def _ids(response) -> set[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return {item["id"] for item in response.json["items"]}


def test_a_resident_sees_their_own_cases_only(client, person_token, file_case):
    own = file_case("sjj", sender=LI)
    someone_elses = file_case("sjj", sender=WANG)
    token = person_token(LI)
    assert _ids(client.get(f"{API}/cases", headers=bearer(token))) == {own}
    assert client.get(f"{API}/cases/{someone_elses}", headers=bearer(token)).status_code == 404


def test_a_sender_reads_the_public_history_only(client, person_token, dept_token, file_case):
    case_id = file_case("sjj", sender=LI)
    system = dept_token()
    client.post(f"{API}/cases/{case_id}/transitions", headers=bearer(system),
                json={"action": "note", "notes": "内部：核对来电人身份"})
    client.post(f"{API}/cases/{case_id}/transitions", headers=bearer(system),
                json={"action": "request_info", "reason": "请补充具体位置"})
    seen = client.get(f"{API}/cases/{case_id}", headers=bearer(person_token(LI))).json
    assert [e["action"] for e in seen["events"]] == ["submit", "request_info"]
    assert seen["events"][-1]["reason"] == "请补充具体位置"
    assert all(e["by"] is None for e in seen["events"])  # no staff names for senders
    assert "内部" not in str(seen)
    assert seen["allowed_actions"] == ["resubmit"]


def test_a_sender_answers_a_request_for_information(client, person_token, dept_token, file_case):
    case_id = file_case("sjj", sender=LI)
    client.post(f"{API}/cases/{case_id}/transitions", headers=bearer(dept_token()),
                json={"action": "request_info", "reason": "请补充具体位置"})
    answered = client.post(f"{API}/cases/{case_id}/transitions", headers=bearer(person_token(LI)),
                           json={"action": "resubmit", "notes": "文诚路558弄东门"})
    assert answered.status_code == 201, answered.json
    assert answered.json["state"] == "submitted"
    assert answered.json["events"][-1]["notes"] == "文诚路558弄东门"


def test_a_sender_cannot_make_the_departments_moves(client, person_token, file_case):
    case_id = file_case("sjj", sender=LI)
    token = person_token(LI)
    refused = client.post(f"{API}/cases/{case_id}/transitions", headers=bearer(token), json={"action": "accept"})
    assert refused.status_code == 409
    assert refused.json["reason"] == "not_permitted"
    assert refused.json["allowed_actions"] == []
    assert client.post(f"{API}/cases/{case_id}/replies", headers=bearer(token),
                       json={"text": "自己答复自己"}).status_code == 409


def test_a_sender_rates_the_closed_case(client, person_token, dept_token, file_case):
    case_id = file_case("sjj", sender=LI)
    system = dept_token()
    for move in ({"action": "accept"}, {"action": "reply", "notes": "已修复"}, {"action": "close"}):
        assert client.post(f"{API}/cases/{case_id}/transitions", headers=bearer(system), json=move).status_code == 201
    token = person_token(LI)
    assert client.get(f"{API}/cases/{case_id}", headers=bearer(token)).json["allowed_actions"] == ["rate"]
    rated = client.post(f"{API}/cases/{case_id}/transitions", headers=bearer(token),
                        json={"action": "rate", "rating": "satisfied", "comment": "修得很快"})
    assert rated.status_code == 201, rated.json
    assert (rated.json["state"], rated.json["rating"]) == ("closed", "satisfied")
    bad = client.post(f"{API}/cases/{case_id}/transitions", headers=bearer(token),
                      json={"action": "rate", "rating": "great"})
    assert bad.status_code == 422 and bad.json["errors"][0]["pointer"] == "/rating"


def test_transfers_between_departments_are_not_shown_to_the_sender(client, person_token, dept_token, file_case):
    case_id = file_case("sjj", sender=LI)
    client.post(f"{API}/cases/{case_id}/transitions", headers=bearer(dept_token()),
                json={"action": "transfer", "reason": "请经委处理", "department": "jjw"})
    seen = client.get(f"{API}/cases/{case_id}", headers=bearer(person_token(LI))).json
    assert seen["state"] == "transferring"
    assert seen["pending_department"] is None
    assert [e["action"] for e in seen["events"]] == ["submit"]


def _company(app, members: dict[str, list[str] | None]) -> str:
    """A company with the given members (mobile -> agent scopes; None for the legal representative)."""
    import random

    from portal.enterprise_codes import generate_uscc
    from portal.rules import EnterpriseType

    with app.app_context():
        uscc = generate_uscc(random.Random(7))
        company = Enterprise(uscc=uscc, name_zh="松江测试科技有限公司", enterprise_type=EnterpriseType.LIMITED_COMPANY)
        db.session.add(company)
        db.session.flush()
        for mobile, scopes in members.items():
            person = db.session.scalar(select(Account).where(Account.mobile == mobile))
            role = MembershipRole.LEGAL_REPRESENTATIVE if scopes is None else MembershipRole.AGENT
            db.session.add(Membership(account_id=person.id, enterprise_id=company.id, role=role,
                                      scopes=scopes or [], status=MembershipStatus.ACTIVE,
                                      valid_from=utcnow() - timedelta(days=1)))
        db.session.commit()
        return uscc


def test_company_staff_follow_the_companys_appeals(app, client, person_token, file_case):
    uscc = _company(app, {BOSS: None, AGENT: ["appeals"], LI: ["profile"]})
    appeal = file_case("jjw", sender=AGENT, title="用地审批进度", kind="appeal", enterprise_uscc=uscc)
    boss = client.get(f"{API}/cases/{appeal}", headers=bearer(person_token(BOSS)))
    assert boss.status_code == 200
    assert boss.json["enterprise"]["uscc"] == uscc
    assert appeal in _ids(client.get(f"{API}/cases", headers=bearer(person_token(AGENT))))
    # A member without the appeals scope does not see it.
    assert client.get(f"{API}/cases/{appeal}", headers=bearer(person_token(LI))).status_code == 404


def test_a_family_member_follows_the_elders_cases_while_the_delegation_lasts(app, client, person_token,
                                                                            file_case):
    elders = file_case("sjj", sender=WANG, title="楼道灯坏了")
    with app.app_context():
        elder = db.session.scalar(select(Account).where(Account.mobile == WANG))
        son = db.session.scalar(select(Account).where(Account.mobile == SON))
        delegation = Delegation(subject_id=elder.id, representative_id=son.id, invited_mobile=SON,
                                can_view_cases=True, can_file_applications=False, status=DelegationStatus.ACTIVE,
                                expires_at=utcnow() + timedelta(days=30), accepted_at=utcnow())
        db.session.add(delegation)
        db.session.commit()
        elder_public_id, delegation_id = elder.public_id, delegation.id

    original_post = client.post

    def post_acting(url, *args, **kwargs):  # the son chooses to act for his mother after signing in
        response = original_post(url, *args, **kwargs)
        if url == "/auth/login":
            with client.session_transaction() as session:
                session["acting_for"] = elder_public_id
        return response

    client.post = post_acting
    try:
        token = person_token(SON)
    finally:
        client.post = original_post

    assert _ids(client.get(f"{API}/cases", headers=bearer(token))) == {elders}
    seen = client.get(f"{API}/cases/{elders}", headers=bearer(token)).json
    assert seen["allowed_actions"] == []  # this delegation lets him follow, not act

    with app.app_context():
        db.session.get(Delegation, delegation_id).status = DelegationStatus.REVOKED
        db.session.commit()
    assert _ids(client.get(f"{API}/cases", headers=bearer(token))) == set()
    assert client.get(f"{API}/cases/{elders}", headers=bearer(token)).status_code == 404
