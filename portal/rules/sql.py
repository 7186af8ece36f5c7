"""The compiler: a criteria tree as one SQLAlchemy expression, for matching set-based.

SQL already has Kleene's logic: a comparison with NULL is NULL (unknown), `x AND NULL` is
NULL unless x is false, `x OR NULL` is NULL unless x is true, and `NOT NULL` is NULL. So each
leaf compiles to the plain comparison of its column with the literal, groups to AND / OR / NOT,
and the band is

    CASE cond WHEN true THEN 'qualified' WHEN false THEN 'not_qualified' ELSE 'uncertain' END

which is what the explainer computes for each row. Certifications are a child table, so `has`
is an EXISTS (never NULL: the set is a complete record); a town is matched through its
department code with an uncorrelated `town_id IN (SELECT id FROM department WHERE code ...)`.
Derived values guard their own NULLs (R&D intensity is NULL without revenue, rather than a
division by zero, which PostgreSQL would raise). Plain SQLAlchemy; works on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Float, and_, case, literal, not_, null, or_, select
from sqlalchemy.sql.elements import ColumnElement

from portal.rules.attributes import Kind, sql_value
from portal.rules.explain import Band
from portal.rules.tree import Group, Leaf, Node, Not, parse


def _literal(value: Any, expression):
    """A bound literal typed for what it is: a float must not be bound as the column's INTEGER."""
    if isinstance(value, bool):
        raise TypeError("booleans are not rule values")
    if isinstance(value, float):
        return literal(value, Float())
    if isinstance(value, int):
        return literal(value, BigInteger())
    return literal(value, expression.type)


def _compare(expression, op: str, value: Any):
    if op == "between":
        low, high = value
        return expression.between(_literal(low, expression), _literal(high, expression))
    if op in ("in", "not_in"):
        items = [_literal(v, expression) for v in value]
        return expression.in_(items) if op == "in" else expression.not_in(items)
    right = _literal(value, expression)
    return {
        "==": expression.__eq__,
        "!=": expression.__ne__,
        "<": expression.__lt__,
        "<=": expression.__le__,
        ">": expression.__gt__,
        ">=": expression.__ge__,
    }[op](right)


def _reference(leaf: Leaf, model):
    """town == 'jtz' as town_id IN (SELECT id FROM department WHERE code = 'jtz').

    Guarded by a CASE: `x IN (<empty>)` is false even when x is NULL, so a criterion naming a
    town that does not exist would otherwise turn an unknown town into "not met"."""
    fk_name, relationship, key = leaf.attribute.reference
    target = getattr(model, relationship).property.mapper.class_
    target_key = getattr(target, key)
    wanted = (leaf.value,) if leaf.op in ("==", "!=") else leaf.value
    ids = select(target.id).where(target_key.in_([literal(v, target_key.type) for v in wanted]))
    fk = getattr(model, fk_name)
    test = fk.in_(ids) if leaf.op in ("==", "in") else fk.not_in(ids)
    return case((fk.is_(None), null()), else_=test)


def _members(leaf: Leaf, model):
    relationship, member = leaf.attribute.members
    rel = getattr(model, relationship)
    target = rel.property.mapper.class_
    return rel.any(getattr(target, member) == leaf.value)


def _leaf(leaf: Leaf, model):
    if leaf.attribute.kind == Kind.SET:
        return _members(leaf, model)
    if leaf.attribute.reference is not None:
        return _reference(leaf, model)
    return _compare(sql_value(leaf.attribute, model), leaf.op, leaf.value)


def _node(node: Node, model):
    if isinstance(node, Leaf):
        return _leaf(node, model)
    if isinstance(node, Not):
        return not_(_node(node.child, model))
    if isinstance(node, Group):
        parts = [_node(child, model) for child in node.children]
        if len(parts) == 1:
            return parts[0]
        return and_(*parts) if node.kind == "all" else or_(*parts)
    raise TypeError(f"not a rule node: {node!r}")


def _parsed(tree: Any) -> Node:
    return tree if isinstance(tree, Leaf | Group | Not) else parse(tree)


def compile_condition(tree: Any, model) -> ColumnElement[bool]:
    """The criteria as a three-valued SQL condition over `model`: true, false or NULL (unknown)."""
    return _node(_parsed(tree), model)


def compile_to_sql(tree: Any, model) -> ColumnElement[str]:
    """The band ('qualified', 'uncertain', 'not_qualified') of each `model` row, as one expression.

    `select(Enterprise.id, compile_to_sql(policy.criteria, Enterprise))` matches a policy
    against every enterprise in one query. Raises InvalidRule for an invalid tree.
    """
    condition = compile_condition(tree, model)
    # A simple CASE evaluates the condition once per row (a searched CASE with WHEN cond ... WHEN
    # NOT cond would evaluate it twice on every row that does not qualify).
    return case(
        {True: literal(Band.QUALIFIED.value), False: literal(Band.NOT_QUALIFIED.value)},
        value=condition,
        else_=literal(Band.UNCERTAIN.value),
    )
