import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


class VisibleText(HTMLParser):
    """Collects text a reader sees or hears, skipping elements marked as another language."""

    VOID = {"meta", "link", "input", "br", "img", "hr"}

    def __init__(self, page_lang: str):
        super().__init__()
        self.page_lang = page_lang
        self.stack: list[tuple[str, bool]] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        other = "lang" in attributes and not attributes["lang"].startswith(self.page_lang)
        inherited = self.stack[-1][1] if self.stack else False
        if tag in self.VOID:
            if tag == "img" and attributes.get("alt") and not (other or inherited):
                self.texts.append(attributes["alt"])
            return
        self.stack.append((tag, other or inherited))
        for name in ("aria-label", "title", "placeholder"):
            if attributes.get(name) and not (other or inherited):
                self.texts.append(attributes[name])

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        hidden = any(t in ("script", "style") for t, _ in self.stack)
        other = self.stack[-1][1] if self.stack else False
        if data.strip() and not hidden and not other:
            self.texts.append(data.strip())


def visible_text(html: str, lang: str) -> str:
    parser = VisibleText(lang)
    parser.feed(html)
    return "\n".join(parser.texts)


PAGES = ["/", "/citizen/", "/enterprise/", "/auth/login", "/auth/register", "/no-such-page"]


@pytest.mark.parametrize("url", PAGES)
def test_english_pages_show_no_chinese(client, seeded, url):
    client.set_cookie("lang", "en")
    html = client.get(url).get_data(as_text=True)
    assert '<html lang="en"' in html
    assert CJK.findall(visible_text(html, "en")) == []


# Latin text that is right on a Chinese page: the hotline number's tel: scheme is not shown.
ALLOWED_LATIN_ON_CHINESE_PAGES: set[str] = set()


@pytest.mark.parametrize("url", PAGES)
def test_chinese_pages_show_no_untranslated_english(client, seeded, url):
    html = client.get(url, headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert '<html lang="zh-CN"' in html
    words = set(LATIN_WORD.findall(visible_text(html, "zh"))) - ALLOWED_LATIN_ON_CHINESE_PAGES
    assert words == set()


def test_chinese_is_the_default_language(app):
    html = app.test_client().get("/").get_data(as_text=True)
    assert '<html lang="zh-CN"' in html


def test_browser_language_is_used_when_nothing_was_chosen(client):
    html = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en"' in html


def test_language_switch_is_remembered_and_beats_the_browser(client):
    response = client.post("/preferences/language", data={"lang": "en", "next": "/citizen/"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/citizen/"
    html = client.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert '<html lang="en"' in html


def test_language_switch_refuses_unknown_languages(client):
    response = client.post("/preferences/language", data={"lang": "fr", "next": "/"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
def test_switches_never_redirect_off_site(client, target):
    response = client.post("/preferences/language", data={"lang": "en", "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_dates_and_money_follow_the_locale(app):
    from datetime import date

    from flask_babel import format_currency, format_date

    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert format_date(date(2026, 2, 17), "long") == "February 17, 2026"
        assert format_currency(12345.5, "CNY") == "CN¥12,345.50"
    with app.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        assert format_date(date(2026, 2, 17), "long") == "2026年2月17日"
        assert format_currency(12345.5, "CNY") == "¥12,345.50"


def _catalog(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def test_chinese_catalogue_translates_every_message():
    catalog = _catalog(ROOT / "translations/zh/LC_MESSAGES/messages.po")
    missing = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
    assert missing == []


def test_catalogue_is_in_step_with_the_code(tmp_path):
    """Fails when a message was added or changed in code without `make update-messages`."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", "babel.cfg",
            "-k", "_l", "-k", "lazy_gettext", "--no-location", "-o", str(pot),
            "portal", "auth", "citizen", "gov", "enterprise", "api",
        ],
        cwd=ROOT,
        check=True,
    )
    in_code = {m.id for m in _catalog(pot) if m.id}
    in_catalogue = {m.id for m in _catalog(ROOT / "translations/zh/LC_MESSAGES/messages.po") if m.id}
    assert in_code - in_catalogue == set(), "run `make update-messages` and translate"
    assert in_catalogue - in_code == set(), "run `make update-messages` to drop stale messages"


def test_templates_follow_force_locale_inside_a_request(app):
    from flask import render_template_string
    from flask_babel import force_locale

    source = "{{ _('City code') }}"
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert render_template_string(source) == "城市码"
        with force_locale("en"):
            assert render_template_string(source) == "City code"
        assert render_template_string(source) == "城市码"


def test_template_strings_format_and_escape_like_jinjas_own(app):
    from flask import render_template_string

    with app.test_request_context(headers={"Accept-Language": "en"}):
        # Every translated string is a format string: "%%" reads "%" with or without variables.
        assert render_template_string("{{ _('100%% of %(what)s', what='<b>cases</b>') }}") == (
            "100% of &lt;b&gt;cases&lt;/b&gt;")
        assert render_template_string("{{ gettext('Half: 50%%') }}") == "Half: 50%"
        assert render_template_string("{{ _('City code') }}") == "City code"
        assert render_template_string("{{ _('%(string)s, %(context)s', string='a', context='b') }}") == "a, b"
        assert render_template_string("{% trans n=3 %}{{ n }} codes{% endtrans %}") == "3 codes"
        # Outside autoescaping (a plain-text template), the text is not escaped.
        plain = app.jinja_env.from_string("{% autoescape false %}{{ _('%(a)s', a='<i>') }}{% endautoescape %}")
        assert plain.render() == "<i>"
