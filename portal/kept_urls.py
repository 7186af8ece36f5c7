"""The addresses templates build with `url_for`, each built once per process.

A rendered page builds a dozen to forty addresses, and building one through the URL map costs
three to seven microseconds. The same endpoint with the same arguments under the same script root
always gives the same relative address (the portal registers no URL defaults and no host or
subdomain rules), so the address is kept. External addresses, anchors, methods and schemes,
blueprint-relative endpoints ("."), and addresses built outside a request (a notice's email) are
built as before.
"""

from __future__ import annotations

from flask import Flask, has_request_context, request

# Kept addresses include the public ids of the objects pages link to: dropped all at once when full.
KEPT_ADDRESSES = 8192


def init_app(app: Flask) -> None:
    build = app.url_for
    kept: dict[tuple, str] = {}

    def url_for(endpoint: str, /, **values) -> str:
        if endpoint[:1] == "." or any(name[:1] == "_" for name in values) or not has_request_context():
            return build(endpoint, **values)
        key = (endpoint, request.script_root, *sorted(values.items()))
        try:
            return kept[key]
        except KeyError:
            pass
        except TypeError:  # an argument that cannot be a key (a list of values)
            return build(endpoint, **values)
        if len(kept) >= KEPT_ADDRESSES:
            kept.clear()
        address = kept[key] = build(endpoint, **values)
        return address

    app.jinja_env.globals["url_for"] = url_for
