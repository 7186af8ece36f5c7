"""The rule language: a JSON expression tree, checked and parsed into immutable nodes. Never `eval`.

    {"all": [node, ...]}      every node holds
    {"any": [node, ...]}      at least one node holds
    {"not": node}             the node does not hold
    {"attr": "employees", "op": "<=", "value": 300, "clause": "第二条第（一）项"}

Operators: == != < <= > >= between in not_in has. Which ones an attribute accepts, and what
its values look like, comes from the registry in `portal.rules.attributes`: numbers and dates
(ISO "2024-01-01") are ordered, strings and enums are compared and listed, and sets answer `has`.
`between` takes [low, high], inclusive; `in` and `not_in` take a non-empty list.

`validate(tree)` returns every problem as a `RuleError` (a machine code, a JSON-pointer path
to the offending part, and parameters); `parse(tree)` returns the nodes or raises
`InvalidRule` carrying those errors.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from portal.rules.attributes import ATTRIBUTES, OPERATORS, Attribute, Kind

MAX_DEPTH = 8  # groups within groups; a leaf at depth 8 is the deepest allowed
MAX_NODES = 200
MAX_LIST_VALUES = 200
MAX_STRING = 100
MAX_CLAUSE = 100

GROUPS = ("all", "any")
LEAF_KEYS = frozenset({"attr", "op", "value", "clause"})

Path = tuple[str | int, ...]


# The codes `validate` reports (policy checks add missing_clause and unknown_clause).
ERROR_CODES = (
    "not_an_object",
    "bad_node",
    "not_a_list",
    "empty_group",
    "too_deep",
    "too_many_nodes",
    "missing_key",
    "unexpected_key",
    "unknown_attribute",
    "unknown_operator",
    "bad_operator",
    "wrong_type",
    "unknown_choice",
    "bad_range",
    "empty_list",
    "too_many_values",
    "bad_clause",
)


@dataclass(frozen=True)
class RuleError:
    """One problem in a criteria tree: a code from ERROR_CODES, where, and what."""

    code: str
    path: Path = ()
    params: dict = field(default_factory=dict)

    @property
    def pointer(self) -> str:
        """The path as a JSON pointer (RFC 6901): "/all/0/value"."""
        return "".join(f"/{part}" for part in self.path)


class InvalidRule(ValueError):
    def __init__(self, errors: list[RuleError]):
        self.errors = errors
        super().__init__("; ".join(f"{e.code} at {e.pointer or '/'}" for e in errors))


@dataclass(frozen=True)
class Leaf:
    attribute: Attribute
    op: str
    value: Any  # parsed: dates as date, ranges as a (low, high) tuple, lists as a tuple
    clause: str | None
    path: Path

    @property
    def attr(self) -> str:
        return self.attribute.name


@dataclass(frozen=True)
class Group:
    kind: str  # "all" or "any"
    children: tuple[Node, ...]
    path: Path


@dataclass(frozen=True)
class Not:
    child: Node
    path: Path


Node = Leaf | Group | Not


class _Checker:
    def __init__(self):
        self.errors: list[RuleError] = []
        self.nodes = 0
        self.overflow = False

    def error(self, code: str, path: Path, **params) -> None:
        self.errors.append(RuleError(code, path, params))

    def node(self, raw: Any, path: Path, depth: int) -> Node | None:
        if self.overflow:
            return None
        self.nodes += 1
        if self.nodes > MAX_NODES:
            self.overflow = True
            self.error("too_many_nodes", (), max=MAX_NODES)
            return None
        if depth > MAX_DEPTH:
            self.error("too_deep", path, max=MAX_DEPTH)
            return None
        if not isinstance(raw, dict):
            self.error("not_an_object", path)
            return None
        operators = [key for key in (*GROUPS, "not") if key in raw]
        if operators:
            if len(raw) != 1:
                self.error("bad_node", path, keys=sorted(map(str, raw)))
                return None
            key = operators[0]
            if key == "not":
                child = self.node(raw["not"], (*path, "not"), depth + 1)
                return None if child is None else Not(child, path)
            return self.group(key, raw[key], path, depth)
        return self.leaf(raw, path)

    def group(self, kind: str, items: Any, path: Path, depth: int) -> Group | None:
        if not isinstance(items, list):
            self.error("not_a_list", (*path, kind))
            return None
        if not items:
            self.error("empty_group", (*path, kind))
            return None
        children = [self.node(item, (*path, kind, i), depth + 1) for i, item in enumerate(items)]
        if any(child is None for child in children):
            return None
        return Group(kind, tuple(children), path)

    def leaf(self, raw: dict, path: Path) -> Leaf | None:
        ok = True
        for key in sorted(map(str, set(raw) - LEAF_KEYS)):
            self.error("unexpected_key", (*path, key), key=key)
            ok = False
        for key in ("attr", "op", "value"):
            if key not in raw:
                self.error("missing_key", path, key=key)
                ok = False
        clause = raw.get("clause")
        if clause is not None and not (isinstance(clause, str) and 0 < len(clause.strip()) <= MAX_CLAUSE):
            self.error("bad_clause", (*path, "clause"), max=MAX_CLAUSE)
            ok = False
        if "attr" not in raw or "op" not in raw:
            return None
        name, op = raw["attr"], raw["op"]
        attribute = ATTRIBUTES.get(name) if isinstance(name, str) else None
        if attribute is None:
            self.error("unknown_attribute", (*path, "attr"), attr=str(name))
            return None
        if not isinstance(op, str) or op not in OPERATORS:
            self.error("unknown_operator", (*path, "op"), op=str(op))
            return None
        if op not in attribute.operators:
            self.error("bad_operator", (*path, "op"), op=op, attr=name, allowed=list(attribute.operators))
            return None
        if "value" not in raw:
            return None
        value = self.value(attribute, op, raw["value"], (*path, "value"))
        if value is None or not ok:
            return None
        return Leaf(attribute, op, value, clause.strip() if clause else None, path)

    def value(self, attribute: Attribute, op: str, raw: Any, path: Path) -> Any:
        if op == "between":
            if not isinstance(raw, list) or len(raw) != 2:
                self.error("bad_range", path)
                return None
            low, high = (self.scalar(attribute, item, (*path, i)) for i, item in enumerate(raw))
            if low is None or high is None:
                return None
            if low > high:
                self.error("bad_range", path)
                return None
            return (low, high)
        if op in ("in", "not_in"):
            if not isinstance(raw, list):
                self.error("wrong_type", path, expected="list")
                return None
            if not raw:
                self.error("empty_list", path)
                return None
            if len(raw) > MAX_LIST_VALUES:
                self.error("too_many_values", path, max=MAX_LIST_VALUES)
                return None
            items = [self.scalar(attribute, item, (*path, i)) for i, item in enumerate(raw)]
            if any(item is None for item in items):
                return None
            return tuple(dict.fromkeys(items))  # without repeats, in the order given
        return self.scalar(attribute, raw, path)

    def scalar(self, attribute: Attribute, raw: Any, path: Path) -> Any:
        kind = attribute.kind
        if kind == Kind.NUMBER:
            if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
                self.error("wrong_type", path, expected="number")
                return None
            return raw
        if kind == Kind.DATE:
            if isinstance(raw, str) and len(raw) == 10:
                try:
                    return date.fromisoformat(raw)
                except ValueError:
                    pass
            self.error("wrong_type", path, expected="date")
            return None
        if not isinstance(raw, str) or not raw or len(raw) > MAX_STRING:
            self.error("wrong_type", path, expected="string")
            return None
        if attribute.choices is not None:
            if raw not in attribute.choices:
                self.error("unknown_choice", path, value=raw, choices=list(attribute.choices))
                return None
        elif not attribute.accepts_string(raw):
            self.error("wrong_type", path, expected="string", pattern=attribute.pattern)
            return None
        return raw


def validate(tree: Any) -> list[RuleError]:
    """Every problem in `tree`; an empty list means it is a valid criteria tree."""
    checker = _Checker()
    checker.node(tree, (), 1)
    return checker.errors


def parse(tree: Any) -> Node:
    """The nodes of a valid tree; raises InvalidRule with the errors of an invalid one."""
    checker = _Checker()
    node = checker.node(tree, (), 1)
    if checker.errors or node is None:
        raise InvalidRule(checker.errors)
    return node


def leaves(node: Node) -> list[Leaf]:
    """The leaves of a parsed tree, in document order."""
    if isinstance(node, Leaf):
        return [node]
    if isinstance(node, Not):
        return leaves(node.child)
    return [leaf for child in node.children for leaf in leaves(child)]


def to_json(value: Any) -> Any:
    """A parsed leaf value back in its JSON form (dates as ISO strings, tuples as lists)."""
    if isinstance(value, tuple):
        return [to_json(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value
