"""Statistical disclosure control: which figures of a published table are withheld.

The rules, so that no person or small group can be singled out:

1. **Small counts.** A count below `THRESHOLD` (5) is withheld, zero included, so a blank never
   tells "none" from "a few".
2. **Derived figures.** An average over fewer than `THRESHOLD` cases is withheld. A share (a rate
   such as "closed on time") also tells how many cases were and were not counted, so it is shown
   only when there are at least `THRESHOLD` cases and each of the two parts is 0 or at least
   `THRESHOLD`. A derived figure whose count is withheld is withheld too.
3. **No totals, and secondary suppression.** Tables publish no row or column totals. Yet a total
   may be known elsewhere (a department's monthly figure is nearly the sum of a category's row in
   the category-by-town table), so every table is protected as if each row and column total of at
   least `THRESHOLD` were public. (A total below the threshold is itself a small count that is
   never published.) In every such row or column that holds a withheld small count (1 to 4), the
   withheld cells together hold at least `THRESHOLD`, and no small count can be worked out exactly
   from the totals, whichever rows and columns are combined (`recoverable` is the exact check).
   Where that fails, the next-smallest published cell of the same row or column is withheld too.
   A withheld zero may be inferred: it singles nobody out. (In a degenerate table the totals alone
   can give a count away, say a row of two cells where one cell is its column's only one: that
   follows from the totals whatever is published, so no withholding is spent on it.)

A table is a mapping of cell keys to counts over a fixed set of keys (every department and month,
every category and town...), so that which cells exist tells nothing; `groups(key)` names the
cell's row and column (either may be None: the cell belongs to no row or column whose total could
be known). A reader is assumed to know that cells are at least `minimum`, but not which withheld
cells are small.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass

THRESHOLD = 5


def count_publishable(value: int | None) -> bool:
    return value is not None and value >= THRESHOLD


def share_publishable(part: int, whole: int) -> bool:
    """Whether `part / whole` may be published: enough cases, and neither part a small group."""
    rest = whole - part
    return whole >= THRESHOLD and all(n == 0 or n >= THRESHOLD for n in (part, rest))


def average_publishable(cases: int) -> bool:
    return cases >= THRESHOLD


Key = Hashable
Groups = Callable[[Key], tuple[Hashable | None, Hashable | None]]

_FREE = object()  # stands for every row and column whose total cannot be known


@dataclass(frozen=True)
class _Table:
    values: Mapping[Key, int]
    groups: Groups
    minimum: int

    def members(self) -> dict[tuple[str, Hashable], list[Key]]:
        """The cells of each row ("r", name) and column ("c", name) whose total could be known."""
        found: dict[tuple[str, Hashable], list[Key]] = defaultdict(list)
        for key in self.values:
            row, column = self.groups(key)
            if row is not None:
                found[("r", row)].append(key)
            if column is not None:
                found[("c", column)].append(key)
        return {g: keys for g, keys in found.items() if sum(self.values[k] for k in keys) >= THRESHOLD}


def protect(
    values: Mapping[Key, int],
    groups: Groups = lambda _key: (None, None),
    *,
    minimum: int = 0,
) -> set[Key]:
    """The keys of the cells to withhold: small counts, then enough others to protect them."""
    table = _Table(values, groups, minimum)
    members = table.members()
    # What the totals alone give away, with every cell withheld, no table can protect.
    given_away = recoverable(values, values, groups, minimum=minimum, _members=members)
    withheld = {key for key, value in values.items() if value < THRESHOLD}
    while True:
        extra = _weak_group(table, members, withheld)
        if extra is None:
            pinned = small(values, recoverable(values, withheld, groups, minimum=minimum, _members=members))
            pinned -= given_away
            extra = next(
                (cell for key in sorted(pinned, key=repr) if (cell := _next_smallest(table, members, withheld, key))),
                None,
            )
        if extra is None:
            return withheld
        withheld.add(extra)


def small(values: Mapping[Key, int], keys: Iterable[Key]) -> set[Key]:
    """The keys among `keys` whose count is small but not zero: those a reader must not learn."""
    return {key for key in keys if 0 < values[key] < THRESHOLD}


def _order(table: _Table, key: Key) -> tuple[int, str]:
    return table.values[key], repr(key)


def _weak_group(table: _Table, members, withheld: set[Key]) -> Key | None:
    """A published cell to withhold in the first row or column whose withheld cells hold a small
    count yet add up to less than the threshold (a single withheld cell always does)."""
    for group in sorted(members, key=repr):
        keys = members[group]
        hidden = [k for k in keys if k in withheld]
        if small(table.values, hidden) and sum(table.values[k] for k in hidden) < THRESHOLD:
            shown = [k for k in keys if k not in withheld]
            if shown:
                return min(shown, key=lambda k: _order(table, k))
    return None


def _next_smallest(table: _Table, members, withheld: set[Key], key: Key) -> Key | None:
    """The published cell to withhold for a recoverable one: the smallest, in its row or column or
    in those linked to them through withheld cells, that makes it unrecoverable; failing that,
    the smallest in its own row or column (another will follow)."""
    row, column = table.groups(key)
    near = [g for g in (("r", row), ("c", column)) if g in members]
    linked = _linked_groups(table, members, withheld, near)

    def shown(groups) -> list[Key]:
        found = {k for group in groups for k in members[group] if k not in withheld}
        return sorted(found, key=lambda k: _order(table, k))

    for candidate in shown(linked):
        if not _recoverable(table, members, withheld | {candidate}, only=key):
            return candidate
    for candidates in (shown(near), shown(linked)):
        if candidates:
            return candidates[0]
    return None


def _linked_groups(table: _Table, members, withheld: set[Key], start: list) -> list:
    seen, queue = set(start), deque(start)
    while queue:
        for k in members[queue.popleft()]:
            if k in withheld:
                row, column = table.groups(k)
                for group in (("r", row), ("c", column)):
                    if group in members and group not in seen:
                        seen.add(group)
                        queue.append(group)
    return sorted(seen, key=repr)


def recoverable(
    values: Mapping[Key, int],
    withheld: Iterable[Key],
    groups: Groups = lambda _key: (None, None),
    *,
    minimum: int = 0,
    _members=None,
) -> set[Key]:
    """The withheld cells whose value follows exactly from the published cells and the totals.

    The withheld cells are the unknowns; each known row or column total fixes their sum in it.
    A withheld cell can take another value exactly when some cycle of +1/-1 changes through
    withheld cells keeps every known total (rows and columns whose total cannot be known absorb
    any change) without taking a cell below `minimum`. That is a path search in a small graph:
    rows and columns are nodes, each withheld cell an edge that may be raised (row -> column) or,
    when above the minimum, lowered (column -> row).
    """
    table = _Table(values, groups, minimum)
    return _recoverable(table, _members if _members is not None else table.members(), withheld)


def _recoverable(table: _Table, members, withheld: Iterable[Key], only: Key | None = None) -> set[Key]:
    known = set(members)
    hidden = list(dict.fromkeys(withheld))

    def node(kind: str, name: Hashable | None):
        return (kind, name) if name is not None and (kind, name) in known else _FREE

    ends = {}
    for key in hidden:
        row, column = table.groups(key)
        ends[key] = (node("r", row), node("c", column))

    # Each withheld cell may be raised (row -> column) or, above the minimum, lowered (column -> row).
    edges: dict[object, list[tuple[object, Key]]] = defaultdict(list)
    for key, (row, column) in ends.items():
        edges[row].append((column, key))
        if table.values[key] > table.minimum:
            edges[column].append((row, key))

    result = set()
    for key in hidden if only is None else [only]:
        row, column = ends[key]
        if row is _FREE and column is _FREE:
            continue
        up = _reachable(edges, skip=key, start=column, goal=row)
        down = table.values[key] > table.minimum and _reachable(edges, skip=key, start=row, goal=column)
        if not (up or down):
            result.add(key)
    return result


def _reachable(edges, *, skip: Key, start, goal) -> bool:
    """Whether a path leads from `start` to `goal` without changing the cell `skip` itself."""
    if start == goal:
        return True
    seen = {start}
    queue = deque([start])
    while queue:
        for there, key in edges[queue.popleft()]:
            if key == skip:
                continue
            if there == goal:
                return True
            if there not in seen:
                seen.add(there)
                queue.append(there)
    return False
