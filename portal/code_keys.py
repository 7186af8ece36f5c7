"""The app's code-signing keyring, built once from configuration (CODE_SIGNING_KEYS).

The only Flask-aware piece of the code machinery: views and desks call `app_keyring()` and hand
the keyring to the plain functions in `portal.codes` and `portal.city_code`.
"""

from __future__ import annotations

from flask import Flask, current_app

from portal.codes import Keyring

_EXTENSION = "code_keyring"


def build_keyring(config) -> Keyring:
    return Keyring.from_config(
        config["CODE_SIGNING_KEYS"], config["CODE_SIGNING_KEY_ID"], secret_key=config.get("SECRET_KEY")
    )


def init_app(app: Flask) -> Keyring:
    """Build the keyring at start-up, so a bad key setting stops the app from starting."""
    keyring = app.extensions.get(_EXTENSION)
    if keyring is None:
        keyring = app.extensions[_EXTENSION] = build_keyring(app.config)
    return keyring


def app_keyring() -> Keyring:
    return init_app(current_app)

