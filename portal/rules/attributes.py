"""The enterprise attributes a criterion may name: a fixed, typed registry.

Each attribute has a kind, which decides the operators and literal values it accepts, and a
source: a column of the enterprise table, the key of a row it references (its town's
department code), the members of a child table (its certifications), or a value derived from
other attributes. The same registry feeds both interpreters: `facts_of` reads an enterprise
object for the explainer, and `sql_value` gives the SQL expression for the compiler.

Sets are complete records (the certifications the issuing authorities hold on file): an
enterprise without a certificate does not have it, which is a fact, not missing data. Every
other attribute may be missing (None), and a criterion over a missing value is "unknown".
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Float, case, cast, func, literal

from portal.rules.vocabulary import INDUSTRY_SECTIONS, Certification, EnterpriseType, TaxCreditRating


class Kind(enum.StrEnum):
    NUMBER = "number"
    DATE = "date"
    STRING = "string"
    ENUM = "enum"
    SET = "set"


ORDERED_OPS = ("==", "!=", "<", "<=", ">", ">=", "between")
CHOICE_OPS = ("==", "!=", "in", "not_in")

OPERATORS_BY_KIND: dict[Kind, tuple[str, ...]] = {
    Kind.NUMBER: ORDERED_OPS,
    Kind.DATE: ORDERED_OPS,
    Kind.STRING: CHOICE_OPS,
    Kind.ENUM: CHOICE_OPS,
    Kind.SET: ("has",),
}

OPERATORS = ("==", "!=", "<", "<=", ">", ">=", "between", "in", "not_in", "has")


@dataclass(frozen=True)
class Attribute:
    name: str
    kind: Kind
    # Exactly one source:
    column: str | None = None  # a column of the enterprise
    reference: tuple[str, str, str] | None = None  # (foreign key column, relationship, key on the target)
    members: tuple[str, str] | None = None  # (relationship to the child rows, the member column)
    derive: Callable[[Mapping[str, Any]], Any] | None = None  # from other facts, in Python...
    derive_sql: Callable[[Any], Any] | None = None  # ...and the same in SQL, given the model class
    choices: tuple[str, ...] | None = None  # the values an enum or set attribute takes
    pattern: str | None = None  # the form of a string attribute's values
    unit: str | None = None  # yuan, percent, people, count: how pages format the numbers

    @property
    def operators(self) -> tuple[str, ...]:
        return OPERATORS_BY_KIND[self.kind]

    def accepts_string(self, value: str) -> bool:
        return self.pattern is None or re.fullmatch(self.pattern, value) is not None


def _rd_intensity(facts: Mapping[str, Any]) -> float | None:
    """R&D spend as a percentage of revenue; unknown without both, or without revenue."""
    rd, revenue = facts.get("rd_spend_last_year"), facts.get("revenue_last_year")
    if rd is None or revenue is None or revenue <= 0:
        return None
    # The same operations, in the same order, as the SQL below: both sides round alike.
    return float(rd) * 100.0 / float(revenue)


def _rd_intensity_sql(model):
    rd, revenue = model.rd_spend_last_year, model.revenue_last_year
    return case(
        (revenue > 0, cast(rd, Float) * literal(100.0, Float) / cast(revenue, Float)),
        else_=None,
    )


def _industry_division(facts: Mapping[str, Any]) -> str | None:
    code = facts.get("industry_code")
    return code[:2] if code else None


def _industry_division_sql(model):
    return func.substr(model.industry_code, 1, 2)


def _codes(enum_cls) -> tuple[str, ...]:
    return tuple(member.value for member in enum_cls)


_REGISTRY = (
    Attribute("employees", Kind.NUMBER, column="employees", unit="people"),
    Attribute("registered_capital", Kind.NUMBER, column="registered_capital", unit="yuan"),
    Attribute("revenue_last_year", Kind.NUMBER, column="revenue_last_year", unit="yuan"),
    Attribute("rd_spend_last_year", Kind.NUMBER, column="rd_spend_last_year", unit="yuan"),
    Attribute("rd_intensity", Kind.NUMBER, derive=_rd_intensity, derive_sql=_rd_intensity_sql, unit="percent"),
    Attribute("invention_patents", Kind.NUMBER, column="invention_patents", unit="count"),
    Attribute("registered_on", Kind.DATE, column="registered_on"),
    Attribute("enterprise_type", Kind.ENUM, column="enterprise_type", choices=_codes(EnterpriseType)),
    Attribute("industry_section", Kind.ENUM, column="industry_section", choices=tuple(INDUSTRY_SECTIONS)),
    Attribute(
        "industry_division",
        Kind.STRING,
        derive=_industry_division,
        derive_sql=_industry_division_sql,
        pattern=r"\d{2}",
    ),
    Attribute("industry_code", Kind.STRING, column="industry_code", pattern=r"\d{4}"),
    Attribute("town", Kind.STRING, reference=("town_id", "town", "code"), pattern=r"[a-z0-9_]{1,32}"),
    Attribute("tax_credit_rating", Kind.ENUM, column="tax_credit_rating", choices=_codes(TaxCreditRating)),
    Attribute(
        "certifications",
        Kind.SET,
        members=("certification_rows", "certification"),
        choices=_codes(Certification),
    ),
)

ATTRIBUTES: dict[str, Attribute] = {a.name: a for a in _REGISTRY}


def _plain(value):
    return value.value if isinstance(value, enum.Enum) else value


def facts_of(enterprise, members: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The registry's attributes of one enterprise object (an ORM row or anything shaped like one).

    `members` gives, by relationship name, the member values of a child table read apart (say
    the certifications' names by one statement): that relationship of `enterprise` is then not read.
    """
    members = members or {}
    facts: dict[str, Any] = {}
    for attribute in _REGISTRY:
        if attribute.column is not None:
            facts[attribute.name] = _plain(getattr(enterprise, attribute.column, None))
        elif attribute.reference is not None:
            _, relationship, key = attribute.reference
            target = getattr(enterprise, relationship, None)
            facts[attribute.name] = None if target is None else getattr(target, key)
        elif attribute.members is not None:
            relationship, member = attribute.members
            values = members[relationship] if relationship in members else (
                getattr(row, member) for row in getattr(enterprise, relationship))
            facts[attribute.name] = frozenset(_plain(value) for value in values)
    return complete_facts(facts)


def complete_facts(facts: Mapping[str, Any]) -> dict[str, Any]:
    """`facts` with the derived attributes filled in and missing ones set to None (sets: empty)."""
    complete = {}
    for attribute in _REGISTRY:
        if attribute.derive is not None:
            continue
        value = facts.get(attribute.name)
        if attribute.kind == Kind.SET:
            value = frozenset(_plain(v) for v in (value or ()))
        complete[attribute.name] = _plain(value)
    for attribute in _REGISTRY:
        if attribute.derive is not None:
            complete[attribute.name] = attribute.derive(complete)
    return complete


def sql_value(attribute: Attribute, model):
    """The SQL expression for a scalar attribute of `model` (not for sets or references)."""
    if attribute.column is not None:
        return getattr(model, attribute.column)
    if attribute.derive_sql is not None:
        return attribute.derive_sql(model)
    raise ValueError(f"{attribute.name} has no scalar SQL value")
