"""Policy criteria as rules: a small, safe language (a JSON expression tree) and its two
interpreters, the explainer (one enterprise, three-valued, criterion by criterion) and the SQL
compiler (every enterprise in one query). Plain Python and SQLAlchemy; nothing here imports Flask.

    tree = {"all": [
        {"attr": "certifications", "op": "has", "value": "high_tech", "clause": "第二条第（一）项"},
        {"attr": "rd_intensity", "op": ">=", "value": 3, "clause": "第二条第（二）项"},
    ]}
    validate(tree)                          # [] or [RuleError(code, path, params), ...]
    explain(tree, facts_of(enterprise))     # Explanation(band, root, leaves, blocking)
    select(Enterprise.id, compile_to_sql(tree, Enterprise))
"""

from portal.rules.attributes import ATTRIBUTES, OPERATORS, Attribute, Kind, complete_facts, facts_of
from portal.rules.explain import Band, Explanation, LeafResult, NodeResult, Outcome, explain
from portal.rules.sql import compile_condition, compile_to_sql
from portal.rules.tree import MAX_DEPTH, MAX_NODES, InvalidRule, RuleError, leaves, parse, to_json, validate
from portal.rules.vocabulary import (
    INDUSTRY_SECTIONS,
    Certification,
    EnterpriseType,
    TaxCreditRating,
    industry_section_of,
)

__all__ = [
    "ATTRIBUTES",
    "INDUSTRY_SECTIONS",
    "MAX_DEPTH",
    "MAX_NODES",
    "OPERATORS",
    "Attribute",
    "Band",
    "Certification",
    "EnterpriseType",
    "Explanation",
    "InvalidRule",
    "Kind",
    "LeafResult",
    "NodeResult",
    "Outcome",
    "RuleError",
    "TaxCreditRating",
    "compile_condition",
    "compile_to_sql",
    "complete_facts",
    "explain",
    "facts_of",
    "industry_section_of",
    "leaves",
    "parse",
    "to_json",
    "validate",
]
