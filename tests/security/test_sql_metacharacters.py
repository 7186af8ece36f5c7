"""SQL metacharacters in every search box and filter: quotes, comment and statement separators, the
LIKE wildcards and their escape, NUL and other awkward Unicode. Each is answered with 200 or 400,
never 500, and a search finds what literally contains the text: never extra rows (a `%` that
matched everything would show every policy or every case)."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from portal.extensions import db

META = [
    "'", '"', "--", ";", "%", "_", "\\", "%%", "__", "\\%", "\\_", "%_%", "' OR '1'='1", "\" OR \"\"=\"",
    "1; DROP TABLE account; --", "%' OR 1=1 --", "') OR ('a'='a", "*", "[a-z]", "^$", "％", "＿", "＇",
    "😀", "\u202e'", "a\u0000b", "\u0000", "名%", "居住证%", "居住证_", "SJ-2026-%", "SJ-2026-00000_",
]
IDS = [repr(m) for m in META]


def _listed(html: str, pattern: str) -> set[str]:
    return set(re.findall(pattern, html))


@pytest.fixture(scope="module")
def admin(world):
    return world.browser("admin")


SEARCHES = [
    # (who, URL with {} for the text, parameters to fill)
    ("anonymous", "/citizen/services", ["q", "event", "department"]),
    ("representative", "/enterprise/c/{company}/services", ["q"]),
    ("representative", "/enterprise/c/{company}/policies", ["q", "topic", "department", "method"]),
    ("admin", "/gov/cases", ["q", "state", "kind", "category", "department", "after", "overdue"]),
    ("officer.fs", "/gov/cases", ["q", "state", "kind", "category", "after"]),
    ("admin", "/gov/stats", ["start", "end"]),
    ("admin", "/gov/stats.csv", ["start", "end"]),
    ("admin", "/gov/calendar", ["year"]),
    ("anonymous", "/enterprise/code", ["token"]),
    ("anonymous", "/auth/reset/confirm", ["username"]),
    ("anonymous", "/auth/login", ["next"]),
]


@pytest.mark.parametrize("search", SEARCHES, ids=lambda s: f"{s[0]} {s[1]}")
def test_no_metacharacter_breaks_a_search_or_filter(world, search):
    who, path, parameters = search
    browser = world.browser(who)
    url = path.replace("{company}", world.ids["company"])
    failures = []
    for text in META:
        for name in parameters:
            response = browser.get(f"{url}?{urlencode({name: text})}")
            if response.status_code not in (200, 400):
                failures.append(f"{name}={text!r}: {response.status_code}")
        response = browser.get(f"{url}?{urlencode(dict.fromkeys(parameters, text))}")
        if response.status_code not in (200, 400):
            failures.append(f"all={text!r}: {response.status_code}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("text", META, ids=IDS)
def test_policy_search_finds_only_what_literally_contains_the_text(world, text):
    from portal.models import Policy, PolicyStatus

    with world.app.app_context():
        published = db.session.scalars(select(Policy).where(Policy.status == PolicyStatus.PUBLISHED)).all()
        expected = {
            p.public_id for p in published
            if any(text in (value or "") for value in (p.title_zh, p.summary_zh, p.document_number))
            or any(text.lower() in (value or "").lower() for value in (p.title_en, p.summary_en))
        }
    company = world.ids["company"]
    response = world.browser("representative").get(f"/enterprise/c/{company}/policies?{urlencode({'q': text})}")
    assert response.status_code in (200, 400)  # 400: a NUL, which no text can contain
    found = _listed(response.get_data(as_text=True), rf"/enterprise/c/{company}/policies/([0-9a-f]{{32}})")
    assert found == expected, f"{len(found)} found for {text!r}, {len(expected)} contain it"


def test_the_policy_search_still_finds_by_words(world):
    company = world.ids["company"]
    response = world.browser("representative").get(f"/enterprise/c/{company}/policies?q=%E8%A1%A5%E8%B4%B4")  # 补贴
    assert len(_listed(response.get_data(as_text=True), r"/policies/([0-9a-f]{32})")) > 0


def _queue(browser, text: str) -> set[str]:
    references: set[str] = set()
    url = "/gov/cases?" + urlencode({"q": text, "state": "all"})
    while url:
        response = browser.get(url)
        assert response.status_code in (200, 400), (text, response.status_code)  # 400: a NUL
        html = response.get_data(as_text=True)
        references |= _listed(html, r">([A-Z]{2}-\d{4}-\d{6})</a></td>")
        following = re.search(r'rel="next" href="([^"]+)"', html)
        url = following.group(1).replace("&amp;", "&") if following else None
    return references


@pytest.mark.parametrize("text", META, ids=IDS)
def test_the_desk_queue_search_finds_only_what_literally_contains_the_text(world, admin, text):
    from portal.models import Case

    with world.app.app_context():
        cases = db.session.execute(select(Case.reference, Case.title, Case.body)).all()
    wanted = text.strip()
    if re.fullmatch(r"[A-Z]{2}-\d{4}-\d{6}", wanted.upper()):
        expected = {ref for ref, _title, _body in cases if ref == wanted.upper()}
    elif not wanted:
        expected = {ref for ref, _title, _body in cases}
    else:
        expected = {ref for ref, title, body in cases if wanted.lower() in f"{title}\n{body}".lower()}
    assert _queue(admin, text) == expected


PUNCTUATION = [m for m in META if not re.search(r"[0-9A-Za-z\u3400-\u9fff]", m)]


@pytest.mark.parametrize("text", PUNCTUATION, ids=repr)
def test_catalogue_search_ignores_metacharacters(world, text):
    """The catalogue searches by words; punctuation around them changes nothing."""
    from portal.catalogue import search_services

    with world.app.app_context():
        alone = search_services(db.session, text)
        with_word = search_services(db.session, f"居住证{text}")
        word = search_services(db.session, "居住证")
        assert [s.code for s in with_word.services] == [s.code for s in word.services]
        assert all(re.fullmatch(r"[0-9a-z\u3400-\u9fff]+", w) for w in alone.words)
    response = world.browser("anonymous").get("/citizen/services?" + urlencode({"q": f"居住证{text}"}))
    if "\x00" in text:  # refused before any search: no text contains a NUL
        assert response.status_code == 400
        return
    count = re.search(r"(\d+) services? found", response.get_data(as_text=True))
    assert count and int(count.group(1)) == len(word.services)


@pytest.mark.parametrize("text", ["' OR '1'='1", "%", "_", "13800000001' --", "admin'--", "admin\u0000"])
def test_sign_in_names_with_metacharacters_sign_no_one_in(world, text):
    from tests.security.world import Browser

    browser = Browser(world.app)
    response = browser.post("/auth/login", data={"username": text, "password": "' OR '1'='1"})
    assert response.status_code in (200, 400, 429)
    assert browser.get("/auth/account").status_code == 302
