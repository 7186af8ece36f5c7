"""Server-rendered bar charts: the geometry here, the SVG markup in `gov/_charts.html`.

No chart library and no script: a horizontal bar per figure, grouped by department, with the
department's name above its bars (long names never need truncating) and the value after each bar.
Colours come from CSS classes, so the page's Content-Security-Policy needs no inline styles.
"""

from __future__ import annotations

from dataclasses import dataclass, field

WIDTH = 640
LEFT = 4
VALUE_ROOM = 72  # after the longest bar, for its value
LABEL_HEIGHT = 22
BAR_HEIGHT = 14
BAR_GAP = 4
GROUP_GAP = 12


@dataclass
class Series:
    key: str  # the CSS class suffix: bar-<key>
    label: str


@dataclass
class Bar:
    series: Series
    text: str
    x: int
    y: int
    width: int
    height: int = BAR_HEIGHT

    @property
    def value_x(self) -> int:
        return self.x + self.width + 6

    @property
    def value_y(self) -> int:
        return self.y + self.height - 2


@dataclass
class Group:
    name: str
    label_y: int
    bars: list[Bar] = field(default_factory=list)


@dataclass
class BarChart:
    ident: str
    title: str
    description: str
    series: list[Series]
    groups: list[Group]
    width: int
    height: int


def bar_chart(ident: str, title: str, description: str, series: list[Series],
              groups: list[tuple[str, list[tuple[float | None, str]]]], maximum: float | None = None) -> BarChart:
    """`groups`: (name, [(value, text) per series]). A missing value (None) draws no bar."""
    values = [v for _, items in groups for v, _ in items if v is not None]
    top = maximum if maximum is not None else max(values, default=0)
    scale = (WIDTH - LEFT - VALUE_ROOM) / top if top else 0
    y = 0
    laid_out = []
    for name, items in groups:
        group = Group(name, y + LABEL_HEIGHT - 6)
        y += LABEL_HEIGHT
        for one, (value, text) in zip(series, items, strict=True):
            width = round((value or 0) * scale)
            group.bars.append(Bar(one, text, LEFT, y, max(width, 1 if value else 0)))
            y += BAR_HEIGHT + BAR_GAP
        y += GROUP_GAP
        laid_out.append(group)
    return BarChart(ident, title, description, series, laid_out, WIDTH, max(y, 1))
