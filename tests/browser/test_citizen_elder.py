"""The elder-friendly citizen pages measured against the numbers in the issue: body text at least
24 CSS px, line height at least 1.5, text contrast at least 7:1, every control at least 60 x 60,
no horizontal scrolling at 320 px (and so at 200 % zoom), and the city code and the help button
reached from the home page with the keyboard alone."""

from __future__ import annotations

import pytest

from tests.browser.accessibility import set_elder_mode
from tests.helpers import DEMO_PASSWORD

ELDER = "13800000002"

# Returns every problem found on the page as text, so a failure says exactly what and where.
MEASURE = """() => {
  const problems = [];
  const parse = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let node = el; node; node = node.parentElement) {
      const c = parse(getComputedStyle(node).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.99)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none' && r.left > -1000;
  };
  const label = (el) => el.tagName.toLowerCase() + ' "' + (el.innerText || el.value || '').trim().slice(0, 30) + '"';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || seen.has(el) || !visible(el)) continue;
    if (el.closest('svg, script, style, .skip-link, .visually-hidden')) continue;
    seen.add(el);
    const s = getComputedStyle(el);
    const size = parseFloat(s.fontSize);
    const heading = el.closest('h1, h2, h3');
    if (size < 24 && !heading) problems.push(`font ${size}px: ${label(el)}`);
    const lh = s.lineHeight === 'normal' ? 1.2 * size : parseFloat(s.lineHeight);
    if (lh / size < 1.5 - 1e-6) problems.push(`line height ${(lh / size).toFixed(2)}: ${label(el)}`);
    const fg = luminance(parse(s.color).slice(0, 3));
    const bg = luminance(background(el));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    if (ratio < 7) problems.push(`contrast ${ratio.toFixed(2)}: ${label(el)}`);
  }
  for (const el of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')) {
    if (!visible(el) || el.closest('.skip-link')) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 60 - 0.5 || r.height < 60 - 0.5) {
      problems.push(`target ${Math.round(r.width)}x${Math.round(r.height)}: ${label(el)}`);
    }
  }
  return problems;
}"""

PAGES = ["/citizen/", "/citizen/help", "/citizen/code", "/citizen/services?event=retirement",
         "/citizen/services/respect-card", "/citizen/family", "/citizen/family/invite"]


def sign_in(page, username=ELDER, password=DEMO_PASSWORD):
    page.goto("/auth/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.locator("form.form button[type=submit]").click()


@pytest.fixture
def elder_page(new_context):
    def open_page(**options):
        page = new_context(**options).new_page()
        page.goto("/")
        set_elder_mode(page, True)
        sign_in(page)
        return page

    return open_page


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_elder_pages_meet_the_size_spacing_contrast_and_target_numbers(elder_page, locale):
    page = elder_page(locale=locale)
    for url in PAGES:
        page.goto(url)
        assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 24
        problems = page.evaluate(MEASURE)
        assert problems == [], f"{url}: {problems}"


def test_elder_home_has_at_most_six_tiles_and_a_help_button(elder_page):
    page = elder_page()
    page.goto("/citizen/")
    tiles = page.locator(".tiles .tile")
    assert 4 <= tiles.count() <= 6
    for tile in tiles.all():
        box = tile.bounding_box()
        assert box["width"] >= 60 and box["height"] >= 60
    page.goto("/citizen/help")
    call = page.locator("main a[href='tel:12345']").first
    assert call.is_visible()


@pytest.mark.parametrize("width", [320, 640], ids=["320px", "200%-zoom-of-1280px"])
def test_elder_pages_reflow_without_horizontal_scrolling(elder_page, width):
    page = elder_page(viewport={"width": width, "height": 800})
    for url in PAGES + ["/citizen/code/history", "/citizen/services"]:
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, url


def _tab_to(page, selector: str, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
    raise AssertionError(f"{selector} not reached with Tab")


def test_city_code_and_help_are_reached_with_the_keyboard_alone(elder_page):
    page = elder_page()
    page.goto("/citizen/")
    _tab_to(page, ".tiles a[href='/citizen/code']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/citizen/code")
    assert page.locator("#city-qr svg").is_visible()
    assert page.locator("#numeric-code").is_visible()

    page.goto("/citizen/")
    _tab_to(page, ".tiles a[href='/citizen/help']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/citizen/help")
    _tab_to(page, "main a[href='tel:12345']")
    focused = page.evaluate("document.activeElement.getBoundingClientRect().height")
    assert focused >= 60
