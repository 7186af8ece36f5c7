"""The service catalogue: the demo data, the precomputed search columns, search and browsing."""

from __future__ import annotations

import pytest

from portal import catalogue
from portal.catalogue import InvalidFormDefinition, parse_form_definition
from portal.demo import seed_departments
from portal.demo.services import seed_services
from portal.extensions import db
from portal.models import Audience, ServiceGuide


@pytest.fixture
def district(app_context):
    seed_departments(db.session)  # no accounts: the catalogue needs none, and hashing is slow
    seed_services(db.session)
    return db.session


def codes(services):
    return [s.code for s in services]


def test_the_demo_catalogue_has_thirty_real_services_with_their_departments(district):
    services = district.scalars(db.select(ServiceGuide)).all()
    assert len(services) >= 30
    by_code = {s.code: s for s in services}
    assert by_code["elder-allowance"].department.code == "mzj"
    assert by_code["respect-card"].department.code == "mzj"
    assert by_code["unemployment-registration"].department.code == "rsj"
    assert by_code["public-rental-housing"].department.code == "fgj"
    assert by_code["school-enrolment"].department.code == "jyj"
    assert by_code["food-business-licence"].department.code == "scjgj"
    assert by_code["birth-medical-certificate"].department.code == "wjw"
    assert {s.audience for s in services} == {Audience.RESIDENT, Audience.ENTERPRISE, Audience.BOTH}
    for service in services:
        assert service.materials and service.name_en and service.life_events, service.code
        assert service.search_tokens.startswith(" ") and service.pinyin_initials, service.code
        if service.online:
            assert parse_form_definition(service.form_definition), service.code
        else:
            assert service.form_definition is None


def test_search_columns_are_computed_on_save(district):
    service = district.scalar(db.select(ServiceGuide).filter_by(code="residence-permit"))
    assert service.pinyin_initials == "shsjzzbl"  # 上海市居住证办理
    tokens = service.search_tokens.split()
    assert {"居住证", "jzz", "juzhuzheng", "residence", "permit"} <= set(tokens)
    service.name_zh = "敬老院入住"
    district.flush()
    assert "jly" in service.search_tokens.split()


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("居住证", "residence-permit"),
        ("我想办居住证", "residence-permit"),
        ("怎么办理居住证签注", "residence-permit-endorsement"),
        ("jzz", "residence-permit"),
        ("juzhuzheng", "residence-permit"),
        ("jlk", "respect-card"),
        ("敬老卡", "respect-card"),
        ("老人卡", "respect-card"),  # a keyword, not in the name
        ("老年综合津贴", "elder-allowance"),
        ("失业登记", "unemployment-registration"),
        ("公租房", "public-rental-housing"),
        ("residence permit", "residence-permit"),
        ("Unemployed", "unemployment-registration"),
        ("残疾人证", "disability-card"),
        ("食品经营许可", "food-business-licence"),
    ],
)
def test_search_finds_the_right_service_first(district, query, first):
    result = catalogue.search_services(district, query)
    assert result.services, query
    assert result.services[0].code == first, (query, codes(result.services)[:5])


def test_search_by_life_event_name_and_partial_matches(district):
    result = catalogue.search_services(district, "养老")
    assert {"elder-allowance", "respect-card", "resident-pension-claim"} <= set(codes(result.services))
    both = catalogue.search_services(district, "失业 登记")
    assert codes(both.services)[0] == "unemployment-registration"
    assert "flexible-employment" in codes(both.services)  # matches 登记 only, ranked lower


def test_search_without_matches_or_words(district):
    assert catalogue.search_services(district, "火星移民").services == []
    assert catalogue.search_services(district, "   ").words == []
    assert catalogue.search_services(district, "%_%").services == []
    assert catalogue.search_services(district, "怎么办理").words == []  # only stop words


def test_search_can_be_limited_to_an_audience(district):
    everyone = codes(catalogue.search_services(district, "营业执照").services)
    residents = codes(catalogue.search_services(district, "营业执照", audience=Audience.RESIDENT).services)
    assert "company-setup" in everyone and "company-setup" not in residents
    assert "individual-business" in residents


@pytest.mark.parametrize("query", ["长辈版", "关怀版", "亲情版", "关爱版", "elder mode"])
def test_names_of_the_elder_mode_suggest_it(district, query):
    assert catalogue.search_services(district, query).suggests_elder_mode


def test_browse_by_life_event_and_department(district):
    events = catalogue.life_events(district)
    assert [e.code for e in events][:3] == ["birth", "school", "work"]
    birth = codes(catalogue.services_for_life_event(district, "birth"))
    assert {"birth-registration", "birth-medical-certificate", "newborn-medical-insurance"} <= set(birth)
    civil = codes(catalogue.services_for_department(district, "mzj"))
    assert "marriage-appointment" in civil and "unemployment-registration" not in civil
    counts = {d.code: n for d, n in catalogue.departments_with_services(district)}
    assert counts["mzj"] == len(civil)
    assert catalogue.find_service(district, "no-such") is None
    elders = catalogue.popular_services(district, for_elders=True, limit=2)
    assert codes(elders) == ["elder-allowance", "respect-card"]


@pytest.mark.parametrize(
    "definition",
    [
        "not a list",
        [{"name": "Bad Name", "label_zh": "a", "label_en": "a", "type": "text"}],
        [{"name": "a", "label_zh": "a", "label_en": "a", "type": "colour"}],
        [{"name": "a", "label_zh": "a", "type": "text"}],
        [{"name": "a", "label_zh": "a", "label_en": "a", "type": "select"}],
        [{"name": "a", "label_zh": "a", "label_en": "a", "type": "text",
          "options": [{"value": "x", "label_zh": "x", "label_en": "x"}]}],
        [{"name": "a", "label_zh": "a", "label_en": "a", "type": "text"}] * 2,
    ],
)
def test_bad_form_definitions_are_refused(definition):
    with pytest.raises(InvalidFormDefinition):
        parse_form_definition(definition)


def test_a_form_definition_parses_to_typed_fields():
    fields = parse_form_definition(
        [{"name": "stage", "label_zh": "学段", "label_en": "Stage", "type": "select", "required": True,
          "options": [{"value": "p", "label_zh": "小学", "label_en": "Primary"}]},
         {"name": "proof", "label_zh": "证明", "label_en": "Proof", "type": "file"}]
    )
    assert [(f.name, f.type, f.required) for f in fields] == [("stage", "select", True), ("proof", "file", False)]
    assert fields[0].options[0].label_en == "Primary"
