"""The district portal: one Flask application serving the citizen, enterprise and government ends."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from portal.config import DEFAULT_INSTANCE_PATH, PROJECT_ROOT, config_class, read_environment


def create_app(config_overrides: dict | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, in that order."""
    app = Flask(
        __name__,
        instance_path=str(DEFAULT_INSTANCE_PATH),
        static_folder=str(PROJECT_ROOT / "static"),
        static_url_path="/static",
    )
    _configure(app, config_overrides or {})

    from portal import assets, database, errors, i18n, preferences, security
    from portal.extensions import csrf, db, limiter, login_manager, migrate

    database.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    preferences.init_app(app)
    assets.init_app(app)
    security.init_app(app)
    errors.init_app(app)

    from portal import case_pages, mail

    case_pages.init_app(app)  # the case vocabularies in every template
    mail.init_app(app)  # case notices by email in the recipient's language; SMTP when configured

    _register_blueprints(app)

    from portal import commands

    commands.init_app(app)
    return app


def _configure(app: Flask, overrides: dict) -> None:
    cls = config_class()
    app.config.from_object(cls)
    app.config.update(read_environment())
    app.config.update(overrides)
    cls.finalise(app.config, Path(app.instance_path))


def _register_blueprints(app: Flask) -> None:
    from auth import bp as auth_bp
    from auth.oidc import bp as oidc_bp
    from citizen import bp as citizen_bp
    from enterprise import bp as enterprise_bp
    from gov import bp as gov_bp
    from portal.site import bp as site_bp

    for blueprint in (site_bp, auth_bp, oidc_bp, citizen_bp, enterprise_bp, gov_bp):
        app.register_blueprint(blueprint)
