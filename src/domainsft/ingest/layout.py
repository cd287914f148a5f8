"""Geometry of a page: text segments with boxes, grouped into visual lines.

Coordinates are PDF points with the origin at the top-left corner of the page (y grows
downwards), so "top" sorts in reading order. Both the PDF text layer and OCR produce
``Seg`` objects; everything downstream (tables, headers/footers, paragraph joining) works on
them and never on a particular backend.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")


@dataclass(slots=True)
class Seg:
    """A run of text on one visual line with its bounding box."""

    x0: float
    top: float
    x1: float
    bottom: float
    text: str

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


class Line:
    """Segments that share a visual line, left to right; geometry computed once."""

    __slots__ = ("bottom", "cell_gap", "segs", "text", "top", "x0", "x1")

    def __init__(self, segs: list[Seg], cell_gap: float = 1.2):
        self.cell_gap = cell_gap  # column gutter, in line heights (see split_cells)
        self.segs = sorted(segs, key=lambda s: s.x0)
        self.x0 = self.segs[0].x0
        self.x1 = max(s.x1 for s in self.segs)
        self.top = min(s.top for s in self.segs)
        self.bottom = max(s.bottom for s in self.segs)
        self.text = join_segs(self.segs)

    @property
    def height(self) -> float:
        return self.bottom - self.top


def is_cjk(ch: str) -> bool:
    return bool(_CJK.match(ch))


def join_pair(left: str, right: str) -> str:
    """Join two pieces of one line or one cell: CJK pieces touch, Latin pieces take one space."""
    if not left:
        return right
    if not right:
        return left
    if is_cjk(left[-1]) or is_cjk(right[0]):
        return left + right
    return left + " " + right


def join_segs(segs: list[Seg]) -> str:
    out = ""
    prev: Seg | None = None
    for s in segs:
        piece = s.text.strip()
        if not piece:
            continue
        if prev is not None and s.x0 - prev.x1 < 0.05 * max(s.height, 1.0):
            # Glyph runs that touch are one word that the PDF happened to split.
            out += piece
        else:
            out = join_pair(out, piece)
        prev = s
    return out


def group_lines(segs: list[Seg], cell_gap: float = 1.2) -> list[Line]:
    """Group segments into visual lines by vertical overlap, top to bottom.

    A segment joins the current line when it overlaps the line's first segment by at least
    half of the smaller height; this tolerates the baseline jitter of mixed CJK/Latin runs.
    """
    groups: list[list[Seg]] = []
    band = (0.0, 0.0)
    for s in sorted(segs, key=lambda s: (s.cy, s.x0)):
        if groups:
            overlap = min(s.bottom, band[1]) - max(s.top, band[0])
            if overlap >= 0.5 * min(s.height, band[1] - band[0]):
                groups[-1].append(s)
                continue
        groups.append([s])
        band = (s.top, s.bottom)
    return [Line(g, cell_gap) for g in groups]


def split_cells(line: Line, gap: float | None = None) -> list[list[Seg]]:
    """Split a line into cells wherever the horizontal gap is wider than ``gap``.

    The default is the line's ``cell_gap`` x its height: 1.2 for the text layer (wider than a
    word space, narrower than the column gutters of financial tables); OCR lines use a smaller
    factor because the recogniser already returns one box per cell, and neighbouring figure
    columns can sit as close as 0.4 box heights.
    """
    gap = gap if gap is not None else line.cell_gap * max(line.height, 4.0)
    cells: list[list[Seg]] = []
    for s in line.segs:
        if cells and s.x0 - cells[-1][-1].x1 <= gap:
            cells[-1].append(s)
        else:
            cells.append([s])
    return cells
