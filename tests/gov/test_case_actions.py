"""The case page: what each person may do, forms that keep what was typed, refusals in words."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Account, AuditEvent, Case, CaseState, Department, InboxMessage
from portal.models.base import utcnow
from tests.gov.conftest import page_text, queue_references
from tests.gov.test_queue import file_cases


def public_id_of(app, reference: str) -> str:
    with app.app_context():
        return db.session.scalar(select(Case.public_id).where(Case.reference == reference))


def dept_id(app, code: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Department.id).where(Department.code == code))


def forms_on(html: str, public_id: str) -> set[str]:
    return set(re.findall(rf'action="/gov/cases/{public_id}/([a-z_]+)"', html))


def post(client, public_id, action, **fields):
    return client.post(f"/gov/cases/{public_id}/{action}",
                       data={f"{action}-{name}": value for name, value in fields.items()})


def test_each_person_gets_the_forms_their_role_allows(app, browser_for):
    [ref] = file_cases(app, 1)
    public_id = public_id_of(app, ref)
    officer, lead, admin = browser_for("officer.jw"), browser_for("lead.jw"), browser_for("admin")
    offered = forms_on(officer.get(f"/gov/cases/{public_id}").get_data(as_text=True), public_id)
    assert offered == {"accept", "request_info", "transfer", "dispute", "reject", "merge", "assign", "note"}
    assert forms_on(admin.get(f"/gov/cases/{public_id}").get_data(as_text=True), public_id) == {"note"}
    post(officer, public_id, "accept")
    post(officer, public_id, "request_extension", due="2026-12-31", reason="Waiting for the bank")
    lead_forms = forms_on(lead.get(f"/gov/cases/{public_id}").get_data(as_text=True), public_id)
    assert {"approve_extension", "decline_extension", "reply", "invite", "start"} <= lead_forms
    officer_forms = forms_on(officer.get(f"/gov/cases/{public_id}").get_data(as_text=True), public_id)
    assert "approve_extension" not in officer_forms  # a lead decides


def test_bad_input_keeps_what_was_typed_and_says_what_is_wrong(app, browser_for):
    [ref] = file_cases(app, 1)
    public_id = public_id_of(app, ref)
    officer = browser_for("officer.jw")
    response = post(officer, public_id, "transfer", department="", reason="Typed before the mistake")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Choose a department." in html
    assert "Typed before the mistake</textarea>" in html
    assert re.search(r"<details class=\"action\" open>\s*<summary>Transfer to another department", html)
    assert 'aria-invalid="true"' in html and 'id="transfer-department"' in html

    response = post(officer, public_id, "dispute", reason="Not ours", basis="")
    assert "Name the rule that gives this duty to another department." in page_text(response)

    response = post(officer, public_id, "merge", duplicate_of="SJ-2026-999999")
    assert "No case with that reference is in your queue." in page_text(response)
    response = post(officer, public_id, "merge", duplicate_of="not a reference")
    assert "Enter a reference like SJ-2026-000123." in page_text(response)


def test_refusals_from_the_state_machine_are_worded(app, browser_for):
    [ref] = file_cases(app, 1, start=utcnow() - timedelta(hours=1))
    public_id = public_id_of(app, ref)
    officer = browser_for("officer.jw")
    post(officer, public_id, "accept")
    assert post(officer, public_id, "invite", department=dept_id(app, "kw")).status_code == 303
    response = post(officer, public_id, "invite", department=dept_id(app, "kw"))
    assert "That department is already assisting." in page_text(response)
    response = post(officer, public_id, "request_extension", due="2026-03-01", reason="More time")
    assert "The new due date must be after the current one" in page_text(response)
    # A move the case's state no longer allows (signed for twice): told, nothing changes.
    response = post(officer, public_id, "accept")
    assert response.status_code == 303
    assert "cannot be done on this case now" in page_text(officer.get(response.headers["Location"]))
    assert officer.post(f"/gov/cases/{public_id}/no_such_action").status_code == 404


def test_extension_assign_merge_and_dispute_through_the_forms(app, browser_for):
    first, second, third = file_cases(app, 3, start=utcnow() - timedelta(hours=1))
    ids = {ref: public_id_of(app, ref) for ref in (first, second, third)}
    officer, lead, admin = browser_for("officer.jw"), browser_for("lead.jw"), browser_for("admin")

    # Extension: asked by the officer, approved by the lead, the sender told the new date.
    post(officer, ids[first], "accept")
    assert post(officer, ids[first], "request_extension", due="2099-12-31", reason="Bank").status_code == 303
    assert first in queue_references(lead, extension="y")
    assert post(lead, ids[first], "approve_extension").status_code == 303
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.reference == first))
        assert case.reply_due.isoformat() == "2099-12-31" and case.extension_due is None
        keys = set(db.session.scalars(select(InboxMessage.subject_key).where(InboxMessage.case_id == case.id)))
        assert "sender.approve_extension.subject" in keys
        colleague = db.session.scalar(select(Account.id).where(Account.username == "lead.jw"))

    # Assign to a colleague: it appears under "assigned to me" for them.
    assert post(officer, ids[first], "assign", officer=colleague).status_code == 303
    assert first in queue_references(lead, mine="y")

    # Merge a duplicate into the original: the duplicate's sender follows the original.
    assert post(officer, ids[second], "merge", duplicate_of=first).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Case.state).where(Case.reference == second)) == CaseState.MERGED

    # Not our duty (退单): the dispatcher decides and reassigns it.
    assert post(officer, ids[third], "dispute", reason="Not ours", basis="Regulation 12").status_code == 303
    assert "Disputes waiting for the dispatcher" in page_text(admin.get("/gov/"))
    assert third in queue_references(admin, state="disputed")
    response = post(admin, ids[third], "reassign", department=dept_id(app, "fsjd"), reason="Community matter")
    assert response.status_code == 303
    assert third not in queue_references(officer)
    assert third in queue_references(browser_for("officer.fs"), state="submitted")


def test_every_view_of_a_case_page_is_audited(app, browser_for):
    [ref] = file_cases(app, 1)
    public_id = public_id_of(app, ref)
    officer = browser_for("officer.jw")

    def views():
        with app.app_context():
            return db.session.scalar(select(func.count()).select_from(AuditEvent).where(
                AuditEvent.action == "case.view", AuditEvent.object_id == public_id))

    before = views()
    officer.get(f"/gov/cases/{public_id}")
    officer.get(f"/gov/cases/{public_id}")
    assert views() == before + 2
    with app.app_context():
        row = db.session.scalars(select(AuditEvent).where(AuditEvent.object_id == public_id)).first()
        assert row.actor_id is not None and row.details["reference"] == ref


def test_sender_details_shown_in_full_only_to_the_owning_department(app, browser_for):
    [ref] = file_cases(app, 1)
    public_id = public_id_of(app, ref)
    officer = browser_for("officer.jw")
    assert "13800000001" in page_text(officer.get(f"/gov/cases/{public_id}"))
    post(officer, public_id, "accept")
    post(officer, public_id, "invite", department=dept_id(app, "fsjd"))
    assisting = page_text(browser_for("officer.fs").get(f"/gov/cases/{public_id}"))
    assert "138****0001" in assisting and "13800000001" not in assisting


def test_every_post_form_on_the_desk_carries_a_csrf_token(app, other_app, seeded):
    from tests.helpers import DEMO_PASSWORD, csrf_token, totp_code

    [ref] = file_cases(app, 1)
    public_id = public_id_of(app, ref)
    strict = other_app(WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=False)
    client = strict.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get("/auth/login")
    response = client.post("/auth/login", data={"username": "admin", "password": DEMO_PASSWORD,
                                                 "csrf_token": csrf_token(page.get_data(as_text=True))})
    for ahead in range(4):
        mfa = client.get(response.headers["Location"])
        done = client.post("/auth/mfa", data={"code": totp_code(steps_ahead=ahead),
                                              "csrf_token": csrf_token(mfa.get_data(as_text=True))})
        if done.status_code == 302:
            break
    for url in ("/gov/", f"/gov/cases/{public_id}", "/gov/announcements", "/gov/calendar", "/gov/messages"):
        html = client.get(url).get_data(as_text=True)
        forms = re.findall(r'<form[^>]*method="post"[^>]*>(.*?)</form>', html, flags=re.S)
        assert forms, url
        for form in forms:
            assert 'name="csrf_token"' in form or re.search(r'name="[a-z_]+-csrf_token"', form), (url, form[:200])
    # A form sent without its token is refused, changing nothing; with it, it works.
    response = client.post(f"/gov/cases/{public_id}/note", data={"note-notes": "no token"})
    assert response.status_code == 400
    html = client.get(f"/gov/cases/{public_id}").get_data(as_text=True)
    assert "no token" not in page_text_of(html)
    token = re.search(r'name="note-csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post(f"/gov/cases/{public_id}/note", data={"note-notes": "with token", "note-csrf_token": token})
    assert response.status_code == 303
    assert "with token" in page_text(client.get(f"/gov/cases/{public_id}"))


def page_text_of(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)
