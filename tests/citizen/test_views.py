"""The citizen pages through the Flask test client, signed in through the real forms."""

from __future__ import annotations

import re

import pytest

from portal import city_code
from portal.code_keys import app_keyring
from portal.extensions import db
from portal.models import Account, Delegation, PaperCode
from tests.helpers import DEMO_PASSWORD

PAGE_BUDGET_BYTES = 60 * 1024
ELDER, SON, ORDINARY = "13800000002", "13800000003", "13800000001"

CITIZEN_ROUTES = {
    ("citizen.index", "/citizen/"),
    ("citizen.help_page", "/citizen/help"),
    ("citizen.set_home_area", "/citizen/help/area"),
    ("citizen.city_code", "/citizen/code"),
    ("citizen.city_code_live", "/citizen/code/live"),
    ("citizen.city_code_history", "/citizen/code/history"),
    ("citizen.issue_paper_code", "/citizen/code/paper"),
    ("citizen.paper_code", "/citizen/code/paper/<public_id>"),
    ("citizen.revoke_paper_code", "/citizen/code/paper/<public_id>/revoke"),
    ("citizen.service_catalogue", "/citizen/services"),
    ("citizen.service_guide", "/citizen/services/<code>"),
    ("citizen.family", "/citizen/family"),
    ("citizen.invite_family", "/citizen/family/invite"),
    ("citizen.accept_invitation", "/citizen/family/<public_id>/accept"),
    ("citizen.decline_invitation", "/citizen/family/<public_id>/decline"),
    ("citizen.revoke_delegation", "/citizen/family/<public_id>/revoke"),
    ("citizen.act_for", "/citizen/family/<public_id>/act"),
    ("citizen.stop_acting", "/citizen/family/stop"),
}


def test_citizen_routes_are_all_there(app):
    routes = {(r.endpoint, r.rule) for r in app.url_map.iter_rules() if r.endpoint.startswith("citizen.")}
    assert routes >= CITIZEN_ROUTES


@pytest.fixture
def sign_in(app, seeded):
    """Another browser: `sign_in(mobile)` returns a new test client signed in as that resident."""

    def open_client(mobile: str):
        other = app.test_client()
        response = other.post("/auth/login", data={"username": mobile, "password": DEMO_PASSWORD})
        assert response.status_code == 302
        return other

    return open_client


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def account(app, mobile: str) -> Account:
    with app.app_context():
        found = db.session.scalar(db.select(Account).filter_by(mobile=mobile))
        db.session.expunge(found)
        return found


# --- service guide ------------------------------------------------------------------------


def test_service_guide_home_lists_life_events_departments_and_popular_services(client, seeded):
    html = html_of(client.get("/citizen/services", headers={"Accept-Language": "zh-CN"}))
    assert "生育" in html and "身后事" in html and "开办企业" in html
    assert "区民政局" in html and 'href="/citizen/services?department=mzj"' in html
    assert "上海市居住证办理" in html  # most used


@pytest.mark.parametrize(("query", "expected"), [("jzz", "上海市居住证办理"), ("敬老卡", "敬老卡申领"),
                                                 ("老人卡", "敬老卡申领")])
def test_search_finds_services_and_keeps_the_query(client, seeded, query, expected):
    html = html_of(client.get("/citizen/services", query_string={"q": query}, headers={"Accept-Language": "zh"}))
    assert expected in html
    assert f'value="{query}"' in html


def test_a_search_with_no_result_says_so_and_a_too_long_one_is_explained(client, seeded):
    html = html_of(client.get("/citizen/services", query_string={"q": "Mars colony"},
                              headers={"Accept-Language": "en"}))
    assert "0 services found" in html and "Nothing found" in html
    long_query = "x" * 150
    html = html_of(client.get("/citizen/services", query_string={"q": long_query}, headers={"Accept-Language": "en"}))
    assert "Use at most 100 characters." in html
    assert f'value="{long_query}"' in html


def test_browse_by_life_event_and_department(client, seeded):
    html = html_of(client.get("/citizen/services?event=retirement", headers={"Accept-Language": "en"}))
    assert "Old-age allowance" in html and "Senior citizen card" in html and "Food business licence" not in html
    html = html_of(client.get("/citizen/services?department=jyj", headers={"Accept-Language": "en"}))
    assert "Enrolling in kindergarten" in html and "Old-age allowance" not in html


def test_a_service_guide_page(client, seeded):
    html = html_of(client.get("/citizen/services/elder-allowance", headers={"Accept-Language": "zh-CN"}))
    assert "老年综合津贴申领" in html and "区民政局" in html
    assert "年满65周岁" in html and "户口簿" in html and "免费" in html
    html = html_of(client.get("/citizen/services/elder-allowance", headers={"Accept-Language": "en"}))
    assert "20 working days" in html and "Online or in person" in html and "Applicant&#39;s name" in html
    assert client.get("/citizen/services/no-such-service").status_code == 404


# --- city code ----------------------------------------------------------------------------


def test_the_code_pages_need_sign_in(client, seeded):
    for url in ["/citizen/code", "/citizen/code/live", "/citizen/code/history", "/citizen/family"]:
        response = client.get(url)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_the_code_page_shows_a_qr_and_numeric_code_that_refresh(client, login):
    login(ORDINARY)
    html = html_of(client.get("/citizen/code"))
    assert '<svg role="img"' in html and 'class="qr-code"' in html
    digits = re.search(r'id="numeric-code"[^>]*>(\d{5} \d{5})<', html).group(1)
    assert '<noscript><meta http-equiv="refresh" content="60"></noscript>' in html
    assert re.search(r'<script src="/static/js/city-code\.js\?v=[0-9a-f]{12}" defer></script>', html)
    live = client.get("/citizen/code/live")
    assert live.headers["Cache-Control"] == "no-store"
    assert live.json["svg"].startswith("<svg") and live.json["refresh"] == 60
    assert live.json["digits"] != digits
    assert "310117198805121232" not in html and "310117198805121232" not in live.get_data(as_text=True)


def _numeric(response) -> str:
    return re.search(r'id="numeric-code"[^>]*>(\d{5} \d{5})<', html_of(response)).group(1)


def test_the_code_page_opened_again_shows_the_same_code_until_it_is_used(app, client, login):
    login(ORDINARY)
    first = _numeric(client.get("/citizen/code"))
    again = client.get("/citizen/code")
    assert _numeric(again) == first
    assert 10 <= int(re.search(r'data-refresh="(\d+)"', html_of(again)).group(1)) <= 60
    assert 'href="/citizen/code?new=1"' in html_of(again)
    shown = _numeric(client.get("/citizen/code?new=1"))  # "Show a new code"
    assert shown != first and _numeric(client.get("/citizen/code")) == shown
    with app.app_context():
        officer = db.session.scalar(db.select(Account).filter_by(username="officer.fs"))
        assert city_code.verify_city_code(db.session, shown, "entry", officer, keyring=app_keyring()).verified
        db.session.commit()
    assert _numeric(client.get("/citizen/code")) not in (shown, first)


def test_verifications_appear_in_the_residents_history(app, client, login):
    login(ORDINARY)
    html = html_of(client.get("/citizen/code", headers={"Accept-Language": "en"}))
    digits = re.search(r'id="numeric-code"[^>]*>(\d{5} \d{5})<', html).group(1)
    with app.app_context():
        officer = db.session.scalar(db.select(Account).filter_by(username="officer.fs"))
        result = city_code.verify_city_code(db.session, digits, "identity", officer, keyring=app_keyring())
        db.session.commit()
        assert result.verified and result.masked_name == "李*"
    html = html_of(client.get("/citizen/code/history", headers={"Accept-Language": "en"}))
    assert "Fangsong Sub-district" in html and "Identity check" in html and "Verified" in html


def test_paper_code_issue_print_and_revoke(app, client, login):
    login(ELDER)
    response = client.post("/citizen/code/paper")
    assert response.status_code == 302
    print_url = response.headers["Location"]
    html = html_of(client.get(print_url, headers={"Accept-Language": "zh-CN"}))
    assert "王*英" in html and "王秀英" not in html.split("<main")[1]
    assert "310227194503080025" not in html
    public_id = print_url.rsplit("/", 1)[1]
    with app.app_context():
        token = db.session.scalar(db.select(PaperCode.token).filter_by(public_id=public_id))
    assert client.post(f"{print_url}/revoke").status_code == 302
    with app.app_context():
        officer = db.session.scalar(db.select(Account).filter_by(username="officer.fs"))
        result = city_code.verify_city_code(db.session, token, "identity", officer, keyring=app_keyring())
        assert result.reason.value == "revoked"


def test_another_resident_cannot_see_or_revoke_a_paper_code(client, login, sign_in):
    login(ELDER)
    print_url = client.post("/citizen/code/paper").headers["Location"]
    stranger = sign_in(ORDINARY)
    assert stranger.get(print_url).status_code == 404
    assert stranger.post(f"{print_url}/revoke").status_code == 404
    assert client.get(print_url).status_code == 200


def test_a_staff_account_without_a_resident_profile_gets_no_live_code(client, login):
    login("officer.fs")
    html = html_of(client.get("/citizen/code", headers={"Accept-Language": "en"}))
    assert "qr-code" not in html and "for residents with a verified name" in html
    assert client.get("/citizen/code/live").status_code == 404
    assert client.post("/citizen/code/paper").status_code == 403


# --- family help --------------------------------------------------------------------------


def test_invite_accept_act_and_revocation_takes_effect_at_once(app, client, login, sign_in):
    login(ORDINARY)
    response = client.post("/citizen/family/invite", data={
        "mobile": "138 0000 0012", "relationship_note": "同事",
        "can_view_cases": "y", "can_file_applications": "y", "days": "90",
    })
    assert response.status_code == 302
    helper = sign_in("13800000012")
    html = html_of(helper.get("/citizen/family", headers={"Accept-Language": "en"}))
    public_id = re.search(r"/citizen/family/(\w+)/accept", html).group(1)
    assert helper.post(f"/citizen/family/{public_id}/accept").status_code == 302
    response = helper.post(f"/citizen/family/{public_id}/act")
    assert response.headers["Location"] == "/citizen/"
    html = html_of(helper.get("/citizen/code", headers={"Accept-Language": "en"}))
    assert "You are acting for 李明" in html
    assert "qr-code" not in html  # the live code stays on 李明's own phone
    # Acting with the file_applications scope: the helper may make 李明 a paper code.
    paper_url = helper.post("/citizen/code/paper").headers["Location"]
    assert html_of(helper.get(paper_url)).count("李*") >= 1

    # 李明 ends it; the helper's very next request is no longer acting for him.
    assert client.post(f"/citizen/family/{public_id}/revoke").status_code == 302
    html = html_of(helper.get("/citizen/code", headers={"Accept-Language": "en"}))
    assert "You are no longer acting for 李明" in html
    assert "You are acting for 李明" not in html
    assert helper.get(paper_url).status_code == 404  # now it is the helper's own (empty) paper list


def test_the_elder_and_her_son_use_the_seeded_delegation(app, sign_in):
    son = sign_in(SON)
    html = html_of(son.get("/citizen/family", headers={"Accept-Language": "en"}))
    public_id = re.search(r"/citizen/family/(\w+)/act", html).group(1)
    son.post(f"/citizen/family/{public_id}/act")
    html = html_of(son.get("/citizen/", headers={"Accept-Language": "en"}))
    assert "You are acting for 王秀英" in html
    assert son.post("/citizen/family/stop").status_code == 302
    assert "acting-banner" not in html_of(son.get("/citizen/"))
    with app.app_context():
        from portal.models import AuditEvent

        actions = [e.action for e in db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id))]
        assert "delegation.act" in actions and "delegation.stop_acting" in actions


def test_a_third_resident_cannot_act_through_someone_elses_delegation(app, sign_in):
    with app.app_context():
        public_id = db.session.scalar(db.select(Delegation.public_id))
    stranger = sign_in(ORDINARY)
    assert stranger.post(f"/citizen/family/{public_id}/act").status_code == 404
    assert stranger.post(f"/citizen/family/{public_id}/revoke").status_code == 404
    assert stranger.post(f"/citizen/family/{public_id}/accept").status_code == 404
    assert "acting-banner" not in html_of(stranger.get("/citizen/"))


def test_the_invitation_form_explains_errors_and_keeps_what_was_typed(client, login):
    login(ORDINARY)
    html = html_of(client.post("/citizen/family/invite", data={"mobile": "12345", "relationship_note": "侄女",
                                                               "days": "90"}, headers={"Accept-Language": "en"}))
    assert "Enter an 11-digit mobile number" in html and 'value="12345"' in html and 'value="侄女"' in html
    assert "Choose at least one thing your family member may do." in html
    html = html_of(client.post("/citizen/family/invite", data={"mobile": "13800000001", "can_view_cases": "y",
                                                               "days": "90"}, headers={"Accept-Language": "en"}))
    assert "That is your own mobile number" in html


# --- homes and help -----------------------------------------------------------------------


def test_elder_home_has_at_most_six_large_tiles(client, login):
    login(ELDER)
    client.set_cookie("elder", "1")
    html = html_of(client.get("/citizen/", headers={"Accept-Language": "en"}))
    tiles = re.findall(r'class="tile[ "]', html)
    assert 4 <= len(tiles) <= 6
    if "/citizen/cases" in html:
        assert 'class="tile" href="/citizen/cases"' in html
    assert 'href="/citizen/code"' in html and 'href="/citizen/help"' in html
    assert "Old-age allowance" in html and "Senior citizen card" in html
    assert 'id="read-aloud" hidden' in html and "/static/js/read-aloud.js" in html
    assert 'href="tel:12345"' in html


def test_standard_home_has_no_tiles(client, seeded):
    html = html_of(client.get("/citizen/"))
    assert 'class="tile' not in html and 'href="/citizen/code"' in html


def test_help_shows_the_hotline_and_the_residents_own_centre(client, login):
    login(ELDER)
    html = html_of(client.get("/citizen/help", headers={"Accept-Language": "zh-CN"}))
    assert 'href="tel:12345"' in html
    nearest = html.split("<h2>", 2)[1]
    assert "方松街道" in nearest  # the elder's seeded home area
    client.post("/citizen/help/area", data={"area": "jtz"})
    nearest = html_of(client.get("/citizen/help", headers={"Accept-Language": "zh-CN"})).split("<h2>", 2)[1]
    assert "九亭镇" in nearest
    response = client.post("/citizen/help/area", data={"area": "mzj"})  # a bureau is no home area
    assert response.status_code == 302


def test_help_without_sign_in_lists_every_centre(client, seeded):
    html = html_of(client.get("/citizen/help", headers={"Accept-Language": "zh-CN"}))
    assert "九亭镇" in html and "方松街道" in html and "<select" not in html


# --- every page: budget and CSP -----------------------------------------------------------


PAGES = ["/citizen/", "/citizen/help", "/citizen/code", "/citizen/code/history", "/citizen/services",
         "/citizen/services?q=%E5%B1%85%E4%BD%8F%E8%AF%81", "/citizen/services?event=retirement",
         "/citizen/services/residence-permit", "/citizen/family", "/citizen/family/invite"]


@pytest.mark.parametrize("elder", [False, True])
def test_pages_stay_under_budget_with_no_inline_script_or_style(client, login, elder):
    login(ELDER)
    if elder:
        client.set_cookie("elder", "1")
    for url in PAGES + [client.post("/citizen/code/paper").headers["Location"]]:
        html = html_of(client.get(url))
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url
        assert not re.search(r"\sstyle=", html) and not re.search(r"\son[a-z]+=", html), url
        total = len(html.encode())
        for asset in re.findall(r'(?:href|src)="(/static/[^"?]+)', html):
            with client.get(asset) as response:
                total += len(response.get_data())
        assert total < PAGE_BUDGET_BYTES, (url, total)


def test_every_citizen_form_needs_its_csrf_token(make_app, seeded):
    from tests.helpers import csrf_token

    app = make_app(RATELIMIT_ENABLED=False)
    browser = app.test_client()
    page = browser.get("/auth/login").get_data(as_text=True)
    browser.post("/auth/login", data={"username": ORDINARY, "password": DEMO_PASSWORD, "csrf_token": csrf_token(page)})
    assert 'name="csrf_token"' in html_of(browser.get("/citizen/code"))
    for url in ["/citizen/code/paper", "/citizen/family/invite", "/citizen/family/stop", "/citizen/help/area"]:
        assert browser.post(url, data={"mobile": "13800000012", "days": "90"}).status_code == 400, url


def test_a_bad_code_signing_key_setting_stops_the_app_at_start(make_app):
    with pytest.raises(ValueError, match="shorter than 32 bytes"):
        make_app(CODE_SIGNING_KEYS="1:abcd", CODE_SIGNING_KEY_ID="1")
