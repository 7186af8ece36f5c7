"""Display preferences remembered for a visitor: language and elder-friendly mode.

Before sign-in they live in long-lived cookies; once accounts exist the account's own
setting wins (g.account_locale / g.account_elder_mode, filled by the identity layer).
"""

from __future__ import annotations

from flask import Flask, Response, current_app, g, request

ELDER_COOKIE = "elder"


def elder_mode_active() -> bool:
    account_setting = getattr(g, "account_elder_mode", None)
    if account_setting is not None:
        return bool(account_setting)
    return elder_cookie_on(request)


def elder_cookie_on(http_request) -> bool:
    return http_request.cookies.get(ELDER_COOKIE) == "1"


def remember(response: Response, name: str, value: str) -> None:
    response.set_cookie(
        name,
        value,
        max_age=current_app.config["PREFERENCE_COOKIE_MAX_AGE"],
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )


def init_app(app: Flask) -> None:
    @app.context_processor
    def preference_context() -> dict:
        # The switches' forms (portal.forms) are plain inputs in the templates
        # (`preference_fields`): building two WTForms forms for every page cost more than the rest
        # of a cached page.
        return {"elder_mode": elder_mode_active()}
