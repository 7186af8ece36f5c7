"""Finding services: by words (Chinese or English), by pinyin or its initials, by life event and
by department. Plain functions over a SQLAlchemy session, tested without requests.

The database narrows the candidates with LIKE over the precomputed `search_tokens` (works the
same on SQLite and PostgreSQL); the ranking happens here: a word in the Chinese name counts most,
then a whole search word, then a keyword or life event. Services matching every word of the query
come before those matching some.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from portal.catalogue.indexing import has_chinese, segment
from portal.models.catalogue import Audience, LifeEvent, ServiceGuide
from portal.models.department import Department

MAX_QUERY_LENGTH = 100
# Words that say how, not what: "怎么办理居住证" is about 居住证.
STOP_WORDS = frozenset(
    {
        "怎么", "怎样", "如何", "我", "我要", "我想", "想", "要", "的", "了", "吗", "呢", "在", "哪里",
        "哪儿", "去", "需要", "什么", "办", "办理", "可以", "能", "请问",
        "a", "an", "the", "of", "for", "to", "in", "on", "how", "do", "i", "my", "me", "apply", "get",
        "what", "where", "is",
    }
)
# Other names people search by for the elder-friendly mode (长辈版 and its cousins).
ELDER_MODE_NAMES = ("长辈版", "关怀版", "亲情版", "关爱版", "长者版", "老年版", "大字版", "elder", "senior")


@dataclass
class SearchResult:
    query: str
    words: list[str] = field(default_factory=list)
    services: list[ServiceGuide] = field(default_factory=list)
    # The query names the elder-friendly mode: offer the switch along with any services.
    suggests_elder_mode: bool = False


def query_words(query: str) -> list[str]:
    words = [w for w in segment(query[:MAX_QUERY_LENGTH]) if w not in STOP_WORDS]
    # Keep the longest words when jieba also gave their parts ("居住证" covers "居住").
    return [w for w in words if not any(w != other and w in other for other in words if has_chinese(w))]


def _visible(audience: Audience | None):
    conditions = [ServiceGuide.active.is_(True)]
    if audience is not None:
        conditions.append(ServiceGuide.audience.in_([audience, Audience.BOTH]))
    return conditions


def _matches(word: str):
    if has_chinese(word):
        return or_(
            ServiceGuide.search_tokens.like(f"% {word} %"),
            ServiceGuide.name_zh.contains(word, autoescape=True),
            ServiceGuide.keywords.contains(word, autoescape=True),
            ServiceGuide.life_events.any(LifeEvent.name_zh.contains(word, autoescape=True)),
        )
    # Latin letters: pinyin, initials or English, matched at the start of a word ("jzz", "resid").
    return or_(
        ServiceGuide.search_tokens.like(f"% {word}%"),
        ServiceGuide.life_events.any(LifeEvent.name_en.ilike(f"%{word}%")),
    )


def _score(service: ServiceGuide, word: str) -> int:
    tokens = service.search_tokens.split()
    if has_chinese(word):
        if word in service.name_zh:
            return 4
        if word in tokens:
            return 3
        if word in service.keywords:
            return 2
        return 1  # a life event's name
    if word in tokens or word == service.pinyin_initials:
        return 3
    if any(token.startswith(word) for token in tokens):
        return 2
    return 1


def search_services(
    session: Session, query: str, *, audience: Audience | None = None, limit: int = 50
) -> SearchResult:
    query = (query or "").strip()[:MAX_QUERY_LENGTH]
    result = SearchResult(query=query)
    lowered = query.lower()
    result.suggests_elder_mode = any(name in lowered for name in ELDER_MODE_NAMES)
    result.words = query_words(query)
    if not result.words:
        return result
    candidates = session.scalars(
        select(ServiceGuide)
        .where(*_visible(audience), or_(*(_matches(word) for word in result.words)))
        .options(selectinload(ServiceGuide.department), selectinload(ServiceGuide.life_events))
    ).all()
    ranked = []
    for service in candidates:
        event_names = " ".join(f"{e.name_zh} {e.name_en.lower()}" for e in service.life_events)
        scores = []
        for word in result.words:
            in_tokens = f" {word}" in service.search_tokens
            in_names = word in service.name_zh or word in service.keywords or word in event_names
            scores.append(_score(service, word) if in_tokens or in_names else 0)
        matched = sum(1 for s in scores if s)
        ranked.append((-matched, -sum(scores), -service.popularity, service.code, service))
    ranked.sort(key=lambda row: row[:4])
    result.services = [row[-1] for row in ranked[:limit]]
    return result


def life_events(session: Session, audience: Audience | None = None) -> list[LifeEvent]:
    query = select(LifeEvent).order_by(LifeEvent.sort_order, LifeEvent.code)
    if audience is not None:
        query = query.where(LifeEvent.audience.in_([audience, Audience.BOTH]))
    return list(session.scalars(query))


def find_life_event(session: Session, code: str) -> LifeEvent | None:
    return session.scalar(select(LifeEvent).where(LifeEvent.code == code))


def services_for_life_event(session: Session, code: str) -> list[ServiceGuide]:
    return list(
        session.scalars(
            select(ServiceGuide)
            .join(ServiceGuide.life_events)
            .where(LifeEvent.code == code, ServiceGuide.active.is_(True))
            .order_by(ServiceGuide.popularity.desc(), ServiceGuide.code)
            .options(selectinload(ServiceGuide.department))
        )
    )


def departments_with_services(session: Session) -> list[tuple[Department, int]]:
    """Departments that offer at least one service, with how many."""
    from sqlalchemy import func

    rows = session.execute(
        select(Department, func.count(ServiceGuide.id))
        .join(ServiceGuide, ServiceGuide.department_id == Department.id)
        .where(ServiceGuide.active.is_(True))
        .group_by(Department.id)
        .order_by(Department.kind, Department.code)
    )
    return [(department, count) for department, count in rows]


def find_department(session: Session, code: str) -> Department | None:
    return session.scalar(select(Department).where(Department.code == code))


def services_for_department(session: Session, code: str) -> list[ServiceGuide]:
    return list(
        session.scalars(
            select(ServiceGuide)
            .join(ServiceGuide.department)
            .where(Department.code == code, ServiceGuide.active.is_(True))
            .order_by(ServiceGuide.popularity.desc(), ServiceGuide.code)
        )
    )


def find_service(session: Session, code: str) -> ServiceGuide | None:
    return session.scalar(
        select(ServiceGuide)
        .where(ServiceGuide.code == code, ServiceGuide.active.is_(True))
        .options(selectinload(ServiceGuide.life_events), selectinload(ServiceGuide.department))
    )


def popular_services(session: Session, *, for_elders: bool = False, limit: int = 6) -> list[ServiceGuide]:
    query = select(ServiceGuide).where(ServiceGuide.active.is_(True))
    if for_elders:
        query = query.where(ServiceGuide.for_elders.is_(True))
    return list(session.scalars(query.order_by(ServiceGuide.popularity.desc(), ServiceGuide.code).limit(limit)))
