"""Uploads are judged by their bytes: what a file says it is counts for nothing."""

from __future__ import annotations

import struct
import zlib

import pytest

from portal.uploads import MAX_FILE_BYTES, MAX_TOTAL_BYTES, UploadRefused, UploadStore, check_total, safe_name, sniff


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(extra_chunks: bytes = b"", trailer: bytes = b"") -> bytes:
    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x00")
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + extra_chunks + chunk(b"IDAT", pixels)
            + chunk(b"IEND", b"") + trailer)


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x11" * 64 + b"\xff\xd9"
WEBP = b"RIFF" + struct.pack("<I", 12) + b"WEBPVP8 " + struct.pack("<I", 0)


def refusal(data: bytes) -> str:
    with pytest.raises(UploadRefused) as caught:
        sniff(data)
    return caught.value.code


def test_genuine_pdf_jpeg_png_and_webp_are_recognised_by_content():
    assert sniff(PDF) == "application/pdf"
    assert sniff(JPEG) == "image/jpeg"
    assert sniff(png()) == "image/png"
    assert sniff(WEBP) == "image/webp"


def test_an_html_page_named_pdf_is_refused(tmp_path):
    page = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
    assert refusal(page) == "type_not_allowed"
    with pytest.raises(UploadRefused):
        UploadStore(tmp_path).save(page, "certificate.pdf")
    assert not any(tmp_path.rglob("*.*"))


def test_svg_with_a_script_is_refused():
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert refusal(svg) == "type_not_allowed"


def test_png_html_polyglots_are_refused():
    appended = png(trailer=b"<html><script>alert(document.cookie)</script></html>")
    assert refusal(appended) == "type_not_allowed"  # bytes after IEND
    hidden = png(extra_chunks=chunk(b"tEXt", b"Comment\x00<script>alert(1)</script>"))
    assert refusal(hidden) == "active_content"  # markup inside a well-formed chunk
    assert refusal(PDF.replace(b"/Catalog", b"/Catalog /OpenAction << /S /JavaScript >>")) == "active_content"
    assert refusal(JPEG[:-2] + b"<svg onload=alert(1)>" + b"\xff\xd9") == "active_content"


def test_other_types_and_empty_files_are_refused():
    assert refusal(b"") == "empty"
    assert refusal(b"GIF89a" + b"\x00" * 20) == "type_not_allowed"
    assert refusal(b"PK\x03\x04docx") == "type_not_allowed"
    assert refusal(PDF[:-7]) == "type_not_allowed"  # cut short: no %%EOF


def test_size_limits(tmp_path):
    store = UploadStore(tmp_path)
    big = PDF[:-7] + b"0" * MAX_FILE_BYTES + b"\n%%EOF\n"
    with pytest.raises(UploadRefused) as caught:
        store.save(big, "big.pdf")
    assert caught.value.code == "too_large"
    check_total([MAX_TOTAL_BYTES])
    with pytest.raises(UploadRefused) as caught:
        check_total([MAX_TOTAL_BYTES, 1])
    assert caught.value.code == "total_too_large"


def test_stored_under_a_random_name_with_the_given_name_kept_only_as_a_label(tmp_path):
    store = UploadStore(tmp_path)
    first = store.save(PDF, "../../etc/passwd")
    second = store.save(PDF, "..\\..\\static\\evil.html")
    assert first.key != second.key and first.key.endswith(".pdf")
    assert first.name == "passwd.pdf" and second.name == "evil.pdf"
    assert store.path(first.key).read_bytes() == PDF
    assert store.path(first.key).resolve().is_relative_to(tmp_path.resolve())
    assert first.content_type == "application/pdf" and first.size == len(PDF)


def test_storage_keys_cannot_reach_outside_the_store(tmp_path):
    store = UploadStore(tmp_path)
    for key in ["../secret_key", "/etc/passwd", "ab/../../x.pdf", "0" * 32 + ".html", ""]:
        with pytest.raises(ValueError):
            store.path(key)
    store.delete("../secret_key")  # silently nothing


def test_safe_names():
    assert safe_name("合同 扫描件.PDF", "pdf") == "合同 扫描件.pdf"
    assert safe_name("photo.svg", "png") == "photo.png"
    assert safe_name("a\x00b\r\n.jpg", "jpg") == "ab.jpg"
    assert safe_name("", "pdf") == "file.pdf"
    assert safe_name("...", "pdf") == "file.pdf"
    assert len(safe_name("x" * 500 + ".pdf", "pdf")) <= 120
