"""The public catalogue (services, published policies) and a person's companies' policy matches."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import Policy, PolicyStatus
from tests.api.conftest import API, bearer

BOSS, AGENT, RESIDENT = "13800000011", "13800000012", "13800000001"


def test_the_service_guide_is_public_and_searchable(client, seeded):
    listed = client.get(f"{API}/services")
    assert listed.status_code == 200
    codes = [item["code"] for item in listed.json["items"]]
    assert "birth-registration" in codes
    found = client.get(f"{API}/services", query_string={"q": "出生"}).json["items"]
    assert found and all("出生" in item["name"]["zh"] or "出生" in (item["summary"]["zh"] or "") for item in found[:1])
    one = client.get(f"{API}/services/birth-registration").json
    assert one["name"]["zh"] == "生育登记"
    assert isinstance(one["materials"], list)
    missing = client.get(f"{API}/services/no-such-service")
    assert missing.status_code == 404 and missing.json["code"] == "not_found"


def test_only_published_policies_are_listed(app, client, seeded):
    with app.app_context():
        published = set(db.session.scalars(select(Policy.public_id).where(Policy.status == PolicyStatus.PUBLISHED)))
        draft = db.session.scalar(select(Policy).where(Policy.status == PolicyStatus.PUBLISHED))
        draft.status = PolicyStatus.DRAFT
        db.session.commit()
        hidden = draft.public_id
    listed = {item["id"] for item in client.get(f"{API}/policies").json["items"]}
    assert listed == published - {hidden}
    assert client.get(f"{API}/policies/{hidden}").status_code == 404
    shown = next(iter(listed))
    detail = client.get(f"{API}/policies/{shown}").json
    assert detail["id"] == shown and "conditions" in detail


def test_a_company_representative_reads_the_companies_matches(client, seeded, person_token):
    response = client.get(f"{API}/enterprises/me/matches", headers=bearer(person_token(BOSS)))
    assert response.status_code == 200, response.json
    items = response.json["items"]
    assert {item["enterprise"]["uscc"] for item in items} == {"91310117MA1FPX3K11", "91310117MA7C4Y2N6F"}
    bands = [item["band"] for item in items if item["enterprise"]["uscc"] == "91310117MA1FPX3K11"]
    order = {"qualified": 0, "uncertain": 1, "not_qualified": 2}
    assert bands == sorted(bands, key=order.get)  # qualified first, then uncertain, then near misses
    assert all(item["criteria"] for item in items)
    uncertain = [item for item in items if item["band"] == "uncertain"]
    assert all(item["missing"] for item in uncertain)

    one = client.get(f"{API}/enterprises/me/matches", headers=bearer(person_token(BOSS)),
                     query_string={"uscc": "91310117MA7C4Y2N6F", "band": "qualified"}).json["items"]
    assert {(item["enterprise"]["uscc"], item["band"]) for item in one} <= {("91310117MA7C4Y2N6F", "qualified")}


def test_matches_need_a_person_who_acts_for_a_company(client, seeded, person_token, dept_token):
    resident = client.get(f"{API}/enterprises/me/matches", headers=bearer(person_token(RESIDENT)))
    assert resident.status_code == 403 and resident.json["code"] == "forbidden"
    system = client.get(f"{API}/enterprises/me/matches", headers=bearer(dept_token()))
    assert system.status_code == 403
    assert system.json["code"] == "insufficient_scope"  # a department system is never given matches:read
