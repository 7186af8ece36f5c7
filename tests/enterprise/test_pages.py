"""Forms that keep what was typed, the enterprise code, appeals, policy authoring, claims."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from auth.oidc import claims
from enterprise import services
from portal.code_keys import app_keyring
from portal.extensions import db
from portal.models import Account, Case, CaseKind, Enterprise, Membership, MembershipStatus, Policy, PolicyStatus
from portal.models.base import utcnow
from tests.enterprise.conftest import COMPANY_USCC, REPRESENTATIVE, RESIDENT

EXPECTED_ROUTES = {
    ("enterprise.index", "/enterprise/"),
    ("enterprise.register", "/enterprise/register"),
    ("enterprise.dashboard", "/enterprise/c/<public_id>"),
    ("enterprise.matches", "/enterprise/c/<public_id>/matches"),
    ("enterprise.policy", "/enterprise/c/<public_id>/policies/<policy_id>"),
    ("enterprise.appeal", "/enterprise/c/<public_id>/appeals/<case_id>"),
    ("enterprise.rate_appeal", "/enterprise/c/<public_id>/appeals/<case_id>/rating"),
    ("enterprise.card", "/enterprise/code/<token>"),
    ("gov.policies", "/gov/policies"),
    ("gov.new_policy", "/gov/policies/new"),
    ("gov.policy", "/gov/policies/<public_id>"),
    ("gov.policy_action", "/gov/policies/<public_id>/<action>"),
    ("gov.verifications", "/gov/enterprises/verifications"),
}


def test_the_routes_are_there(app):
    assert {(rule.endpoint, rule.rule) for rule in app.url_map.iter_rules()} >= EXPECTED_ROUTES


def test_registering_with_a_mistyped_code_keeps_what_was_typed(person):
    client = person(RESIDENT)
    response = client.post("/enterprise/register", data={
        "uscc": "91310117MA1FPX3K12", "name_zh": "上海测试有限公司", "enterprise_type": "limited_company",
    })
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The last character does not match the others" in html
    assert 'value="上海测试有限公司"' in html and 'value="91310117MA1FPX3K12"' in html


def test_a_registration_waits_for_an_officer(app, person):
    client = person(RESIDENT)
    response = client.post("/enterprise/register", data={
        "uscc": COMPANY_USCC, "name_zh": "上海松江智造科技有限公司", "enterprise_type": "limited_company",
    })
    assert response.status_code == 303
    assert "Waiting for verification" in client.get("/enterprise/").get_data(as_text=True)
    officer = person("officer.jw")
    page = officer.get("/gov/enterprises/verifications").get_data(as_text=True)
    membership = page.split("/gov/enterprises/verifications/")[1].split('"')[0]
    assert officer.post(f"/gov/enterprises/verifications/{membership}").status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Membership.status).where(Membership.public_id == membership)) == \
            MembershipStatus.ACTIVE


def _token(app, *, now=None):
    with app.app_context():
        enterprise = db.session.scalar(select(Enterprise).where(Enterprise.uscc == COMPANY_USCC))
        token, _ = services.issue_code(app_keyring(), enterprise, now=now)
    return token


def test_a_genuine_code_opens_the_public_card(app, client, seeded):
    html = client.get(f"/enterprise/code/{_token(app)}").get_data(as_text=True)
    assert COMPANY_USCC in html and "High-tech enterprise" in html
    assert "For officers" not in html
    assert client.get(f"/enterprise/code/{_token(app)}").status_code == 200  # shown to many: not spent


def test_an_officer_also_sees_the_companys_cases_and_matches(app, person):
    html = person("officer.jw").get(f"/enterprise/code/{_token(app)}").get_data(as_text=True)
    assert "For officers" in html and "Matched policies" in html


def test_forged_altered_and_expired_codes_are_refused(app, client, seeded):
    token = _token(app)
    altered = token[:30] + ("A" if token[30] != "A" else "B") + token[31:]
    response = client.get(f"/enterprise/code/{altered}")
    assert response.status_code == 400 and "forged or altered" in response.get_data(as_text=True)
    expired = _token(app, now=utcnow() - timedelta(days=400))
    assert "has expired" in client.get(f"/enterprise/code/{expired}").get_data(as_text=True)
    assert "not an enterprise code" in client.get("/enterprise/code?token=HELLO").get_data(as_text=True)


def test_an_appeal_is_filed_routed_and_listed(app, person, company_ids):
    client = person(REPRESENTATIVE)
    base = f"/enterprise/c/{company_ids[COMPANY_USCC]}/appeals"
    empty = client.post(f"{base}/new", data={"title": "Kept title"})
    assert empty.status_code == 200 and 'value="Kept title"' in empty.get_data(as_text=True)
    with app.app_context():
        from portal.models import CaseCategory

        category = db.session.scalar(select(CaseCategory.id).where(CaseCategory.code == "business-finance"))
    response = client.post(f"{base}/new", data={"category": category, "title": "Loan guarantee",
                                                 "body": "We need a loan guarantee for a new line."})
    assert response.status_code == 303
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.title == "Loan guarantee"))
        assert case.kind == CaseKind.APPEAL and case.department.code == "jjw"
        assert case.sender_enterprise_id is not None
        public_id = case.public_id
    assert "Loan guarantee" in client.get(base).get_data(as_text=True)
    assert "We need a loan guarantee" in client.get(f"{base}/{public_id}").get_data(as_text=True)


CRITERIA_ROWS = {
    "title_zh": "数字化转型券", "topic": "digital", "application_method": "apply_online",
    "summary_zh": "摘要", "benefit_zh": "补贴", "beneficiaries_zh": "企业", "conditions_zh": "条件",
    "clauses": "第二条: 员工不少于10人", "combinator": "all",
    "rows-0-attr": "employees", "rows-0-op": ">=", "rows-0-value": "ten", "rows-0-clause": "第二条",
}


def test_an_officer_authors_checks_dry_runs_and_publishes_a_policy(app, person):
    officer = person("officer.jw")
    wrong = officer.post("/gov/policies/new", data=CRITERIA_ROWS)
    html = wrong.get_data(as_text=True)
    assert wrong.status_code == 200
    assert "/all/0/value" in html and "not of the right kind" in html
    assert 'value="数字化转型券"' in html and 'value="ten"' in html
    saved = officer.post("/gov/policies/new", data={**CRITERIA_ROWS, "rows-0-value": "10"})
    assert saved.status_code == 303
    page = officer.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Dry run: matching enterprises per town" in page
    public_id = saved.headers["Location"].rstrip("/").split("/")[-1]
    assert officer.post(f"/gov/policies/{public_id}/publish").status_code == 303
    with app.app_context():
        policy = db.session.scalar(select(Policy).where(Policy.public_id == public_id))
        assert policy.status == PolicyStatus.PUBLISHED and policy.department.code == "jjw"
    assert officer.post(f"/gov/policies/{public_id}/withdraw").status_code == 303


def test_the_advanced_json_box_reports_paths(person):
    officer = person("officer.jw")
    html = officer.post("/gov/policies/new", data={**CRITERIA_ROWS, "advanced": '{"any": [{"attr": "x"}]}'}) \
        .get_data(as_text=True)
    assert "/any/0" in html
    assert "&#34;any&#34;" in html or "&quot;any&quot;" in html  # what was typed is still there


def test_claims_name_the_companies_a_person_acts_for(app, seeded):
    with app.app_context():
        account = db.session.scalar(select(Account).where(Account.mobile == REPRESENTATIVE))
        assert claims.EnterpriseRole(COMPANY_USCC, "legal_representative") in claims.enterprise_memberships(account)
        assert "enterprise" in claims.portal_ends(account)
