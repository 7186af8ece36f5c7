"""Uploaded files: what they are (by their bytes, never their name), and where they are kept.

No Flask. A file is accepted only when its content is a PDF, a JPEG, a PNG or a WebP image,
checked from its first bytes and its structure, and when nothing in it looks like markup or
script a browser could run (an HTML page named .pdf, an SVG, a PNG with a page appended: a
polyglot). Accepted files are stored under a random name outside the static folder; the name the
sender gave is kept only as metadata, for the download's filename.

    store = UploadStore(Path(config["UPLOAD_DIR"]))
    stored = store.save(data, "合同.pdf")     # or UploadRefused(code)
    path = store.path(stored.key)
"""

from __future__ import annotations

import contextlib
import re
import secrets
import struct
import unicodedata
from dataclasses import dataclass
from pathlib import Path

MAX_FILE_BYTES = 5 * 1024 * 1024  # per file
MAX_TOTAL_BYTES = 15 * 1024 * 1024  # all the files of one application (under MAX_CONTENT_LENGTH)
MAX_NAME = 120

# content type -> the extension of the stored file
ALLOWED = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
}

# Markup or script a browser would act on if it ever rendered the file as a page. Looked for in
# the whole file, case-insensitively. Each pattern is long enough (a tag name and a delimiter)
# that compressed image data matches it by chance about once in tens of thousands of photos.
_ACTIVE = re.compile(
    rb"<\s*(?:script|html|svg|body|iframe|object|embed|meta|!doctype|\?xml)[\s>/]|javascript:",
    re.IGNORECASE,
)
# PDF actions that run code or open things on opening.
_PDF_ACTIVE = re.compile(rb"/(?:JavaScript|Launch|EmbeddedFile|RichMedia)\b|/JS\s*[(<]")

_KEY = re.compile(r"^[0-9a-f]{32}\.(?:pdf|jpg|png|webp)$")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class UploadRefused(ValueError):  # noqa: N818 - reads as what happened
    """`code`: empty, too_large, total_too_large, type_not_allowed, active_content."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class StoredFile:
    key: str  # the random storage name, e.g. "3f2a...e1.pdf"
    name: str  # the sender's file name, cleaned, for the download
    content_type: str
    size: int

    def as_ref(self) -> dict:
        return {"key": self.key, "name": self.name, "content_type": self.content_type, "size": self.size}

    @classmethod
    def from_ref(cls, ref: dict) -> StoredFile:
        return cls(ref["key"], ref["name"], ref["content_type"], int(ref["size"]))


# --- what a file is ------------------------------------------------------------------------


def _png_is_whole(data: bytes) -> bool:
    """Every chunk well-formed, ending at IEND with nothing after it."""
    offset = len(_PNG_SIGNATURE)
    while offset + 8 <= len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        end = offset + 12 + length
        if end > len(data) or not kind.isalpha():
            return False
        if kind == b"IEND":
            return end == len(data)
        offset = end
    return False


def _webp_is_whole(data: bytes) -> bool:
    (size,) = struct.unpack("<I", data[4:8])
    return size + 8 == len(data) or size + 9 == len(data)  # an odd size is padded with one byte


def _jpeg_is_whole(data: bytes) -> bool:
    # Ends at its end-of-image marker (a trailing newline or padding of zeros is tolerated).
    return data.rstrip(b"\x00\r\n").endswith(b"\xff\xd9")


def _pdf_is_whole(data: bytes) -> bool:
    return b"%%EOF" in data[-1024:]


def sniff(data: bytes) -> str:
    """The content type of an acceptable file, or UploadRefused.

    The type comes from the bytes alone; the structure must be whole (nothing appended), and
    nothing in it may be markup or script.
    """
    if not data:
        raise UploadRefused("empty")
    if data.startswith(b"%PDF-"):
        kind, whole = "application/pdf", _pdf_is_whole(data)
    elif data.startswith(b"\xff\xd8\xff"):
        kind, whole = "image/jpeg", _jpeg_is_whole(data)
    elif data.startswith(_PNG_SIGNATURE):
        kind, whole = "image/png", _png_is_whole(data)
    elif len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        kind, whole = "image/webp", _webp_is_whole(data)
    else:
        raise UploadRefused("type_not_allowed")
    if not whole:
        raise UploadRefused("type_not_allowed")
    if _ACTIVE.search(data) or (kind == "application/pdf" and _PDF_ACTIVE.search(data)):
        raise UploadRefused("active_content")
    return kind


def safe_name(name: str | None, extension: str) -> str:
    """The sender's file name as a plain label: no folders, no control characters, a fitting
    extension. Never used as a path."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C")
    base = base.strip().strip(".").strip()
    stem = base.rsplit(".", 1)[0].strip() if "." in base else base
    stem = stem[: MAX_NAME - len(extension) - 1] or "file"
    return f"{stem}.{extension}"


def check_total(sizes) -> None:
    if sum(sizes) > MAX_TOTAL_BYTES:
        raise UploadRefused("total_too_large")


# --- where files are kept ------------------------------------------------------------------


class UploadStore:
    """Files under `root` (UPLOAD_DIR), two levels deep by the first characters of their key."""

    def __init__(self, root: Path | str):
        self.root = Path(root)

    def check(self, data: bytes) -> str:
        if len(data) > MAX_FILE_BYTES:
            raise UploadRefused("too_large")
        return sniff(data)

    def save(self, data: bytes, original_name: str | None) -> StoredFile:
        content_type = self.check(data)
        extension = ALLOWED[content_type]
        key = f"{secrets.token_hex(16)}.{extension}"
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("xb") as handle:  # never overwrite
            handle.write(data)
        return StoredFile(key, safe_name(original_name, extension), content_type, len(data))

    def path(self, key: str) -> Path:
        """Where a key's bytes are. Only keys this store made are accepted: no traversal."""
        if not _KEY.match(key or ""):
            raise ValueError(f"not a storage key: {key!r}")
        return self.root / key[:2] / key

    def delete(self, key: str) -> None:
        with contextlib.suppress(ValueError):  # not a key of ours: nothing of ours to delete
            self.path(key).unlink(missing_ok=True)
