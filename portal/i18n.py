"""Language selection: the account's setting, then the remembered switch, then the browser."""

from __future__ import annotations

from functools import cache

from babel import Locale
from flask import Flask, current_app, g, request
from flask_babel import get_locale, get_translations

from portal.extensions import babel
from portal.i18n_data import pick

LANGUAGE_COOKIE = "lang"
# Each language's own name, shown in that language on the switch.
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}
HTML_LANG = {"zh": "zh-CN", "en": "en"}


@cache
def _locale(code: str) -> Locale:
    return Locale.parse(code)


def language_for(http_request, account_locale: str | None, config) -> str:
    """The language code a request is answered in: the account's, the remembered switch's, the
    browser's best match, or the default. Needs no request context (portal.page_shortcut)."""
    languages = config["LANGUAGES"]
    chosen = account_locale or http_request.cookies.get(LANGUAGE_COOKIE)
    if chosen not in languages:
        chosen = http_request.accept_languages.best_match(languages) or config["BABEL_DEFAULT_LOCALE"]
    return chosen


def select_locale() -> Locale:
    """The request's language as a Locale built once per language: Flask-Babel would parse the
    code again on every request."""
    return _locale(language_for(request, getattr(g, "account_locale", None), current_app.config))


def request_translations():
    """The request's translations, looked up once per locale: Flask-Babel finds its request context
    three times for every string a template translates (hundreds on the desk's pages). Keyed by the
    Locale object itself, so `force_locale` (a notice in its reader's language) gets its own."""
    if not g:  # no application context: Flask-Babel's own answer (no translation)
        return get_translations()
    locale = get_locale()
    kept = g.get("_portal_translations")
    if kept is None or kept[0] is not locale:
        kept = g._portal_translations = (locale, get_translations())
    return kept[1]


def current_language() -> str:
    return language_code(str(get_locale() or "zh"))


def language_code(locale: str) -> str:
    return locale.split("_")[0]


def localized(zh: str | None, en: str | None) -> str:
    return pick(zh, en, current_language())


def init_app(app: Flask) -> None:
    from portal.config import PROJECT_ROOT

    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(PROJECT_ROOT / "translations"),
    )

    app.jinja_env.install_gettext_callables(
        gettext=lambda string: request_translations().ugettext(string),
        ngettext=lambda singular, plural, n: request_translations().ungettext(singular, plural, n),
        pgettext=lambda context, string: request_translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: request_translations().unpgettext(context, singular, plural, n),
        newstyle=True,
    )
    # Globals rather than context, so macros imported without context can use them too.
    app.jinja_env.globals.update(localized=localized, language_names=LANGUAGE_NAMES, html_lang_of=HTML_LANG)

    @app.context_processor
    def language_context() -> dict:
        lang = current_language()
        return {"current_language": lang, "html_lang": HTML_LANG.get(lang, lang)}
