"""The rule language refuses anything it cannot evaluate safely, saying what and where."""

from __future__ import annotations

from datetime import date

import pytest

from portal.rules import ATTRIBUTES, MAX_DEPTH, MAX_NODES, InvalidRule, Kind, parse, to_json, validate


def leaf(attr="employees", op="<=", value=300, **extra):
    return {"attr": attr, "op": op, "value": value, **extra}


def codes(tree):
    return [(e.code, e.pointer) for e in validate(tree)]


def test_a_realistic_tree_is_valid():
    tree = {
        "all": [
            leaf("employees", "<=", 300, clause="第二条第（一）项"),
            leaf("registered_on", "<=", "2025-01-01", clause="第二条第（二）项"),
            {"any": [leaf("certifications", "has", "high_tech"), leaf("rd_intensity", ">=", 3.5)]},
            {"not": leaf("tax_credit_rating", "in", ["C", "D"])},
            leaf("industry_division", "in", ["34", "39", "65"]),
            leaf("town", "==", "jtz"),
            leaf("revenue_last_year", "between", [10_000_000, 200_000_000]),
        ]
    }
    assert validate(tree) == []
    node = parse(tree)
    assert node.kind == "all"
    assert node.children[1].value == date(2025, 1, 1)
    assert node.children[6].value == (10_000_000, 200_000_000)


@pytest.mark.parametrize(
    ("tree", "expected"),
    [
        ([], [("not_an_object", "")]),
        ("employees <= 300", [("not_an_object", "")]),
        ({"all": []}, [("empty_group", "/all")]),
        ({"any": leaf()}, [("not_a_list", "/any")]),
        ({"all": [leaf()], "any": [leaf()]}, [("bad_node", "")]),
        ({"not": leaf(), "attr": "employees"}, [("bad_node", "")]),
        ({"all": [leaf(attr="staff")]}, [("unknown_attribute", "/all/0/attr")]),
        ({"all": [leaf(attr="__class__")]}, [("unknown_attribute", "/all/0/attr")]),
        (leaf(op="=~"), [("unknown_operator", "/op")]),
        (leaf(op="has"), [("bad_operator", "/op")]),
        (leaf(attr="certifications", op=">=", value="high_tech"), [("bad_operator", "/op")]),
        (leaf(attr="town", op="<", value="jtz"), [("bad_operator", "/op")]),
        (leaf(value="300"), [("wrong_type", "/value")]),
        (leaf(value=True), [("wrong_type", "/value")]),
        (leaf(value=float("nan")), [("wrong_type", "/value")]),
        (leaf(value=None), [("wrong_type", "/value")]),
        (leaf(attr="registered_on", value="2025-13-01"), [("wrong_type", "/value")]),
        (leaf(attr="registered_on", value="1 May 2025"), [("wrong_type", "/value")]),
        (leaf(attr="registered_on", value=20250101), [("wrong_type", "/value")]),
        (leaf(attr="industry_code", op="==", value="C39"), [("wrong_type", "/value")]),
        (leaf(attr="tax_credit_rating", op="==", value="AA"), [("unknown_choice", "/value")]),
        (leaf(attr="certifications", op="has", value="famous"), [("unknown_choice", "/value")]),
        (leaf(op="between", value=[300]), [("bad_range", "/value")]),
        (leaf(op="between", value=[300, 10]), [("bad_range", "/value")]),
        (leaf(op="between", value=[10, "x"]), [("wrong_type", "/value/1")]),
        (leaf(attr="town", op="in", value=[]), [("empty_list", "/value")]),
        (leaf(attr="town", op="in", value="jtz"), [("wrong_type", "/value")]),
        (leaf(attr="town", op="not_in", value=["jtz", 3]), [("wrong_type", "/value/1")]),
        (leaf(attr="town", op="in", value=["t"] * 201), [("too_many_values", "/value")]),
        ({"attr": "employees", "op": "<="}, [("missing_key", "")]),
        (leaf(note="x"), [("unexpected_key", "/note")]),
        (leaf(clause=""), [("bad_clause", "/clause")]),
        (leaf(clause=3), [("bad_clause", "/clause")]),
        (leaf(clause="第" * 101), [("bad_clause", "/clause")]),
    ],
)
def test_errors_have_a_code_and_a_path(tree, expected):
    assert codes(tree) == expected


def test_every_error_is_reported_not_just_the_first():
    tree = {"any": [leaf(attr="staff"), leaf(op="has"), {"all": []}, leaf(value="x")]}
    assert codes(tree) == [
        ("unknown_attribute", "/any/0/attr"),
        ("bad_operator", "/any/1/op"),
        ("empty_group", "/any/2/all"),
        ("wrong_type", "/any/3/value"),
    ]


def test_error_parameters_name_what_is_wrong():
    (error,) = validate(leaf(attr="certifications", op="==", value="high_tech"))
    assert error.code == "bad_operator"
    assert error.params == {"op": "==", "attr": "certifications", "allowed": ["has"]}


def test_nesting_is_limited():
    tree = leaf()
    for _ in range(MAX_DEPTH - 1):
        tree = {"not": tree}
    assert validate(tree) == []
    assert codes({"not": tree}) == [("too_deep", "/not" * MAX_DEPTH)]


def test_size_is_limited():
    assert validate({"all": [leaf()] * (MAX_NODES - 1)}) == []
    assert codes({"all": [leaf()] * MAX_NODES}) == [("too_many_nodes", "")]


def test_a_deeply_nested_bomb_is_refused_quickly():
    tree = leaf()
    for _ in range(5000):
        tree = {"not": tree}
    errors = validate(tree)
    assert [e.code for e in errors] == ["too_deep"]


def test_parse_raises_with_the_errors():
    with pytest.raises(InvalidRule) as caught:
        parse({"all": [leaf(attr="staff")]})
    assert [e.code for e in caught.value.errors] == ["unknown_attribute"]


def test_every_attribute_accepts_its_operators_and_no_other():
    samples = {
        Kind.NUMBER: 1,
        Kind.DATE: "2024-01-01",
        Kind.STRING: None,
        Kind.ENUM: None,
        Kind.SET: None,
    }
    all_ops = ["==", "!=", "<", "<=", ">", ">=", "between", "in", "not_in", "has"]
    for attribute in ATTRIBUTES.values():
        value = samples[attribute.kind]
        if value is None:
            value = attribute.choices[0] if attribute.choices else {"town": "jtz"}.get(attribute.name, "65")
            if attribute.name == "industry_code":
                value = "6513"
        for op in all_ops:
            given = [value, value] if op == "between" else [value] if op in ("in", "not_in") else value
            errors = validate(leaf(attribute.name, op, given))
            if op in attribute.operators:
                assert errors == [], (attribute.name, op, errors)
            else:
                assert [e.code for e in errors] == ["bad_operator"], (attribute.name, op)


def test_values_round_trip_to_json():
    node = parse(leaf(attr="registered_on", op="between", value=["2020-01-01", "2024-12-31"]))
    assert to_json(node.value) == ["2020-01-01", "2024-12-31"]
