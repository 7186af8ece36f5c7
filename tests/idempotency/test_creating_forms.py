"""Every form that creates something, sent twice with its one-time token, creates it once; the
second answer is the first one's result, not an error."""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from sqlalchemy import func, select

from auth.models import PendingRegistration
from portal.cases import submit_case, transition
from portal.enterprise_codes import generate_uscc
from portal.extensions import db
from portal.models import (
    Account,
    Announcement,
    ApplicationDraft,
    Case,
    CaseCategory,
    CaseEvent,
    CaseKind,
    Delegation,
    Enterprise,
    Membership,
    PaperCode,
    Policy,
)
from tests.idempotency.conftest import form_token

LI, REPRESENTATIVE = "13800000001", "13800000011"
COMPANY_USCC = "91310117MA1FPX3K11"  # 张伟 is its legal representative
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
POLICY = {
    "title_zh": "数字化转型券", "topic": "digital", "application_method": "apply_online",
    "summary_zh": "摘要", "benefit_zh": "补贴", "beneficiaries_zh": "企业", "conditions_zh": "条件",
    "clauses": "第二条: 员工不少于10人", "combinator": "all",
    "rows-0-attr": "employees", "rows-0-op": ">=", "rows-0-value": "10", "rows-0-clause": "第二条",
}


@pytest.fixture(autouse=True)
def upload_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _account(name: str) -> Account:
    return db.session.scalar(select(Account).where((Account.mobile == name) | (Account.username == name)))


def _category(code: str) -> CaseCategory:
    return db.session.scalar(select(CaseCategory).where(CaseCategory.code == code))


def _company() -> Enterprise:
    return db.session.scalar(select(Enterprise).where(Enterprise.uscc == COMPANY_USCC))


def _case(*moves: str, kind=CaseKind.REQUEST, category="business-policy", enterprise=False) -> dict:
    """A case filed by 李明 (or, as an appeal, by 张伟 for his company), moved through `moves` by a lead
    of the department that handles it (区经济委员会)."""
    sender = _account(REPRESENTATIVE if enterprise else LI)
    case = submit_case(db.session, sender, kind=kind, category=_category(category), title="Idempotency case",
                       body="Body", enterprise_id=_company().id if enterprise else None)
    lead = _account("lead.jw")
    details = {"reply": {"notes": "Done."}, "request_info": {"reason": "Send the lease."}}
    for move in moves:
        transition(db.session, case, move, lead, **details.get(move, {}))
    db.session.commit()
    return {"case": case.public_id, "company": _company().public_id}


def _company_ids() -> dict:
    return {"company": _company().public_id}


@dataclass
class CreatingForm:
    person: str | None
    page: str  # where the form is shown, formatted with what `setup` returns
    data: Callable[[dict, str], dict]
    count: Callable[[dict], int]
    url: str | None = None  # where it is sent, when not to the page itself
    setup: Callable[[], dict] = field(default=dict)
    prefix: str = ""
    multipart: bool = False
    redirects: bool = True  # False: the result is a page of its own (a client secret shown once)


def _request_data(_ctx, marker):
    return {"category": str(_category("business-policy").id), "title": marker, "body": "Please help."}


FORMS = {
    "citizen request": CreatingForm(
        LI, "/citizen/requests/new", _request_data, lambda ctx: _count(Case)),
    "enterprise appeal": CreatingForm(
        REPRESENTATIVE, "/enterprise/c/{company}/appeals/new",
        lambda ctx, marker: {"category": str(_category("business-finance").id), "title": marker, "body": "Loan."},
        lambda ctx: _count(Case), setup=_company_ids),
    "online application": CreatingForm(
        LI, "/citizen/services/residence-permit/apply",
        lambda ctx, marker: {"applicant_name": marker, "contact_phone": LI, "address": "松江区人民北路1号",
                             "contract": (io.BytesIO(PDF), "合同.pdf"), "action": "submit"},
        lambda ctx: _count(Case), multipart=True),
    "application draft": CreatingForm(
        LI, "/citizen/services/residence-permit/apply",
        lambda ctx, marker: {"applicant_name": marker, "action": "save"},
        lambda ctx: _count(ApplicationDraft), multipart=True),
    "family invitation": CreatingForm(
        LI, "/citizen/family/invite",
        lambda ctx, marker: {"mobile": "13912340001", "can_view_cases": "y", "days": "365"},
        lambda ctx: _count(Delegation)),
    "paper code": CreatingForm(
        LI, "/citizen/code", lambda ctx, marker: {}, lambda ctx: _count(PaperCode), url="/citizen/code/paper"),
    "rating": CreatingForm(
        LI, "/citizen/cases/{case}", lambda ctx, marker: {"rating": "satisfied", "comment": marker},
        lambda ctx: _count(CaseEvent, CaseEvent.action == "rate"), url="/citizen/cases/{case}/rating",
        setup=lambda: _case("accept", "start", "reply", "close")),
    "information asked for": CreatingForm(
        LI, "/citizen/cases/{case}", lambda ctx, marker: {"notes": marker},
        lambda ctx: _count(CaseEvent, CaseEvent.action == "resubmit"), url="/citizen/cases/{case}/information",
        setup=lambda: _case("request_info")),
    "appeal rating": CreatingForm(
        REPRESENTATIVE, "/enterprise/c/{company}/appeals/{case}",
        lambda ctx, marker: {"rating": "very_satisfied", "comment": marker},
        lambda ctx: _count(CaseEvent, CaseEvent.action == "rate"), url="/enterprise/c/{company}/appeals/{case}/rating",
        setup=lambda: _case("accept", "start", "reply", "close", kind=CaseKind.APPEAL, category="business-finance",
                            enterprise=True)),
    "appeal information": CreatingForm(
        REPRESENTATIVE, "/enterprise/c/{company}/appeals/{case}", lambda ctx, marker: {"notes": marker},
        lambda ctx: _count(CaseEvent, CaseEvent.action == "resubmit"),
        url="/enterprise/c/{company}/appeals/{case}/information",
        setup=lambda: _case("request_info", kind=CaseKind.APPEAL, category="business-finance", enterprise=True)),
    "enterprise registration": CreatingForm(
        LI, "/enterprise/register",
        lambda ctx, marker: {"uscc": generate_uscc(random.Random(7)), "name_zh": marker,  # noqa: S311
                             "enterprise_type": "limited_company"},
        lambda ctx: _count(Enterprise)),
    "agent invitation": CreatingForm(
        REPRESENTATIVE, "/enterprise/c/{company}/agents", lambda ctx, marker: {"mobile": LI, "scopes": ["appeals"]},
        lambda ctx: _count(Membership), setup=_company_ids),
    "resident registration": CreatingForm(
        None, "/auth/register",
        lambda ctx, marker: {"real_name": "刘洋", "mobile": "13912345678", "resident_id_number": "310117199001011235",
                             "password": "Good-pass-2026x", "confirm": "Good-pass-2026x"},
        lambda ctx: _count(PendingRegistration)),  # one registration, one code sent
    "desk note": CreatingForm(
        "officer.jw", "/gov/cases/{case}", lambda ctx, marker: {"note-notes": marker},
        lambda ctx: _count(CaseEvent, CaseEvent.action == "note"), url="/gov/cases/{case}/note", prefix="note",
        setup=_case),
    "desk reply": CreatingForm(
        "officer.jw", "/gov/cases/{case}", lambda ctx, marker: {"reply-notes": marker},
        lambda ctx: _count(CaseEvent, CaseEvent.action == "reply"), url="/gov/cases/{case}/reply", prefix="reply",
        setup=lambda: _case("accept", "start")),
    "desk accept button": CreatingForm(
        "officer.jw", "/gov/cases/{case}", lambda ctx, marker: {},
        lambda ctx: _count(CaseEvent, CaseEvent.action == "accept"), url="/gov/cases/{case}/accept", prefix="accept",
        setup=_case),
    "desk close button": CreatingForm(
        "officer.jw", "/gov/cases/{case}", lambda ctx, marker: {},
        lambda ctx: _count(CaseEvent, CaseEvent.action == "close"), url="/gov/cases/{case}/close", prefix="close",
        setup=lambda: _case("accept", "start", "reply")),
    "announcement": CreatingForm(
        "admin", "/gov/announcements", lambda ctx, marker: {"title": marker, "body": "Staff meeting at nine."},
        lambda ctx: _count(Announcement)),
    "policy": CreatingForm(
        "officer.jw", "/gov/policies/new", lambda ctx, marker: {**POLICY, "title_zh": marker},
        lambda ctx: _count(Policy)),
    "department system": CreatingForm(
        "admin", "/gov/clients/new",
        lambda ctx, marker: {"name": marker, "department_id": str(ctx["department"]), "kind": "confidential",
                             "redirect_uris": "https://qyfw.example.gov.cn/callback", "scopes": ["openid", "profile"]},
        lambda ctx: _count_clients(),
        setup=lambda: {"department": db.session.scalar(select(_department_id()))}, redirects=False),
}


def _department_id():
    from portal.models import Department

    return select(Department.id).where(Department.code == "jjw").scalar_subquery()


def _count_clients() -> int:
    from auth.oidc.models import OAuthClient

    return _count(OAuthClient)


class Sender:
    """One person sending one of the forms, with the token a page gave them."""

    def __init__(self, app, browser_for, name: str):
        self.app, self.form = app, FORMS[name]
        with app.app_context():
            self.ctx = self.form.setup()
        self.browser = browser_for(self.form.person)
        self.page = self.form.page.format(**self.ctx)
        self.url = (self.form.url or self.form.page).format(**self.ctx)

    def token(self) -> str:
        response = self.browser.get(self.page)
        assert response.status_code == 200
        return form_token(response.get_data(as_text=True))

    def send(self, token: str | None, marker: str = "Idempotency marker"):
        with self.app.app_context():
            data = self.form.data(self.ctx, marker)
        if token is not None:
            data[f"{self.form.prefix}-form_token" if self.form.prefix else "form_token"] = token
        kwargs = {"content_type": "multipart/form-data"} if self.form.multipart else {}
        return self.browser.post(self.url, data=data, **kwargs)

    def count(self) -> int:
        with self.app.app_context():
            return self.form.count(self.ctx)


@pytest.mark.parametrize("name", FORMS)
def test_sending_a_form_twice_creates_one_thing_and_shows_the_first_result(app, browser_for, name):
    sender = Sender(app, browser_for, name)
    before = sender.count()
    token = sender.token()
    first = sender.send(token)
    assert first.status_code == (303 if sender.form.redirects else 200) or first.status_code == 302, \
        first.get_data(as_text=True)[:2000]
    assert sender.count() == before + 1

    second = sender.send(token)
    assert sender.count() == before + 1
    if sender.form.redirects:
        assert second.status_code == 303
        assert second.headers["Location"] == first.headers["Location"]
        landing = sender.browser.get(second.headers["Location"])
        assert "You had already sent this form. This is what came of it." in landing.get_data(as_text=True)
    else:
        assert second.status_code == 200
        html = second.get_data(as_text=True)
        assert "You had already sent this form, so it was not sent a second time." in html
        assert "Client secret" not in html  # shown once, to the first answer only


@pytest.mark.parametrize("name", ["citizen request", "desk note", "announcement", "paper code"])
def test_two_tokens_create_two_things(app, browser_for, name):
    sender = Sender(app, browser_for, name)
    before = sender.count()
    assert sender.send(sender.token()).status_code in (302, 303)
    assert sender.send(sender.token()).status_code in (302, 303)
    assert sender.count() == before + 2


@pytest.mark.parametrize("name", ["citizen request", "desk note"])
def test_a_post_without_a_token_is_processed_as_before(app, browser_for, name):
    sender = Sender(app, browser_for, name)
    before = sender.count()
    assert sender.send(None).status_code == 303
    assert sender.send(None).status_code == 303
    assert sender.count() == before + 2
