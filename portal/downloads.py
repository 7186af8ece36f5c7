"""Sending a stored upload back: as a download, never shown inline, never sniffed, never cached."""

from __future__ import annotations

from flask import Response, abort, current_app, send_file

from portal.models import CaseAttachment
from portal.uploads import UploadStore


def upload_store() -> UploadStore:
    return UploadStore(current_app.config["UPLOAD_DIR"])


def send_attachment(attachment: CaseAttachment) -> Response:
    try:
        path = upload_store().path(attachment.storage_key)
    except ValueError:
        abort(404)
    if not path.is_file():
        abort(404)
    response = send_file(
        path, mimetype=attachment.content_type, as_attachment=True, download_name=attachment.original_name,
        conditional=False, etag=False, max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
