"""The online form of a service, as data: a list of fields the application page will render.

    [{"name": "child_name", "label_zh": "新生儿姓名", "label_en": "Baby's name",
      "type": "text", "required": true},
     {"name": "hospital", "label_zh": "...", "label_en": "...", "type": "select",
      "options": [{"value": "a", "label_zh": "...", "label_en": "..."}]}]

`parse_form_definition` checks a definition and returns typed fields, so a bad definition is
refused when it is saved rather than when a resident opens the form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FIELD_TYPES = ("text", "textarea", "date", "number", "select", "file")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class InvalidFormDefinition(ValueError):
    pass


@dataclass(frozen=True)
class Option:
    value: str
    label_zh: str
    label_en: str


@dataclass(frozen=True)
class FormField:
    name: str
    label_zh: str
    label_en: str
    type: str
    required: bool = False
    options: tuple[Option, ...] = ()
    hint_zh: str = ""
    hint_en: str = ""


def parse_form_definition(definition: list | None) -> list[FormField]:
    if definition is None:
        return []
    if not isinstance(definition, list):
        raise InvalidFormDefinition("a form definition is a list of fields")
    fields: list[FormField] = []
    seen: set[str] = set()
    for position, item in enumerate(definition, start=1):
        if not isinstance(item, dict):
            raise InvalidFormDefinition(f"field {position} is not an object")
        name = item.get("name", "")
        if not isinstance(name, str) or not _NAME.match(name):
            raise InvalidFormDefinition(f"field {position}: name {name!r} is not a lower-case identifier")
        if name in seen:
            raise InvalidFormDefinition(f"field {position}: name {name!r} is used twice")
        seen.add(name)
        kind = item.get("type")
        if kind not in FIELD_TYPES:
            raise InvalidFormDefinition(f"field {name}: type must be one of {', '.join(FIELD_TYPES)}")
        if not item.get("label_zh") or not item.get("label_en"):
            raise InvalidFormDefinition(f"field {name}: needs label_zh and label_en")
        options = tuple(
            Option(str(o["value"]), o["label_zh"], o["label_en"]) for o in item.get("options") or []
        )
        if kind == "select" and not options:
            raise InvalidFormDefinition(f"field {name}: a select needs options")
        if kind != "select" and options:
            raise InvalidFormDefinition(f"field {name}: only a select has options")
        fields.append(
            FormField(
                name=name,
                label_zh=item["label_zh"],
                label_en=item["label_en"],
                type=kind,
                required=bool(item.get("required", False)),
                options=options,
                hint_zh=item.get("hint_zh", ""),
                hint_en=item.get("hint_en", ""),
            )
        )
    return fields
