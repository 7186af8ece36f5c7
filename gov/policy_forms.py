"""The policy authoring form: the policy's text (申兑指南 included) and its criteria, built without
JavaScript as rows of attribute / comparison / value / clause joined by "all" or "any", or
written as a JSON tree in the advanced box. Both are checked by `portal.rules.validate`."""

from __future__ import annotations

import json

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from portal.enterprise_labels import APPLICATION_METHODS, ATTRIBUTES, OPERATORS, POLICY_TOPICS
from portal.forms import PlausibleDate, SubmitOnceForm
from portal.rules import ATTRIBUTES as REGISTRY
from portal.rules import Kind

ROWS = 6  # criterion rows offered; more complex trees go in the advanced box


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _text(label, *, required=False, rows=3, max_length=20000):
    validators = [DataRequired(message=_l("Fill in this field."))] if required else [Optional()]
    return TextAreaField(label, validators=[*validators, Length(max=max_length)], filters=[_strip],
                         render_kw={"rows": rows})


class CriterionRow(Form):
    """One comparison. A plain Form: the policy form's CSRF token covers it."""

    attr = SelectField(_l("Attribute"), validators=[Optional()], filters=[_strip],
                       choices=[SelectChoice("", _l("(none)"))] + [SelectChoice(k, v) for k, v in ATTRIBUTES.items()])
    op = SelectField(_l("Comparison"), validators=[Optional()], filters=[_strip],
                     choices=[SelectChoice("", "—")] + [SelectChoice(k, v) for k, v in OPERATORS.items()])
    value = StringField(_l("Value"), validators=[Optional(), Length(max=1000)], filters=[_strip])
    clause = StringField(_l("Clause"), validators=[Optional(), Length(max=100)], filters=[_strip])


class PolicyForm(SubmitOnceForm):
    title_zh = StringField(_l("Title (Chinese)"), validators=[DataRequired(message=_l("Give the policy a title.")),
                                                              Length(max=200)], filters=[_strip])
    title_en = StringField(_l("Title (English)"), validators=[Optional(), Length(max=300)], filters=[_strip])
    document_number = StringField(_l("Document number (optional)"), validators=[Optional(), Length(max=64)],
                                  filters=[_strip])
    topic = SelectField(_l("Topic"), choices=[SelectChoice(k.value, v) for k, v in POLICY_TOPICS.items()],
                        validators=[InputRequired()])
    application_method = RadioField(_l("Application method"),
                                    choices=[SelectChoice(k.value, v) for k, v in APPLICATION_METHODS.items()],
                                    validators=[InputRequired(message=_l("Choose how enterprises get it."))])
    summary_zh = _text(_l("Summary (Chinese)"), required=True)
    summary_en = _text(_l("Summary (English)"))
    benefit_zh = _text(_l("Benefit (Chinese)"), required=True)
    benefit_en = _text(_l("Benefit (English)"))
    beneficiaries_zh = _text(_l("Who benefits (Chinese)"), required=True)
    beneficiaries_en = _text(_l("Who benefits (English)"))
    conditions_zh = _text(_l("Conditions in words (Chinese)"), required=True)
    conditions_en = _text(_l("Conditions in words (English)"))
    payment_time_limit_zh = StringField(_l("Payment time limit (Chinese)"), validators=[Optional(), Length(max=200)],
                                        filters=[_strip])
    payment_time_limit_en = StringField(_l("Payment time limit (English)"), validators=[Optional(), Length(max=300)],
                                        filters=[_strip])
    contacts_zh = _text(_l("Contacts (Chinese)"), rows=2)
    contacts_en = _text(_l("Contacts (English)"), rows=2)
    full_text_zh = _text(_l("Full text (Chinese)"), rows=8, max_length=100000)
    full_text_en = _text(_l("Full text (English)"), rows=8, max_length=100000)
    valid_from = DateField(_l("Valid from (optional)"), validators=[Optional(), PlausibleDate()],
                           render_kw={"type": "date"})
    valid_until = DateField(_l("Valid until (optional)"), validators=[Optional(), PlausibleDate()],
                            render_kw={"type": "date"})
    clauses = _text(_l("Clauses the criteria cite"), rows=4)
    combinator = RadioField(_l("An enterprise qualifies when it meets"), default="all",
                            choices=[SelectChoice("all", _l("all of the criteria")),
                                     SelectChoice("any", _l("any one of the criteria"))])
    rows = FieldList(FormField(CriterionRow), min_entries=ROWS, max_entries=ROWS)
    advanced = _text(_l("Criteria as JSON (advanced)"), rows=6)

    TEXT_FIELDS = ("title_zh", "title_en", "document_number", "topic", "application_method", "summary_zh",
                   "summary_en", "benefit_zh", "benefit_en", "beneficiaries_zh", "beneficiaries_en", "conditions_zh",
                   "conditions_en", "payment_time_limit_zh", "payment_time_limit_en", "contacts_zh", "contacts_en",
                   "full_text_zh", "full_text_en", "valid_from", "valid_until")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.valid_from.data and self.valid_until.data and self.valid_until.data < self.valid_from.data:
            self.valid_until.errors = [*self.valid_until.errors, _l("The end comes before the start.")]
            return False
        return valid

    def policy_fields(self) -> dict:
        return {name: self[name].data for name in self.TEXT_FIELDS}

    def clause_texts(self) -> dict[str, str]:
        """"第二条第（一）项: text" lines as {reference: text}."""
        found = {}
        for line in (self.clauses.data or "").splitlines():
            ref, _sep, text = line.replace("：", ":", 1).partition(":")
            if ref.strip():
                found[ref.strip()[:100]] = text.strip() or ref.strip()
        return found

    def used_rows(self) -> list[int]:
        return [i for i, row in enumerate(self.rows) if row.attr.data or row.op.data or row.value.data]

    def criteria(self):
        """The tree the officer built: the JSON box if filled, else the rows. Returns (tree, problem):
        problem is a message when the JSON cannot be read at all."""
        if self.advanced.data:
            try:
                return json.loads(self.advanced.data), None
            except ValueError:
                return None, _l("The JSON cannot be read. Check the brackets, commas and quotation marks.")
        items = [_leaf(self.rows[i]) for i in self.used_rows()]
        if not items:
            return None, _l("Add at least one criterion.")
        return {self.combinator.data or "all": items}, None

    def load(self, policy) -> PolicyForm:
        """Fill the criteria part from a stored tree: rows for a flat all/any of comparisons."""
        tree = policy.criteria or {}
        key = next((k for k in ("all", "any") if k in tree), None)
        items = tree.get(key) if key else None
        if items and len(items) <= ROWS and all("attr" in item for item in items):
            self.combinator.data = key
            for row, item in zip(self.rows, items, strict=False):
                row.attr.data, row.op.data, row.clause.data = item["attr"], item["op"], item.get("clause") or ""
                row.value.data = _value_text(item["value"])
        else:
            self.advanced.data = json.dumps(tree, ensure_ascii=False, indent=2)
        self.clauses.data = "\n".join(f"{ref}: {text}" for ref, text in (policy.clauses or {}).items())
        return self


def _scalar(kind: Kind, text: str):
    if kind == Kind.NUMBER:
        try:
            number = float(text.replace(",", ""))
        except ValueError:
            return text  # left as text: validate() reports it as the wrong kind of value
        return int(number) if number.is_integer() else number
    return text


def _leaf(row) -> dict:
    attribute = REGISTRY.get(row.attr.data)
    kind = attribute.kind if attribute else Kind.STRING
    text, op = row.value.data or "", row.op.data
    if op in ("between", "in", "not_in"):
        value = [_scalar(kind, part.strip()) for part in text.replace("，", ",").split(",") if part.strip()]
    else:
        value = _scalar(kind, text)
    leaf = {"attr": row.attr.data, "op": op, "value": value}
    if row.clause.data:
        leaf["clause"] = row.clause.data
    return leaf


def _value_text(value) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)



class PolicyActionForm(FlaskForm):
    """A button that changes something (publish, withdraw, verify): carries only the CSRF token."""
