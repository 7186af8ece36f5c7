"""The explainer: one enterprise against one criteria tree, criterion by criterion.

Three-valued (Kleene) logic: a leaf whose attribute is missing is UNKNOWN, never NOT_MET.
`all` is NOT_MET when any child is, else UNKNOWN when any child is, else MET; `any` is MET
when any child is, else UNKNOWN when any child is, else NOT_MET; `not` swaps MET and NOT_MET
and keeps UNKNOWN. The root's outcome gives the band: MET qualified, UNKNOWN uncertain,
NOT_MET not qualified. `portal.rules.sql` computes the same bands in the database, and the
property tests hold the two to each other.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from portal.rules.attributes import Kind, complete_facts
from portal.rules.tree import Group, Leaf, Node, Not, Path, parse


class Outcome(enum.StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"


class Band(enum.StrEnum):
    QUALIFIED = "qualified"
    UNCERTAIN = "uncertain"
    NOT_QUALIFIED = "not_qualified"


BAND_OF = {Outcome.MET: Band.QUALIFIED, Outcome.UNKNOWN: Band.UNCERTAIN, Outcome.NOT_MET: Band.NOT_QUALIFIED}
_FLIP = {Outcome.MET: Outcome.NOT_MET, Outcome.NOT_MET: Outcome.MET, Outcome.UNKNOWN: Outcome.UNKNOWN}


@dataclass(frozen=True)
class LeafResult:
    path: Path
    attr: str
    op: str
    threshold: Any  # the policy's value: a number, a date, a (low, high) pair, a tuple of choices
    value: Any  # the enterprise's value; None when missing (sets: the set it holds)
    outcome: Outcome
    clause: str | None

    @property
    def pointer(self) -> str:
        return "".join(f"/{part}" for part in self.path)


@dataclass(frozen=True)
class NodeResult:
    kind: str  # "all", "any", "not" or "leaf"
    outcome: Outcome
    children: tuple[NodeResult, ...] = ()
    leaf: LeafResult | None = None


@dataclass(frozen=True)
class Explanation:
    band: Band
    root: NodeResult
    leaves: tuple[LeafResult, ...]  # every criterion, in the order the policy lists them
    blocking: tuple[LeafResult, ...]  # the criteria that stand between this enterprise and qualifying

    @property
    def unmet(self) -> tuple[LeafResult, ...]:
        """What keeps the enterprise out: "you would qualify if ..."."""
        return tuple(leaf for leaf in self.blocking if leaf.outcome != Outcome.UNKNOWN)

    @property
    def missing(self) -> tuple[str, ...]:
        """The attributes we need to tell: "we need your R&D spend to tell"."""
        return tuple(dict.fromkeys(leaf.attr for leaf in self.blocking if leaf.outcome == Outcome.UNKNOWN))


def compare(op: str, value: Any, threshold: Any) -> bool:
    """One comparison of a known value, exactly as the SQL compiler writes it."""
    if op == "==":
        return value == threshold
    if op == "!=":
        return value != threshold
    if op == "<":
        return value < threshold
    if op == "<=":
        return value <= threshold
    if op == ">":
        return value > threshold
    if op == ">=":
        return value >= threshold
    if op == "between":
        low, high = threshold
        return low <= value <= high
    if op == "in":
        return value in threshold
    if op == "not_in":
        return value not in threshold
    if op == "has":
        return threshold in value
    raise ValueError(f"unknown operator {op}")


def _leaf(leaf: Leaf, facts: Mapping[str, Any]) -> LeafResult:
    value = facts.get(leaf.attr)
    if value is None and leaf.attribute.kind != Kind.SET:
        outcome = Outcome.UNKNOWN
    else:
        outcome = Outcome.MET if compare(leaf.op, value, leaf.value) else Outcome.NOT_MET
    shown = tuple(sorted(value)) if leaf.attribute.kind == Kind.SET else value
    return LeafResult(leaf.path, leaf.attr, leaf.op, leaf.value, shown, outcome, leaf.clause)


def _combine(kind: str, outcomes: list[Outcome]) -> Outcome:
    decisive, other = (Outcome.NOT_MET, Outcome.MET) if kind == "all" else (Outcome.MET, Outcome.NOT_MET)
    if decisive in outcomes:
        return decisive
    if Outcome.UNKNOWN in outcomes:
        return Outcome.UNKNOWN
    return other


def evaluate(node: Node, facts: Mapping[str, Any]) -> NodeResult:
    """The result tree of a parsed node over complete facts (see `complete_facts`)."""
    if isinstance(node, Leaf):
        result = _leaf(node, facts)
        return NodeResult("leaf", result.outcome, leaf=result)
    if isinstance(node, Not):
        child = evaluate(node.child, facts)
        return NodeResult("not", _FLIP[child.outcome], (child,))
    if isinstance(node, Group):
        children = tuple(evaluate(child, facts) for child in node.children)
        return NodeResult(node.kind, _combine(node.kind, [c.outcome for c in children]), children)
    raise TypeError(f"not a rule node: {node!r}")


def _blocking(result: NodeResult, want: Outcome) -> list[LeafResult]:
    """The leaves that keep `result` from having the outcome `want` (MET or NOT_MET)."""
    if result.outcome == want:
        return []
    if result.kind == "leaf":
        return [result.leaf]
    if result.kind == "not":
        return _blocking(result.children[0], _FLIP[want])
    # A group that must be MET: for `all` each child that is not; for `any` any one child would
    # do, so all of them are listed. Wanting NOT_MET mirrors this.
    return [leaf for child in result.children for leaf in _blocking(child, want)]


def _flatten(result: NodeResult) -> list[LeafResult]:
    if result.kind == "leaf":
        return [result.leaf]
    return [leaf for child in result.children for leaf in _flatten(child)]


def explain(tree: Any, facts: Mapping[str, Any]) -> Explanation:
    """Evaluate one enterprise's facts (attribute name -> value, missing or None = unknown)
    against a criteria tree (raw JSON or already parsed). Raises InvalidRule for a bad tree."""
    node = tree if isinstance(tree, Leaf | Group | Not) else parse(tree)
    root = evaluate(node, complete_facts(facts))
    return Explanation(BAND_OF[root.outcome], root, tuple(_flatten(root)), tuple(_blocking(root, Outcome.MET)))
