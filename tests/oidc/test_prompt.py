"""The authorization endpoint's decision, as a table of situations (no request needed)."""

from __future__ import annotations

import pytest

from auth.oidc.prompt import Situation, Step, next_step, parse_max_age, pick_ui_locale

NOW = 1_800_000_000


def situation(**facts):
    base = {"prompts": frozenset(), "max_age": None, "now": NOW, "auth_time": NOW - 60, "consent_given": True}
    base.update(facts)
    if isinstance(base["prompts"], str):
        base["prompts"] = frozenset(base["prompts"].split())
    return Situation(**base)


@pytest.mark.parametrize(
    ("facts", "step"),
    [
        ({"auth_time": None}, Step.SIGN_IN),
        ({"auth_time": None, "prompts": "none"}, Step.LOGIN_REQUIRED),
        ({}, Step.ISSUE),
        ({"consent_given": False}, Step.CONSENT),
        ({"consent_given": False, "first_party": True}, Step.ISSUE),
        ({"consent_given": False, "prompts": "none"}, Step.CONSENT_REQUIRED),
        ({"prompts": "consent", "first_party": True}, Step.CONSENT),
        ({"prompts": "login"}, Step.SIGN_IN),
        # Back from signing in after we asked: that sign-in counts, no loop.
        ({"prompts": "login", "sign_in_requested_at": NOW - 5, "auth_time": NOW - 2}, Step.ISSUE),
        # ...but an older sign-in than our request does not.
        ({"prompts": "login", "sign_in_requested_at": NOW - 5, "auth_time": NOW - 60}, Step.SIGN_IN),
        ({"max_age": 120}, Step.ISSUE),
        ({"max_age": 30}, Step.SIGN_IN),
        ({"max_age": 30, "prompts": "none"}, Step.LOGIN_REQUIRED),
        ({"max_age": 1, "sign_in_requested_at": NOW - 10, "auth_time": NOW - 8}, Step.ISSUE),
        ({"max_age": 0}, Step.SIGN_IN),
        ({"wants_second_factor": True}, Step.SECOND_FACTOR),
        ({"wants_second_factor": True, "prompts": "none"}, Step.INTERACTION_REQUIRED),
        ({"wants_second_factor": True, "with_second_factor": True}, Step.ISSUE),
    ],
)
def test_next_step(facts, step):
    assert next_step(situation(**facts)) is step


@pytest.mark.parametrize(("raw", "value"), [(None, None), ("", None), ("0", 0), ("3600", 3600)])
def test_max_age_parses_whole_seconds(raw, value):
    assert parse_max_age(raw) == value


@pytest.mark.parametrize("raw", ["-1", "1.5", "soon", " 5"])
def test_max_age_refuses_anything_else(raw):
    with pytest.raises(ValueError):
        parse_max_age(raw)


@pytest.mark.parametrize(
    ("ui_locales", "language"),
    [("en-US", "en"), ("zh-CN en", "zh"), ("zh_Hans", "zh"), ("fr de", None), ("fr EN-gb", "en"), (None, None)],
)
def test_ui_locale_is_the_first_supported_one(ui_locales, language):
    assert pick_ui_locale(ui_locales, ("zh", "en")) == language
