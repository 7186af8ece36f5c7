"""Language selection: the account's setting, then the remembered switch, then the browser."""

from __future__ import annotations

from flask import Flask, current_app, g, request
from flask_babel import get_locale

from portal.extensions import babel
from portal.i18n_data import pick

LANGUAGE_COOKIE = "lang"
# Each language's own name, shown in that language on the switch.
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}
HTML_LANG = {"zh": "zh-CN", "en": "en"}


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = getattr(g, "account_locale", None) or request.cookies.get(LANGUAGE_COOKIE)
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    return str(get_locale() or "zh").split("_")[0]


def localized(zh: str | None, en: str | None) -> str:
    return pick(zh, en, current_language())


def init_app(app: Flask) -> None:
    from portal.config import PROJECT_ROOT

    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(PROJECT_ROOT / "translations"),
    )

    # Globals rather than context, so macros imported without context can use them too.
    app.jinja_env.globals.update(localized=localized, language_names=LANGUAGE_NAMES, html_lang_of=HTML_LANG)

    @app.context_processor
    def language_context() -> dict:
        lang = current_language()
        return {"current_language": lang, "html_lang": HTML_LANG.get(lang, lang)}
