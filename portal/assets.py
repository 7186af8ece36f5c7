"""Static files addressed by content hash, so browsers may cache them for a year."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask


def init_app(app: Flask) -> None:
    static_root = Path(app.static_folder)
    digests: dict[str, str] = {}

    def static_url(filename: str) -> str:
        digest = digests.get(filename)
        if digest is None or app.debug:
            digest = hashlib.sha256((static_root / filename).read_bytes()).hexdigest()[:12]
            digests[filename] = digest
        # Templates' own url_for, read when called: portal.kept_urls replaces it with one that keeps
        # the addresses it builds, whichever of the two is set up first.
        return app.jinja_env.globals["url_for"]("static", filename=filename, v=digest)

    app.jinja_env.globals["static_url"] = static_url
