"""Tables in a page image: ruling lines -> a grid of cells with rowspan/colspan.

Government reports that are pictures (a screenshot of the table, a scanned page) still draw every
cell border. The lines are found by morphology on the ink mask (a horizontal opening keeps runs
longer than any character stroke, a vertical one likewise), clustered into row and column lines,
and two neighbouring grid slots belong to one cell when no rule separates them — the same
geometry the PDF reader uses on vector rules, so merged headers and the vertical
``三、本年度办理结果`` label come out as spans rather than as guesses.

Everything is measured in multiples of the page's character height ``h`` (estimated from the ink's
connected components), so 150 dpi, 300 dpi and photographed pages use the same rules.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

MAX_TABLES = 20
MAX_LINES = 400


@dataclass
class GridCell:
    row: int
    col: int
    rowspan: int
    colspan: int
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 inside the rules


@dataclass
class TableLayout:
    box: tuple[int, int, int, int]
    ys: list[int]
    xs: list[int]
    cells: list[GridCell] = field(default_factory=list)
    rules: list[tuple[int, int, int, int]] = field(default_factory=list)  # accepted rule segments


def char_height(ink: np.ndarray) -> float:
    """Median height of character-sized ink components (fallback: 1/70 of the page height)."""
    import cv2

    n, _labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    hs = stats[1:, cv2.CC_STAT_HEIGHT]
    ws = stats[1:, cv2.CC_STAT_WIDTH]
    area = stats[1:, cv2.CC_STAT_AREA]
    side = max(ink.shape)  # a table screenshot is wide and short: judge by the long side
    ok = (hs > side / 400) & (hs < side / 12) & (ws < side / 8) & (area > 8) & (ws > hs * 0.3)
    if ok.sum() < 10:
        return max(8.0, side / 70)
    # CJK characters are one component or several pieces; the upper quartile tracks whole glyphs
    return float(max(8.0, np.percentile(hs[ok], 75)))


def line_masks(ink: np.ndarray, h: float) -> tuple[np.ndarray, np.ndarray]:
    """(horizontal rules, vertical rules) as masks: runs longer than any glyph stroke."""
    import cv2

    kw = max(12, int(2.0 * h))
    kh = max(10, int(0.8 * h))
    bridge = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 1)))
    horizontal = cv2.morphologyEx(bridge, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (kw, 1)))
    bridge = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 5)))
    vertical = cv2.morphologyEx(bridge, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, kh)))
    return horizontal, vertical


def _segments(mask: np.ndarray, axis: int) -> list[tuple[int, int, int, int]]:
    import cv2

    n, _labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    out = []
    for i in range(1, min(n, 5000)):
        x, y, w, hh = stats[i, :4]
        out.append((int(x), int(y), int(x + w), int(y + hh)))
    return out


def _cluster(values: list[float], tol: float) -> list[int]:
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [int(round(sum(c) / len(c))) for c in out]


def find_tables(ink: np.ndarray, h: float) -> list[TableLayout]:
    """Every ruled table on the page, largest first capped at ``MAX_TABLES``."""
    import cv2

    horizontal, vertical = line_masks(ink, h)
    tol = max(3, int(0.25 * h))
    hsegs = [s for s in _segments(horizontal, 0) if s[2] - s[0] >= 2.0 * h]
    vsegs = [s for s in _segments(vertical, 1) if s[3] - s[1] >= 0.8 * h]
    # a glyph stroke is no rule: a vertical rule ends on horizontal rules (or is very long)
    vsegs = [v for v in vsegs if v[3] - v[1] >= 3 * h or (_meets(v, hsegs, tol, top=True) and _meets(v, hsegs, tol, top=False))]
    if len(hsegs) < 2 or len(vsegs) < 2:
        return []
    grid = cv2.dilate(cv2.bitwise_or(horizontal, vertical), cv2.getStructuringElement(cv2.MORPH_RECT, (tol, tol)))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(grid, connectivity=8)
    tables = []
    for i in range(1, n):
        x, y, w, hh = (int(v) for v in stats[i, :4])
        if w < 4 * h or hh < 2 * h:
            continue
        inside = lambda s: s[0] >= x - tol and s[2] <= x + w + tol and s[1] >= y - tol and s[3] <= y + hh + tol  # noqa: E731
        hs = [s for s in hsegs if inside(s)]
        vs = [s for s in vsegs if inside(s)]
        # a dash or a run of glyph strokes is no rule: a horizontal rule runs from one vertical
        # rule to another (or spans most of the table)
        hs = [s for s in hs if s[2] - s[0] >= 0.6 * w or (_ends_on(s[0], s, vs, tol) and _ends_on(s[2], s, vs, tol))]
        if len(hs) < 2 or len(vs) < 2:
            continue
        ys = _cluster([(s[1] + s[3]) / 2 for s in hs] + [y + 1, y + hh - 2], tol)
        xs = _cluster([(s[0] + s[2]) / 2 for s in vs] + [x + 1, x + w - 2], tol)
        if len(ys) > MAX_LINES or len(xs) > MAX_LINES or len(ys) < 2 or len(xs) < 2:
            continue
        layout = TableLayout((x, y, x + w, y + hh), ys, xs, rules=hs + vs)
        hmask = np.zeros_like(horizontal)
        vmask = np.zeros_like(vertical)
        for x0, y0, x1, y1 in hs:
            hmask[y0:y1, x0:x1] = horizontal[y0:y1, x0:x1]
        for x0, y0, x1, y1 in vs:
            vmask[y0:y1, x0:x1] = vertical[y0:y1, x0:x1]
        layout.cells = _cells(layout, hmask, vmask, tol)
        if len(layout.cells) >= 2:
            tables.append(layout)
    tables.sort(key=lambda t: -(t.box[2] - t.box[0]) * (t.box[3] - t.box[1]))
    return sorted(tables[:MAX_TABLES], key=lambda t: t.box[1])


def _ends_on(x: float, s, vsegs, tol: float) -> bool:
    y = (s[1] + s[3]) / 2
    return any(v[0] - tol <= x <= v[2] + tol and v[1] - tol <= y <= v[3] + tol for v in vsegs)


def _meets(v, hsegs, tol: float, top: bool) -> bool:
    y = v[1] if top else v[3]
    cx = (v[0] + v[2]) / 2
    return any(s[0] - tol <= cx <= s[2] + tol and s[1] - tol <= y <= s[3] + tol for s in hsegs)


def _cells(t: TableLayout, horizontal: np.ndarray, vertical: np.ndarray, tol: int) -> list[GridCell]:
    ys, xs = t.ys, t.xs
    nr, nc = len(ys) - 1, len(xs) - 1

    def v_sep(r: int, c: int) -> bool:  # a rule between slot (r, c) and (r, c + 1)
        x = xs[c + 1]
        y0, y1 = ys[r], ys[r + 1]
        margin = max(1, (y1 - y0) // 5)
        band = vertical[y0 + margin:y1 - margin, max(0, x - tol):x + tol + 1]
        return band.size > 0 and band.any(axis=1).mean() >= 0.6

    def h_sep(r: int, c: int) -> bool:  # a rule between slot (r, c) and (r + 1, c)
        y = ys[r + 1]
        x0, x1 = xs[c], xs[c + 1]
        margin = max(1, (x1 - x0) // 5)
        band = horizontal[max(0, y - tol):y + tol + 1, x0 + margin:x1 - margin]
        return band.size > 0 and band.any(axis=0).mean() >= 0.6

    parent = list(range(nr * nc))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(nr):
        for c in range(nc):
            if c + 1 < nc and not v_sep(r, c):
                parent[find(r * nc + c)] = find(r * nc + c + 1)
            if r + 1 < nr and not h_sep(r, c):
                parent[find(r * nc + c)] = find((r + 1) * nc + c)
    groups: dict[int, list[tuple[int, int]]] = {}
    for r in range(nr):
        for c in range(nc):
            groups.setdefault(find(r * nc + c), []).append((r, c))
    cells = []
    taken: set[tuple[int, int]] = set()
    for slots in sorted(groups.values(), key=lambda s: (min(s)[0], min(s)[1])):
        r0 = min(r for r, _ in slots)
        r1 = max(r for r, _ in slots)
        c0 = min(c for _, c in slots)
        c1 = max(c for _, c in slots)
        box_slots = {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
        if box_slots & taken:  # an L-shaped merge (broken rule): keep its first row only
            r1 = r0
            box_slots = {(r0, c) for c in range(c0, c1 + 1)} - taken
            if not box_slots:
                continue
        taken |= box_slots
        cells.append(GridCell(r0, c0, r1 - r0 + 1, c1 - c0 + 1, (xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1])))
    return cells
