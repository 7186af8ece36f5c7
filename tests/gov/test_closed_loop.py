"""The closed loop end to end, through the pages each party uses.

A resident files a request through the request form and an enterprise's agent files an appeal.
Officers of 方松街道 (fsjd) and 区经济委员会 (jjw) sign for them, transfer one and have it bounced,
ask for more information, reply, close; the senders answer, rate, and a dissatisfied rating
reopens a case for the lead. At each step we check what the sender, both departments and an
officer of a third department see.
"""

from __future__ import annotations

import re

from sqlalchemy import func, select

from portal.cases import cases_for_enterprise, submit_case
from portal.extensions import db
from portal.models import (
    Account,
    AuditEvent,
    Case,
    CaseCategory,
    CaseKind,
    CaseState,
    Department,
    Enterprise,
    InboxMessage,
)
from portal.rules.vocabulary import EnterpriseType
from tests.gov.conftest import page_text, queue_references

RESIDENT, AGENT = "13800000001", "13800000012"
INTERNAL_NOTE = "Property company says the bins belong to the residents' committee"
TRANSFER_REASON = "Bins on the pavement: the economic commission licenses the operator"
BOUNCE_REASON = "Not ours: waste collection is the sub-district's duty"
INFO_ASKED = "Which entrance of the estate, and since which day?"
INFO_GIVEN = "The east gate of Wencheng Road 558, since Monday"
REPLY = "The bins were moved back inside the estate this morning."
RECTIFIED = "We apologise: the bins are now emptied daily and the gate is clear."


def ids(app) -> dict:
    with app.app_context():
        return {d.code: d.id for d in db.session.scalars(select(Department))}


def act(client, public_id: str, action: str, **fields):
    data = {f"{action}-{name}": value for name, value in fields.items()}
    response = client.post(f"/gov/cases/{public_id}/{action}", data=data)
    assert response.status_code == 303, (action, page_text(response)[:2000])
    return response


def state_of(app, public_id: str) -> CaseState:
    with app.app_context():
        return db.session.scalar(select(Case.state).where(Case.public_id == public_id))


def file_request_as_resident(resident) -> tuple[str, str]:
    form = resident.get("/citizen/requests/new")
    assert form.status_code == 200
    category = re.search(r'<option value="(\d+)">Community affairs</option>', form.get_data(as_text=True)).group(1)
    response = resident.post("/citizen/requests/new", data={
        "category": category,
        "title": "Overflowing bins at the east gate",
        "body": "The bins at the east gate have not been emptied for three days.",
        "place": "Wencheng Road 558",
        "latitude": "31.0322",
        "longitude": "121.2278",
    })
    assert response.status_code == 303
    public_id = response.headers["Location"].rsplit("/", 1)[1]
    page = page_text(resident.get(response.headers["Location"]))
    reference = re.search(r"SJ-\d{4}-\d{6}", page).group(0)
    assert "Your request was received as " + reference in page
    return public_id, reference


def file_appeal_as_enterprise(app) -> tuple[str, str, int]:
    """The enterprise end files through the same domain function it will call from its pages."""
    with app.app_context():
        agent = db.session.scalar(select(Account).where(Account.mobile == AGENT))
        enterprise = Enterprise(uscc="91310117MA1J3XYZ4K", name_zh="松江示范科技有限公司",
                                name_en="Songjiang Demo Technology Co., Ltd.",
                                enterprise_type=EnterpriseType.LIMITED_COMPANY)
        db.session.add(enterprise)
        db.session.flush()
        category = db.session.scalar(select(CaseCategory).where(CaseCategory.code == "business-finance"))
        case = submit_case(db.session, agent, kind=CaseKind.APPEAL, category=category,
                           title="Bridge loan for the new production line",
                           body="The bank asks for repayment before renewing; we need a bridge loan.",
                           enterprise_id=enterprise.id)
        db.session.commit()
        return case.public_id, case.reference, enterprise.id


def sender_sees(client, public_id: str) -> str:
    response = client.get(f"/citizen/cases/{public_id}")
    assert response.status_code == 200
    text = page_text(response)
    for secret in (INTERNAL_NOTE, TRANSFER_REASON, BOUNCE_REASON, "周敏", "赵磊", "孙丽", "吴刚"):
        assert secret not in text, secret  # never an internal note, a negotiation or a staff name
    return text


def test_the_closed_loop_across_two_departments(app, browser_for, third_officer):
    dept = ids(app)
    resident = browser_for(RESIDENT)
    agent = browser_for(AGENT)
    officer_fs, officer_jw = browser_for("officer.fs"), browser_for("officer.jw")
    lead_fs = browser_for("lead.fs")
    outsider = browser_for(third_officer)

    # --- filing ---------------------------------------------------------------------------
    request_id, request_ref = file_request_as_resident(resident)
    appeal_id, appeal_ref, enterprise_id = file_appeal_as_enterprise(app)
    assert "Waiting to be signed for" in sender_sees(resident, request_id)
    assert request_ref in page_text(resident.get("/citizen/cases"))
    assert appeal_ref in page_text(agent.get("/citizen/cases"))  # the agent follows her appeal too
    with app.app_context():  # and so does anyone acting for the enterprise, through its scope
        assert db.session.scalar(cases_for_enterprise(enterprise_id).with_only_columns(Case.reference)) == appeal_ref

    assert request_ref in queue_references(officer_fs)
    assert request_ref not in queue_references(officer_jw)
    assert appeal_ref in queue_references(officer_jw)
    assert appeal_ref not in queue_references(officer_fs)

    # --- transfer to jjw, bounced back ----------------------------------------------------
    act(officer_fs, request_id, "transfer", department=dept["jjw"], reason=TRANSFER_REASON)
    assert request_ref in queue_references(officer_jw, state="transferring")  # offered: may look first
    offered = page_text(officer_jw.get(f"/gov/cases/{request_id}"))
    assert TRANSFER_REASON in offered and "Accept the transfer" in offered and "Send the transfer back" in offered
    act(officer_jw, request_id, "bounce_transfer", reason=BOUNCE_REASON)
    assert state_of(app, request_id) == CaseState.SUBMITTED
    assert request_ref not in queue_references(officer_jw)
    assert officer_jw.get(f"/gov/cases/{request_id}").status_code == 403  # gone from jjw's scope again
    history = page_text(officer_fs.get(f"/gov/cases/{request_id}"))
    assert BOUNCE_REASON in history and TRANSFER_REASON in history
    text = sender_sees(resident, request_id)
    assert "Waiting to be signed for" in text  # the bounce changed nothing the sender must know

    # --- sign for, ask for more information, the resident answers (补正) -------------------
    act(officer_fs, request_id, "accept")
    act(officer_fs, request_id, "request_info", reason=INFO_ASKED)
    text = sender_sees(resident, request_id)
    assert "More information needed" in text and INFO_ASKED in text
    assert "The department needs more information" in text
    bad = resident.post(f"/citizen/cases/{request_id}/information", data={"notes": "  "})
    assert "Write the information the department asked for." in page_text(bad)
    answered = resident.post(f"/citizen/cases/{request_id}/information", data={"notes": INFO_GIVEN})
    assert answered.status_code == 303
    assert state_of(app, request_id) == CaseState.ACCEPTED
    assert INFO_GIVEN in page_text(officer_fs.get(f"/gov/cases/{request_id}"))

    # --- an internal note, jjw invited to assist, a reply, closing ------------------------
    act(officer_fs, request_id, "note", notes=INTERNAL_NOTE)
    act(officer_fs, request_id, "invite", department=dept["jjw"])
    assert request_ref in queue_references(officer_jw)  # assisting: in jjw's queue
    assisting = page_text(officer_jw.get(f"/gov/cases/{request_id}"))
    assert INTERNAL_NOTE in assisting  # staff of an assisting department read internal notes
    act(officer_jw, request_id, "note", notes="Operator contacted; collection moved to 7:00")
    act(officer_fs, request_id, "reply", notes=REPLY)
    text = sender_sees(resident, request_id)
    assert "Replied" in text and REPLY in text
    act(officer_fs, request_id, "close")
    text = sender_sees(resident, request_id)
    assert "Rate how your case was handled" in text
    for label in ("Very satisfied", "Satisfied", "Basically satisfied", "Dissatisfied", "Very dissatisfied"):
        assert label in text

    # --- a dissatisfied rating reopens it for the lead ------------------------------------
    rated = resident.post(f"/citizen/cases/{request_id}/rating",
                          data={"rating": "dissatisfied", "comment": "The bins were full again the next day."})
    assert rated.status_code == 303
    assert state_of(app, request_id) == CaseState.REOPENED
    text = sender_sees(resident, request_id)
    assert "Reopened for rectification" in text and "Rate how your case was handled" not in text
    bench = page_text(lead_fs.get("/gov/"))
    assert "Reopened after a dissatisfied rating" in bench
    assert request_ref in queue_references(lead_fs, state="reopened")
    officer_page = officer_fs.get(f"/gov/cases/{request_id}").get_data(as_text=True)
    assert f'action="/gov/cases/{request_id}/reply"' not in officer_page  # after a reopening only the lead replies
    assert f'action="/gov/cases/{request_id}/reply"' in lead_fs.get(f"/gov/cases/{request_id}").get_data(as_text=True)
    act(lead_fs, request_id, "reply", notes=RECTIFIED)
    act(officer_fs, request_id, "close")
    resident.post(f"/citizen/cases/{request_id}/rating", data={"rating": "satisfied"})
    assert state_of(app, request_id) == CaseState.CLOSED
    text = sender_sees(resident, request_id)
    assert RECTIFIED in text and "Rate how your case was handled" not in text

    # --- the appeal: signed for at jjw, transferred to fsjd, accepted there, answered -----
    act(officer_jw, appeal_id, "accept")
    act(officer_jw, appeal_id, "transfer", department=dept["fsjd"], reason="The site is in Fangsong")
    act(officer_fs, appeal_id, "accept_transfer")
    assert appeal_ref in queue_references(officer_fs)
    assert appeal_ref not in queue_references(officer_jw)
    assert officer_jw.get(f"/gov/cases/{appeal_id}").status_code == 403
    appeal_text = sender_sees(agent, appeal_id)
    assert "Now handled by Fangsong Sub-district" in appeal_text
    assert "The site is in Fangsong" not in appeal_text
    act(officer_fs, appeal_id, "reply", notes="The district guarantee fund will bridge the loan; the bank agreed.")
    act(officer_fs, appeal_id, "close")
    agent.post(f"/citizen/cases/{appeal_id}/rating", data={"rating": "very_satisfied"})
    assert state_of(app, appeal_id) == CaseState.CLOSED

    # --- the third department sees neither, anywhere --------------------------------------
    for public_id in (request_id, appeal_id):
        assert outsider.get(f"/gov/cases/{public_id}").status_code == 403
    seen = queue_references(outsider) | queue_references(outsider, q=request_ref) | queue_references(outsider, q="bins")
    assert not {request_ref, appeal_ref} & seen
    assert outsider.get("/gov/cases/" + "0" * 32).status_code == 404
    # Nor may one sender open another's case.
    assert agent.get(f"/citizen/cases/{request_id}").status_code == 404

    # --- every view of a case page by staff is on the audit trail -------------------------
    with app.app_context():
        views = db.session.scalar(
            select(func.count()).select_from(AuditEvent)
            .where(AuditEvent.action == "case.view", AuditEvent.object_id == request_id)
        )
        assert views >= 6
        resident_account = db.session.scalar(select(Account).where(Account.mobile == RESIDENT))
        notices = set(db.session.scalars(
            select(InboxMessage.subject_key).where(InboxMessage.account_id == resident_account.id)
        ))
    assert {"sender.submit.subject", "sender.request_info.subject", "sender.reply.subject",
            "sender.close.subject"} <= notices
    inbox = page_text(resident.get("/citizen/inbox"))
    assert f"More information is needed for case {request_ref}" in inbox
    assert INTERNAL_NOTE not in inbox
