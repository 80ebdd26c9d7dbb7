"""Resolve a source table's rowspan/colspan into a rectangular grid of texts.

A merged cell's text is copied into every position it covers, so a row label that spans 22 rows
is present on each of them and a value cell that spans 3 columns is under each header it spans.
Spans are capped (``MAX_SPAN``) and the grid is bounded (``MAX_ROWS`` x ``MAX_COLS``) so a hostile
``rowspan=100000`` cannot blow up memory.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from govcrawl.extract.document import Table

MAX_ROWS = 2000
MAX_COLS = 64
MAX_SPAN = 500


@dataclass
class Grid:
    rows: list[list[str]]  # texts, '' where the source had no cell
    origin: list[list[bool]]  # True where the text is the cell's own position, False for span copies
    truncated: bool = False
    row_width: list[int] = field(default_factory=list)  # columns each row covers (own cells + spans from above)

    @property
    def width(self) -> int:
        return len(self.rows[0]) if self.rows else 0


def resolve(table: Table) -> Grid:
    """The cell at (r, c) is placed in the first free column of row r, as browsers do."""
    occupied: dict[tuple[int, int], tuple[str, bool]] = {}
    truncated = False
    nrows = 0
    width = 0
    for r, row in enumerate(table.rows):
        if r >= MAX_ROWS:
            truncated = True
            break
        c = 0
        for cell in row:
            while (r, c) in occupied:
                c += 1
            if c >= MAX_COLS:
                truncated = True
                break
            rs = max(1, min(int(cell.rowspan or 1), MAX_SPAN, MAX_ROWS - r))
            cs = max(1, min(int(cell.colspan or 1), MAX_COLS - c))
            text = cell.text if cell.text is not None else ""
            for dr in range(rs):
                for dc in range(cs):
                    occupied.setdefault((r + dr, c + dc), (text, dr == 0 and dc == 0))
            c += cs
            width = max(width, c)
        nrows = r + 1
    # a rowspan reaching below the last source row is cut there, as browsers do
    rows = [["" for _ in range(width)] for _ in range(nrows)]
    origin = [[False] * width for _ in range(nrows)]
    for (r, c), (text, own) in occupied.items():
        if r < nrows and c < width:
            rows[r][c] = text
            origin[r][c] = own
    row_width = [0] * nrows
    for (r, c) in occupied:
        if r < nrows and c < width:
            row_width[r] = max(row_width[r], c + 1)
    return Grid(rows, origin, truncated, row_width)
