"""Helpers for URLs that come from the outside."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_local_path(target: str | None, default: str = "/") -> str:
    """Return `target` if it is a path on this site, else `default`.

    Refuses absolute URLs, scheme-relative `//host` forms and backslash tricks that some
    browsers read as `//`, so a `next` parameter can never send anyone to another site.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
