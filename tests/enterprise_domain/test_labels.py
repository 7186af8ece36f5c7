"""Every machine code of the enterprise domain has words for people."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from portal import enterprise_labels as labels
from portal.enterprise_codes import UsccProblem
from portal.enterprises import EnterpriseError
from portal.models import (
    ApplicationMethod,
    MembershipRole,
    MembershipScope,
    MembershipStatus,
    PolicyStatus,
    PolicyTopic,
)
from portal.rules import (
    ATTRIBUTES,
    INDUSTRY_SECTIONS,
    OPERATORS,
    Band,
    Certification,
    EnterpriseType,
    Outcome,
    RuleError,
    TaxCreditRating,
)
from portal.rules.tree import ERROR_CODES

ROOT = Path(__file__).resolve().parents[2]


def _codes_raised(pattern: str, *paths: str) -> set[str]:
    found = set()
    for path in paths:
        for file in (ROOT / path).glob("*.py") if (ROOT / path).is_dir() else [ROOT / path]:
            found |= set(re.findall(pattern, file.read_text()))
    return found


@pytest.mark.parametrize(
    ("mapping", "codes"),
    [
        (labels.ATTRIBUTES, ATTRIBUTES),
        (labels.OPERATORS, OPERATORS),
        (labels.BANDS, list(Band)),
        (labels.OUTCOMES, list(Outcome)),
        (labels.USCC_PROBLEMS, list(UsccProblem)),
        (labels.CERTIFICATIONS, list(Certification)),
        (labels.ENTERPRISE_TYPES, list(EnterpriseType)),
        (labels.TAX_CREDIT_RATINGS, list(TaxCreditRating)),
        (labels.INDUSTRY_SECTIONS, INDUSTRY_SECTIONS),
        (labels.MEMBERSHIP_ROLES, list(MembershipRole)),
        (labels.MEMBERSHIP_STATUSES, list(MembershipStatus)),
        (labels.MEMBERSHIP_SCOPES, list(MembershipScope)),
        (labels.APPLICATION_METHODS, list(ApplicationMethod)),
        (labels.POLICY_STATUSES, list(PolicyStatus)),
        (labels.POLICY_TOPICS, list(PolicyTopic)),
        (labels.RULE_ERRORS, [*ERROR_CODES, "missing_clause", "unknown_clause"]),
    ],
)
def test_every_code_has_a_label(mapping, codes):
    assert set(codes) <= set(mapping)


def test_every_error_the_services_raise_has_a_message():
    raised = _codes_raised(r'EnterpriseError\(\s*"(\w+)"', "portal/enterprises")
    assert raised and raised <= set(labels.ENTERPRISE_ERRORS)
    refused = _codes_raised(r'PolicyError\(\s*"(\w+)"', "portal/policy_matching.py")
    assert refused <= set(labels.POLICY_ERRORS)


def test_every_notice_has_a_subject_and_a_body():
    from portal.policy_matching import QUALIFIED_KEY, TOPIC_KEY

    told = _codes_raised(r'tell\(\s*session,\s*[\w.]+,\s*"(enterprise\.[a-z_]+)"', "portal/enterprises")
    assert len(told) == 4
    keys = told | {QUALIFIED_KEY, TOPIC_KEY}
    for key in keys:
        assert f"{key}.subject" in labels.NOTICES and f"{key}.body" in labels.NOTICES


def test_texts_render_in_both_languages(app):
    params = {
        "title_zh": "研发费用补贴",
        "title_en": "R&D subsidy",
        "department_zh": "区科学技术委员会",
        "department_en": "District Science and Technology Commission",
        "enterprise_zh": "上海松江智造科技有限公司",
        "enterprise_en": "Shanghai Songjiang Smart Manufacturing Technology Co., Ltd.",
        "agent_name": "陈静",
    }
    for locale in ("en", "zh"):
        with app.test_request_context("/", headers={"Accept-Language": locale}):
            for key in labels.NOTICES:
                assert "%(" not in labels.notice_text(key, params, locale)
            subject, body = labels.render_notice(
                "enterprise.policy_qualified.subject", "enterprise.policy_qualified.body", params, locale
            )
            name = params["enterprise_en" if locale == "en" else "enterprise_zh"]
            assert name in subject and name in body
            for code in labels.RULE_ERRORS:
                assert "%(" not in labels.rule_error_message(RuleError(code, (), {"max": 8, "key": "op"}))
            message = labels.enterprise_error_message(EnterpriseError("invalid_uscc", problem="check_character"))
            assert message == labels.uscc_message(UsccProblem.CHECK_CHARACTER)
            assert labels.value_text("certifications", ("high_tech",))
            assert labels.value_text("rd_intensity", 3.5).endswith("%")
