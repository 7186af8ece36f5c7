"""Fuzzing with Hypothesis: random field data posted to every form through its real route, every
form class validated on random data in a request, and random strings, bytes and JSON fed to every
validator (USCC, resident ID, rule language, code tokens). Nothing may answer 500 or raise anything
but the validator's own refusal.

Example counts are kept small (the whole file runs in about two minutes); `HYPOTHESIS_PROFILE=deep`
runs a hundred times more.
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import pkgutil
import re
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from portal.config import PROJECT_ROOT
from tests.security.routes import _committed, _have_git

settings.register_profile("attack", max_examples=12, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
settings.register_profile("deep", max_examples=1200, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
PROFILE = "deep" if os.environ.get("HYPOTHESIS_PROFILE") == "deep" else "attack"
FEW = settings.get_profile(PROFILE)
MANY = settings(FEW, max_examples=FEW.max_examples * 15)

PACKAGES = ("portal", "auth", "citizen", "gov", "enterprise")

# Values that break careless parsing: numbers out of range, dates that do not exist, deep JSON,
# markup, paths, very long and very short text, Unicode that changes length when cased.
NASTY = [
    "", " ", "0", "-1", "1e309", "-1e309", "nan", "inf", "9" * 40, "0x10", "1_000", "２０２６", "2026-02-30",
    "2026-13-01", "9999-12-31", "0000-00-00", "[]", "{}", "null", "[" * 2000, '{"all": [' * 300, '{"attr": 1}',
    "<script>alert(1)</script>", "../../etc/passwd", "' OR '1'='1", "%", "\\", "ß" * 50, "ﬃ" * 100, "İ",
    "\u202e", "😀" * 30, "x" * 5000, "13800000001", "310117198805121232", "91310117MA1FPX3K11", "on", "y",
]
text = st.one_of(st.sampled_from(NASTY), st.text(max_size=300),
                 st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=40))


def _form_modules():
    for package in PACKAGES:
        module = importlib.import_module(package)
        yield module
        for info in pkgutil.walk_packages(module.__path__, prefix=f"{package}."):
            yield importlib.import_module(info.name)


def form_classes() -> list[type[FlaskForm]]:
    """Every FlaskForm subclass defined in the portal's packages."""
    list(_form_modules())
    found, stack = [], [FlaskForm]
    while stack:
        for sub in stack.pop().__subclasses__():
            stack.append(sub)
            if sub.__module__.split(".")[0] in PACKAGES:
                found.append(sub)
    return sorted(set(found), key=lambda c: f"{c.__module__}.{c.__qualname__}")


def name_of(form: type) -> str:
    return f"{form.__module__}.{form.__qualname__}"


# Each form with fields, the route that takes it, who posts it, and the page its fields are read from.
# (persona, method, url, page): {company}, {waiting}, {closed}, {appeal}, {draft} come from the world.
ROUTES = {
    "auth.forms.LoginForm": ("anonymous", "POST", "/auth/login", None),
    "auth.forms.RegisterForm": ("anonymous", "POST", "/auth/register", None),
    "auth.forms.ResetRequestForm": ("anonymous", "POST", "/auth/reset", None),
    "auth.forms.ResetForm": ("anonymous", "POST", "/auth/reset/confirm", None),
    "auth.forms.ChangePasswordForm": ("other_agent", "POST", "/auth/password", None),
    "auth.forms.ConfirmPasswordForm": ("other_agent", "POST", "/auth/mfa/recovery-codes", "/auth/account"),
    "auth.forms.AuthenticatorWithPasswordForm": ("lead.fs", "POST", "/auth/mfa/setup", None),
    "portal.forms.LanguageForm": ("anonymous", "POST", "/preferences/language", "/"),
    "portal.forms.ElderModeForm": ("anonymous", "POST", "/preferences/elder-mode", "/"),
    "auth.oidc.forms.RevokeApplicationForm": ("resident", "POST", "/auth/applications/revoke", "/auth/applications"),
    "citizen.application_forms.ApplicationForm": ("son", "POST", "/citizen/services/residence-permit/apply", None),
    "citizen.forms.ServiceSearchForm": ("anonymous", "GET", "/citizen/services", None),
    "citizen.forms.InviteForm": ("son", "POST", "/citizen/family/invite", None),
    "citizen.forms.HomeAreaForm": ("son", "POST", "/citizen/help/area", "/citizen/help"),
    "portal.case_forms.RequestForm": ("son", "POST", "/citizen/requests/new", None),
    "portal.case_forms.ResubmitForm": ("resident", "POST", "/citizen/cases/{waiting}/information",
                                       "/citizen/cases/{waiting}"),
    "portal.case_forms.RatingForm": ("resident", "POST", "/citizen/cases/{closed}/rating", "/citizen/cases/{closed}"),
    "enterprise.forms.RegisterForm": ("son", "POST", "/enterprise/register", None),
    "enterprise.forms.AgentForm": ("representative", "POST", "/enterprise/c/{company}/agents", None),
    "enterprise.forms.ProfileForm": ("representative", "POST", "/enterprise/c/{company}/profile", None),
    "enterprise.forms.TopicsForm": ("representative", "POST", "/enterprise/c/{company}/topics", None),
    "enterprise.forms.PolicySearchForm": ("representative", "GET", "/enterprise/c/{company}/policies", None),
    "enterprise.forms.ServiceSearchForm": ("representative", "GET", "/enterprise/c/{company}/services", None),
    "enterprise.forms.CodeForm": ("anonymous", "GET", "/enterprise/code", None),
    "gov.forms.QueueForm": ("officer.jw", "GET", "/gov/cases", None),
    "gov.forms.ReasonForm": ("officer.jw", "POST", "/gov/cases/{appeal}/reject", "/gov/cases/{appeal}"),
    "gov.forms.RequestInfoForm": ("officer.jw", "POST", "/gov/cases/{appeal}/request_info", "/gov/cases/{appeal}"),
    "gov.forms.ReplyForm": ("officer.jw", "POST", "/gov/cases/{appeal}/reply", "/gov/cases/{appeal}"),
    "gov.forms.NoteForm": ("officer.jw", "POST", "/gov/cases/{appeal}/note", "/gov/cases/{appeal}"),
    "gov.forms.DepartmentForm": ("officer.jw", "POST", "/gov/cases/{appeal}/transfer", "/gov/cases/{appeal}"),
    "gov.forms.InviteForm": ("officer.jw", "POST", "/gov/cases/{appeal}/invite", "/gov/cases/{appeal}"),
    "gov.forms.DisputeForm": ("officer.jw", "POST", "/gov/cases/{appeal}/dispute", "/gov/cases/{appeal}"),
    "gov.forms.AssignForm": ("officer.jw", "POST", "/gov/cases/{appeal}/assign", "/gov/cases/{appeal}"),
    "gov.forms.MergeForm": ("officer.jw", "POST", "/gov/cases/{appeal}/merge", "/gov/cases/{appeal}"),
    "gov.forms.ExtensionForm": ("officer.jw", "POST", "/gov/cases/{appeal}/request_extension",
                                "/gov/cases/{appeal}"),
    "gov.forms.ApproveExtensionForm": ("lead.jw", "POST", "/gov/cases/{appeal}/approve_extension",
                                       "/gov/cases/{appeal}"),
    "gov.forms.CalendarYearForm": ("admin", "POST", "/gov/calendar", None),
    "gov.forms.AnnouncementForm": ("admin", "POST", "/gov/announcements", None),
    "gov.forms.StatsForm": ("admin", "GET", "/gov/stats", None),
    "gov.verify.VerifyForm": ("officer.fs", "POST", "/gov/verify", None),
    "gov.policy_forms.PolicyForm": ("lead.jw", "POST", "/gov/policies/new", None),
    "gov.client_forms.ClientForm": ("admin", "POST", "/gov/clients/new", None),
    "gov.client_forms.WebhookForm": ("admin", "POST", "/gov/clients/demo-dept-system/webhooks/new", None),
    "gov.open311_keys.IssueKeyForm": ("admin", "POST", "/gov/open311-keys", None),
    "citizen.forms.PaperCodeForm": ("resident", "POST", "/citizen/code/paper", "/citizen/code"),
    "portal.opendata.forms.DatasetSearchForm": ("anonymous", "GET", "/data", None),
}
# Forms without fields of their own (a button and its CSRF token), or answered on a page the fuzz
# cannot reach as a person would (the consent and logout pages of an OpenID client's request, the
# second factor between password and code, the code sent at registration, which
# tests/auth/test_registration.py fuzzes itself): validated in a request context only.
WITHOUT_A_ROUTE = {
    "portal.forms.SubmitOnceForm", "auth.forms.ActionForm", "auth.forms.SecondFactorForm",
    "auth.forms.RegistrationCodeForm",
    "auth.oidc.forms.ConsentForm", "auth.oidc.forms.LogoutForm", "citizen.forms.ActionForm",
    "portal.case_forms.CaseActionForm", "enterprise.forms.ActionForm", "gov.forms.ActionForm",
    "gov.policy_forms.PolicyActionForm", "gov.client_forms.ClientActionForm", "gov.forms.CaseActionForm",
    "gov.open311_keys.RevokeKeyForm",
}


def _declared_in_last_commit(form: type) -> bool:
    if not _have_git():
        return True
    relative = os.path.relpath(inspect.getsourcefile(form), PROJECT_ROOT)
    committed = _committed(relative)
    return committed is not None and re.search(rf"^class {form.__name__}\(", committed, re.M) is not None


def test_every_form_has_a_route_to_fuzz_or_is_listed():
    missing = [name_of(f) for f in form_classes()
               if name_of(f) not in ROUTES and name_of(f) not in WITHOUT_A_ROUTE and _declared_in_last_commit(f)]
    assert not missing, f"forms the fuzz does not post: {missing}"


_NAMES = re.compile(r'<(?:input|textarea|select)\b[^>]*\bname="([^"]+)"')


def _field_names(html: str, prefix: str | None) -> list[str]:
    names = [n for n in dict.fromkeys(_NAMES.findall(html)) if n not in ("csrf_token", "form_token", "next")]
    if prefix is not None:
        names = [n for n in names if n.startswith(prefix + "-")]
    return names


@pytest.fixture(scope="module")
def targets(world):
    """For each routed form: the browser, method, URL and field names read from its page."""
    ids = {"company": world.ids["company"], "waiting": world.ids["request_waiting"],
           "closed": world.ids["request_closed"], "appeal": world.ids["appeal"], "draft": world.ids["draft"]}
    found = {}
    for name, (who, method, url, page) in ROUTES.items():
        url, page = url.format(**ids), (page or url).format(**ids)
        browser = world.browser(who)
        html = browser.get(page).get_data(as_text=True)
        prefix = url.rsplit("/", 1)[-1] if url.startswith("/gov/cases/") else None
        found[name] = (browser, method, url, _field_names(html, prefix) + _own_names(world.app, name, prefix))
    return found


def _own_names(app, name: str, prefix: str | None) -> list[str]:
    """The form class's own fields, for those its page shows only in some states."""
    form = next(f for f in form_classes() if name_of(f) == name)
    with app.test_request_context("/"):
        return [f"{prefix}-{field.name}" if prefix else field.name
                for field in _fields(_instance(form, formdata=None)) if field.name != "csrf_token"]


def _as_form(data: dict) -> dict:
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.parametrize("form", sorted(ROUTES))
def test_random_data_through_the_real_route_never_answers_500(targets, form):
    browser, method, url, names = targets[form]
    fields = st.fixed_dictionaries({}, optional={n: st.one_of(text, st.lists(text, max_size=3)) for n in set(names)})
    extra = st.dictionaries(st.text(min_size=1, max_size=20), text, max_size=3)

    @FEW
    @given(fields, extra)
    def post(data, more):
        sent = MultiDict()
        for key, value in {**more, **data}.items():
            for item in value if isinstance(value, list) else [value]:
                sent.add(key, item)
        if method == "GET":
            response = browser.get(f"{url}?{urlencode(list(sent.items(multi=True)))}")
        else:
            response = browser.post(url, data=sent)
        assert response.status_code < 500, (url, dict(sent), response.status_code)

    post()


def _fields(fields):
    """Every field of a form, those inside lists of subforms included."""
    from wtforms import FieldList, FormField

    for field in fields:
        if isinstance(field, FieldList):
            yield from _fields(field.entries)
        elif isinstance(field, FormField):
            yield from _fields(field.form)
        else:
            yield field


def _instance(form: type[FlaskForm], **kwargs) -> FlaskForm:
    instance = form(meta={"csrf": False}, **kwargs)
    for field in _fields(instance):
        if getattr(field, "choices", "") is None:  # choices the view fills in: any will do
            field.choices = []
    return instance


@pytest.mark.parametrize("form", form_classes(), ids=name_of)
def test_every_form_class_validates_random_data_without_raising(app, form):
    with app.test_request_context("/"):
        names = [field.name for field in _fields(_instance(form, formdata=None))]

    @FEW
    @given(st.fixed_dictionaries({}, optional=dict.fromkeys(names, text)),
           st.dictionaries(st.text(max_size=20), text, max_size=3))
    def validate(data, more):
        with app.test_request_context("/", method="POST", data={**more, **data}):
            _instance(form).validate()

    validate()


# --- validators ------------------------------------------------------------------------------------

# Short values inside trees: Hypothesis would otherwise spend its time printing them.
small = st.one_of(st.sampled_from([n for n in NASTY if len(n) < 100]), st.text(max_size=40))
anything = st.one_of(text, st.binary(max_size=100).map(lambda b: b.decode("latin-1")))
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), small),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(small, children, max_size=4)),
    max_leaves=30,
)
rule_like = st.recursive(
    st.fixed_dictionaries({"attr": st.one_of(st.sampled_from(["employees", "certifications", "industry_section",
                                                              "revenue_last_year", "town", "nonexistent"]), small),
                           "op": st.one_of(st.sampled_from(["==", "!=", "<", ">=", "between", "in", "not_in", "has"]),
                                           small),
                           "value": json_values}),
    lambda children: st.one_of(
        st.fixed_dictionaries({st.sampled_from(["all", "any"]): st.lists(children, max_size=4)}),
        st.fixed_dictionaries({"not": children}),
    ),
    max_leaves=20,
)


@MANY
@given(anything)
def test_uscc_checks_answer_with_a_problem_or_none(raw):
    from portal.enterprise_codes import is_valid_uscc, normalise_uscc, uscc_problem

    code = normalise_uscc(raw)
    problem = uscc_problem(code)
    assert (problem is None) == is_valid_uscc(code)


@MANY
@given(anything, st.randoms())
def test_generated_usccs_are_valid_and_one_changed_character_is_not(raw, rng):
    from portal.enterprise_codes import ALPHABET, generate_uscc, is_valid_uscc

    code = generate_uscc(rng)
    assert is_valid_uscc(code)
    position = rng.randrange(18)
    other = rng.choice([c for c in ALPHABET if c != code[position]])
    assert not is_valid_uscc(code[:position] + other + code[position + 1:])


@MANY
@given(anything)
def test_resident_id_validation_refuses_cleanly(raw):
    from portal.identity_numbers import InvalidResidentId, validate_resident_id

    try:
        number = validate_resident_id(raw)
    except InvalidResidentId:
        return
    assert re.fullmatch(r"\d{17}[\dX]", number), number


@MANY
@given(st.one_of(json_values, rule_like))
def test_rule_validation_answers_with_errors_not_exceptions(tree):
    from portal.rules import explain, validate

    errors = validate(tree)
    if not errors:
        explain(tree, {})


@FEW
@given(st.one_of(anything, st.sampled_from(NASTY)))
def test_rule_text_from_the_json_box_is_refused_cleanly(raw):
    from portal.rules import validate

    try:
        tree = json.loads(raw)
    except (ValueError, RecursionError):
        return
    validate(tree)


@MANY
@given(anything)
def test_code_tokens_are_refused_with_a_reason(raw):
    from portal.codes import CodeRefused, Keyring, Purpose, decode, is_well_formed, looks_numeric, normalise

    keyring = Keyring({1: b"k" * 32, 2: b"q" * 32}, current=2)
    try:
        decode(keyring, raw, purposes=set(Purpose), now=datetime.now(UTC))
    except CodeRefused:
        pass
    else:
        raise AssertionError(f"random text accepted as a code: {raw!r}")
    normalise(raw)
    if looks_numeric(raw):
        is_well_formed(raw)


@MANY
@given(st.binary(min_size=52, max_size=52))
def test_random_token_bytes_never_pass_as_signed(raw):
    import base64

    from portal.codes import CodeRefused, Keyring, Purpose, decode

    keyring = Keyring({1: b"k" * 32}, current=1)
    token = base64.b32encode(raw).decode().rstrip("=")
    with pytest.raises(CodeRefused):
        decode(keyring, token, purposes=set(Purpose), now=datetime.now(UTC))
