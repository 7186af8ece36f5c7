"""Uploads that lie: HTML or SVG named as a PDF or an image, polyglots, a PDF that runs script, files
too large for the form or for the server, and names that try to climb out of the upload folder.
Each is refused (nothing stored, the form shown again with a reason) or made harmless (the name
becomes a plain label), and every file comes back as a download the browser will not sniff."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from portal.extensions import db
from tests.security.world import PDF, SERVICE

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
PNG_HEADER = b"\x89PNG\r\n\x1a\n"

LIES = {
    "html named pdf": (b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", "contract.pdf"),
    "html with a pdf header": (b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF", "contract.pdf"),
    "svg named png": (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>',
                      "photo.png"),
    "svg named svg": (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>', "photo.svg"),
    "jpeg then html": (JPEG + b"<html><body><script>alert(1)</script></body></html>", "photo.jpg"),
    "jpeg with html inside": (JPEG[:-2] + b"<script>alert(1)</script>" + b"\xff\xd9", "photo.jpg"),
    "png then a page": (PNG_HEADER + b"\x00\x00\x00\x00IEND\xaeB`\x82<html></html>", "photo.png"),
    "pdf with javascript": (b"%PDF-1.4\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>"
                            b" endobj\n%%EOF\n", "contract.pdf"),
    "pdf that launches": (b"%PDF-1.4\n1 0 obj << /OpenAction << /S /Launch /F (cmd.exe) >> >> endobj\n%%EOF\n",
                          "contract.pdf"),
    "pdf with javascript: link": (b"%PDF-1.4\n1 0 obj << /URI (javascript:alert(1)) >> endobj\n%%EOF\n",
                                  "contract.pdf"),
    "executable": (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, "contract.pdf"),
    "empty": (b"", "contract.pdf"),
}


def _apply(world, data: bytes, name: str, **more):
    return world.post_as("resident", f"/citizen/services/{SERVICE}/apply", {
        "applicant_name": "李明", "contact_phone": "13800000001", "address": "松江区人民北路1号", "action": "submit",
        "contract": (io.BytesIO(data), name), **more,
    }, content_type="multipart/form-data")


def _apply_by_hand(world, data: bytes, name: str):
    """The same, with the multipart body built here: the test client spools a large body to a
    temporary file that it never closes."""
    boundary = "----attack"
    fields = {"applicant_name": "李明", "contact_phone": "13800000001", "address": "松江区人民北路1号",
              "action": "submit"}
    body = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
                    for key, value in fields.items())
    body += (f'--{boundary}\r\nContent-Disposition: form-data; name="contract"; filename="{name}"\r\n'
             "Content-Type: application/pdf\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    browser = world.browser("resident")
    return browser.post(f"/citizen/services/{SERVICE}/apply", data=body,
                        content_type=f"multipart/form-data; boundary={boundary}")


def _stored(upload_dir) -> set:
    return {path.name for path in upload_dir.rglob("*") if path.is_file()}


@pytest.mark.parametrize("lie", LIES, ids=str)
def test_a_file_that_lies_about_its_type_is_refused(world, upload_dir, lie):
    data, name = LIES[lie]
    before = _stored(upload_dir)
    response = _apply(world, data, name)
    assert response.status_code == 200, "the application went through with the file"
    assert "There is a problem" in response.get_data(as_text=True)
    assert _stored(upload_dir) == before, "the refused file was kept"


def test_a_file_over_the_per_file_limit_is_refused_with_a_reason(world, upload_dir):
    from portal.uploads import MAX_FILE_BYTES

    big = PDF[:-6] + b"%" + b"0" * MAX_FILE_BYTES + b"\n%%EOF\n"
    before = _stored(upload_dir)
    response = _apply_by_hand(world, big, "big.pdf")
    assert response.status_code == 200
    assert "5 MB" in response.get_data(as_text=True)
    assert _stored(upload_dir) == before


def test_a_request_over_the_server_limit_gets_the_friendly_413_page(world):
    response = _apply_by_hand(world, b"0" * world.app.config["MAX_CONTENT_LENGTH"], "huge.pdf")
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "File too large" in html and "<h1>" in html


TRAVERSALS = [
    "../../etc/passwd",
    "..\\..\\windows\\win.ini",
    "/etc/passwd",
    "C:\\Windows\\system.ini",
    "....//....//etc/passwd",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "contract.pdf\x00.html",
    "contract\r\nContent-Type: text/html.pdf",
    "contract.pdf.html",
    ".htaccess",
    "..",
    "x" * 5000 + ".pdf",
    "合同" * 300 + ".pdf",
    "\u202egnp.pdf",
]


@pytest.mark.parametrize("name", TRAVERSALS, ids=lambda n: repr(n[:40]))
def test_a_file_name_never_becomes_a_path_or_markup(world, upload_dir, name):
    from portal.models import Case, CaseAttachment

    before = _stored(upload_dir)
    response = _apply(world, PDF, name)
    assert response.status_code in (200, 303, 400)
    if response.status_code != 303:
        assert _stored(upload_dir) == before
        return
    case_id = response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    new = _stored(upload_dir) - before
    assert len(new) == 1
    stored = next(iter(new))
    assert stored.endswith(".pdf") and len(stored) == 36  # a random key, whatever the name said
    assert all(path.resolve().is_relative_to(upload_dir.resolve()) for path in upload_dir.rglob("*"))
    with world.app.app_context():
        attachment = db.session.scalar(select(CaseAttachment).join(Case, CaseAttachment.case_id == Case.id)
                                       .where(Case.public_id == case_id))
        label, ident = attachment.original_name, attachment.id
    assert "/" not in label and "\\" not in label and "\x00" not in label and "\n" not in label
    assert label.endswith(".pdf") and not label.startswith(".") and len(label) <= 120
    download = world.browser("resident").get(f"/citizen/applications/{case_id}/files/{ident}")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download.headers["Content-Security-Policy"]
    assert download.data == PDF


def test_downloads_for_the_desk_are_attachments_too(world):
    response = world.browser("admin").get(f"/gov/cases/{world.ids['application']}/files/{world.ids['attachment']}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, no-store"


def test_a_storage_key_is_never_taken_from_outside(world, upload_dir):
    """Keys are looked up from the database only; a crafted attachment id finds nothing."""
    for attachment in ("0", "999999", "-1", "1.0", "..%2F..%2Fetc%2Fpasswd"):
        response = world.browser("resident").get(f"/citizen/applications/{world.ids['application']}/files/{attachment}")
        assert response.status_code == 404
