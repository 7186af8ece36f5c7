"""Stored and reflected XSS: a script payload typed into every free-text field (requests, replies,
notes, answers, appeals, ratings, names, invitations, policies, announcements, calendar names,
client names, file names) and every search box, then every page that shows it opened by everyone
who may see it. The payload must come back as text, never as markup, and every page must carry a
Content-Security-Policy that would stop an inline script anyway."""

from __future__ import annotations

import io
import re
from html import unescape

import pytest

from tests.security.world import PDF, SERVICE, Browser, new_id


def payload(tag: str) -> str:
    """Breaks out of an attribute and a text node, with a script and an event handler, and says
    which field it was typed in."""
    return f"\"'><script>xss('{tag}')</script><img src=x onerror=xss('{tag}')><svg onload=xss('{tag}')>"


RAW = re.compile(r"<script>xss\(|<img src=x onerror|<svg onload|\"'><", re.IGNORECASE)


def raw_markup(html: str) -> list[str]:
    return [html[max(0, m.start() - 60): m.end() + 60] for m in RAW.finditer(html)]


def shown_tags(html: str) -> set[str]:
    """The tags of the payloads shown on a page as text."""
    return set(re.findall(r"xss\('([a-z0-9_.-]+)'\)", unescape(html)))


class Planted:
    def __init__(self, world):
        self.world = world
        self.ids: dict[str, str] = {}

    def post(self, who: str, url: str, data: dict, expect=(302, 303), **kwargs):
        response = self.world.post_as(who, url, data, **kwargs)
        assert response.status_code in expect, (url, response.status_code, response.get_data(as_text=True)[:3000])
        return response


@pytest.fixture(scope="module")
def planted(world):
    """Every free-text field of the three ends, filled with a payload by the person who fills it in."""
    p, w = Planted(world), world
    # A resident's request, answered back and forth with the desk, closed and rated.
    with w.app.app_context():
        from sqlalchemy import select

        from portal.extensions import db
        from portal.models import CaseCategory

        community = db.session.scalar(select(CaseCategory.id).where(CaseCategory.code == "community"))
    case = new_id(p.post("resident", "/citizen/requests/new", {
        "category": str(community), "title": payload("request.title"), "body": payload("request.body"),
        "place": payload("request.place")}))
    p.ids["request"] = case
    desk = f"/gov/cases/{case}"
    p.post("officer.fs", f"{desk}/note", {"note-notes": payload("case.note")})
    p.post("officer.fs", f"{desk}/request_info", {"request_info-reason": payload("case.request_info")})
    p.post("resident", f"/citizen/cases/{case}/information", {"notes": payload("case.resubmit")})
    p.post("officer.fs", f"{desk}/accept", {})
    p.post("officer.fs", f"{desk}/reply", {"reply-notes": payload("case.reply")})
    p.post("officer.fs", f"{desk}/close", {})
    p.post("resident", f"/citizen/cases/{case}/rating", {"rating": "satisfied", "comment": payload("case.rating")})
    # An online application whose answers and file name carry payloads.
    p.ids["application"] = new_id(p.post("resident", f"/citizen/services/{SERVICE}/apply", {
        "applicant_name": payload("application.name"), "contact_phone": "13800000001",
        "address": payload("application.address"), "action": "submit",
        # A browser sends a double quote in a file name as %22, so this payload does without one.
        "contract": (io.BytesIO(PDF), payload("file.name").lstrip('"') + ".pdf"),
    }, content_type="multipart/form-data"))
    p.ids["draft"] = new_id(p.post("resident", f"/citizen/services/{SERVICE}/apply", {
        "applicant_name": payload("draft.name"), "action": "save"}, content_type="multipart/form-data"))
    # An invitation to help, with its note.
    p.post("elder", "/citizen/family/invite", {"mobile": "13800000001", "can_view_cases": "y", "days": "30",
                                               "relationship_note": payload("family.note")[:50]}, expect=(302,))
    # A company's appeal.
    company = w.ids["company"]
    with w.app.app_context():
        category = db.session.scalar(select(CaseCategory.id).where(CaseCategory.code == "business-finance"))
    p.ids["appeal"] = new_id(p.post("representative", f"/enterprise/c/{company}/appeals/new", {
        "category": str(category), "title": payload("appeal.title"), "body": payload("appeal.body")}))
    p.post("representative", f"/enterprise/c/{company}/profile", {
        "name_en": payload("company.name_en"), "address_zh": payload("company.address_zh"),
        "address_en": payload("company.address_en")})
    # A company registered under a name with a payload, waiting for an officer.
    import random

    from portal.enterprise_codes import generate_uscc

    unknown = generate_uscc(random.Random(20260101))  # a code not on file: the name typed is kept
    p.post("resident", "/enterprise/register", {
        "uscc": unknown, "name_zh": payload("company.name_zh"), "name_en": payload("register.name_en"),
        "enterprise_type": "limited_company", "address_zh": payload("register.address")})
    # A policy drafted with payloads in its texts, its clauses and its criteria, then published.
    policy = new_id(p.post("lead.jw", "/gov/policies/new", {
        "title_zh": payload("policy.title_zh"), "title_en": payload("policy.title_en"),
        "document_number": payload("policy.number")[:64], "topic": "innovation",
        "application_method": "apply_online", "summary_zh": payload("policy.summary"),
        "benefit_zh": payload("policy.benefit"), "beneficiaries_zh": payload("policy.beneficiaries"),
        "conditions_zh": payload("policy.conditions"), "full_text_zh": payload("policy.full_text"),
        "contacts_zh": payload("policy.contacts"), "clauses": "art1: " + payload("policy.clause"),
        "combinator": "all", "rows-0-attr": "employees", "rows-0-op": ">=", "rows-0-value": "1",
        "rows-0-clause": "art1"}))
    p.ids["policy"] = policy
    p.post("lead.jw", f"/gov/policies/{policy}/publish", {})
    # Staff texts: an announcement, a holiday's name, a department system's name.
    p.post("admin", "/gov/announcements", {"title": payload("announcement.title"),
                                           "body": payload("announcement.body")})
    p.post("admin", "/gov/calendar", {"year": "2030", "holidays": "2030-01-01 " + payload("calendar.name"),
                                      "workdays": ""})
    with w.app.app_context():
        from portal.models import Department

        bureau = db.session.scalar(select(Department.id).where(Department.code == "jjw"))
    p.post("admin", "/gov/clients/new", {
        "name": payload("client.name")[:100], "department_id": str(bureau), "kind": "confidential",
        "redirect_uris": "https://dept.example/callback", "scopes": "openid"}, expect=(200,))
    return p


def _pages(w, p) -> dict[str, list[str]]:
    """Who opens which pages (every page where a payload above is shown)."""
    company, case, appeal = w.ids["company"], p.ids["request"], p.ids["appeal"]
    return {
        "resident": ["/citizen/cases", f"/citizen/cases/{case}", "/citizen/applications",
                     f"/citizen/applications/{p.ids['application']}", f"/citizen/applications/drafts/{p.ids['draft']}",
                     "/citizen/inbox", "/citizen/family", "/enterprise/", "/auth/account"],
        "elder": ["/citizen/family"],
        "representative": [f"/enterprise/c/{company}", f"/enterprise/c/{company}/appeals",
                           f"/enterprise/c/{company}/appeals/{appeal}", f"/enterprise/c/{company}/profile",
                           f"/enterprise/c/{company}/code", f"/enterprise/c/{company}/matches",
                           f"/enterprise/c/{company}/policies", f"/enterprise/c/{company}/policies/{p.ids['policy']}",
                           f"/enterprise/c/{company}/inbox", "/enterprise/"],
        "officer.fs": ["/gov/", "/gov/cases?state=all", f"/gov/cases/{case}", "/gov/messages",
                       "/gov/enterprises/verifications"],
        "officer.jw": ["/gov/", "/gov/cases?state=all", f"/gov/cases/{appeal}", "/gov/policies",
                       f"/gov/policies/{p.ids['policy']}"],
        "admin": ["/gov/announcements", "/gov/calendar?year=2030", "/gov/clients", "/gov/cases?state=all",
                  f"/gov/cases/{case}", f"/gov/cases/{p.ids['application']}"],
    }


# Each payload's tag, and a page where it must be seen (as text): proof that the field was filled
# and shown, so that the absence of markup means it was escaped.
EXPECTED = {
    "request.title": ("resident", "/citizen/cases"), "request.body": ("officer.fs", "case"),
    "request.place": ("officer.fs", "case"), "case.note": ("officer.fs", "case"),
    "case.request_info": ("resident", "resident_case"), "case.resubmit": ("officer.fs", "case"),
    "case.reply": ("resident", "resident_case"), "case.rating": ("officer.fs", "case"),
    "application.name": ("resident", "application"), "application.address": ("admin", "application_desk"),
    "file.name": ("resident", "application"), "draft.name": ("resident", "draft"),
    "family.note": ("elder", "/citizen/family"),
    "appeal.title": ("representative", "appeals"), "appeal.body": ("officer.jw", "appeal_desk"),
    "company.name_en": ("representative", "profile"), "company.name_zh": ("officer.fs", "verifications"),
    "policy.title_en": ("officer.jw", "/gov/policies"),
    "policy.summary": ("representative", "policy"),
    "policy.clause": ("representative", "policy"), "announcement.title": ("officer.fs", "/gov/"),
    "announcement.body": ("officer.fs", "/gov/"), "calendar.name": ("admin", "/gov/calendar?year=2030"),
    "client.name": ("admin", "/gov/clients"),
}


def _named(w, p) -> dict[str, str]:
    company = w.ids["company"]
    return {
        "case": f"/gov/cases/{p.ids['request']}", "resident_case": f"/citizen/cases/{p.ids['request']}",
        "application": f"/citizen/applications/{p.ids['application']}",
        "application_desk": f"/gov/cases/{p.ids['application']}",
        "draft": f"/citizen/applications/drafts/{p.ids['draft']}",
        "appeals": f"/enterprise/c/{company}/appeals", "appeal_desk": f"/gov/cases/{p.ids['appeal']}",
        "profile": f"/enterprise/c/{company}/profile", "verifications": "/gov/enterprises/verifications",
        "policy": f"/enterprise/c/{company}/policies/{p.ids['policy']}",
    }


def test_stored_payloads_are_shown_as_text_on_every_page(world, planted):
    problems, seen = [], {}
    for who, urls in _pages(world, planted).items():
        browser = world.browser(who)
        for url in urls:
            response = browser.get(url)
            html = response.get_data(as_text=True)
            if response.status_code != 200:
                problems.append(f"{who} {url}: {response.status_code}")
                continue
            problems += [f"{who} {url}: raw markup …{snippet}…" for snippet in raw_markup(html)]
            if "script-src 'self'" not in response.headers.get("Content-Security-Policy", ""):
                problems.append(f"{who} {url}: no script policy")
            seen[(who, url)] = shown_tags(html)
    named = _named(world, planted)
    for tag, (who, page) in EXPECTED.items():
        url = named.get(page, page)
        if tag not in seen.get((who, url), set()):
            problems.append(f"{tag} is not shown to {who} on {url}: the test would not notice it unescaped")
    assert not problems, "\n".join(problems)


def test_file_names_are_neutral_in_downloads(world, planted):
    with world.app.app_context():
        from sqlalchemy import select

        from portal.extensions import db
        from portal.models import Case, CaseAttachment

        attachment = db.session.scalar(select(CaseAttachment).join(Case, CaseAttachment.case_id == Case.id)
                                       .where(Case.public_id == planted.ids["application"]))
        ident = attachment.id
    response = world.browser("resident").get(f"/citizen/applications/{planted.ids['application']}/files/{ident}")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    # Saved, never shown: the name may keep its odd characters, but cannot end the header.
    assert "\n" not in disposition and "\r" not in disposition and disposition.count('"') in (0, 2)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]


REFLECTED = [
    "/citizen/services?q={}",
    "/enterprise/c/{company}/services?q={}",
    "/enterprise/c/{company}/policies?q={}&topic={}&department={}&method={}",
    "/gov/cases?q={}&state={}&kind={}&category={}",
    "/gov/cases?after={}",
    "/gov/stats?start={}&end={}",
    "/gov/calendar?year={}",
    "/enterprise/code?token={}",
    "/enterprise/code/{}",
    "/auth/login?next={}",
    "/auth/mfa/setup?next={}",
    "/auth/reset/confirm?username={}",
    "/oidc/authorize?client_id={}&redirect_uri={}&response_type=code&scope=openid&state={}",
    "/oidc/logout?client_id={}&post_logout_redirect_uri={}&state={}",
    "/citizen/{}",
    "/gov/cases/{}",
]


@pytest.mark.parametrize("template", REFLECTED)
@pytest.mark.parametrize("who", ["anonymous", "representative", "admin"])
def test_reflected_payloads_are_escaped(world, template, who):
    from urllib.parse import quote

    text = quote(payload("reflected"), safe="")
    url = template.replace("{company}", world.ids["company"]).replace("{}", text)
    response = world.browser(who).get(url)
    assert response.status_code < 500, url
    html = response.get_data(as_text=True)
    assert not raw_markup(html), (url, raw_markup(html))
    if response.mimetype == "text/html":
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("field", ["username", "password"])
def test_a_failed_sign_in_shows_what_was_typed_as_text(world, field):
    data = {"username": "13800000001", "password": "wrong", field: payload("login")}
    response = Browser(world.app).post("/auth/login", data=data)
    assert response.status_code in (200, 429)
    assert not raw_markup(response.get_data(as_text=True))
