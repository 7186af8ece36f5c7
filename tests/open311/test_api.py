"""GeoReport v2 as a client app sees it, through the Flask test client with plain form posts."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # noqa: S405 - parsing the server's own responses in a test
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from tests.open311.conftest import BASE, case_of

W3C = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")
CONTACT = {"first_name": "Ming", "last_name": "Li", "phone": "13900001111", "email": "li.ming@example.cn",
           "account_id": "app-user-77", "device_id": "device-42"}


def xml(response) -> ET.Element:
    assert response.content_type == "text/xml; charset=utf-8"
    assert response.data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(response.data)  # noqa: S314 - the server's own output


def filed(response) -> str:
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()[0]["service_request_id"]


# --- discovery and services --------------------------------------------------------------------


def test_discovery_names_this_endpoint_and_both_formats(open311, district):
    document = open311.get(f"{BASE}/discovery.json").get_json()
    endpoint = document["endpoints"][0]
    assert endpoint["url"] == "http://localhost/open311/v2"
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert W3C.match(document["changeset"])
    root = xml(open311.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert root.findtext("endpoints/endpoint/url") == "http://localhost/open311/v2"


def test_services_are_the_categories_residents_file_requests_under(open311, district):
    services = open311.get(f"{BASE}/services.json").get_json()
    codes = {s["service_code"] for s in services}
    assert {"community", "noise", "roads", "business-policy"} <= codes  # requests, and "any kind"
    assert not codes & {"business-finance", "elderly-allowance"}  # appeals and applications are not
    noise = next(s for s in services if s["service_code"] == "noise")
    assert noise == {
        "service_code": "noise", "service_name": "Noise nuisance",
        "description": "Handled by District Ecology and Environment Bureau, with an answer within 5 working days.",
        "metadata": True, "type": "realtime", "keywords": "噪声扰民, Noise nuisance, noise",
        "group": "District Ecology and Environment Bureau",
    }


def test_service_names_follow_the_locale_parameter_then_accept_language_then_chinese(app, open311, district):
    def name_of(response):
        return next(s["service_name"] for s in response.get_json() if s["service_code"] == "noise")

    assert name_of(open311.get(f"{BASE}/services.json?locale=zh_CN")) == "噪声扰民"
    assert name_of(open311.get(f"{BASE}/services.json", headers={"Accept-Language": "zh-CN,zh;q=0.9"})) == "噪声扰民"
    assert name_of(open311.get(f"{BASE}/services.json")) == "Noise nuisance"
    plain = app.test_client(use_cookies=False)
    assert name_of(plain.get(f"{BASE}/services.json")) == "噪声扰民"  # no preference: Chinese


def test_services_in_xml(open311, district):
    root = xml(open311.get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    noise = next(s for s in root.findall("service") if s.findtext("service_code") == "noise")
    assert [child.tag for child in noise] == [
        "service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
    assert noise.findtext("metadata") == "true" and noise.findtext("type") == "realtime"


def test_a_service_definition_offers_the_choice_to_publish(open311, district):
    definition = open311.get(f"{BASE}/services/roads.json").get_json()
    assert definition["service_code"] == "roads"
    [attribute] = definition["attributes"]
    assert attribute["code"] == "PUBLIC" and attribute["datatype"] == "singlevaluelist"
    assert attribute["required"] is False and attribute["variable"] is True
    assert [v["key"] for v in attribute["values"]] == ["no", "yes"]
    root = xml(open311.get(f"{BASE}/services/roads.xml"))
    assert root.tag == "service_definition"
    assert [v.text for v in root.iter("key")] == ["no", "yes"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_service_is_a_404_error_array(open311, district, fmt):
    response = open311.get(f"{BASE}/services/no-such-thing.{fmt}")
    assert response.status_code == 404
    if fmt == "json":
        assert response.get_json() == [{"code": 404, "description": "Service code no-such-thing was not found."}]
    else:
        root = xml(response)
        assert root.tag == "errors"
        assert root.findtext("error/code") == "404"


def test_an_unknown_format_or_resource_answers_with_an_error_array(open311, district):
    response = open311.get(f"{BASE}/services.csv")
    assert response.status_code == 404 and response.get_json()[0]["code"] == 404
    response = open311.get(f"{BASE}/nothing/here.xml")
    assert response.status_code == 404 and xml(response).findtext("error/code") == "404"


# --- filing ------------------------------------------------------------------------------------


def test_a_posted_request_becomes_a_request_case_routed_by_its_category(app, post_request):
    response = post_request(**CONTACT)
    [answer] = response.get_json()
    assert set(answer) == {"service_request_id", "token", "service_notice", "account_id"}
    assert answer["account_id"] == "app-user-77"
    assert answer["service_notice"].startswith("Fangsong Sub-district handles this request; an answer is due by ")
    assert response.headers["Cache-Control"] == "no-store"
    case = case_of(app, answer["service_request_id"])
    with app.app_context():
        from portal.models import Account, CaseKind, CaseState, Department

        case = db.session.merge(case)
        assert case.kind == CaseKind.REQUEST and case.state == CaseState.SUBMITTED
        assert case.department_id == db.session.scalar(select(Department.id).where(Department.code == "fsjd"))
        assert case.title == "Street lamp out at the east gate"
        assert (case.latitude, case.longitude) == (31.0322, 121.2278)
        assert "13900001111" in case.body and "Li Ming" in case.body  # for the department to call back
        sender = db.session.get(Account, case.sender_id)
        assert sender.display_name.startswith("区数据局 示范业务系统")  # the system that filed it
        assert not sender.is_active and sender.mobile is None and sender.username is None
        assert [e.action for e in case.events] == ["submit"]


def test_the_sender_account_of_a_system_cannot_sign_in(app, post_request):
    from auth.passwords import verify_password
    from portal.models import Account

    case = case_of(app, filed(post_request()))
    with app.app_context():
        sender = db.session.get(Account, case.sender_id)
        for guess in ("", "!", "!open311-sender", sender.password_hash):
            assert not verify_password(sender.password_hash, guess)


def test_the_officers_of_the_routed_department_see_it_on_the_desk(post_request, browser_for):
    reference = filed(post_request(description="Bins overflowing by the east gate"))
    queue = browser_for("officer.fs").get("/gov/cases", query_string={"q": reference}).get_data(as_text=True)
    assert reference in queue and "Bins overflowing by the east gate" in queue


def test_xml_post_answers_in_xml(post_request):
    response = post_request("xml")
    assert response.status_code == 201
    root = ET.fromstring(response.data)  # noqa: S314
    assert root.tag == "service_requests"
    assert re.match(r"^SJ-\d{4}-\d{6}$", root.findtext("request/service_request_id"))
    assert root.findtext("request/token")


@pytest.mark.parametrize("key", ["", "o311_not-a-key", "x" * 500])
def test_a_bad_api_key_is_refused_with_403(post_request, key, app):
    response = post_request(key=key)
    assert response.status_code == 403
    assert response.get_json() == [{"code": 403, "description":
                                     "The api_key is missing, unknown or revoked. Ask the district for a key."}]
    assert xml(post_request("xml", key=key)).findtext("error/code") == "403"


def test_a_revoked_key_and_a_disabled_system_are_refused(app, post_request, api_key, issue_key):
    from api.open311 import keys
    from auth.oidc.models import OAuthClient

    assert post_request().status_code == 201
    with app.app_context():
        from portal.models import Open311Key

        key = db.session.scalar(select(Open311Key).where(Open311Key.digest == keys.digest(api_key)))
        keys.revoke(db.session, key, actor=None)
        db.session.commit()
    assert post_request().status_code == 403

    other = issue_key("demo-mobile-app")
    assert post_request(key=other).status_code == 201
    with app.app_context():
        client = db.session.scalar(select(OAuthClient).where(OAuthClient.client_id == "demo-mobile-app"))
        client.disabled_at = datetime.now(UTC)
        db.session.commit()
    assert post_request(key=other).status_code == 403


def test_the_key_is_checked_before_anything_else(post_request):
    response = post_request(key="wrong", service_code=None, description=None)
    assert response.status_code == 403


def test_missing_and_unknown_services_are_400_and_404(post_request):
    response = post_request(service_code=None)
    assert response.status_code == 400
    assert response.get_json() == [{"code": 400, "description": "service_code is required."}]
    response = post_request(service_code="business-finance")  # an enterprise appeal, not a request
    assert response.status_code == 404
    assert response.get_json()[0]["description"] == "Service code business-finance was not found."


def test_every_problem_of_a_post_is_listed(post_request, app):
    response = post_request(description=None, lat="95", email="nobody")
    assert response.status_code == 400
    assert [e["description"] for e in response.get_json()] == [
        "description is required: say what the problem is.",
        "lat and long must both be decimal degrees: lat from -90 to 90, long from -180 to 180.",
        "email is not an email address.",
    ]
    with app.app_context():
        from portal.models import Case

        assert db.session.scalar(select(Case.id)) is None  # nothing was filed


def test_a_json_or_xml_body_is_not_read(open311, api_key):
    body = f"<request><api_key>{api_key}</api_key><service_code>roads</service_code></request>"
    response = open311.post(f"{BASE}/requests.xml", data=body, content_type="text/xml")
    assert response.status_code == 403  # only form fields count


def test_the_token_resolves_to_the_request(open311, post_request):
    answer = post_request().get_json()[0]
    response = open311.get(f"{BASE}/tokens/{answer['token']}.json")
    assert response.get_json() == [{"service_request_id": answer["service_request_id"], "token": answer["token"]}]
    root = xml(open311.get(f"{BASE}/tokens/{answer['token']}.xml"))
    assert root.findtext("request/service_request_id") == answer["service_request_id"]
    assert open311.get(f"{BASE}/tokens/nope.json").status_code == 404


# --- reading requests and privacy --------------------------------------------------------------


def one(open311, reference: str, fmt: str = "json", **params):
    response = open311.get(f"{BASE}/requests/{reference}.{fmt}", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()[0] if fmt == "json" else xml(response).find("request")


FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code", "description",
          "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
          "address", "address_id", "zipcode", "lat", "long", "media_url"]


def test_a_private_request_shows_the_public_only_its_service_status_department_and_dates(open311, post_request):
    reference = filed(post_request(address_string="Wencheng Road 558", media_url="https://img.example.cn/1.jpg",
                                   **CONTACT))
    shown = one(open311, reference)
    assert list(shown) == FIELDS
    assert shown["status"] == "open" and shown["service_code"] == "community"
    assert shown["agency_responsible"] == "Fangsong Sub-district"
    assert all(W3C.match(shown[f]) for f in ("requested_datetime", "updated_datetime", "expected_datetime"))
    for private in ("description", "address", "address_id", "lat", "long", "media_url", "status_notes"):
        assert shown[private] is None, private
    text = str(shown)
    for personal in ("Street lamp", "Wencheng", "13900001111", "Li", "Ming", "li.ming", "app-user", "device-42"):
        assert personal not in text, personal


def test_a_request_the_requester_agreed_to_publish_shows_what_was_reported_and_where(open311, post_request):
    reference = filed(post_request(address_string="Wencheng Road 558", media_url="https://img.example.cn/1.jpg",
                                   **{"attribute[PUBLIC]": "yes"}, **CONTACT))
    shown = one(open311, reference)
    assert shown["description"] == "Street lamp out at the east gate"
    assert shown["address"] == "Wencheng Road 558"
    assert (shown["lat"], shown["long"]) == (31.0322, 121.2278)
    assert shown["media_url"] == "https://img.example.cn/1.jpg"
    for personal in ("13900001111", "Ming", "li.ming", "app-user-77", "device-42"):
        assert personal not in str(shown), personal  # contact details never


def test_the_system_that_filed_a_request_sees_it_in_full_with_its_key(open311, post_request, api_key, issue_key):
    reference = filed(post_request(**CONTACT))
    assert one(open311, reference, api_key=api_key)["description"] == "Street lamp out at the east gate"
    response = open311.get(f"{BASE}/requests/{reference}.json", query_string={"api_key": api_key})
    assert response.headers["Cache-Control"] == "no-store"
    assert one(open311, reference, api_key=issue_key("demo-mobile-app"))["description"] is None  # another app
    response = open311.get(f"{BASE}/requests/{reference}.json", query_string={"api_key": "forged"})
    assert response.status_code == 403


def test_requests_filed_on_the_citizen_form_are_listed_without_their_text(open311, browser_for):
    client = browser_for("13800000001")
    form = client.get("/citizen/requests/new").get_data(as_text=True)
    category = re.search(r'<option value="(\d+)">Community affairs</option>', form).group(1)
    response = client.post("/citizen/requests/new", data={
        "category": category, "title": "Noisy night works", "body": "Works every night at Lane 12, I am Li Ming",
        "place": "Lane 12", "latitude": "31.03", "longitude": "121.22"})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    reference = re.search(r"SJ-\d{4}-\d{6}", page).group(0)
    listed = open311.get(f"{BASE}/requests.json").get_json()
    mine = [r for r in listed if r["service_request_id"] == reference]
    assert len(mine) == 1 and mine[0]["service_code"] == "community" and mine[0]["status"] == "open"
    assert mine[0]["description"] is None and mine[0]["lat"] is None
    for personal in ("Noisy", "Lane 12", "Li Ming", "13800000001", "李明", "31.03"):
        assert personal not in str(listed), personal


def test_an_unknown_request_is_404(open311, district):
    response = open311.get(f"{BASE}/requests/SJ-2026-999999.json")
    assert response.status_code == 404
    assert response.get_json() == [{"code": 404, "description": "Service request SJ-2026-999999 was not found."}]
    assert xml(open311.get(f"{BASE}/requests/SJ-2026-999999.xml")).findtext("error/code") == "404"


def test_applications_and_appeals_are_not_service_requests(app, open311, district):
    from portal.cases import submit_case
    from portal.models import Account, CaseCategory, CaseKind

    with app.app_context():
        resident = db.session.scalar(select(Account).where(Account.mobile == "13800000001"))
        category = db.session.scalar(select(CaseCategory).where(CaseCategory.code == "elderly-allowance"))
        case = submit_case(db.session, resident, kind=CaseKind.APPLICATION, category=category,
                           title="Old-age allowance", body="For my mother")
        db.session.commit()
        reference = case.reference
    assert open311.get(f"{BASE}/requests/{reference}.json").status_code == 404
    assert open311.get(f"{BASE}/requests.json").get_json() == []


# --- statuses after the desk acts --------------------------------------------------------------


def desk(client, reference: str, action: str, **fields) -> None:
    """Find the case in the officer's queue by its reference and do `action` through its form."""
    page = client.get("/gov/cases", query_string={"q": reference, "state": "all"}).get_data(as_text=True)
    public_id = re.search(r'href="/gov/cases/([0-9a-f]{32})"', page).group(1)
    response = client.post(f"/gov/cases/{public_id}/{action}",
                           data={f"{action}-{name}": value for name, value in fields.items()})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]


def test_closing_on_the_desk_closes_the_request_with_the_reply_as_status_notes(open311, post_request, browser_for):
    public = filed(post_request(**{"attribute[PUBLIC]": "yes"}))
    private = filed(post_request())
    client = browser_for("officer.fs")
    for reference in (public, private):
        desk(client, reference, "accept")
        assert one(open311, reference)["status"] == "open"
        desk(client, reference, "reply", notes="The lamp was replaced on Tuesday.")
        desk(client, reference, "close")
    shown = one(open311, public)
    assert shown["status"] == "closed"
    assert shown["status_notes"] == "The lamp was replaced on Tuesday."
    assert shown["expected_datetime"] is None and shown["service_notice"] is None
    root = one(open311, public, "xml")
    assert root.findtext("status") == "closed" and root.findtext("status_notes") == "The lamp was replaced on Tuesday."
    hidden = one(open311, private)
    assert hidden["status"] == "closed" and hidden["status_notes"] is None


def test_rejected_and_merged_requests_are_closed(open311, post_request, browser_for):
    original = filed(post_request(**{"attribute[PUBLIC]": "yes"}))
    duplicate = filed(post_request(**{"attribute[PUBLIC]": "yes"}))
    refused = filed(post_request(**{"attribute[PUBLIC]": "yes"}))
    client = browser_for("officer.fs")
    desk(client, duplicate, "merge", duplicate_of=original)
    desk(client, refused, "reject", reason="This is a private courtyard: ask the property company.")
    assert one(open311, original)["status"] == "open"
    merged = one(open311, duplicate)
    assert merged["status"] == "closed"
    assert merged["status_notes"] == f"The same problem was reported already: follow request {original}."
    rejected = one(open311, refused)
    assert rejected["status"] == "closed"
    assert rejected["status_notes"] == "This is a private courtyard: ask the property company."


# --- filters -----------------------------------------------------------------------------------


def test_list_filters(open311, post_request, browser_for):
    lamp = filed(post_request())
    noise = filed(post_request(service_code="noise", description="Karaoke at midnight"))
    roads = filed(post_request(service_code="roads", description="Pothole"))
    client = browser_for("officer.fs")
    desk(client, lamp, "accept")
    desk(client, lamp, "reply", notes="Fixed.")
    desk(client, lamp, "close")

    def refs(fmt: str = "json", **params):
        response = open311.get(f"{BASE}/requests.{fmt}", query_string=params)
        assert response.status_code == 200, response.get_data(as_text=True)
        if fmt == "xml":
            return [r.findtext("service_request_id") for r in xml(response).findall("request")]
        return [r["service_request_id"] for r in response.get_json()]

    assert refs() == [roads, noise, lamp]  # newest first
    assert refs("xml") == [roads, noise, lamp]
    assert refs(status="closed") == [lamp]
    assert refs(status="open") == [roads, noise]
    assert refs(status="open,closed") == [roads, noise, lamp]
    assert refs(service_code="noise,roads") == [roads, noise]
    assert refs(service_code="nothing") == []
    assert refs(service_request_id=f"{lamp},{noise}", status="open") == [noise, lamp]  # ids win over filters
    now = datetime.now(UTC)
    assert refs(start_date=(now - timedelta(hours=1)).isoformat()) == [roads, noise, lamp]
    assert refs(end_date=(now - timedelta(days=1)).isoformat()) == []
    assert refs(start_date=(now + timedelta(minutes=5)).isoformat()) == []
    response = open311.get(f"{BASE}/requests.json", query_string={"start_date": "2026-01-01T00:00:00Z",
                                                                  "end_date": "2026-12-31T00:00:00Z"})
    assert response.status_code == 400
    assert response.get_json() == [{"code": 400, "description":
                                     "start_date and end_date may be at most 90 days apart."}]


def test_requests_older_than_90_days_are_not_in_the_default_list(app, open311, district):
    from portal.cases import submit_case
    from portal.models import Account, CaseCategory, CaseKind

    with app.app_context():
        resident = db.session.scalar(select(Account).where(Account.mobile == "13800000001"))
        category = db.session.scalar(select(CaseCategory).where(CaseCategory.code == "roads"))
        old = submit_case(db.session, resident, kind=CaseKind.REQUEST, category=category, title="Old", body="Old",
                          now=datetime.now(UTC) - timedelta(days=91))
        db.session.commit()
        reference = old.reference
    assert open311.get(f"{BASE}/requests.json").get_json() == []
    assert one(open311, reference)["status"] == "open"  # still there by its id
    then = (datetime.now(UTC) - timedelta(days=100)).isoformat()
    listed = open311.get(f"{BASE}/requests.json", query_string={"start_date": then}).get_json()
    assert [r["service_request_id"] for r in listed] == [reference]


def test_at_most_1000_requests_are_listed(app, open311, district, monkeypatch):
    from api.open311 import service_requests

    monkeypatch.setattr(service_requests, "MAX_RESULTS", 2)
    from portal.cases import submit_case
    from portal.models import Account, CaseCategory, CaseKind

    with app.app_context():
        resident = db.session.scalar(select(Account).where(Account.mobile == "13800000001"))
        category = db.session.scalar(select(CaseCategory).where(CaseCategory.code == "roads"))
        for n in range(3):
            submit_case(db.session, resident, kind=CaseKind.REQUEST, category=category, title=f"R{n}", body="x")
        db.session.commit()
    assert len(open311.get(f"{BASE}/requests.json").get_json()) == 2
    assert service_requests.MAX_RESULTS == 2


def test_too_many_posts_with_one_key_are_refused_with_an_error_array(make_app, district):
    open311 = make_app(RATELIMIT_ENABLED=True).test_client(use_cookies=False)
    open311.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    form = {"api_key": "o311_guessing", "service_code": "roads", "description": "x", "lat": "31", "long": "121"}
    statuses = [open311.post(f"{BASE}/requests.json", data=form).status_code for _ in range(31)]
    assert statuses == [403] * 30 + [429]
    response = open311.post(f"{BASE}/requests.xml", data=form)
    assert response.status_code == 429
    assert xml(response).findtext("error/description") == "Too many requests. Wait a minute and try again."
    other = {**form, "api_key": "o311_another"}
    assert open311.post(f"{BASE}/requests.json", data=other).status_code == 403  # counted per key
