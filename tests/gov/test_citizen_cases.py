"""The resident's side: the request form, the case list and page, the inbox, acting for an elder."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Account, AuditEvent, Case, Delegation
from tests.gov.conftest import page_text
from tests.gov.test_queue import file_cases

LI, WANG, SON = "13800000001", "13800000002", "13800000003"


def category_value(html: str, name: str) -> str:
    return re.search(rf'<option value="(\d+)">{name}</option>', html).group(1)


def test_the_request_form_keeps_what_was_typed_and_explains_each_problem(browser_for):
    resident = browser_for(LI)
    form = resident.get("/citizen/requests/new").get_data(as_text=True)
    assert "Community affairs" in form and "Enterprise appeal: financing" not in form  # appeals are not offered
    response = resident.post("/citizen/requests/new", data={
        "category": "", "title": "", "body": "Typed body stays", "latitude": "31.03", "longitude": "",
    })
    html = response.get_data(as_text=True)
    text = page_text(response)
    assert response.status_code == 200
    assert "There is a problem" in text
    for message in ("Choose what it is about.", "Give your request a short title.",
                    "Give both the latitude and the longitude, or neither."):
        assert message in text
    assert "Typed body stays</textarea>" in html and 'value="31.03"' in html
    response = resident.post("/citizen/requests/new", data={
        "category": category_value(form, "Roads, potholes and street furniture"), "title": "Pothole",
        "body": "Deep pothole", "latitude": "100", "longitude": "121.2",
    })
    assert "Enter a latitude between -90 and 90." in page_text(response)


def test_my_cases_inbox_and_following_a_merged_duplicate(app, browser_for):
    original, duplicate = file_cases(app, 2, title="Same matter")
    with app.app_context():  # the duplicate was sent by another resident
        neighbour = db.session.scalar(select(Account).where(Account.mobile == SON))
        dup = db.session.scalar(select(Case).where(Case.reference == duplicate))
        dup.sender_id = neighbour.id
        db.session.commit()
        dup_id = dup.public_id
        original_id = db.session.scalar(select(Case.public_id).where(Case.reference == original))
    officer = browser_for("officer.jw")
    officer.post(f"/gov/cases/{dup_id}/merge", data={"merge-duplicate_of": original})

    son = browser_for(SON)
    listing = page_text(son.get("/citizen/cases"))
    assert "Cases you follow" in listing and f"Case {original}" in listing
    followed = page_text(son.get(f"/citizen/cases/{original_id}"))
    assert f"Your request {duplicate} concerns the same matter" in followed
    assert "Same matter 0" not in followed and "Body text" not in followed  # not the other sender's words
    assert "Rate how your case was handled" not in followed

    inbox = page_text(son.get("/citizen/inbox"))
    assert f"Your case {duplicate} was merged with {original}" in inbox
    assert re.search(r"\b[1-9]\d* unread messages?\b", inbox)
    assert son.post("/citizen/inbox/read").status_code == 303
    assert "0 unread messages" in page_text(son.get("/citizen/inbox"))


def test_nobody_opens_or_rates_anothers_case(app, browser_for):
    [ref] = file_cases(app, 1)
    with app.app_context():
        public_id = db.session.scalar(select(Case.public_id).where(Case.reference == ref))
    other = browser_for(WANG)
    assert other.get(f"/citizen/cases/{public_id}").status_code == 404
    assert other.post(f"/citizen/cases/{public_id}/rating", data={"rating": "dissatisfied"}).status_code == 404
    owner = browser_for(LI)
    response = owner.post(f"/citizen/cases/{public_id}/rating", data={"rating": "satisfied"})
    assert response.status_code == 303  # not closed yet: refused, and told so
    assert "That cannot be done while the case is in this state." in page_text(owner.get(response.headers["Location"]))


def test_a_son_acting_for_his_mother_follows_and_files_her_cases(app, browser_for):
    son = browser_for(SON)
    with app.app_context():
        mother = db.session.scalar(select(Account).where(Account.mobile == WANG))
        delegation = db.session.scalar(select(Delegation).where(Delegation.subject_id == mother.id))
        delegation_id, mother_id = delegation.public_id, mother.id
        her_case = db.session.scalar(select(Case).where(Case.sender_id == mother.id).order_by(Case.id))
        her_case_id, her_ref = her_case.public_id, her_case.reference
    assert son.get(f"/citizen/cases/{her_case_id}").status_code == 404  # as himself: not his
    assert son.post(f"/citizen/family/{delegation_id}/act").status_code in (302, 303)
    assert her_ref in page_text(son.get("/citizen/cases"))
    assert son.get(f"/citizen/cases/{her_case_id}").status_code == 200
    with app.app_context():
        audited = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "case.view", AuditEvent.object_id == her_case_id,
            AuditEvent.subject_id == mother_id))
    assert audited == 1  # on the record under both names

    form = son.get("/citizen/requests/new").get_data(as_text=True)
    response = son.post("/citizen/requests/new", data={
        "category": category_value(form, "Services for older people"), "title": "Meal delivery",
        "body": "My mother would like meals delivered.",
    })
    assert response.status_code == 303
    with app.app_context():
        filed = db.session.scalar(select(Case).where(Case.title == "Meal delivery"))
        assert filed.sender_id == mother_id and filed.filed_by.mobile == SON

    # Without the scope to act for her, he may follow but not file.
    with app.app_context():
        db.session.scalar(select(Delegation).where(Delegation.public_id == delegation_id)).can_file_applications = False
        db.session.commit()
    assert son.get("/citizen/cases").status_code == 200
    refused = son.post("/citizen/requests/new", data={
        "category": category_value(form, "Services for older people"), "title": "Again", "body": "Again",
    })
    assert refused.status_code == 403
