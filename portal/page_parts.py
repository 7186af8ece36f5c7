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

from flask import Flask, current_app, render_template, request
from flask_login import current_user
from markupsafe import Markup, escape

from portal.i18n import current_language
from portal.page_cache import PageCache, csrf_placeholder
from portal.preferences import elder_mode_active

# Where the kept header holds the address to come back to. Random per process, like CSRF_SLOT.
COME_BACK_SLOT = "nextslot" + secrets.token_hex(12)
_MARKED_PAGES = ("auth.account", "auth.login")


def _kept(key: tuple, template: str, **context) -> str:
    cache: PageCache | None = current_app.extensions.get("fragment_cache")
    html = None if cache is None else cache.get(key)
    if html is None:
        with csrf_placeholder():
            html = render_template(template, **context)
        if cache is not None:
            cache.put(key, html)
    return html


def site_header() -> Markup:
    marked = request.endpoint if request.endpoint in _MARKED_PAGES else None
    key = ("site-header", current_language(), elder_mode_active(), request.script_root, request.blueprint, marked,
           bool(current_user.is_authenticated))
    html = _kept(key, "_site_header.html", come_back_to=COME_BACK_SLOT)
    # HTML our own template escaped, with the address escaped as the template would have.
    return Markup(html.replace(COME_BACK_SLOT, str(escape(request.full_path.rstrip("?")))))  # noqa: S704  # nosec B704


def site_footer() -> Markup:
    html = _kept(("site-footer", current_language(), request.script_root), "_site_footer.html")
    # HTML our own template escaped.
    return Markup(html)  # noqa: S704  # nosec B704


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(site_header=site_header, site_footer=site_footer)
