"""Every machine code the domain uses has its text; the domain itself imports no Flask."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from flask_babel import force_locale

from portal import case_labels
from portal.cases import CaseError, Light
from portal.cases.notifications import SENDER_ACTIONS, STAFF_ACTIONS
from portal.cases.workflow import ACTIONS, SUBMIT
from portal.models import CaseKind, CaseState, Priority, Rating

CASES_PACKAGE = Path(case_labels.__file__).parent / "cases"


def test_the_case_domain_imports_no_flask():
    for path in CASES_PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            for name in names:
                assert not name.split(".")[0].startswith("flask"), f"{path.name} imports {name}"


@pytest.mark.parametrize(
    ("mapping", "codes"),
    [
        (case_labels.STATES, list(CaseState)),
        (case_labels.ACTIONS, sorted(ACTIONS | {SUBMIT})),
        (case_labels.KINDS, list(CaseKind)),
        (case_labels.PRIORITIES, list(Priority)),
        (case_labels.RATINGS, list(Rating)),
        (case_labels.LIGHTS, list(Light)),
    ],
    ids=["states", "actions", "kinds", "priorities", "ratings", "lights"],
)
def test_every_code_has_a_label(mapping, codes):
    assert set(mapping) == set(codes)


def test_every_notice_has_a_subject_and_a_body():
    from auth.services import ACCOUNT_NOTICES

    keys = {f"sender.{a}" for a in SENDER_ACTIONS} | {f"staff.{a}" for a in STAFF_ACTIONS} | set(ACCOUNT_NOTICES)
    expected = {f"{key}.{part}" for key in keys for part in ("subject", "body")}
    assert set(case_labels.NOTICES) == expected


ERROR_CODE = re.compile(r"""(?:refuse|CaseError|CalendarError|IllegalTransition|__init__)\(\s*"([a-z_]+)\"""")


def test_every_error_code_raised_has_a_message():
    raised = set()
    for path in CASES_PACKAGE.glob("*.py"):
        raised |= set(ERROR_CODE.findall(path.read_text()))
    assert {"not_permitted", "field_required", "invalid_cursor", "calendar_day_both_kinds"} <= raised
    assert raised <= set(case_labels.ERRORS), raised - set(case_labels.ERRORS)


def test_messages_fill_their_placeholders(app_context):
    with force_locale("en"):
        error = CaseError("field_required", field="reason")
        assert case_labels.error_message(error) == "Please give the reason."
        late = CaseError("extension_too_late", due="2026-03-09")
        assert "2026" in case_labels.error_message(late) and "%(" not in case_labels.error_message(late)
        assert case_labels.error_message(CaseError("something_new")) == "You may not do that with this case."
        assert case_labels.state_label("replied") == "Replied"
        assert case_labels.action_label("accept") == "Sign for"


def test_a_notice_renders_with_the_readers_department_name(app_context):
    params = {
        "reference": "SJ-2026-000007",
        "title": "Street light",
        "department_zh": "区经济委员会",
        "department_en": "District Economic Commission",
        "reason": "Which post?",
    }
    subject, body = case_labels.render_notice(
        "sender.request_info.subject", "sender.request_info.body", params, "en"
    )
    assert subject == "More information is needed for case SJ-2026-000007"
    assert body == "District Economic Commission needs more information about your case “Street light”: Which post?"
    _, body_zh = case_labels.render_notice("sender.request_info.subject", "sender.request_info.body", params, "zh")
    assert "区经济委员会" in body_zh
    # A placeholder without a value shows empty rather than failing the message.
    assert "%(" not in case_labels.render_notice("staff.remind.subject", "staff.remind.body", {}, "en")[0]
