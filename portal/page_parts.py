"""The header and footer every page shares, rendered once for each kind of page and kept.

Rendered with every page, they cost it 0.1–0.2 ms; what they show depends on little: the language,
elder mode, the section (blueprint) and the page when it is the sign-in or account page (their
links are marked current), whether someone is signed in, and the address the portal is served
under. That is their key. Two things differ from one request to the next and are put in on the
way out: the CSRF token of the header's forms (the page cache's slot, which every HTML answer has
filled) and the address the language and elder-mode switches come back to (`next`).
"""

from __future__ import annotations

import secrets

from flask import Flask, render_template, request
from flask_login import current_user
from markupsafe import Markup, escape

from portal.i18n import current_language
from portal.page_cache import csrf_placeholder, kept_fragment
from portal.preferences import elder_mode_active

# Where the kept header holds the address to come back to. Random per process, like CSRF_SLOT.
COME_BACK_SLOT = "nextslot" + secrets.token_hex(12)
_MARKED_PAGES = ("auth.account", "auth.login")


def _render(template: str, **context) -> str:
    with csrf_placeholder():  # the forms' token goes in on the way out, as on kept pages
        return render_template(template, **context)


def site_header() -> Markup:
    marked = request.endpoint if request.endpoint in _MARKED_PAGES else None
    key = (current_language(), elder_mode_active(), request.script_root, request.blueprint, marked,
           bool(current_user.is_authenticated))
    html = kept_fragment("site-header", key, lambda: _render("_site_header.html", come_back_to=COME_BACK_SLOT))
    # HTML our own template escaped, with the address escaped as the template would have.
    return Markup(html.replace(COME_BACK_SLOT, str(escape(request.full_path.rstrip("?")))))  # noqa: S704  # nosec B704


def site_footer() -> Markup:
    html = kept_fragment("site-footer", (current_language(), request.script_root),
                         lambda: _render("_site_footer.html"))
    # HTML our own template escaped.
    return Markup(html)  # noqa: S704  # nosec B704


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(site_header=site_header, site_footer=site_footer)
