"""What a published dataset is: its metadata (DCAT), its declared fields and the builder of its rows.

Titles, descriptions, keywords and field descriptions are data in both languages, not messages:
the DCAT catalogue states every one of them in Chinese and in English at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

LICENCE = {
    "uri": "https://creativecommons.org/licenses/by/4.0/",
    "zh": "知识共享署名 4.0 国际许可协议（CC BY 4.0）",
    "en": "Creative Commons Attribution 4.0 International (CC BY 4.0)",
}

# The EU Publications Office vocabularies that DCAT-AP uses for frequencies, themes and file types.
FREQUENCY_BASE = "http://publications.europa.eu/resource/authority/frequency/"
THEME_BASE = "http://publications.europa.eu/resource/authority/data-theme/"
FILE_TYPE_BASE = "http://publications.europa.eu/resource/authority/file-type/"


@dataclass(frozen=True)
class Frequency:
    code: str  # the EU frequency vocabulary's code: DAILY, WEEKLY, MONTHLY, ANNUAL, IRREG
    zh: str
    en: str

    @property
    def uri(self) -> str:
        return FREQUENCY_BASE + self.code


DAILY = Frequency("DAILY", "每日", "Daily")
WEEKLY = Frequency("WEEKLY", "每周", "Weekly")
MONTHLY = Frequency("MONTHLY", "每月", "Monthly")
ANNUAL = Frequency("ANNUAL", "每年", "Annually")
IRREGULAR = Frequency("IRREG", "不定期（有变化时）", "Irregularly (when it changes)")

# Table Schema (Frictionless Data) field types.
FIELD_TYPES = ("string", "integer", "number", "boolean", "date", "yearmonth")


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    zh: str  # what the field holds, in Chinese
    en: str  # and in English
    lang: str | None = None  # the language of its values when they are text in one language

    def __post_init__(self) -> None:
        if self.type not in FIELD_TYPES:
            raise ValueError(f"unknown field type {self.type!r}")

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "zh": self.zh, "en": self.en, "lang": self.lang}


# Said of every anonymised dataset, after its own description.
PRIVACY_ZH = (
    "为保护个人隐私，少于5件的数字（含0）不予公布，基于少于5件办件计算的比率和平均值亦不公布；"
    "表中不列合计，并对可能由其他公开数字推算出的单元格作二次隐匿。"
)
PRIVACY_EN = (
    "To protect privacy, counts under 5 (zero included) are not published, nor are rates and averages "
    "over fewer than 5 cases; no totals are given, and further cells are withheld where a small count "
    "could otherwise be worked out from other published figures."
)

WITHHELD = Field(
    "withheld",
    "string",
    "本行中为保护隐私而不予公布的字段名（以分号分隔），这些字段为空",
    "Fields of this row left empty to protect privacy (names separated by semicolons)",
)


@dataclass
class Built:
    """What a builder returns: the rows (dicts keyed by field name) and what they cover."""

    rows: list[dict[str, Any]]
    temporal: tuple[date, date] | None = None
    withheld_cells: int = 0


Builder = Callable[[Session, datetime], Built]


@dataclass(frozen=True)
class Dataset:
    slug: str
    title_zh: str
    title_en: str
    description_zh: str
    description_en: str
    keywords_zh: tuple[str, ...]
    keywords_en: tuple[str, ...]
    frequency: Frequency
    themes: tuple[str, ...]  # EU data-theme codes: GOVE, ECON, SOCI, REGI...
    fields: tuple[Field, ...]
    build: Builder = field(compare=False)
    anonymised: bool = False  # statistics passed through portal.opendata.suppression

    def description(self, locale: str) -> str:
        """The description, followed for an anonymised dataset by how privacy is protected."""
        en = locale.startswith("en")
        own = self.description_en if en else self.description_zh
        if not self.anonymised:
            return own
        return own + (" " + PRIVACY_EN if en else PRIVACY_ZH)

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]
