"""Search words for a service, computed when it is saved: jieba words, pinyin, pinyin initials.

Chinese has no spaces, so the name is cut into words with jieba (search mode, which also yields
the shorter words inside longer ones: 居住证 -> 居住, 居住证). Each word also gets its full
pinyin and its initials, so `jzz` and `juzhuzheng` both find 居住证. English words of the
English name are added as they are. All lower case, space separated, with a space at each end
so that a word can be matched whole with LIKE '% word %' on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import logging
import re
from functools import cache

# Words of the catalogue that jieba's general dictionary would cut in two.
DOMAIN_WORDS = (
    "居住证", "敬老卡", "公租房", "廉租房", "残疾人证", "新生儿", "医保", "灵活就业", "失业登记",
    "个体工商户", "食品经营许可", "出生医学证明", "老年综合津贴", "居家养老", "低保", "最低生活保障",
    "临时救助", "共有产权", "家庭医生", "营业执照", "入园", "入学", "丧葬补助金", "抚恤金",
    "殡葬", "照护", "助餐", "婚姻登记", "生育登记", "养老保险", "失业保险金", "社保", "一件事",
)

_WORD = re.compile(r"[0-9a-z]+|[\u3400-\u9fff]+")
_CJK = re.compile(r"[\u3400-\u9fff]")


@cache
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    for word in DOMAIN_WORDS:
        jieba.add_word(word, freq=20000)
    return jieba


def has_chinese(text: str) -> bool:
    return bool(_CJK.search(text))


def segment(text: str) -> list[str]:
    """Words of `text`, lower case, punctuation dropped, in order, without repeats."""
    words: list[str] = []
    for piece in _WORD.findall((text or "").lower()):
        candidates = _jieba().cut_for_search(piece) if has_chinese(piece) else [piece]
        for word in candidates:
            word = word.strip()
            if word and _WORD.fullmatch(word) and word not in words:
                words.append(word)
    return words


def pinyin_of(word: str) -> tuple[str, str]:
    """(full pinyin, initials) of a Chinese word: 居住证 -> ("juzhuzheng", "jzz")."""
    from pypinyin import Style, lazy_pinyin

    syllables = [s for s in lazy_pinyin(word, errors="ignore") if s.isalpha()]
    initials = [s for s in lazy_pinyin(word, style=Style.FIRST_LETTER, errors="ignore") if s.isalpha()]
    return "".join(syllables).lower(), "".join(initials).lower()


def document_for(name_zh: str, name_en: str, keywords: str = "") -> tuple[str, str]:
    """(search_tokens, pinyin_initials) for a service's names and keywords."""
    tokens: list[str] = []

    def add(token: str) -> None:
        if token and token not in tokens:
            tokens.append(token)

    for word in segment(f"{name_zh} {keywords}"):
        add(word)
        if has_chinese(word):
            full, initials = pinyin_of(word)
            add(full)
            add(initials)
    for word in _WORD.findall((name_en or "").lower()):
        add(word)
    name_initials = pinyin_of(name_zh)[1] if name_zh else ""
    add(name_initials)
    return f" {' '.join(tokens)} ", name_initials


def index_service(service) -> None:
    """Fill a ServiceGuide's precomputed search columns from its names and keywords."""
    service.search_tokens, service.pinyin_initials = document_for(
        service.name_zh or "", service.name_en or "", service.keywords or ""
    )
