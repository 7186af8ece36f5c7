"""Online applications through the Flask test client: the form from the service's definition,
drafts, submission as a case with its files, who may fetch the files, and acting for an elder."""

from __future__ import annotations

import io

import pytest

from portal.cases import transition
from portal.extensions import db
from portal.models import Account, ApplicationDraft, AuditEvent, Case, CaseCategory, CaseKind, CaseState, Delegation
from tests.helpers import DEMO_PASSWORD

RESIDENT, ELDER, SON, OTHER = "13800000001", "13800000002", "13800000003", "13800000011"
SERVICE = "residence-permit"  # xzfwzx: name, phone, address, a required file "contract"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HTML_AS_PDF = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
PAGE_BUDGET_BYTES = 60 * 1024

APPLICATION_ROUTES = {
    ("citizen.my_applications", "/citizen/applications"),
    ("citizen.apply", "/citizen/services/<code>/apply"),
    ("citizen.draft", "/citizen/applications/drafts/<public_id>"),
    ("citizen.delete_draft", "/citizen/applications/drafts/<public_id>/delete"),
    ("citizen.application", "/citizen/applications/<public_id>"),
    ("citizen.application_file", "/citizen/applications/<public_id>/files/<int:attachment_id>"),
    ("gov.case_file", "/gov/cases/<public_id>/files/<int:attachment_id>"),
    ("gov.verify_code", "/gov/verify"),
}


@pytest.fixture(autouse=True)
def upload_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    return tmp_path / "uploads"


@pytest.fixture
def browser_for(app, seeded):
    """`browser_for(mobile)`: a new test client signed in as that resident (English pages)."""

    def open_client(mobile: str):
        other = app.test_client()
        other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        response = other.post("/auth/login", data={"username": mobile, "password": DEMO_PASSWORD})
        assert response.status_code == 302
        return other

    return open_client


def answers(**extra) -> dict:
    return {"applicant_name": "李明", "contact_phone": "13800000001", "address": "松江区人民北路1号", **extra}


def upload(data: bytes = PDF, name: str = "合同.pdf"):
    return (io.BytesIO(data), name)


def the_case(app, public_id: str | None = None) -> Case:
    with app.app_context():
        query = db.select(Case).join(CaseCategory).where(CaseCategory.code.startswith("applications-"))
        if public_id:
            query = query.where(Case.public_id == public_id)
        case = db.session.scalars(query.order_by(Case.id.desc())).first()
        db.session.expunge(case)
        return case


def test_the_routes_are_there(app):
    routes = {(r.endpoint, r.rule) for r in app.url_map.iter_rules()}
    assert routes >= APPLICATION_ROUTES


def test_the_form_is_built_from_the_definition_in_both_languages(browser_for):
    browser = browser_for(RESIDENT)
    html = browser.get(f"/citizen/services/{SERVICE}/apply").get_data(as_text=True)
    assert "Applicant&#39;s name" in html and "Home address" in html and 'type="file"' in html
    assert 'enctype="multipart/form-data"' in html and len(html.encode()) < PAGE_BUDGET_BYTES
    zh = browser.get(f"/citizen/services/{SERVICE}/apply", headers={"Accept-Language": "zh-CN"})
    assert "申请人姓名" in zh.get_data(as_text=True)
    assert browser.get("/citizen/services/birth-medical-certificate/apply").status_code == 404  # in person only
    assert f'href="/citizen/services/{SERVICE}/apply"' in browser.get(f"/citizen/services/{SERVICE}").get_data(
        as_text=True)


def test_signing_in_is_needed(client, seeded):
    assert "/auth/login" in client.get(f"/citizen/services/{SERVICE}/apply").headers["Location"]
    assert "/auth/login" in client.get("/citizen/applications").headers["Location"]


def test_bad_input_keeps_what_was_typed_and_refuses_a_lying_file(app, browser_for, upload_dir):
    browser = browser_for(RESIDENT)
    response = browser.post(f"/citizen/services/{SERVICE}/apply", data={
        **answers(applicant_name=""), "contract": upload(HTML_AS_PDF, "contract.pdf"), "action": "submit",
    }, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "There is a problem" in html
    assert "松江区人民北路1号" in html and 'value="13800000001"' in html
    assert "Answer this question: Applicant" in html
    response = browser.post(f"/citizen/services/{SERVICE}/apply", data={
        **answers(), "contract": upload(HTML_AS_PDF, "contract.pdf"), "action": "submit",
    }, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "whatever its name says" in html and "松江区人民北路1号" in html
    assert not list(upload_dir.rglob("*.*"))  # nothing stored
    with app.app_context():
        ours = CaseCategory.code.startswith("applications-")
        filed = db.select(db.func.count(Case.id)).join(CaseCategory).where(ours)
        assert db.session.scalar(filed) == 0


def test_a_draft_round_trip_then_submission_becomes_a_case_with_its_file(app, browser_for, upload_dir):
    browser = browser_for(RESIDENT)
    saved = browser.post(f"/citizen/services/{SERVICE}/apply", data={
        "applicant_name": "李明", "contract": upload(), "action": "save",
    }, content_type="multipart/form-data")
    assert saved.status_code == 303 and "/citizen/applications/drafts/" in saved.headers["Location"]
    draft_url = saved.headers["Location"]
    listing = browser.get("/citizen/applications").get_data(as_text=True)
    assert draft_url in listing and "1 file kept" in listing
    html = browser.get(draft_url).get_data(as_text=True)
    assert 'value="李明"' in html and "Kept from your draft: 合同.pdf" in html

    # Come back, finish the answers; the kept file need not be chosen again.
    sent = browser.post(draft_url, data={**answers(), "action": "submit"}, content_type="multipart/form-data")
    assert sent.status_code == 303 and "/citizen/applications/" in sent.headers["Location"]
    case = the_case(app)
    with app.app_context():
        case = db.session.get(Case, case.id)
        resident = db.session.scalar(db.select(Account).filter_by(mobile=RESIDENT))
        assert case.sender_id == resident.id and case.filed_by_id is None
        assert case.state == CaseState.SUBMITTED and case.department.code == "xzfwzx"
        assert case.category.code == "applications-xzfwzx" and case.category.kind == CaseKind.APPLICATION
        assert "居住地址：松江区人民北路1号" in case.body and "劳动合同或就读证明：合同.pdf" in case.body
        [attachment] = case.attachments
        assert attachment.original_name == "合同.pdf" and attachment.content_type == "application/pdf"
        assert attachment.event_id == case.events[0].id
        assert db.session.scalar(db.select(db.func.count(ApplicationDraft.id))) == 0
        attachment_id = attachment.id
    assert browser.get(draft_url).status_code == 404  # the draft became the case

    page = browser.get(f"/citizen/applications/{case.public_id}").get_data(as_text=True)
    assert case.reference in page and f"/citizen/cases/{case.public_id}" in page
    download = browser.get(f"/citizen/applications/{case.public_id}/files/{attachment_id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Type"] == "application/pdf"
    assert "no-store" in download.headers["Cache-Control"]
    download.close()
    assert browser.get("/citizen/applications").get_data(as_text=True).count(case.reference) == 1


def test_another_resident_gets_nothing_of_it(app, browser_for):
    owner = browser_for(RESIDENT)
    draft_url = owner.post(f"/citizen/services/{SERVICE}/apply", data={"applicant_name": "李明", "action": "save"},
                           content_type="multipart/form-data").headers["Location"]
    owner.post(f"/citizen/services/{SERVICE}/apply", data={**answers(), "contract": upload(), "action": "submit"},
               content_type="multipart/form-data")
    case = the_case(app)
    with app.app_context():
        attachment_id = db.session.get(Case, case.id).attachments[0].id
    other = browser_for(OTHER)
    for url in [f"/citizen/cases/{case.public_id}", f"/citizen/applications/{case.public_id}",
                f"/citizen/applications/{case.public_id}/files/{attachment_id}", draft_url]:
        assert other.get(url).status_code in (403, 404), url
    assert other.post(draft_url, data={"action": "save"}).status_code in (403, 404)
    assert other.post(f"{draft_url}/delete").status_code in (403, 404)
    assert case.reference not in other.get("/citizen/applications").get_data(as_text=True)


def test_staff_who_see_the_case_may_download_its_files_and_no_one_else(app, browser_for, login, client):
    owner = browser_for(RESIDENT)
    owner.post(f"/citizen/services/{SERVICE}/apply", data={**answers(), "contract": upload(), "action": "submit"},
               content_type="multipart/form-data")
    case = the_case(app)
    with app.app_context():
        attachment_id = db.session.get(Case, case.id).attachments[0].id
    url = f"/gov/cases/{case.public_id}/files/{attachment_id}"
    assert owner.get(url).status_code == 403  # a resident is not staff
    login("officer.fs")  # Fangsong sub-district: not this case's department
    assert client.get(url).status_code == 404
    client.post("/auth/logout")
    login("admin")  # the district service centre, which owns it
    download = client.get(url)
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment")
    download.close()
    with app.app_context():
        assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "case.file_download"))


def test_the_resident_follows_the_desk_and_rates(app, browser_for):
    browser = browser_for(RESIDENT)
    browser.post(f"/citizen/services/{SERVICE}/apply", data={**answers(), "contract": upload(), "action": "submit"},
                 content_type="multipart/form-data")
    case = the_case(app)
    with app.app_context():
        admin = db.session.scalar(db.select(Account).filter_by(username="admin"))
        loaded = db.session.get(Case, case.id)
        for action, details in [("accept", {}), ("start", {}), ("reply", {"notes": "已批准，请来领取居住证。"}),
                                ("close", {})]:
            transition(db.session, loaded, action, admin, **details)
        db.session.commit()
    page = browser.get(f"/citizen/cases/{case.public_id}").get_data(as_text=True)
    assert "已批准，请来领取居住证。" in page
    rated = browser.post(f"/citizen/cases/{case.public_id}/rating", data={"rating": "very_satisfied"})
    assert rated.status_code == 303
    assert the_case(app, case.public_id).rating.value == "very_satisfied"


def test_the_family_member_files_for_the_elder_until_she_revokes(app, browser_for):
    son = browser_for(SON)
    with app.app_context():
        delegation = db.session.scalar(db.select(Delegation).join(Account, Delegation.subject_id == Account.id)
                                       .where(Account.mobile == ELDER))
        delegation_id = delegation.public_id
    assert son.post(f"/citizen/family/{delegation_id}/act").status_code in (302, 303)
    sent = son.post("/citizen/services/respect-card/apply", data={
        "applicant_name": "王秀英", "contact_phone": "13800000002", "photo": upload(PDF, "photo.pdf"),
        "action": "submit",
    }, content_type="multipart/form-data")
    assert sent.status_code == 303
    case = the_case(app)
    with app.app_context():
        elder = db.session.scalar(db.select(Account).filter_by(mobile=ELDER))
        helper = db.session.scalar(db.select(Account).filter_by(mobile=SON))
        loaded = db.session.get(Case, case.id)
        assert loaded.sender_id == elder.id and loaded.filed_by_id == helper.id
        assert loaded.events[0].actor_id == helper.id and loaded.events[0].subject_id == elder.id
    assert son.get(f"/citizen/applications/{case.public_id}").status_code == 200

    elder_browser = browser_for(ELDER)
    assert elder_browser.get(f"/citizen/applications/{case.public_id}").status_code == 200  # hers
    assert elder_browser.post(f"/citizen/family/{delegation_id}/revoke").status_code in (302, 303)
    # His very next request can no longer act for her: he is back to acting for himself.
    page = son.get("/citizen/services/respect-card/apply").get_data(as_text=True)
    assert "You are no longer acting for" in page and "You are applying for" not in page
    assert son.get(f"/citizen/applications/{case.public_id}").status_code == 404
    assert son.get(f"/citizen/cases/{case.public_id}").status_code == 404
    son.post("/citizen/services/respect-card/apply", data={
        "applicant_name": "王建国", "contact_phone": "13800000003", "photo": upload(PDF, "photo.pdf"),
        "action": "submit",
    }, content_type="multipart/form-data")
    with app.app_context():
        assert db.session.get(Case, the_case(app).id).sender_id == helper.id  # his own, not hers


def test_the_service_refuses_acting_without_the_delegation(app, seeded, upload_dir):
    from portal import applications
    from portal.uploads import UploadStore

    with app.app_context():
        elder = db.session.scalar(db.select(Account).filter_by(mobile=ELDER))
        son = db.session.scalar(db.select(Account).filter_by(mobile=SON))
        stranger = db.session.scalar(db.select(Account).filter_by(mobile=OTHER))
        service = applications.online_service(db.session, "respect-card")
        store = UploadStore(upload_dir)
        with pytest.raises(applications.NotAllowed):
            applications.submit(db.session, store, stranger, elder, service, [], {}, {})
        delegation = db.session.scalar(db.select(Delegation).filter_by(subject_id=elder.id, representative_id=son.id))
        delegation.can_file_applications = False
        db.session.flush()
        with pytest.raises(applications.NotAllowed):
            applications.save_draft(db.session, store, son, elder, service, [], {}, {})
