"""Hidden fields written directly by `hidden_input` read exactly as WTForms would render them."""

from __future__ import annotations

import re

from wtforms import HiddenField
from wtforms.validators import DataRequired
from wtforms.widgets import HiddenInput

from portal.form_tokens import hidden_input
from portal.forms import SubmitOnceForm

_TOKEN_VALUE = re.compile(r'value="([^"]+)"')


class _Form(SubmitOnceForm):
    next = HiddenField()
    needed = HiddenField(validators=[DataRequired()])
    off = HiddenField(render_kw={"disabled": True})
    flagged = HiddenField()


def _form(app, data=None, csrf=True):
    with app.test_request_context(method="POST" if data else "GET", data=data):
        form = _Form(meta={"csrf": csrf}) if data else _Form(formdata=None, meta={"csrf": csrf})
        return form, {name: (str(hidden_input(form[name])), str(form[name](id=False))) for name in form._fields}


def test_each_hidden_field_reads_as_wtforms_would_render_it(make_app):
    app = make_app()
    posted = {"next": '/x?a=1&b="<script>"', "needed": "", "form_token": "submitted-token"}
    for data in (None, posted):
        form, rendered = _form(app, data)
        for name in ("csrf_token", "next", "needed"):
            direct, by_wtforms = rendered[name]
            assert direct == by_wtforms, name
    assert '&amp;b=&#34;&lt;script&gt;&#34;' in rendered["next"][0]
    assert rendered["form_token"][0] == rendered["form_token"][1] == (
        '<input name="form_token" type="hidden" value="submitted-token">')


def test_a_fresh_form_token_each_time_the_form_is_shown(make_app):
    _form_shown, rendered = _form(make_app())
    direct, by_wtforms = rendered["form_token"]
    first, second = (_TOKEN_VALUE.search(html).group(1) for html in (direct, by_wtforms))
    assert first != second and direct == by_wtforms.replace(second, first)


def test_anything_more_than_a_name_and_a_value_is_left_to_wtforms(make_app):
    app = make_app()
    with app.test_request_context():
        form = _Form(formdata=None)
        form.next.widget = type("OtherHidden", (HiddenInput,), {})()
        assert str(hidden_input(form.off)) == str(form.off(id=False))
        assert 'disabled' in str(hidden_input(form.off))
        assert str(hidden_input(form.next)) == str(form.next(id=False))
        form.flagged.flags.disabled = True
        assert str(hidden_input(form.flagged)) == str(form.flagged(id=False)) == (
            '<input disabled name="flagged" type="hidden" value="">')
