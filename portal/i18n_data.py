"""Data stored in both languages: pick the column for the language being shown."""

from __future__ import annotations


def pick(zh: str | None, en: str | None, locale: str) -> str:
    """The text for `locale`, falling back to the other language only when one is missing."""
    if locale.startswith("en"):
        return en or zh or ""
    return zh or en or ""


class BilingualName:
    """Mixin for rows with name_zh / name_en columns."""

    name_zh: str
    name_en: str

    def name_in(self, locale: str) -> str:
        return pick(self.name_zh, self.name_en, locale)
