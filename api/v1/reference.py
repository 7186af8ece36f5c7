"""The reference page's content, read from the OpenAPI document: what the template lists for each
operation and each schema, with types written out for people (`array of Case`, `date`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markupsafe import Markup, escape

REF_PREFIX = "#/components/schemas/"


@dataclass
class Type:
    text: str
    link: str | None = None  # a schema's anchor, when the type is one


@dataclass
class Field:
    name: str
    types: list[Type]
    required: bool
    description: str | None
    where: str | None = None  # for parameters: path, query or header


@dataclass
class Answer:
    status: str
    description: str
    media_type: str | None
    schema: Type | None


@dataclass
class OperationView:
    method: str
    path: str
    anchor: str
    summary: str
    description: str | None
    scope: str | None
    parameters: list[Field]
    body: Type | None
    answers: list[Answer]


@dataclass
class SchemaView:
    name: str
    anchor: str
    description: str | None
    fields: list[Field] = field(default_factory=list)
    values: list[str] = field(default_factory=list)  # an enumeration's values


_CODE_SPAN = re.compile(r"`([^`]+)`")


def inline_code(text: object) -> Markup:
    """The document's descriptions are CommonMark: show their `code spans` as code, escape the rest."""
    shown = Markup("")
    for index, part in enumerate(_CODE_SPAN.split(str(text or ""))):
        shown += Markup("<code>{}</code>").format(part) if index % 2 else escape(part)
    return shown


def schema_anchor(name: str) -> str:
    return f"schema-{name}"


def types_of(schema: dict) -> list[Type]:
    """A schema as a list of readable alternatives."""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix(REF_PREFIX)
        return [Type(name, schema_anchor(name))]
    if "anyOf" in schema:
        return [t for part in schema["anyOf"] for t in types_of(part)]
    if "enum" in schema:
        return [Type(" | ".join(str(v) for v in schema["enum"]))]
    kind = schema.get("type")
    if kind == "array":
        inner = types_of(schema.get("items", {}))
        return [Type("array of " + t.text, t.link) for t in inner] or [Type("array")]
    if kind is None:
        return [Type("any JSON value")]
    text = kind
    if "format" in schema:
        text = schema["format"] if schema["format"] in ("date", "date-time") else f"{kind} ({schema['format']})"
    limits = []
    if "minLength" in schema or "maxLength" in schema:
        limits.append(f"{schema.get('minLength', 0)}–{schema.get('maxLength', '…')} characters")
    if "minimum" in schema or "maximum" in schema:
        limits.append(f"{schema.get('minimum', '…')}–{schema.get('maximum', '…')}")
    if limits:
        text += " (" + ", ".join(limits) + ")"
    return [Type(text)]


def _fields(schema: dict) -> list[Field]:
    required = set(schema.get("required", []))
    return [
        Field(name, types_of(prop), name in required, prop.get("description"))
        for name, prop in schema.get("properties", {}).items()
    ]


def operations(document: dict) -> list[OperationView]:
    found = []
    for path, methods in document["paths"].items():
        for method, op in methods.items():
            scopes = [s for requirement in op.get("security", []) for s in requirement.get("portalOAuth", [])]
            parameters = [
                Field(p["name"], types_of(p["schema"]), p.get("required", False), p.get("description"), p["in"])
                for p in op.get("parameters", [])
            ]
            body = None
            if "requestBody" in op:
                [(media, content)] = op["requestBody"]["content"].items()
                body = types_of(content["schema"])[0]
            answers = []
            for status, answer in op["responses"].items():
                content = answer.get("content", {})
                media, schema = next(iter(content.items()), (None, None))
                answers.append(Answer(status, answer["description"], media,
                                      types_of(schema["schema"])[0] if schema else None))
            found.append(OperationView(method.upper(), path, op["operationId"], op["summary"], op.get("description"),
                                       scopes[0] if scopes else None, parameters, body, answers))
    return found


def schemas(document: dict) -> list[SchemaView]:
    found = []
    for name, schema in document["components"]["schemas"].items():
        view = SchemaView(name, schema_anchor(name), schema.get("description"))
        if "enum" in schema:
            view.values = [str(v) for v in schema["enum"]]
        else:
            view.fields = _fields(schema)
        found.append(view)
    return found
