"""What people read for the enterprise domain's machine codes: attributes, operators, bands,
USCC problems, certifications, rule errors, membership and policy codes, inbox notices.

`portal.enterprise_codes`, `portal.rules`, `portal.enterprises` and `portal.policy_matching`
speak only in codes; this module is the one place that turns them into text, through
Flask-Babel (English message ids, translated in the catalogue).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import force_locale, format_date, format_decimal
from flask_babel import lazy_gettext as _l

from portal.enterprise_codes import UsccProblem
from portal.enterprises.errors import EnterpriseError
from portal.i18n_data import pick
from portal.models.enterprise import MembershipRole, MembershipScope, MembershipStatus
from portal.models.policy import ApplicationMethod, PolicyStatus, PolicyTopic
from portal.rules import Band, Certification, EnterpriseType, Outcome, RuleError, TaxCreditRating

USCC_PROBLEMS = {
    UsccProblem.FORMAT: _l(
        "A Unified Social Credit Code has 18 characters: digits and capital letters other than I, O, S, V and Z."
    ),
    UsccProblem.REGISTRATION_AUTHORITY: _l("The first character of the code does not name a registration authority."),
    UsccProblem.REGISTRATION_TYPE: _l(
        "The second character of the code is not a kind of organisation that authority registers."
    ),
    UsccProblem.ORG_CODE_CHECK: _l(
        "The organisation code inside it (characters 9 to 17) does not add up. Please check for a mistyped character."
    ),
    UsccProblem.CHECK_CHARACTER: _l(
        "The last character does not match the others. Please check for a mistyped character."
    ),
}

ATTRIBUTES = {
    "employees": _l("Employees"),
    "registered_capital": _l("Registered capital"),
    "revenue_last_year": _l("Revenue last year"),
    "rd_spend_last_year": _l("R&D spend last year"),
    "rd_intensity": _l("R&D spend as a share of revenue"),
    "invention_patents": _l("Invention patents"),
    "registered_on": _l("Date of registration"),
    "enterprise_type": _l("Type of enterprise"),
    "industry_section": _l("Industry section"),
    "industry_division": _l("Industry division"),
    "industry_code": _l("Industry class"),
    "town": _l("Town or sub-district"),
    "tax_credit_rating": _l("Tax credit rating"),
    "certifications": _l("Certifications"),
}

OPERATORS = {
    "==": _l("is"),
    "!=": _l("is not"),
    "<": _l("is less than"),
    "<=": _l("is at most"),
    ">": _l("is more than"),
    ">=": _l("is at least"),
    "between": _l("is between"),
    "in": _l("is one of"),
    "not_in": _l("is none of"),
    "has": _l("includes"),
}

BANDS = {
    Band.QUALIFIED: _l("Qualifies"),
    Band.UNCERTAIN: _l("Might qualify: more information needed"),
    Band.NOT_QUALIFIED: _l("Does not qualify yet"),
}

OUTCOMES = {
    Outcome.MET: _l("Met"),
    Outcome.NOT_MET: _l("Not met"),
    Outcome.UNKNOWN: _l("Not known yet"),
}

CERTIFICATIONS = {
    Certification.HIGH_TECH: _l("High-tech enterprise"),
    Certification.TECH_SME: _l("Technology-based SME"),
    Certification.INNOVATIVE_SME: _l("Innovative SME"),
    Certification.SPECIALISED_SME: _l("Specialised and sophisticated SME"),
    Certification.LITTLE_GIANT: _l("Specialised and sophisticated “little giant”"),
    Certification.TECH_CENTRE: _l("Municipal enterprise technology centre"),
}

ENTERPRISE_TYPES = {
    EnterpriseType.LIMITED_COMPANY: _l("Limited liability company"),
    EnterpriseType.JOINT_STOCK: _l("Company limited by shares"),
    EnterpriseType.FOREIGN_INVESTED: _l("Foreign-invested enterprise"),
    EnterpriseType.PARTNERSHIP: _l("Partnership"),
    EnterpriseType.SOLE_PROPRIETORSHIP: _l("Sole proprietorship"),
    EnterpriseType.INDIVIDUAL_BUSINESS: _l("Individual business"),
    EnterpriseType.COOPERATIVE: _l("Farmers’ cooperative"),
}

TAX_CREDIT_RATINGS = {
    TaxCreditRating.A: _l("Grade A"),
    TaxCreditRating.B: _l("Grade B"),
    TaxCreditRating.M: _l("Grade M (new enterprise)"),
    TaxCreditRating.C: _l("Grade C"),
    TaxCreditRating.D: _l("Grade D"),
}

INDUSTRY_SECTIONS = {
    "A": _l("Agriculture, forestry, animal husbandry and fishery"),
    "B": _l("Mining"),
    "C": _l("Manufacturing"),
    "D": _l("Electricity, heat, gas and water supply"),
    "E": _l("Construction"),
    "F": _l("Wholesale and retail"),
    "G": _l("Transport, storage and post"),
    "H": _l("Accommodation and catering"),
    "I": _l("Information transmission, software and information technology services"),
    "J": _l("Finance"),
    "K": _l("Real estate"),
    "L": _l("Leasing and business services"),
    "M": _l("Scientific research and technical services"),
    "N": _l("Water conservancy, environment and public facilities management"),
    "O": _l("Resident, repair and other services"),
    "P": _l("Education"),
    "Q": _l("Health and social work"),
    "R": _l("Culture, sports and entertainment"),
    "S": _l("Public administration, social security and social organisations"),
    "T": _l("International organisations"),
}

MEMBERSHIP_ROLES = {
    MembershipRole.LEGAL_REPRESENTATIVE: _l("Legal representative"),
    MembershipRole.AGENT: _l("Agent"),
}

MEMBERSHIP_STATUSES = {
    MembershipStatus.PENDING: _l("Waiting for confirmation"),
    MembershipStatus.ACTIVE: _l("Active"),
    MembershipStatus.REVOKED: _l("Ended"),
}

MEMBERSHIP_SCOPES = {
    MembershipScope.AFFAIRS: _l("Apply for services"),
    MembershipScope.POLICIES: _l("Policies and support"),
    MembershipScope.APPEALS: _l("File and follow appeals"),
    MembershipScope.PROFILE: _l("Keep the company profile up to date"),
}

APPLICATION_METHODS = {
    ApplicationMethod.APPLY_ONLINE: _l("Apply online"),
    ApplicationMethod.FAST_TRACK: _l("Fast track"),
    ApplicationMethod.GRANTED_WITHOUT_APPLICATION: _l("Granted without application"),
}

POLICY_STATUSES = {
    PolicyStatus.DRAFT: _l("Draft"),
    PolicyStatus.PUBLISHED: _l("Published"),
    PolicyStatus.WITHDRAWN: _l("Withdrawn"),
}

POLICY_TOPICS = {
    PolicyTopic.INNOVATION: _l("Science and innovation"),
    PolicyTopic.TALENT: _l("Talent"),
    PolicyTopic.EMPLOYMENT: _l("Jobs and employment"),
    PolicyTopic.DIGITAL: _l("Digital transformation"),
    PolicyTopic.MANUFACTURING: _l("Advanced manufacturing"),
    PolicyTopic.GROWTH: _l("Growing specialised enterprises"),
    PolicyTopic.G60: _l("G60 Science and Innovation Corridor"),
    PolicyTopic.FINANCE: _l("Financing support"),
    PolicyTopic.GREEN: _l("Green and low-carbon"),
}

# Criteria errors (portal.rules.validate and portal.policy_matching.check_policy).
RULE_ERRORS = {
    "not_an_object": _l("Each condition must be a group or a comparison."),
    "bad_node": _l("A group must be exactly one of “all”, “any” or “not”."),
    "not_a_list": _l("An “all” or “any” group must list its conditions."),
    "empty_group": _l("This group has no conditions."),
    "too_deep": _l("Groups are nested too deeply (at most %(max)s levels)."),
    "too_many_nodes": _l("There are too many conditions (at most %(max)s)."),
    "missing_key": _l("This condition is missing its “%(key)s”."),
    "unexpected_key": _l("“%(key)s” is not part of a condition."),
    "unknown_attribute": _l("There is no enterprise attribute called “%(attr)s”."),
    "unknown_operator": _l("“%(op)s” is not a comparison the rules know."),
    "bad_operator": _l("“%(op)s” cannot be used with this attribute."),
    "wrong_type": _l("This value is not of the right kind for the attribute."),
    "unknown_choice": _l("“%(value)s” is not one of the values this attribute takes."),
    "bad_range": _l("A range needs a lower and an upper bound, the lower one first."),
    "empty_list": _l("The list of values is empty."),
    "too_many_values": _l("The list has too many values (at most %(max)s)."),
    "bad_clause": _l("The clause reference must be a short text (at most %(max)s characters)."),
    "missing_clause": _l("Each condition must cite the clause of the policy it comes from."),
    "unknown_clause": _l("The policy does not quote a clause “%(clause)s”."),
}

ENTERPRISE_ERRORS = {
    "invalid_uscc": _l("That is not a valid Unified Social Credit Code."),
    "field_required": _l("Please fill in this field."),
    "field_too_long": _l("This is too long (at most %(max)s characters)."),
    "invalid_type": _l("Choose the type of enterprise."),
    "invalid_industry": _l("That is not an industry class of the national classification."),
    "invalid_town": _l("Choose a town or sub-district."),
    "invalid_value": _l("That value is not valid."),
    "unknown_field": _l("That cannot be changed here."),
    "already_member": _l("This person is already bound to the company, or is waiting to confirm."),
    "own_membership": _l("You cannot add yourself as an agent."),
    "invalid_scope": _l("Choose what the agent may do."),
    "no_scope": _l("Choose at least one thing the agent may do."),
    "expiry_in_past": _l("The end date must be in the future."),
    "too_many_agents": _l("A company may have at most %(max)s agents."),
    "not_legal_representative": _l("Only the company’s legal representative may do this."),
    "not_yours": _l("This invitation is for someone else."),
    "not_pending": _l("This is no longer waiting for confirmation."),
    "expired": _l("This invitation has expired."),
    "already_revoked": _l("This binding has already ended."),
    "not_permitted": _l("You may not do that for this company."),
}

POLICY_ERRORS = {
    "invalid_criteria": _l("The eligibility criteria have errors. Please correct them before publishing."),
    "withdrawn": _l("A withdrawn policy cannot be published again. Make a new draft instead."),
    "expired": _l("The policy’s validity has already ended."),
}

# Inbox texts, by notice key plus ".subject" / ".body".
NOTICES = {
    "enterprise.policy_qualified.subject": _l("%(enterprise)s qualifies for “%(title)s”"),
    "enterprise.policy_qualified.body": _l(
        "%(department)s has published “%(title)s”, and %(enterprise)s meets its conditions. "
        "Open the policy to see why and what to do next."
    ),
    "enterprise.policy_topic.subject": _l("New policy on a topic you follow: “%(title)s”"),
    "enterprise.policy_topic.body": _l(
        "%(department)s has published “%(title)s”. Open it to see whether %(enterprise)s qualifies."
    ),
    "enterprise.agent_invited.subject": _l("You are invited to act for %(enterprise)s"),
    "enterprise.agent_invited.body": _l(
        "The legal representative of %(enterprise)s has added you as an agent. "
        "Confirm it to start acting for the company."
    ),
    "enterprise.agent_confirmed.subject": _l("%(agent_name)s now acts for %(enterprise)s"),
    "enterprise.agent_confirmed.body": _l("%(agent_name)s confirmed the binding as an agent of %(enterprise)s."),
    "enterprise.agent_removed.subject": _l("You no longer act for %(enterprise)s"),
    "enterprise.agent_removed.body": _l("The legal representative of %(enterprise)s has ended your binding as agent."),
    "enterprise.representative_verified.subject": _l("You are verified as legal representative of %(enterprise)s"),
    "enterprise.representative_verified.body": _l(
        "Your registration as legal representative of %(enterprise)s has been verified. "
        "You can now act for the company and add agents."
    ),
}


def _label(mapping: dict, code: Any) -> str:
    text = mapping.get(code)
    return str(text) if text is not None else str(code)


class _Params(dict):
    """Missing placeholders show as empty rather than failing a page."""

    def __missing__(self, key: str) -> str:
        return ""


def uscc_message(problem: UsccProblem | str) -> str:
    return _label(USCC_PROBLEMS, UsccProblem(problem))


def attribute_label(name: str) -> str:
    return _label(ATTRIBUTES, name)


def operator_label(op: str) -> str:
    return _label(OPERATORS, op)


def band_label(band: Band | str) -> str:
    return _label(BANDS, Band(band))


def outcome_label(outcome: Outcome | str) -> str:
    return _label(OUTCOMES, Outcome(outcome))


def rule_error_message(error: RuleError) -> str:
    text = RULE_ERRORS.get(error.code)
    if text is None:
        return str(RULE_ERRORS["wrong_type"])
    return str(text) % _Params({k: str(v) for k, v in error.params.items()})


def enterprise_error_message(error: EnterpriseError) -> str:
    if error.code == "invalid_uscc" and "problem" in error.params:
        return uscc_message(error.params["problem"])
    text = ENTERPRISE_ERRORS.get(error.code, ENTERPRISE_ERRORS["not_permitted"])
    return str(text) % _Params({k: str(v) for k, v in error.params.items()})


def policy_error_message(code: str) -> str:
    return _label(POLICY_ERRORS, code)


_CHOICES = {
    "certifications": CERTIFICATIONS,
    "enterprise_type": ENTERPRISE_TYPES,
    "tax_credit_rating": TAX_CREDIT_RATINGS,
    "industry_section": INDUSTRY_SECTIONS,
}


def value_text(attr: str, value: Any) -> str:
    """One value of an attribute as a person reads it, in the current language."""
    if value is None:
        return ""
    if isinstance(value, list | tuple | frozenset | set):
        return ", ".join(value_text(attr, v) for v in value)
    if attr in _CHOICES:
        return _label(_CHOICES[attr], value)
    if isinstance(value, date):
        return format_date(value)
    if attr == "rd_intensity":
        return format_decimal(value, format="#,##0.##") + "%"
    if isinstance(value, int | float) and not isinstance(value, bool):
        if attr in ("registered_capital", "revenue_last_year", "rd_spend_last_year"):
            return "¥" + format_decimal(value, format="#,##0")
        return format_decimal(value)
    return str(value)


def notice_text(key: str, params: dict, locale: str) -> str:
    """One inbox text (a subject or body key) in the current language."""
    values = _Params({k: str(v) for k, v in params.items() if v is not None})
    values["title"] = pick(params.get("title_zh"), params.get("title_en"), locale)
    values["department"] = pick(params.get("department_zh"), params.get("department_en"), locale)
    values["enterprise"] = pick(params.get("enterprise_zh"), params.get("enterprise_en"), locale)
    text = NOTICES.get(key)
    return str(text) % values if text is not None else key


def render_notice(subject_key: str, body_key: str, params: dict, locale: str) -> tuple[str, str]:
    """Subject and body of an enterprise notice in `locale` (keys start with "enterprise.")."""
    with force_locale(locale):
        return notice_text(subject_key, params, locale), notice_text(body_key, params, locale)
