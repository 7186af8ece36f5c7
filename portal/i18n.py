"""Language selection: the account's setting, then the remembered switch, then the browser."""

from __future__ import annotations

from functools import cache, cached_property

from babel import Locale, support
from flask import Flask, Request, current_app, g, request
from flask.globals import _cv_app
from flask_babel import get_locale, get_translations
from jinja2 import pass_context
from markupsafe import Markup
from wtforms.i18n import messages_path

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
    app_context = _cv_app.get(None)
    if app_context is None:  # Flask-Babel's own answer (no translation)
        return get_translations()
    kept_in = app_context.g.__dict__  # read directly: a template asks for every string it shows
    babel_context = kept_in.get("_flask_babel")
    locale = getattr(babel_context, "babel_locale", None) or get_locale()
    kept = kept_in.get("_portal_translations")
    if kept is None or kept[0] is not locale:
        kept = kept_in["_portal_translations"] = (locale, get_translations())
    return kept[1]


@pass_context
def _template_gettext(context, string: str, /, **variables) -> str:
    """Jinja's new-style `gettext` and `_`, without its two layers of `Context.call` (a third of a
    translated string's time, and a page translates dozens)."""
    translated = request_translations().ugettext(string)
    if context.eval_ctx.autoescape:
        # Our own message catalogue, trusted as Jinja's own gettext trusts it.
        translated = Markup(translated)  # noqa: S704  # nosec B704
    # Like Jinja's, always a format string ("%%" reads "%"): with no variables and no "%", as is.
    return translated % variables if variables or "%" in translated else translated


@cache
def _wtforms_catalogue(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class PortalRequest(Request):
    @cached_property
    def wtforms_translations(self) -> support.Translations:
        """WTForms' own messages in the request's language, read from disk once per language:
        Flask-WTF would load the catalogue again for every request that builds a form."""
        return _wtforms_catalogue(str(get_locale()))


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
    app.jinja_env.globals.update(gettext=_template_gettext, _=_template_gettext)
    # Globals rather than context, so macros imported without context can use them too.
    app.jinja_env.globals.update(localized=localized, language_names=LANGUAGE_NAMES, html_lang_of=HTML_LANG)

    @app.context_processor
    def language_context() -> dict:
        lang = current_language()
        return {"current_language": lang, "html_lang": HTML_LANG.get(lang, lang)}
