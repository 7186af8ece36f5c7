"""The portal as an OpenID Connect provider (authorization-code flow, built on Authlib).

Endpoints live at the site root (`/.well-known/openid-configuration`, `/oidc/...`) plus the
person's own page of allowed applications at `/auth/applications`. Commands sit at the top
level of the CLI: `flask --app wsgi oidc-rotate-keys`.
"""

from flask import Blueprint

bp = Blueprint("oidc", __name__, cli_group=None)

from auth.oidc import commands, models, views  # noqa: E402,F401  (routes, tables and commands register themselves)


@bp.record_once
def _init(state) -> None:
    from auth.oidc import server

    server.init_app(state.app)
